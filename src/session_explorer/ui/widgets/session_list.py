"""The sessions pane: "All lines" and one two-row option per session, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from session_explorer.core.models import SessionSummary
from session_explorer.ui import render

#: The option id of the "All lines" row (session ids are the other option ids).
ALL_LINES_ID = "\x00all-lines"


def _shown(summary: SessionSummary) -> tuple[object, ...]:
    """What a session's row shows (a change elsewhere, e.g. its line count, does not
    need the row drawn again)."""
    return (
        summary.start, summary.interactions, summary.malformed, summary.warnings,
        summary.errors, summary.models[:1], summary.growing, summary.in_app_log,
        summary.interactions_file is not None,
    )


class SessionOption(Option):
    """An option that carries its session (None for "All lines")."""

    def __init__(self, summary: SessionSummary | None, prompt: render.FittedRows) -> None:
        super().__init__(prompt, id=summary.id if summary else ALL_LINES_ID)
        self.summary = summary


class SessionList(OptionList):
    """The sessions of a logs directory; the first row is the whole app log.

    Rows keep their place when the list is updated: the highlighted *session* stays
    highlighted, wherever it moves to.

    | Key(s) | Id | Description |
    | :- | :- | :- |
    | j, down | `sessions.cursor_down` | Next (older) session. |
    | k, up | `sessions.cursor_up` | Previous (newer) session. |
    | g, home | `sessions.first` | Go to "All lines". |
    | G, end | `sessions.last` | Go to the oldest session. |
    | pagedown, pageup | | Move a page (OptionList). |
    | enter | | Select (OptionList's `OptionSelected`). |
    """

    DEFAULT_CSS = """
    SessionList {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="sessions.cursor_down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="sessions.cursor_up"),
        Binding("g,home", "first", "First", show=False, id="sessions.first"),
        Binding("G,end", "last", "Last", show=False, id="sessions.last"),
    ]

    class SessionSelected(Message):
        """Another session is highlighted; ``session_id`` None means "All lines"."""

        def __init__(self, session_list: SessionList, session_id: str | None) -> None:
            super().__init__()
            self.session_list = session_list
            self.session_id = session_id

        @property
        def control(self) -> SessionList:
            return self.session_list

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled, markup=False)
        self._summaries: list[SessionSummary] = []
        self._all_lines_count: int | None = None
        self._selected: str | None = ALL_LINES_ID
        self.add_option(SessionOption(None, render.all_lines_rows()))
        self.set_reactive(OptionList.highlighted, 0)
        self.border_title = self._title()

    # --- public API ---------------------------------------------------------

    @property
    def summaries(self) -> Sequence[SessionSummary]:
        return self._summaries

    @property
    def selected_session_id(self) -> str | None:
        """The highlighted session's id; None for "All lines"."""
        option_id = self._highlighted_id()
        return None if option_id in (None, ALL_LINES_ID) else option_id

    @property
    def is_on_newest(self) -> bool:
        """The highlight is on the newest session (the first one after "All lines")."""
        return bool(self._summaries) and self._highlighted_id() == self._summaries[0].id

    def update_sessions(
        self,
        summaries: Sequence[SessionSummary],
        *,
        all_lines_count: int | None = None,
        follow_newest: bool = False,
    ) -> None:
        """Show ``summaries`` (in display order, newest first) without moving the user.

        The highlighted session stays highlighted; if it is gone, the row at its
        place is. With ``follow_newest``, a user on the newest session moves to a
        newer one when it appears.
        """
        old_ids = [summary.id for summary in self._summaries]
        new_ids = [summary.id for summary in summaries]
        was_on_newest = self.is_on_newest
        newest_day = self._newest_day(summaries)
        redate = newest_day != self._newest_day(self._summaries)
        previous = {summary.id: summary for summary in self._summaries}
        self._summaries = list(summaries)
        # Replacing any prompt makes the OptionList measure every row again (costly
        # with thousands of sessions): only rows whose text changes are replaced.
        if all_lines_count != self._all_lines_count:
            self._all_lines_count = all_lines_count
            self.replace_option_prompt(ALL_LINES_ID, render.all_lines_rows(all_lines_count))
        if new_ids == old_ids:
            for summary in summaries:
                old = previous.get(summary.id)
                if redate or old is None or _shown(old) != _shown(summary):
                    prompt = render.session_rows(summary, newest_day=newest_day)
                    self.replace_option_prompt(summary.id, prompt)
        else:
            self._rebuild(newest_day, old_ids)
        if follow_newest and was_on_newest and new_ids and new_ids[0] != old_ids[0]:
            self.select_session(new_ids[0])
        self.border_title = self._title()

    def select_session(self, session_id: str | None) -> None:
        """Highlight a session (None: "All lines"); unknown ids are ignored."""
        option_id = ALL_LINES_ID if session_id is None else session_id
        try:
            self.highlighted = self.get_option_index(option_id)
        except Exception:  # OptionDoesNotExist: nothing to select
            return

    def step(self, delta: int) -> None:
        """Move the highlight ``delta`` rows (negative: newer), stopping at either end.

        For the app's ``[``/``]`` keys: works whether or not the list has focus, and
        posts :class:`SessionSelected` like any other move.
        """
        if not self.option_count:
            return
        current = self.highlighted if self.highlighted is not None else 0
        self.highlighted = max(0, min(current + delta, self.option_count - 1))

    # --- actions ------------------------------------------------------------

    def action_first(self) -> None:
        self.highlighted = 0

    def action_last(self) -> None:
        self.highlighted = self.option_count - 1

    # --- internals ----------------------------------------------------------

    def _rebuild(self, newest_day: date | None, old_ids: list[str]) -> None:
        """Replace every option, then put the highlight and the viewport back."""
        selected = self._highlighted_id()
        old_index = self.highlighted or 0
        screen_row = self._row_of(old_index) - self.scroll_offset.y
        options = [SessionOption(None, render.all_lines_rows(self._all_lines_count))]
        options += [
            SessionOption(summary, render.session_rows(summary, newest_day=newest_day))
            for summary in self._summaries
        ]
        self.set_options(options)  # highlight None: no message
        ids = [ALL_LINES_ID, *(summary.id for summary in self._summaries)]
        index = ids.index(selected) if selected in ids else min(old_index, len(ids) - 1)
        # Keep the highlighted row where it was on screen, then make sure it shows.
        self.scroll_to(y=max(0, self._row_of(index) - screen_row), animate=False, force=True)
        self.highlighted = index

    def _highlighted_id(self) -> str | None:
        option = self.highlighted_option
        return option.id if option is not None else None

    def _row_of(self, index: int) -> int:
        """First line of option ``index`` in the list (options are two lines each)."""
        return self._index_to_line.get(index, index * 2)

    def _newest_day(self, summaries: Sequence[SessionSummary]) -> date | None:
        starts = [summary.start for summary in summaries if summary.start is not None]
        return max(starts).date() if starts else None

    def _title(self) -> str:
        count = len(self._summaries)
        index = self.highlighted
        if index is None or index == 0 or count == 0:
            return f"Sessions {count}"
        return f"Sessions {index}/{count}"

    def _on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        option_id = event.option_id
        self.border_title = self._title()
        if option_id != self._selected:
            self._selected = option_id
            session_id = None if option_id == ALL_LINES_ID else option_id
            self.post_message(self.SessionSelected(self, session_id))
