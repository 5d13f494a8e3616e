"""The explorer's panes."""

from session_explorer.ui.widgets.interactions_view import InteractionsView
from session_explorer.ui.widgets.log_view import LogView
from session_explorer.ui.widgets.session_list import SessionList

__all__ = ["InteractionsView", "LogView", "SessionList"]
