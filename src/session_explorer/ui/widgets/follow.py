"""The message both live panes send when follow is turned on or off."""

from __future__ import annotations

from textual.message import Message
from textual.widget import Widget


class FollowChanged(Message):
    """Follow was turned on or off in a pane (``control`` is the pane)."""

    def __init__(self, pane: Widget, follow: bool) -> None:
        super().__init__()
        self.pane = pane
        self.follow = follow

    @property
    def control(self) -> Widget:
        return self.pane
