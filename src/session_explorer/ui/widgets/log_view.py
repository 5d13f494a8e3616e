"""The app-log pane: a Line-API view over a :class:`LineSource` of any length."""

from __future__ import annotations

from collections.abc import Callable, Container
from datetime import date
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollTo, ScrollUp
from textual.strip import Strip
from textual.worker import get_current_worker

from session_explorer.core.models import LogLine
from session_explorer.core.reading.sources import EMPTY_SOURCE, LineSource
from session_explorer.ui import render
from session_explorer.ui.render import LogColumns, LogStyles
from session_explorer.ui.widgets.follow import FollowChanged
from session_explorer.ui.widgets.line_pages import LinePages, PageRequest
from session_explorer.ui.widgets.textual_private import set_virtual_size
from session_explorer.ui.widgets.wrap_layout import WrapLayout

#: Component class of each field of :class:`LogStyles`.
_STYLE_CLASSES: dict[str, str] = {
    "time": "log-view--time",
    "date": "log-view--date",
    "level_debug": "log-view--level-debug",
    "level_info": "log-view--level-info",
    "level_warning": "log-view--level-warning",
    "level_error": "log-view--level-error",
    "level_other": "log-view--level-other",
    "logger": "log-view--logger",
    "message": "log-view--message",
    "continuation": "log-view--continuation",
    "continuation_error": "log-view--continuation-error",
    "session_tag": "log-view--session-tag",
    "control": "log-view--control",
    "truncated": "log-view--truncated-marker",
    "placeholder": "log-view--placeholder",
    "interaction": "log-view--interaction",
}

HORIZONTAL_STEP = 8


def _part_style(full: Style, own: Style) -> Style:
    """A part's colour (from its full, blended style) and its own text attributes.

    The background is left out: a part keeps the background of its row (cursor or not).
    """
    return Style(
        color=full.color,
        bold=own.bold,
        dim=own.dim,
        italic=own.italic,
        underline=own.underline,
        reverse=own.reverse,
        strike=own.strike,
    )


