"""The search bar: the query typed after ``/``, a row above the status bar.

It only collects the query and shows how the search is going (progress, the
number of matches, or why the query is invalid); the app runs the search, in the
pane the bar was opened for (its placeholder names it).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label, Static


class SearchBar(Horizontal):
    """The pane searched + ``/`` + the query + a status (``searching… 42%``,
    ``17 matches``, an error).

    | Key(s) | Id | Description |
    | :- | :- | :- |
    | enter | | Search. |
    | escape | `search.cancel` | Stop a running search; else close the bar and clear the search. |
    """

    DEFAULT_CSS = """
    SearchBar {
        height: 1;
        display: none;
        background: $panel;
        &.-visible { display: block; }
        & > #search-target { width: auto; color: $text-muted; padding-left: 1; }
        & > #search-prompt { width: 2; color: $text-accent; text-style: bold; padding-left: 1; }
        & > Input {
            width: 1fr;
            height: 1;
            border: none;
            padding: 0 1;
            background: $panel;
            &:focus { border: none; background: $panel; }
        }
        & > #search-status { width: auto; max-width: 60%; padding: 0 1; color: $text-muted; }
        & > #search-status.-error { color: $text-error; text-style: bold; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel search", id="search.cancel"),
    ]

    class Submitted(Message):
        """Enter in the bar: search for ``query``."""

        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    class Cancelled(Message):
        """Escape in the bar."""

    def compose(self) -> ComposeResult:
        yield Label("", id="search-target", markup=False)
        yield Label("/", id="search-prompt")
        yield Input(placeholder="text, Text (exact case) or re:expression", id="search-input")
        yield Static("", id="search-status", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    def open(self, target: str, *, pane: str = "log") -> None:
        """Show the bar for the pane named ``target`` (``pane``: which one, for the
        app) and focus the query."""
        self._pane = pane
        self.query_one("#search-target", Label).update(target)
        self.add_class("-visible")
        self.input.placeholder = f"search the {target}: text, Text (exact case) or re:expression"
        self.input.focus()

    @property
    def pane(self) -> str:
        """The pane the bar was last opened for: ``log`` or ``interactions``."""
        return getattr(self, "_pane", "log")

    def close(self) -> None:
        self.remove_class("-visible")

    @property
    def is_open(self) -> bool:
        return self.has_class("-visible")

    def set_status(self, text: str, *, error: bool = False) -> None:
        self._status = text
        status = self.query_one("#search-status", Static)
        status.update(text)
        status.set_class(error, "-error")

    @property
    def status(self) -> str:
        return getattr(self, "_status", "")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted(event.value))

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())
