"""The help screen: every key of every pane, from the bindings themselves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

#: Keys handled by Textual itself, listed for completeness.
BUILT_IN = [
    ("tab / shift+tab", "Next / previous pane"),
    ("ctrl+p", "Command palette: go to a session (by id, model or first prompt), toggle follow, wrap..."),
    ("mouse", "Click a row to select it; the wheel scrolls"),
    ("palette", "\"Clear filters\" undoes the level and logger filters"),
]

#: What a key does, where the footer's short name would say too little (by binding id).
DESCRIPTIONS = {
    "app.search": "Search the focused pane: app log or interactions",
    "app.next_match": "Next match (in the pane searched)",
    "app.previous_match": "Previous match (in the pane searched)",
    "app.clear_search": "Clear the search",
    "app.next_alert": "Next warning/error line (app log) or failed interaction (interactions)",
    "app.previous_alert": "Previous warning/error line or failed interaction",
    "log.select": "Open the interaction (a row of the merged timeline, t)",
    "detail.expand": "Show a cut field whole",
    "detail.copy": "Copy the record (or the message under the cursor) to the clipboard",
}

KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "pagedown": "PgDn",
    "pageup": "PgUp",
}


def key_label(keys: str) -> str:
    return " ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


class HelpScreen(ModalScreen[None]):
    """Every key, grouped by where it applies."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 84;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        border: round $primary;
        border-title-color: $text-primary;
        background: $surface;
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, groups: Sequence[tuple[str, Sequence[BindingType]]]) -> None:
        """``groups``: a title and the bindings listed under it, in order (the app
        passes its own and each pane's)."""
        super().__init__()
        self._groups = list(groups)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "esc closes"
            yield Static(self._table())

    def _table(self) -> Table:
        table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
        table.add_column(style="bold", no_wrap=True, width=16)
        table.add_column()
        for title, bindings in self._groups:
            table.add_row(Text(title, style="bold underline"), "")
            for binding in bindings:
                if isinstance(binding, Binding):
                    description = DESCRIPTIONS.get(binding.id or "", binding.description or binding.action)
                    table.add_row(key_label(binding.key), Text(description))
            table.add_row("", "")
        table.add_row(Text("Textual", style="bold underline"), "")
        for keys, description in BUILT_IN:
            table.add_row(keys, description)
        return table