class LogView(ScrollView, can_focus=True):
    """App-log lines read a page at a time from a :class:`LineSource`.

    Only the visible rows are rendered; lines are read by a thread worker into a
    bounded page cache, and a row whose page is not read yet shows a placeholder.
    In follow mode the cursor stays on the newest line; moving up pauses follow and
    new lines are counted in a ``+N new`` badge in the border subtitle.

    | Key(s) | Id | Description |
    | :- | :- | :- |
    | j, down | `log.cursor_down` | Move the cursor down a line. |
    | k, up | `log.cursor_up` | Move the cursor up a line (pauses follow). |
    | pagedown | `log.page_down` | Move the cursor down a page. |
    | pageup | `log.page_up` | Move the cursor up a page (pauses follow). |
    | g, home | `log.first` | Go to the first line (pauses follow). |
    | G, end | `log.last` | Go to the last line and follow. |
    | f | `log.follow` | Toggle follow. |
    | w | `log.wrap` | Toggle wrapping of long lines. |
    | left, right | `log.scroll_left`, `log.scroll_right` | Scroll sideways (not wrapping). |
    | enter | `log.select` | Open the row under the cursor (`LineSelected`): an interaction of the merged timeline. |

    | Class | Description |
    | :- | :- |
    | `log-view--time` | The time column. |
    | `log-view--date` | The date column, shown when the lines span more than one day. |
    | `log-view--level-debug` | DEBUG. |
    | `log-view--level-info` | INFO. |
    | `log-view--level-warning` | WARNING / WARN. |
    | `log-view--level-error` | ERROR / CRITICAL / FATAL (and their messages' colour). |
    | `log-view--level-other` | Custom levels. |
    | `log-view--logger` | The logger name. |
    | `log-view--message` | The message. |
    | `log-view--continuation` | Continuation lines (tracebacks) of a record. |
    | `log-view--continuation-error` | Continuation lines of an error record. |
    | `log-view--session-tag` | The session tag (its colour comes from the session id). |
    | `log-view--control` | Control characters and escape sequences made visible. |
    | `log-view--truncated-marker` | The marker at the right edge of a cut line. |
    | `log-view--placeholder` | A line that is still being read. |
    | `log-view--interaction` | An interaction's row in the merged timeline. |
    | `log-view--match` | A search match. |
    | `log-view--match-current` | The matches on the current match's line. |
    | `log-view--marked` | A line logged while the selected interaction ran. |
    | `log-view--cursor` | The cursor row. |

    Search matches (:meth:`set_highlight`) are drawn in the visible rows only, from
    the query's spans on each column as displayed (time, level, logger, message...),
    on the lines the search matches; marks (:meth:`set_marks`) tint whole rows.
    """

    ALLOW_SELECT = False

    DEFAULT_CSS = """
    LogView {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        & > .log-view--time { color: $text-muted; }
        & > .log-view--date { color: $text-muted; }
        & > .log-view--level-debug { color: $text-muted; }
        & > .log-view--level-info { color: $text-primary; }
        & > .log-view--level-warning { color: $warning; text-style: bold; }
        & > .log-view--level-error { color: $error; text-style: bold; }
        & > .log-view--level-other { }
        & > .log-view--logger { color: $text-secondary; }
        & > .log-view--message { }
        & > .log-view--continuation { color: $text-muted; }
        & > .log-view--continuation-error { color: $text-error; }
        & > .log-view--session-tag { text-style: bold; }
        & > .log-view--control { color: $text-muted; text-style: reverse; }
        & > .log-view--truncated-marker { color: $text-muted; text-style: bold; }
        & > .log-view--placeholder { color: $text-disabled; }
        & > .log-view--interaction { color: $text-accent; text-style: bold; }
        & > .log-view--match { background: $warning 35%; color: $foreground; }
        & > .log-view--match-current { background: $warning; color: $background; text-style: bold; }
        & > .log-view--marked { background: $success 15%; }
        & > .log-view--cursor { background: $block-hover-background; }
        &:focus > .log-view--cursor { background: $block-cursor-blurred-background; }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *_STYLE_CLASSES.values(),
        "log-view--cursor",
        "log-view--match",
        "log-view--match-current",
        "log-view--marked",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="log.cursor_down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="log.cursor_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="log.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="log.page_up"),
        Binding("g,home", "first", "First line", show=False, id="log.first"),
        Binding("G,end", "last", "Last line", show=False, id="log.last"),
        Binding("f", "toggle_follow", "Follow", id="log.follow"),
        Binding("w", "toggle_wrap", "Wrap", id="log.wrap"),
        Binding("left", "scroll_left", "Left", show=False, id="log.scroll_left"),
        Binding("right", "scroll_right", "Right", show=False, id="log.scroll_right"),
        Binding("enter", "select_line", "Open", show=False, id="log.select"),
    ]

    follow: reactive[bool] = reactive(True, init=False)
    """Keep the cursor on the newest line as lines arrive."""
    wrap: reactive[bool] = reactive(False, init=False)
    """Wrap long lines instead of cutting them."""
    cursor_line: reactive[int] = reactive(0, init=False, repaint=False)
    """The line number (in the source) of the highlighted row."""
    new_lines: reactive[int] = reactive(0, init=False)
    """Lines that arrived while follow was paused (the badge)."""

    class CursorMoved(Message):
        """The cursor is on another line (or that line has just been read).

        ``line`` is None while the line is still being read; a second message with
        the line follows once it is.
        """

        def __init__(self, log_view: LogView, line_number: int, line: LogLine | None) -> None:
            super().__init__()
            self.log_view = log_view
            self.line_number = line_number
            self.line = line

        @property
        def control(self) -> LogView:
            return self.log_view

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LogView.CursorMoved) and message.log_view is self.log_view

    class LineSelected(Message):
        """Enter on a row that has been read (``line``: a log line or an interaction row)."""

        def __init__(self, log_view: LogView, line_number: int, line: object) -> None:
            super().__init__()
            self.log_view = log_view
            self.line_number = line_number
            self.line = line

        @property
        def control(self) -> LogView:
            return self.log_view

    class FollowChanged(FollowChanged):
        """Follow was turned on or off in this pane."""

    def __init__(
        self,
        source: LineSource | None = None,
        *,
        follow: bool = True,
        session_tags: bool = False,
        reference_day: date | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._source: LineSource = source if source is not None else EMPTY_SOURCE
        self._line_count = len(self._source)
        self._session_tags = session_tags
        self._given_day = reference_day
        self._reference_day = reference_day
        self._pages = LinePages()
        #: First and last day of the lines read so far (the date column).
        self._days: tuple[date, date] | None = None
        self._strips: LRUCache[tuple[int, int, int, bool, bool, int], list[Strip]] = LRUCache(1024)
        self._log_styles: LogStyles | None = None
        self._wrap_layout = WrapLayout(self._rows_of)
        self._longest_message = 0
        self._longest_continuation = 0
        self._loads_scheduled = False
        self._version = 0
        self._paint: tuple[int, Style] | None = None  # set while render_lines runs
        self._announced: tuple[int, bool] | None = None
        self._highlight: render.Highlighter | None = None
        self._current_match: int | None = None
        self._line_matches: Callable[[bytes], bool] | None = None
        self._marks: Container[int] = ()
        self.set_reactive(LogView.follow, follow)
        if follow:
            self.set_reactive(LogView.cursor_line, max(0, self._line_count - 1))

    # --- public API ---------------------------------------------------------

    @property
    def source(self) -> LineSource:
        return self._source

    @property
    def line_count(self) -> int:
        """Lines in the source as of the last :meth:`set_source`, :meth:`replace_source`
        or :meth:`source_grew`."""
        return self._line_count

    @property
    def cursor_log_line(self) -> LogLine | None:
        """The line under the cursor, when it has been read."""
        return self._pages.get(self.cursor_line) if self._line_count else None

    def set_source(
        self,
        source: LineSource,
        *,
        follow: bool = True,
        session_tags: bool = False,
        reference_day: date | None = None,
    ) -> None:
        """Show another source: caches and scroll reset; following starts at the end.

        ``session_tags`` adds the session column ("All lines"); ``reference_day`` is
        the day whose date is not printed (None: the day of the first line read).
        """
        self._source = source
        self._line_count = len(source)
        self._session_tags = session_tags
        self._given_day = reference_day
        self._reference_day = reference_day
        self._forget_lines()
        self._days = None
        self.set_reactive(LogView.new_lines, 0)
        self._update_badge()
        self.set_reactive(LogView.cursor_line, max(0, self._line_count - 1) if follow else 0)
        self.scroll_to(0, 0, animate=False, force=True)
        changed = follow != self.follow
        self.set_reactive(LogView.follow, follow)
        self._update_virtual_size()
        if follow:
            self._go_to_end()
        self._want(self.cursor_line)
        self._want_ends()
        self._start_loads()
        self._announce_cursor(force=True)
        if changed:
            self.post_message(self.FollowChanged(self, follow))
        self.refresh()

    def source_grew(
        self, line_count: int | None = None, *, read: tuple[int, list[LogLine]] | None = None
    ) -> None:
        """The source has new lines (or its last line grew, or it was truncated).

        Following, the newest line stays in view; otherwise the viewport stays
        still and the badge counts the new lines. ``read``: (first line, lines)
        already read from the source by the caller's worker, from at most the old
        last line to the end: shown at once, without a page load.
        """
        count = len(self._source) if line_count is None else line_count
        old = self._line_count
        self._line_count = count
        if count < old:
            self._forget_lines()
            self.set_reactive(LogView.new_lines, 0)
            self._update_badge()
            self.cursor_line = min(self.cursor_line, max(0, count - 1))
        else:
            self._pages.refresh_from(max(0, old - 1))
            if read is not None and read[0] <= max(0, old - 1) and read[0] + len(read[1]) == count:
                start, lines = read
                self._pages.put(start, lines)
                self._took_lines(lines, start, count)
            if not self.follow and count > old:
                self.new_lines += count - old
        self._update_virtual_size()
        if self.follow:
            self._go_to_end()
            self._want(max(0, count - 1))
        self._want(self.cursor_line)
        self._start_loads()
        self.refresh()

    def lines_appended(self, start: int, lines: list[LogLine]) -> None:
        """Lines added at the end of the source (``start``: the line count before
        them), handed over by the live feed: shown at once, nothing read again.
        Following, the newest line stays in view; otherwise the badge counts them."""
        old = self._line_count
        count = start + len(lines)
        if start != old or not lines:
            self.source_grew(len(self._source))  # out of step: read what is missing
            return
        self._line_count = count
        self._pages.put(start, lines)
        self._took_lines(lines, start, count)
        if not self.follow:
            self.new_lines += count - old
        self._update_virtual_size()
        if self.follow:
            self._go_to_end()
            self._want(count - 1)
        self._want(self.cursor_line)
        self._start_loads()
        self.refresh()

    def replace_source(self, source: LineSource, *, cursor_line: int | None = None) -> None:
        """Show the same session's lines read again (a new, usually longer, source).

        For a session re-read after the index completed, or after the log was
        rotated or truncated. Follow state, the session column and the reference
        day stay; following, the view goes to the new end; not following, the
        cursor line and the scroll position stay (clamped to the new length). Every
        cached page and row is dropped. The ``+N new`` badge is kept, unless the
        source shrank (then what it counted is gone, and it is reset).

        ``cursor_line`` (not following) puts the cursor on that line of the new
        source and scrolls it into view: a filter keeping the cursor on its line.
        """
        old_count = self._line_count
        scroll_x, scroll_y = self.scroll_offset
        self._source = source
        self._line_count = len(source)
        longest = (self._longest_message, self._longest_continuation)
        self._forget_lines()
        # Keep the width already measured so a sideways scroll is not snapped back
        # before the lines are read again (it only ever overestimates a little).
        self._longest_message, self._longest_continuation = longest
        if self._line_count < old_count:
            self._longest_message = self._longest_continuation = 0
            self.set_reactive(LogView.new_lines, 0)
            self._update_badge()
        self._update_virtual_size()
        if self.follow:
            self._go_to_end()
        else:
            last = max(0, self._line_count - 1)
            target = self.cursor_line if cursor_line is None else cursor_line
            clamped = target > last or cursor_line is not None
            self.set_reactive(LogView.cursor_line, max(0, min(target, last)))
            self.scroll_to(
                x=min(scroll_x, self.max_scroll_x),
                y=min(scroll_y, self.max_scroll_y),
                animate=False,
                force=True,
            )
            if clamped:
                self._scroll_cursor_into_view()
            self._want(self.cursor_line)
            self._start_loads()
            self._announce_cursor()
        self.refresh()

    def set_highlight(
        self,
        highlight: render.Highlighter | None,
        current: int | None = None,
        line_matches: Callable[[bytes], bool] | None = None,
    ) -> None:
        """Draw search matches: ``highlight`` gives the match spans in the text of a
        column (None: no search); the matches on line ``current`` are drawn as the
        current match. ``line_matches(raw)`` says whether a line matches at all: only
        the lines that do are highlighted (the search is over the raw line, whose
        parts the columns show reworded, cut or not at all)."""
        self._highlight = highlight
        self._current_match = current
        self._line_matches = line_matches
        self._clear_strips()
        self.refresh()

    def set_marks(self, lines: Container[int] | None) -> None:
        """Tint the rows of ``lines`` (positions in the source); None clears the marks."""
        self._marks = lines if lines is not None else ()
        self._clear_strips()
        self.refresh()

    @property
    def marks(self) -> Container[int]:
        return self._marks

    def go_to_line(self, line_number: int) -> None:
        """Put the cursor on ``line_number``; follow pauses unless it is the last line."""
        if not self._line_count:
            return
        line_number = max(0, min(line_number, self._line_count - 1))
        if line_number != self._line_count - 1:
            self._pause_follow()
        self.cursor_line = line_number

    def reveal(self, first: int, last: int) -> None:
        """Scroll lines ``first`` to ``last`` into view (as much as fits) without
        moving the cursor; following pauses when the view has to move up.

        Wrapping, the view scrolls by line too (see :mod:`.wrap_layout`): the lines
        are in view when the rows of the viewport reach the end of line ``last``.
        """
        height = self.scrollable_content_region.height
        if height <= 0 or not self._line_count:
            return
        last = min(last, self._line_count - 1)
        top = self.scroll_offset.y
        if self.wrap:
            if first >= top and self._wrap_layout.shows_whole(
                last, top, height, self._line_count, self._layout_key()
            ):
                return
        elif first >= top and last < top + height:
            return
        # One line of context above, unless it wraps (it could take the whole pane).
        above = first - 1 if first > 0 and self._rows_of(first - 1) == 1 else first
        target = min(max(0, above), self.max_scroll_y)
        if target < self.max_scroll_y:
            self._pause_follow()
        self.scroll_to(y=target, animate=False, force=True)

    # --- actions ------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self.cursor_line += 1

    def action_cursor_up(self) -> None:
        self._pause_follow()
        self.cursor_line -= 1

    def action_page_down(self) -> None:
        self.cursor_line += self._page_lines()

    def action_page_up(self) -> None:
        self._pause_follow()
        self.cursor_line -= self._page_lines()

    def action_first(self) -> None:
        self._pause_follow()
        self.cursor_line = 0

    def action_last(self) -> None:
        if self.follow:
            self._go_to_end()
        else:
            self.follow = True

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow

    def action_select_line(self) -> None:
        line = self.cursor_log_line
        if line is not None:
            self.post_message(self.LineSelected(self, self.cursor_line, line))

    def action_toggle_wrap(self) -> None:
        self.wrap = not self.wrap

    def action_scroll_left(self) -> None:
        if not self.wrap:
            self.scroll_to(x=self.scroll_x - HORIZONTAL_STEP, animate=False, force=True)

    def action_scroll_right(self) -> None:
        if not self.wrap:
            self.scroll_to(x=self.scroll_x + HORIZONTAL_STEP, animate=False, force=True)

    # --- reactives ----------------------------------------------------------

    def validate_cursor_line(self, value: int) -> int:
        return max(0, min(value, self._line_count - 1))

    def watch_cursor_line(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        if self.wrap:
            self.refresh()
        else:  # only the two rows whose highlight changed
            self.refresh_line(old)
            self.refresh_line(new)
        self._want(self.cursor_line)
        self._start_loads()
        self._announce_cursor()

    def watch_follow(self, follow: bool) -> None:
        if follow:
            self.new_lines = 0
            self._go_to_end()
        self.post_message(self.FollowChanged(self, follow))

    def watch_wrap(self) -> None:
        self._clear_strips()
        self.scroll_to(x=0, animate=False, force=True)
        self._update_virtual_size()
        if self.follow:
            self._go_to_end()
        else:
            self._scroll_cursor_into_view()
        self.refresh()

    def watch_new_lines(self) -> None:
        self._update_badge()

    # --- events -------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._log_styles = None
        self._clear_strips()

    def on_mount(self) -> None:
        self._want(self.cursor_line)
        self._want_ends()
        self._start_loads()
        self._announce_cursor()

    def on_focus(self) -> None:
        self._clear_strips()

    def on_blur(self) -> None:
        self._clear_strips()

    def on_resize(self) -> None:
        self._clear_strips()
        self._update_virtual_size()
        if self.follow:
            self._go_to_end()

    def watch_show_horizontal_scrollbar(self, shown: bool) -> None:
        # The scrollbar takes (or gives back) a row of the pane without a Resize:
        # following, the newest line must not end up hidden behind it.
        if self.follow:
            self.call_after_refresh(self._stay_at_end)

    def _stay_at_end(self) -> None:
        if self.follow:
            self._go_to_end()

    def watch_show_vertical_scrollbar(self, shown: bool) -> None:
        # A scrollbar made after the view has scrolled starts at position 0: give it
        # the view's position, or its thumb is drawn at the top while following.
        if shown:
            self.call_after_refresh(self._sync_vertical_scrollbar)

    def _sync_vertical_scrollbar(self) -> None:
        if self.show_vertical_scrollbar:
            self.vertical_scrollbar.position = self.scroll_y

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if not (event.ctrl or event.shift) and self.max_scroll_y > 0:
            self._pause_follow()

    def on_scroll_up(self, event: ScrollUp) -> None:
        self._pause_follow()

    def on_scroll_to(self, event: ScrollTo) -> None:
        if event.y is not None and event.y < self.scroll_y:
            self._pause_follow()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        line_number = self._line_at_row(offset.y)
        if line_number is None:
            return
        if line_number != self._line_count - 1:
            self._pause_follow()
        self.cursor_line = line_number

    # --- rendering ----------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every row needs, looked up once per paint (``rich_style`` walks the
        # DOM: a quarter of a cached row's cost when asked per row).
        self._paint = (self.scrollable_content_region.width, self.rich_style)
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def render_line(self, y: int) -> Strip:
        width, base = self._paint or (self.scrollable_content_region.width, self.rich_style)
        line_number, row = self._locate(y)
        if line_number < 0 or line_number >= self._line_count:
            return Strip.blank(width, base)
        line = self._pages.get(line_number)
        if line is None or not self._pages.is_loaded(self._pages.page_of(line_number)):
            self._want(line_number)
            self._schedule_loads()
        if line is None:
            return self._placeholder(line_number, width, base)
        strips = self._line_strips(line_number, line, width)
        if row >= len(strips):
            return Strip.blank(width, base)
        return strips[row]

    def _line_strips(self, line_number: int, line: LogLine, width: int) -> list[Strip]:
        """The rows of one line, cropped to the pane (cached)."""
        is_cursor = line_number == self.cursor_line
        wrap = self.wrap
        height = self.scrollable_content_region.height if wrap else 0
        scroll_x = 0 if wrap else self.scroll_offset.x
        key = (line_number, width, scroll_x, is_cursor, wrap, height)
        strips = self._strips.get(key)
        if strips is not None:
            return strips
        line_style = self._paint[1] if self._paint else self.rich_style
        if is_cursor:
            line_style = self.get_visual_style("log-view--cursor").rich_style
        elif line_number in self._marks:
            line_style = self.get_visual_style("log-view--marked").rich_style
        columns = self._columns(width)
        match_style = None
        highlight = self._highlight
        if highlight is not None and self._line_matches is not None and not self._line_matches(line.raw):
            highlight = None
        if highlight is not None:
            name = "log-view--match-current" if line_number == self._current_match else "log-view--match"
            match_style = self.get_visual_style(name).rich_style
        interaction = getattr(line, "interaction", None)
        if interaction is not None:
            text = render.render_interaction_row(
                interaction, columns=columns, styles=self._styles(),
                reference_day=self._reference_day, highlight=highlight, match_style=match_style,
            )
        else:
            text = render.render_log_line(
                line, columns=columns, styles=self._styles(), reference_day=self._reference_day,
                highlight=highlight, match_style=match_style,
            )
        text.style = line_style
        if self.wrap:
            indent = columns.message_column if line.head else columns.continuation_indent
            rows = render.wrap_rows(
                text, width, indent=indent, max_rows=max(1, height),
                marker_style=self._styles().truncated,
            )
            strips = [self._to_strip(part, line_style).extend_cell_length(width, line_style)
                      for part in rows]
        else:
            strips = [self._cut(self._to_strip(text, line_style), scroll_x, width, line_style)]
        self._strips[key] = strips
        return strips

    def _to_strip(self, text: Text, style: Style) -> Strip:
        return Strip(text.render(self.app.console), text.cell_len)

    def _cut(self, strip: Strip, scroll_x: int, width: int, style: Style) -> Strip:
        """Crop to the viewport; a line that goes on past the edge ends in a marker."""
        if strip.cell_length <= scroll_x + width or width < 2:
            return strip.crop_extend(scroll_x, scroll_x + width, style)
        cropped = strip.crop_extend(scroll_x, scroll_x + width - 1, style)
        marker = Segment(render.TRUNCATED_MARKER, style + self._styles().truncated)
        return Strip([*cropped, marker], width)

    def _placeholder(self, line_number: int, width: int, base: Style) -> Strip:
        styles = self._styles()
        error = self._pages.errors.get(self._pages.page_of(line_number))
        if error is not None:
            text = Text(f"⚠ {error}", styles.placeholder, no_wrap=True, end="")
        else:
            text = render.render_placeholder(self._columns(width), styles)
        if line_number == self.cursor_line:
            base = self.get_visual_style("log-view--cursor").rich_style
        text.style = base
        return self._to_strip(text, base).crop_extend(0, width, base)

    def _styles(self) -> LogStyles:
        if self._log_styles is None:
            values = {
                field: _part_style(
                    self.get_visual_style(name).rich_style,
                    self.get_component_rich_style(name, partial=True),
                )
                for field, name in _STYLE_CLASSES.items()
            }
            self._log_styles = LogStyles(**values)
        return self._log_styles

    def _columns(self, width: int) -> LogColumns:
        days = self._days or (None, None)
        return LogColumns.for_width(
            width, session_tags=self._session_tags, date=render.date_width(*days)
        )

    # --- geometry -----------------------------------------------------------

    def _rows_of(self, line_number: int) -> int:
        """Rows a line takes: 1 when not wrapping or not read yet."""
        if not self.wrap:
            return 1
        line = self._pages.get(line_number)
        if line is None:
            return 1
        return len(self._line_strips(line_number, line, self.scrollable_content_region.width))

    def _locate(self, y: int) -> tuple[int, int]:
        """(line number, row within the line) of viewport row ``y``; (-1, 0) past the end."""
        top = self.scroll_offset.y
        if not self.wrap:
            return top + y, 0
        rows = self._wrap_layout.viewport(
            top, self.scrollable_content_region.height, self._line_count, self._layout_key()
        )
        return rows[y] if y < len(rows) else (-1, 0)

    def _line_at_row(self, y: int) -> int | None:
        line_number, _ = self._locate(y)
        return line_number if 0 <= line_number < self._line_count else None

    def _layout_key(self) -> tuple[object, ...]:
        region = self.scrollable_content_region
        return (region.width, region.height, self._line_count, self._version)

    def _page_lines(self) -> int:
        height = max(1, self.scrollable_content_region.height)
        if not self.wrap:
            return height
        rows = self._wrap_layout.viewport(
            self.scroll_offset.y, height, self._line_count, self._layout_key()
        )
        return max(1, len({line for line, _ in rows}) - 1)

    def _content_width(self) -> int:
        columns = self._columns(self.scrollable_content_region.width)
        return max(
            columns.message_column + self._longest_message,
            columns.continuation_indent + self._longest_continuation,
        ) + 1

    def _update_virtual_size(self) -> None:
        height = self.scrollable_content_region.height
        if self.wrap:
            top_end = self._wrap_layout.last_top(height, self._line_count)
            size = Size(0, top_end + height if top_end else self._line_count)
        else:
            size = Size(self._content_width(), self._line_count)
        if size == self.virtual_size:
            return
        if not self.is_mounted:
            self.virtual_size = size
            return
        # Setting ``virtual_size`` lays the whole screen out again (some 20 ms),
        # which a live tail would pay for every new line: the scrollbars are
        # updated directly instead (they ask for a layout themselves when one
        # appears or goes).
        set_virtual_size(self, size)
        self.refresh()

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        cursor, top = self.cursor_line, self.scroll_offset.y
        if cursor < top:
            target = cursor
        elif not self.wrap:
            if cursor < top + height:
                return
            target = cursor - height + 1
        else:
            target = self._wrap_layout.top_for(cursor, height)
            if top >= target:
                return
        self.scroll_to(y=target, animate=False, force=True)

    def _go_to_end(self) -> None:
        self.set_reactive(LogView.cursor_line, max(0, self._line_count - 1))
        self._update_virtual_size()
        self.scroll_to(y=self.max_scroll_y, animate=False, force=True)
        self._want(self.cursor_line)
        self._start_loads()
        self._announce_cursor()
        self.refresh()

    def _pause_follow(self) -> None:
        if self.follow:
            self.follow = False

    def _update_badge(self) -> None:
        self.border_subtitle = f"+{self.new_lines} new" if self.new_lines else ""

    def _announce_cursor(self, force: bool = False) -> None:
        """Post CursorMoved once per (line, read or not)."""
        if not self._line_count:
            return
        line = self._pages.get(self.cursor_line)
        state = (self.cursor_line, line is not None)
        if force or state != self._announced:
            self._announced = state
            self.post_message(self.CursorMoved(self, self.cursor_line, line))

    # --- loading ------------------------------------------------------------

    def _took_lines(self, lines: list[LogLine], start: int, stop: int) -> None:
        """Lines ``start`` to ``stop`` are new in the pages: measure them, and drop
        what was drawn of them (of every line when the layout changes)."""
        days, reference_day = self._days, self._reference_day
        for line in lines:
            if line.head is not None:
                self._longest_message = max(self._longest_message, len(line.head.message))
                if line.head.timestamp is not None:
                    self._see_day(line.head.timestamp.date())
            else:
                self._longest_continuation = max(self._longest_continuation, len(line.raw))
        self._longest_message = min(self._longest_message, render.MAX_MESSAGE_CHARS + 20)
        self._longest_continuation = min(self._longest_continuation, render.MAX_MESSAGE_CHARS + 20)
        if self.wrap or self._days != days or self._reference_day != reference_day:
            self._clear_strips()  # rows' heights or the date column change
        else:
            # Only these rows are drawn again (a live tail adds a line or two; the
            # rest of the screen stays as drawn).
            self._drop_strips(start, stop)

    def _drop_strips(self, start: int, stop: int) -> None:
        """Drop the rendered rows of lines ``start`` to ``stop`` (not wrapping)."""
        for key in [key for key in self._strips.keys() if start <= key[0] < stop]:  # noqa: SIM118 - an LRUCache is not iterable
            self._strips.discard(key)

    def _clear_strips(self) -> None:
        """Drop rendered rows (and with them the wrap layout)."""
        self._strips.clear()
        self._version += 1

    def _forget_lines(self) -> None:
        self._pages.clear()
        self._clear_strips()
        self._longest_message = self._longest_continuation = 0
        self._announced = None

    def _want(self, line_number: int) -> None:
        if self._line_count:
            self._pages.want(line_number, self._line_count)

    def _want_ends(self) -> None:
        """Read the first and the last page too: the days they span decide the date column."""
        if self._line_count:
            self._pages.want(0, self._line_count, neighbours=False)
            self._pages.want(self._line_count - 1, self._line_count, neighbours=False)

    def _schedule_loads(self) -> None:
        """Start loads after the current paint (render_line must not start workers)."""
        if not self._loads_scheduled:
            self._loads_scheduled = True
            self.call_later(self._start_loads)

    def _start_loads(self) -> None:
        self._loads_scheduled = False
        requests = self._pages.take_requests(self._line_count)
        if requests:
            self._load_pages(self._source, requests)

    @work(thread=True, group="log-view-pages", exit_on_error=False)
    def _load_pages(self, source: LineSource, requests: list[PageRequest]) -> None:
        """Read pages in a thread; each arrives on the UI thread as it is read."""
        worker = get_current_worker()
        for request in requests:
            if worker.is_cancelled:
                return
            try:
                lines, error = source.read(request.start, request.stop), None
            except Exception as exc:  # a read error shows in the rows, never crashes
                lines, error = [], f"{type(exc).__name__}: {exc}"
            self.app.call_from_thread(self._page_arrived, request, lines, error)

    def _see_day(self, day: date) -> None:
        if self._reference_day is None:
            self._reference_day = day
        if self._days is None:
            self._days = (day, day)
        elif not self._days[0] <= day <= self._days[1]:
            self._days = (min(self._days[0], day), max(self._days[1], day))

    def _page_arrived(self, request: PageRequest, lines: list[LogLine], error: str | None) -> None:
        kept = (
            self._pages.fail(request, error) if error is not None
            else self._pages.store(request, lines)
        )
        if not kept:
            return
        self._took_lines(lines, request.start, request.stop)
        self._update_virtual_size()
        if self.follow:
            self._go_to_end()
        self._announce_cursor()
        self.refresh()
