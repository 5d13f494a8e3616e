"""App-log lines -> Rich ``Text``: columns and widths, levels, logger names, session
tags, and hostile text made visible (see :mod:`session_explorer.ui.render`)."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from rich.cells import get_character_cell_size
from rich.style import Style
from rich.text import Text

from session_explorer.core.levels import INFO_RANK, level_rank
from session_explorer.core.models import (
    IN_PROGRESS,
    LogLine,
    RecordHead,
)
from session_explorer.core.text import visible_pieces

#: Shown where a line is not loaded yet.
PLACEHOLDER = "…"
#: Drawn in the last cell of a row whose line goes on past the right edge.
TRUNCATED_MARKER = "→"
#: At most this many characters of one message are laid out; the rest is counted.
MAX_MESSAGE_CHARS = 2000
#: Spaces a tab stands for.
TAB_SIZE = 4

LEVEL_WIDTH = 8  # "CRITICAL"
TIME_FORMAT = "%H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"
#: The date column of a view whose lines span several days of one year / of several years.
SHORT_DATE_FORMAT = "%m-%d"
SHORT_DATE_WIDTH = 5
LONG_DATE_WIDTH = 10
SESSION_TAG_LENGTH = 6
#: The tag of lines logged outside any session ("in-progress").
IN_PROGRESS_TAG = "·" * SESSION_TAG_LENGTH

#: Colours a session tag may take; chosen by a stable checksum of the session id.
TAG_COLORS: tuple[str, ...] = (
    "#e06c75",
    "#e5c07b",
    "#98c379",
    "#56b6c2",
    "#61afef",
    "#c678dd",
    "#d19a66",
    "#be5046",
    "#7ec7a2",
    "#8fa1e0",
    "#f08bb4",
    "#b5bd68",
)

@dataclass(frozen=True, slots=True)
class LogStyles:
    """The styles of the parts of a rendered log line."""

    time: Style = Style(dim=True)
    date: Style = Style(dim=True)
    level_debug: Style = Style(dim=True)
    level_info: Style = Style(color="#4ea1d3")
    level_warning: Style = Style(color="yellow", bold=True)
    level_error: Style = Style(color="red", bold=True)
    level_other: Style = Style()
    logger: Style = Style(color="#8a8fa3")
    message: Style = Style()
    continuation: Style = Style(dim=True)
    continuation_error: Style = Style(color="red", dim=True)
    session_tag: Style = Style(bold=True)
    control: Style = Style(dim=True, reverse=True)
    truncated: Style = Style(dim=True)
    placeholder: Style = Style(dim=True)
    interaction: Style = Style(color="magenta", bold=True)

    def level(self, level: str | None) -> Style:
        """The style of a level name."""
        return getattr(self, f"level_{level_class(level)}")


DEFAULT_LOG_STYLES = LogStyles()


@dataclass(frozen=True, slots=True)
class LogColumns:
    """Widths of the columns of a log line (0 hides a column).

    ``date`` is the date column of a view whose lines span more than one day
    (:data:`SHORT_DATE_WIDTH` for ``MM-DD``, :data:`LONG_DATE_WIDTH` for
    ``YYYY-MM-DD``): every line then shows its date, so the columns stay aligned.
    """

    tag: int = 0
    time: int = 12
    level: int = LEVEL_WIDTH
    logger: int = 16
    date: int = 0

    @classmethod
    def for_width(cls, width: int, *, session_tags: bool = False, date: int = 0) -> LogColumns:
        """The columns for a pane ``width`` cells wide: the logger column shrinks first.

        The tag and date columns are taken off the width first, so the message keeps
        about the same room whether they are shown or not.
        """
        tag = SESSION_TAG_LENGTH if session_tags else 0
        room = width - (tag + 1 if tag else 0) - (date + 1 if date else 0)
        if room >= 110:
            logger = 24
        elif room >= 90:
            logger = 20
        elif room >= 72:
            logger = 14
        elif room >= 60:
            logger = 10
        else:
            logger = 0
        return cls(tag=tag, logger=logger, date=date)

    @property
    def continuation_indent(self) -> int:
        """Continuation lines start under the level column."""
        return (self.tag + 1 if self.tag else 0) + (self.date + 1 if self.date else 0) + self.time + 1

    @property
    def message_column(self) -> int:
        """Where the message starts on a line without a date."""
        width = self.continuation_indent + self.level + 1
        return width + (self.logger + 1 if self.logger else 0)


def level_class(level: str | None) -> str:
    """The style of a level by its rank (:mod:`~session_explorer.core.levels`):
    ``debug``, ``warning``, ``error``; ``info`` for INFO and ``other`` for the other
    names of the info rank (custom levels) and for lines without a level."""
    rank = level_rank(level)
    if rank == INFO_RANK:
        return "info" if level and level.upper() == "INFO" else "other"
    return ("debug", "info", "warning", "error")[rank]


def date_width(first: date | None, last: date | None) -> int:
    """The date column for lines from day ``first`` to day ``last``: 0 within one day."""
    if first is None or last is None or first == last:
        return 0
    return SHORT_DATE_WIDTH if first.year == last.year else LONG_DATE_WIDTH


def session_tag(session_id: str) -> str:
    """The short tag of a session: the last characters of its id."""
    return session_id[-SESSION_TAG_LENGTH:]


def session_color(session_id: str) -> str:
    """A colour for a session that is the same in every run (not Python's ``hash``)."""
    return TAG_COLORS[zlib.crc32(session_id.encode("utf-8")) % len(TAG_COLORS)]


def shorten_left(name: str, width: int) -> str:
    """Fit a dotted name into ``width`` cells by dropping its left part.

    Whole components go first (``myapp.ai.tools.weather`` -> ``…tools.weather``);
    a last component that is still too long is cut after a ``_`` or ``-`` when it
    can be (``…interaction_logger`` -> ``…logger``), else keeps its right end.
    """
    if width <= 0:
        return ""
    if len(name) <= width:
        return name
    parts = name.split(".")
    for start in range(1, len(parts)):
        tail = ".".join(parts[start:])
        if len(tail) + 1 <= width:
            return "…" + tail
    last = parts[-1]
    for index, char in enumerate(last):
        if char in "_-" and 0 < len(last) - index - 1 <= width - 1:
            return "…" + last[index + 1 :]
    return "…" + name[-(width - 1) :] if width > 1 else "…"


def append_visible(text: Text, value: str, style: Style, control: Style) -> None:
    """Append ``value`` to ``text`` literally, making control characters visible.

    Tabs become spaces (to the next multiple of :data:`TAB_SIZE` within ``value``);
    every other control, bidi or zero-width character (newline included: a row is
    one line) becomes the core's stand-in (:func:`~session_explorer.core.text.control_picture`)
    in the ``control`` style.
    """
    if "\t" in value:
        value = value.expandtabs(TAB_SIZE)
    for piece, is_picture in visible_pieces(value, keep=""):
        text.append(piece, control if is_picture else style)


#: Finds the (start, end) spans to highlight in a rendered text (a search).
Highlighter = Callable[[str], list[tuple[int, int]]]


def highlight_range(text: Text, start: int, end: int | None, highlight: Highlighter | None,
                    match_style: Style | None, *, padded: bool = False) -> None:
    """Draw the spans ``highlight`` finds in ``text[start:end]`` (as displayed) in
    ``match_style``; ``padded``: a column whose trailing blanks are padding, not text."""
    if highlight is None or match_style is None:
        return
    shown = text.plain[start:end]
    if padded:
        shown = shown.rstrip(" ")
    if not shown:
        return
    for begin, stop in highlight(shown):
        text.stylize(match_style, start + begin, start + stop)


def _append_message(text: Text, value: str, style: Style, styles: LogStyles,
                    highlight: Highlighter | None = None, match_style: Style | None = None) -> None:
    start = len(text)
    _append_message_text(text, value, style, styles)
    highlight_range(text, start, None, highlight, match_style)


def _append_message_text(text: Text, value: str, style: Style, styles: LogStyles) -> None:
    if len(value) > MAX_MESSAGE_CHARS:
        hidden = len(value) - MAX_MESSAGE_CHARS
        append_visible(text, value[:MAX_MESSAGE_CHARS], style, styles.control)
        text.append(f" … +{hidden} chars", styles.truncated)
    else:
        append_visible(text, value, style, styles.control)


def format_time(moment: datetime, reference_day: date | None) -> str:
    """``HH:MM:SS.mmm``, prefixed with the date when it is not ``reference_day``."""
    clock = f"{moment.strftime(TIME_FORMAT)}.{moment.microsecond // 1000:03d}"
    if reference_day is not None and moment.date() != reference_day:
        return f"{moment.strftime(DATE_FORMAT)} {clock}"
    return clock


def _append_tag(text: Text, session_id: str, columns: LogColumns, styles: LogStyles,
                highlight: Highlighter | None = None, match_style: Style | None = None) -> None:
    if not columns.tag:
        return
    if not session_id or session_id == IN_PROGRESS:
        # Lines logged outside any session: a neutral, dim filler rather than a
        # colour of their own (they belong to no row of the session list).
        filler = IN_PROGRESS_TAG if session_id else ""
        text.append(filler[: columns.tag].ljust(columns.tag) + " ", styles.time)
        return
    start = len(text)
    tag = session_tag(session_id).ljust(columns.tag) + " "
    text.append(tag, styles.session_tag + Style(color=session_color(session_id)))
    highlight_range(text, start, None, highlight, match_style, padded=True)


def _fit_cell(value: str, width: int) -> str:
    """``value`` padded to ``width`` cells, or cut to it with a final ``…``."""
    if len(value) > width:
        return value[: max(0, width - 1)] + "…" if width else ""
    return value.ljust(width)


def _append_head(text: Text, head: RecordHead, columns: LogColumns, styles: LogStyles,
                 reference_day: date | None, highlight: Highlighter | None = None,
                 match_style: Style | None = None) -> None:
    # Each column carries the space after it in its own style: no part of the row
    # starts with a blank (which some renderers of the snapshots drop).
    # A search highlights its matches in every column, each column on its own.
    def column(value: str, style: Style, *, visible: bool = False) -> None:
        start = len(text)
        if visible:
            append_visible(text, value, style, styles.control)
        else:
            text.append(value, style)
        highlight_range(text, start, None, highlight, match_style, padded=True)

    moment = head.timestamp
    if columns.date:
        day = ""
        if moment is not None:
            day = moment.strftime(SHORT_DATE_FORMAT if columns.date == SHORT_DATE_WIDTH else DATE_FORMAT)
        column(day.ljust(columns.date) + " ", styles.date)
    if moment is not None:
        stamp = format_time(moment, None if columns.date else reference_day)
        if len(stamp) > columns.time:
            day, stamp = stamp.split(" ", 1)
            column(day + " ", styles.date)
        column(stamp.ljust(columns.time) + " ", styles.time)
    else:
        text.append(" " * (columns.time + 1))
    level = head.level or ""
    column(_fit_cell(level, columns.level) + " ", styles.level(level), visible=True)
    if columns.logger:
        logger = shorten_left(head.logger or "", columns.logger)
        column(logger.ljust(columns.logger) + " ", styles.logger, visible=True)
    style = styles.message
    if level_class(level) == "error":
        style = style + Style(color=styles.level_error.color)
    _append_message(text, head.message, style, styles, highlight, match_style)


def render_log_line(
    line: LogLine,
    *,
    columns: LogColumns,
    styles: LogStyles = DEFAULT_LOG_STYLES,
    reference_day: date | None = None,
    highlight: Highlighter | None = None,
    match_style: Style | None = None,
) -> Text:
    """One app-log line in columns: [tag] time level logger message.

    A continuation line (traceback, multi-line message) is indented under its
    record's level column and styled after that record's level. Lines of the simple
    or JSON formats use the fields they have and leave the others blank.
    ``highlight`` gives the spans of a column's text (as displayed) to draw in
    ``match_style``: the matches of a search, in every column (tag, date, time,
    level, logger, message).
    """
    text = Text(no_wrap=True, end="")
    if line.head is not None:
        _append_tag(text, line.session_id, columns, styles, highlight, match_style)
        _append_head(text, line.head, columns, styles, reference_day, highlight, match_style)
        return text
    text.append(" " * columns.continuation_indent)
    error = level_class(line.level) == "error"
    style = styles.continuation_error if error else styles.continuation
    _append_message(text, line.text, style, styles, highlight, match_style)
    return text


def render_placeholder(columns: LogColumns, styles: LogStyles = DEFAULT_LOG_STYLES) -> Text:
    """The row shown for a line that is still being read."""
    indent = columns.tag + 1 if columns.tag else 0
    return Text(" " * indent + PLACEHOLDER, styles.placeholder, no_wrap=True, end="")


def wrap_rows(
    text: Text,
    width: int,
    *,
    indent: int = 0,
    max_rows: int = 0,
    marker_style: Style = DEFAULT_LOG_STYLES.truncated,
) -> list[Text]:
    """Cut ``text`` into rows of at most ``width`` cells.

    A row breaks after its last space when that space is in the row's last third,
    otherwise in the middle of a word. Rows after the first are indented by
    ``indent`` spaces (ignored when that would leave less than half the width).
    With ``max_rows`` the rows stop there and the last one ends in
    :data:`TRUNCATED_MARKER`.
    """
    if width <= 0:
        return [text]
    if indent * 2 > width:
        indent = 0
    plain = text.plain
    sizes = [get_character_cell_size(char) for char in plain]
    offsets: list[int] = []
    start = used = 0
    room = width
    last_space = -1
    for index, size in enumerate(sizes):
        if used and used + size > room:
            cut = index
            if last_space > start and index - last_space <= room // 3:
                cut = last_space + 1
            offsets.append(cut)
            start, room, last_space = cut, width - indent, -1
            used = sum(sizes[cut:index])
        used += size
        if plain[index] == " ":
            last_space = index
    pieces = list(text.divide(offsets)) if offsets else [text]
    rows: list[Text] = []
    for number, piece in enumerate(pieces):
        if number and indent:
            row = Text(" " * indent, style=text.style, no_wrap=True, end="")
            row.append_text(piece)
            piece = row
        rows.append(piece)
    if max_rows and len(rows) > max_rows:
        rows = rows[:max_rows]
        last = rows[-1]
        last.truncate(max(0, width - 1))
        last.append(TRUNCATED_MARKER, marker_style)
    return rows
