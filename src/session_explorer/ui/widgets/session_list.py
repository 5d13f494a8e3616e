"""The sessions pane: "All lines" and two rows per session, newest first.

A Line-API view (``ScrollView`` + ``render_line``): only the rows on screen are laid
out, so a directory of thousands of sessions costs nothing to show or to update,
and a session's rows are drawn again only when what they show changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from session_explorer.core.models import SessionSummary
from session_explorer.ui import render

#: The row id of "All lines" (the other rows' ids are session ids).
ALL_LINES_ID = "\x00all-lines"
#: Screen rows per entry.
ROWS = 2


def _shown(summary: SessionSummary) -> tuple[object, ...]:
    """What a session's rows show (a change elsewhere, e.g. its line count, does not
    need them drawn again)."""
    return (
        summary.id, summary.start, summary.interactions, summary.malformed, summary.warnings,
        summary.errors, summary.models[:1], summary.growing, summary.in_app_log,
        summary.interactions_file is not None,
    )


class SessionList(ScrollView, can_focus=True):
    """The sessions of a logs directory; the first entry is the whole app log.

    Entries keep their place when the list is updated: the highlighted *session*
    stays highlighted, wherever it moves to. ``highlighted`` is the index of the
    highlighted entry (0: "All lines").

    | Key(s) | Id | Description |
    | :- | :- | :- |
    | j, down | `sessions.cursor_down` | Next (older) session. |
    | k, up | `sessions.cursor_up` | Previous (newer) session. |
    | g, home | `sessions.first` | Go to "All lines". |
    | G, end | `sessions.last` | Go to the oldest session. |
    | pagedown, pageup | `sessions.page_down`, `sessions.page_up` | Move a page. |

    | Component class | What |
    | :- | :- |
    | `session-list--option` | Every entry (its padding is the entry's padding). |
    | `session-list--option-highlighted` | The highlighted entry. |
    | `session-list--option-hover` | The entry under the mouse. |
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "session-list--option",
        "session-list--option-highlighted",
        "session-list--option-hover",
    }

    DEFAULT_CSS = """
    SessionList {
        color: $foreground;
        background: $surface;
        overflow-x: hidden;
        & > .session-list--option {
            padding: 0 1;
        }
        & > .session-list--option-highlighted {
            color: $foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .session-list--option-hover {
            background: $block-hover-background;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .session-list--option-highlighted {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="sessions.cursor_down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="sessions.cursor_up"),
        Binding("g,home", "first", "First", show=False, id="sessions.first"),
        Binding("G,end", "last", "Last", show=False, id="sessions.last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="sessions.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="sessions.page_up"),
    ]

    highlighted: reactive[int] = reactive(0, init=False)
    """The highlighted entry: 0 is "All lines", ``n`` the ``n``-th newest session."""
    _hover: reactive[int | None] = reactive(None, init=False)

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
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._summaries: list[SessionSummary] = []
        self._index: dict[str, int] = {}  # session id -> entry index
        self._all_lines_count: int | None = None
        self._newest_day: date | None = None
        self._selected: str | None = ALL_LINES_ID
        self._rows: LRUCache[tuple[object, ...], list[Strip]] = LRUCache(256)
        self.virtual_size = Size(0, ROWS)
        self.border_title = self._title()

    # --- public API ---------------------------------------------------------

    @property
    def summaries(self) -> Sequence[SessionSummary]:
        return self._summaries

    @property
    def entry_count(self) -> int:
        """Entries in the list: "All lines" and one per session."""
        return len(self._summaries) + 1

    @property
    def selected_session_id(self) -> str | None:
        """The highlighted session's id; None for "All lines"."""
        entry = self.entry_id(self.highlighted)
        return None if entry == ALL_LINES_ID else entry

    @property
    def is_on_newest(self) -> bool:
        """The highlight is on the newest session (the first one after "All lines")."""
        return bool(self._summaries) and self.highlighted == 1

    def entry_id(self, index: int) -> str:
        """The id of entry ``index`` (``ALL_LINES_ID`` for the first)."""
        return ALL_LINES_ID if index <= 0 else self._summaries[index - 1].id

    def entry_text(self, index: int, width: int | None = None) -> Text:
        """The rows of entry ``index`` as text, laid out for ``width`` cells."""
        if index == 0:
            return render.all_lines_prompt(self._all_lines_count, width=width)
        return render.session_prompt(self._summaries[index - 1], newest_day=self._newest_day, width=width)

    def update_sessions(
        self,
        summaries: Sequence[SessionSummary],
        *,
        all_lines_count: int | None = None,
        follow_newest: bool = False,
    ) -> None:
        """Show ``summaries`` (in display order, newest first) without moving the user.

        The highlighted session stays highlighted, and stays where it was on screen;
        if it is gone, the entry at its place is. With ``follow_newest``, a user on
        the newest session moves to a newer one when it appears.
        """
        old_newest = self._summaries[0].id if self._summaries else None
        was_on_newest = self.is_on_newest
        selected = self.entry_id(self.highlighted)
        old_index = self.highlighted
        screen_row = old_index * ROWS - round(self.scroll_y)
        self._summaries = list(summaries)
        self._index = {summary.id: n for n, summary in enumerate(self._summaries, 1)}
        self._all_lines_count = all_lines_count
        self._newest_day = self._latest_day(self._summaries)
        self.virtual_size = Size(self.virtual_size.width, self.entry_count * ROWS)
        if follow_newest and was_on_newest and self._summaries and self._summaries[0].id != old_newest:
            index = 1
        elif selected == ALL_LINES_ID:
            index = 0
        else:
            index = self._index.get(selected, min(old_index, self.entry_count - 1))
        if index != old_index and self.is_mounted:
            # Keep the highlighted entry where it was on screen (new rows above it
            # push the rest down out of sight, not the entry the user is on).
            self.scroll_to(y=max(0, index * ROWS - screen_row), animate=False, force=True)
        if index != self.highlighted:
            self.highlighted = index
        else:  # same place: the list may still scroll freely; another entry may be there
            self.border_title = self._title()
            self._announce()
        self.refresh()

    def select_session(self, session_id: str | None) -> None:
        """Highlight a session (None: "All lines"); unknown ids are ignored."""
        index = 0 if session_id is None else self._index.get(session_id)
        if index is not None:
            self.highlighted = index

    def step(self, delta: int) -> None:
        """Move the highlight ``delta`` entries (negative: newer), stopping at either end.

        For the app's ``[``/``]`` keys: works whether or not the list has focus, and
        posts :class:`SessionSelected` like any other move.
        """
        self.highlighted = self.highlighted + delta

    # --- actions ------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self.step(1)

    def action_cursor_up(self) -> None:
        self.step(-1)

    def action_first(self) -> None:
        self.highlighted = 0

    def action_last(self) -> None:
        self.highlighted = self.entry_count - 1

    def action_page_down(self) -> None:
        self.step(max(1, self.scrollable_content_region.height // ROWS))

    def action_page_up(self) -> None:
        self.step(-max(1, self.scrollable_content_region.height // ROWS))

    # --- rendering ----------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index, row = divmod(round(self.scroll_y) + y, ROWS)
        if index >= self.entry_count:
            return Strip.blank(width, self.get_visual_style("session-list--option").rich_style)
        return self._entry_strips(index, width)[row]

    def _entry_strips(self, index: int, width: int) -> list[Strip]:
        """The rows of one entry, styled for its state (cached by what they show)."""
        if index == self.highlighted:
            state = "session-list--option-highlighted"
        elif index == self._hover:
            state = "session-list--option-hover"
        else:
            state = ""
        padding = self.get_component_styles("session-list--option").padding
        shown = ("all", self._all_lines_count) if index == 0 else _shown(self._summaries[index - 1])
        key = (shown, self._newest_day, width, state, self.has_focus, padding)
        strips = self._rows.get(key)
        if strips is None:
            names = ("session-list--option", state) if state else ("session-list--option",)
            style = self.get_visual_style(*names).rich_style
            inner = max(1, width - padding.width)
            text = self.entry_text(index, inner)
            strips = [self._strip(line, style, padding.left, width) for line in text.split("\n")]
            strips += [Strip.blank(width, style)] * (ROWS - len(strips))
            self._rows[key] = strips[:ROWS]
        return strips[:ROWS]

    def _strip(self, line: Text, style: Style, left: int, width: int) -> Strip:
        segments = list(line.render(self.app.console))
        body = Strip(segments, line.cell_len).crop(0, max(0, width - left))
        strip = Strip.join([Strip.blank(left), body]).apply_style(style)
        return strip.extend_cell_length(width, style).crop(0, width)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._rows.clear()

    def _on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self.refresh()

    # --- the mouse ----------------------------------------------------------

    def _entry_at(self, event: events.MouseEvent) -> int | None:
        """The entry under the mouse (rows are cached by what they show, not where:
        the place comes from the pointer, not from the row)."""
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        entry = (offset.y + round(self.scroll_y)) // ROWS
        return entry if 0 <= entry < self.entry_count else None

    async def _on_click(self, event: events.Click) -> None:
        entry = self._entry_at(event)
        if entry is not None:
            self.highlighted = entry

    def _on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover = self._entry_at(event)

    def _on_leave(self, event: events.Leave) -> None:
        self._hover = None

    def watch__hover(self) -> None:
        self.refresh()

    # --- internals ----------------------------------------------------------

    def validate_highlighted(self, index: int) -> int:
        # Any index is taken: it stops at either end.
        return max(0, min(index, self.entry_count - 1))

    def watch_highlighted(self, index: int) -> None:
        self.border_title = self._title()
        self.refresh()
        if self.is_mounted:
            self.scroll_to_region_of(index)
        self._announce()

    def _announce(self) -> None:
        """Post :class:`SessionSelected` when the highlighted entry is another one."""
        entry = self.entry_id(self.highlighted)
        if entry != self._selected:
            self._selected = entry
            self.post_message(self.SessionSelected(self, None if entry == ALL_LINES_ID else entry))

    def scroll_to_region_of(self, index: int) -> None:
        """Scroll just enough for entry ``index`` to be seen whole."""
        top = index * ROWS
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False, force=True)
        elif top + ROWS > self.scroll_y + height:
            self.scroll_to(y=top + ROWS - height, animate=False, force=True)

    def _latest_day(self, summaries: Sequence[SessionSummary]) -> date | None:
        starts = [summary.start for summary in summaries if summary.start is not None]
        return max(starts).date() if starts else None

    def _title(self) -> str:
        count = len(self._summaries)
        index = self.highlighted
        if index == 0 or count == 0:
            return f"Sessions {count}"
        return f"Sessions {index}/{count}"
