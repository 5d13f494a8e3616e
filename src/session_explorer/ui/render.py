"""Records -> Rich ``Text``: every styling decision of the explorer in one place.

The widgets decide *where* a row goes; this module decides what a row looks like:
which columns a log line has and how wide they are, how a level is coloured, how a
logger name is shortened, how a session is tagged, and how hostile text (markup,
escape sequences, control characters) is made visible instead of interpreted.

Everything is built with ``Text(...)``/``append``, never ``Text.from_markup``, so a
message such as ``[bold]`` is shown exactly as written. Colours come from a
:class:`LogStyles` value: the log view builds one from its component classes (so
the theme and the stylesheet apply), and :data:`DEFAULT_LOG_STYLES` serves
everything else (tests, the session list and the interactions table).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from rich.cells import get_character_cell_size
from rich.style import Style
from rich.text import Text

from session_explorer.core.levels import INFO_RANK, level_rank
from session_explorer.core.models import (
    IN_PROGRESS,
    Interaction,
    LogLine,
    RecordHead,
    SessionSummary,
)
from session_explorer.core.text import control_picture, visible_pieces  # noqa: F401 - control_picture is re-exported

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


#: Starts the one-line summary of an interaction in the merged timeline.
INTERACTION_RULE = "──"


def interaction_summary(interaction: Interaction) -> str:
    """``#3 openai/gpt-4o-mini · 1.2k/701 tok · 6.3s · ok · "Plan my next…"``: an
    interaction on one line of the merged timeline (searchable as it reads)."""
    usage = interaction.usage
    parts = [f"#{interaction.number} {_model_name(interaction, provider=True) or '-'}"]
    if usage.input_tokens is not None or usage.output_tokens is not None:
        parts.append(f"{format_tokens(usage.input_tokens)}/{format_tokens(usage.output_tokens)} tok")
    if interaction.duration_ms is not None:
        parts.append(format_latency(interaction.duration_ms))
    parts.append(interaction.status)
    prompt = " ".join(interaction.last_user_text.split())
    if prompt:
        parts.append(f'"{prompt[:60]}…"' if len(prompt) > 60 else f'"{prompt}"')
    return " · ".join(parts)


def render_interaction_row(
    interaction: Interaction,
    *,
    columns: LogColumns,
    styles: LogStyles = DEFAULT_LOG_STYLES,
    reference_day: date | None = None,
    highlight: Highlighter | None = None,
    match_style: Style | None = None,
) -> Text:
    """An interaction as one row of the merged timeline: its time in the time column,
    then ``── #3 model · tokens · latency · status · "prompt"`` from the level column,
    in the interaction style (the status in its own colour)."""
    text = Text(no_wrap=True, end="")
    if columns.tag:
        text.append(" " * (columns.tag + 1))
    if columns.date:
        moment = interaction.timestamp
        day = ""
        if moment is not None:
            day = moment.strftime(SHORT_DATE_FORMAT if columns.date == SHORT_DATE_WIDTH else DATE_FORMAT)
        text.append(day.ljust(columns.date) + " ", styles.date)
    if interaction.timestamp is not None:
        stamp = format_time(interaction.timestamp, None if columns.date else reference_day)
        text.append(stamp[-columns.time:].ljust(columns.time) + " ", styles.time)
    else:
        text.append(" " * (columns.time + 1))
    text.append(INTERACTION_RULE + " ", styles.interaction)
    start = len(text)
    append_visible(text, interaction_summary(interaction), styles.interaction, styles.control)
    status = interaction.status
    status_style = STATUS_STYLES.get(status)
    if status_style is not None:
        plain = text.plain
        at = plain.find(f" · {status}", start)
        if at >= 0:  # the blank after it goes with it (no part starts with a blank)
            text.stylize(Style(color=status_style.color), at + 3, at + 4 + len(status))
    highlight_range(text, start, None, highlight, match_style)
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


# --- sessions -------------------------------------------------------------------

LIVE_MARKER = "●"
ERROR_BADGE = "✖"
WARNING_BADGE = "▲"
ALL_LINES_LABEL = "All lines"

_dim = Style(dim=True)
_error = Style(color="red", bold=True)
_warning = Style(color="yellow", bold=True)
_live = Style(color="green", bold=True)
_ok = Style(color="green")


def badges(errors: int, warnings: int, *, compact: bool = False) -> Text:
    """``✖ 2 ▲ 3`` (compact: ``✖2 ▲3``): errors in red, warnings in yellow; empty when both are zero."""
    gap = "" if compact else " "
    text = Text(end="")
    if errors:
        text.append(f"{ERROR_BADGE}{gap}{errors}", _error)
    if warnings:
        if errors:
            text.append(" ", _error)
        text.append(f"{WARNING_BADGE}{gap}{warnings}", _warning)
    return text


#: The smallest room worth showing a cut optional part in (``cl…``).
_MIN_CUT = 4
_sep_style = _dim


def _cut(text: Text, width: int) -> Text:
    """``text`` in at most ``width`` cells, ending in ``…`` when cut."""
    if text.cell_len <= width:
        return text
    cut = text.copy()
    cut.truncate(max(0, width), overflow="ellipsis")
    return cut


def _cut_left(text: Text, width: int) -> Text:
    """``text`` in at most ``width`` cells, keeping its end (``…085959_2``)."""
    if text.cell_len <= width or width <= 1:
        return _cut(text, width)
    plain = text.plain
    start = len(plain)
    while start > 0 and Text(plain[start - 1 :]).cell_len <= width - 1:
        start -= 1
    cut = Text("…", style=text.spans[0].style if text.spans else "", end="")
    cut.append_text(text[start:])
    return cut


def _join_parts(row: Text, parts: list[tuple[Text, bool]], width: int | None) -> None:
    """Append ``parts`` to ``row`` separated by `` · ``, as many as fit in ``width``.

    A part is ``(text, required)``; an optional part that does not fit is cut (or
    left out, with the parts after it, when there is not room for a few cells of it).
    """
    first = True
    previous = Text()
    used = Text(row.plain.rsplit("\n", 1)[-1]).cell_len  # cells of the row's last line
    for text, required in parts:
        if not text:
            continue
        separator = 0 if first else 3
        if width is not None:
            room = width - used - separator
            if text.cell_len > room:
                if room < (1 if required else _MIN_CUT):
                    break
                text = _cut(text, room)
        if not first:
            # The blank before the dot goes with the part before it.
            row.append(" ", previous.spans[-1].style if previous.spans else previous.style)
            row.append("· ", _sep_style)
        row.append_text(text)
        used += separator + text.cell_len
        first, previous = False, text
        if width is not None and used >= width:
            break


def _when(moment: datetime, newest_day: date | None) -> str:
    """``08:25:21`` on the newest session's day, else ``11-12 08:59`` (``2024-11-12``)."""
    if newest_day is None or moment.date() == newest_day:
        return moment.strftime(TIME_FORMAT)
    if moment.year == newest_day.year:
        return moment.strftime("%m-%d %H:%M")
    return moment.strftime(DATE_FORMAT)


def session_prompt(
    summary: SessionSummary, *, newest_day: date | None, width: int | None = None
) -> Text:
    """The two rows of a session in the session list, laid out for ``width`` cells.

    Row 1: the live marker, the id and the error/warning badges (right-aligned).
    Row 2: when it started · how many LLM calls · flags · the main model.
    The id and the badges are never cut while there is room for them: the model
    goes first, then the flags; badges that do not fit beside the id start row 2.
    ``width`` None lays the rows out without a limit (and without right-aligning).
    """
    in_progress = summary.id == IN_PROGRESS
    text = Text(no_wrap=True, overflow="crop", end="")
    text.append(f"{LIVE_MARKER} " if summary.growing else "  ", _live)
    # Lines outside any session: no colour of their own.
    id_style = _dim + Style(italic=True) if in_progress else Style(color=session_color(summary.id))
    ident = Text(end="")
    append_visible(ident, summary.id, id_style, _dim + Style(reverse=True))
    marks = badges(summary.errors, summary.warnings)
    carried: Text | None = None
    if width is None:
        text.append_text(ident)
        if marks:
            text.append("  ")
            text.append_text(marks)
    else:
        room = width - text.cell_len
        compact = badges(summary.errors, summary.warnings, compact=True)
        if not marks or ident.cell_len + 2 + marks.cell_len <= room:
            shown, gap = marks, 2
        elif ident.cell_len + 1 + compact.cell_len <= room:
            shown, gap = compact, 1
        else:
            shown, gap, carried = Text(), 0, compact
        ident = _cut_left(ident, room)
        text.append_text(ident)
        if shown:
            text.append(" " * max(gap, room - ident.cell_len - shown.cell_len))
            text.append_text(shown)
    text.append("\n  ")
    parts: list[tuple[Text, bool]] = []
    if carried is not None:
        parts.append((carried, True))
    when = Text(_when(summary.start, newest_day), end="") if summary.start is not None else Text()
    italic = _dim + Style(italic=True)
    if in_progress:  # what it is says more than when it started
        parts.append((Text("outside any session", italic, end=""), True))
        parts.append((when, False))
    elif summary.in_app_log and summary.interactions_file is None:
        parts += [(when, True), (Text("log only", italic, end=""), True)]
    else:
        count = summary.interactions
        parts += [(when, True), (Text(f"{count} call{'s' if count != 1 else ''}", _dim, end=""), True)]
    if summary.malformed:
        parts.append((Text(f"{summary.malformed} malformed", _warning, end=""), False))
    if summary.interactions_file is not None and not summary.in_app_log:
        parts.append((Text("no log", italic, end=""), False))
    if summary.main_model and not in_progress:
        model = Text(end="")
        append_visible(model, summary.main_model, Style(), _dim)
        parts.append((model, False))
    _join_parts(text, parts, None if width is None else width)
    return text


def all_lines_prompt(line_count: int | None = None, *, width: int | None = None) -> Text:
    """The first row of the session list: the whole app log."""
    text = Text(no_wrap=True, overflow="crop", end="")
    text.append("≡ ", _dim)
    text.append(ALL_LINES_LABEL, Style(bold=True))
    text.append("\n  ")
    parts = [(Text("the whole app log", _dim, end=""), False)]
    if line_count is not None:
        count = Text(f"{line_count:,} line{'s' if line_count != 1 else ''}", _dim, end="")
        if width is not None and 2 + 20 + count.cell_len > width:
            parts = []  # too narrow for both: the count says more
        parts.append((count, True))
    _join_parts(text, parts, width)
    return text


# --- interactions ----------------------------------------------------------------

STATUS_STYLES: dict[str, Style] = {
    "ok": _ok,
    "error": _error,
    "malformed": _warning,
}


def format_tokens(count: int | None) -> str:
    """``812``, ``45.1k``, ``3.2M``; ``-`` when unknown."""
    if count is None:
        return "-"
    if count < 1000:
        return str(count)
    if count < 1_000_000:
        return f"{count / 1000:.1f}k"
    return f"{count / 1_000_000:.1f}M"


def format_latency(duration_ms: float | None) -> str:
    """``340ms`` below a second, ``1.2s`` above, ``2m05s`` above a minute."""
    if duration_ms is None:
        return "-"
    if duration_ms < 1000:
        return f"{duration_ms:.0f}ms"
    seconds = duration_ms / 1000
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s"


def one_line(value: str, limit: int = 120) -> Text:
    """The start of a text on one line: line breaks become spaces, controls visible."""
    flat = " ".join(value.split("\n")).strip()
    cut = len(flat) > limit
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    append_visible(text, flat[:limit], Style(), DEFAULT_LOG_STYLES.control)
    if cut:
        text.append("…", _dim)
    return text


def _model_name(interaction: Interaction, *, provider: bool) -> str:
    parts = (interaction.provider, interaction.model) if provider else (interaction.model,)
    return "/".join(part for part in parts if part) or (interaction.provider or "")


def _tokens_cell(interaction: Interaction) -> Text:
    """``1.2k/701``: the input and output tokens in one cell."""
    usage = interaction.usage
    text = Text(justify="right", end="")
    text.append(format_tokens(usage.input_tokens))
    text.append("/", _dim)
    text.append(format_tokens(usage.output_tokens))
    return text


#: A column of the interactions table: (key, label).
Column = tuple[str, str]

#: The interactions table's layouts, widest first: (least pane width, columns).
#: Narrower panes merge the token counts, drop the provider from the model and
#: then the time; the status always shows, the prompt comes last.
INTERACTION_LAYOUTS: tuple[tuple[int, tuple[Column, ...]], ...] = (
    (90, (("number", "#"), ("time", "time"), ("model", "model"), ("in", "in"), ("out", "out"),
          ("latency", "latency"), ("status", "status"), ("prompt", "last user message"))),
    (64, (("number", "#"), ("time", "time"), ("model", "model"), ("tokens", "in/out"),
          ("latency", "latency"), ("status", "status"), ("prompt", "last user message"))),
    (0, (("number", "#"), ("model", "model"), ("tokens", "in/out"),
         ("latency", "latency"), ("status", "status"), ("prompt", "last user message"))),
)
WIDE_INTERACTION_COLUMNS = INTERACTION_LAYOUTS[0][1]

#: Column labels of the widest layout, in the order of ``interaction_cells``.
INTERACTION_COLUMNS: tuple[str, ...] = tuple(label for _, label in WIDE_INTERACTION_COLUMNS)


def interaction_columns(width: int) -> tuple[Column, ...]:
    """The columns of the interactions table for a pane ``width`` cells wide."""
    for least, columns in INTERACTION_LAYOUTS:
        if width >= least:
            return columns
    return INTERACTION_LAYOUTS[-1][1]


def interaction_cells(
    interaction: Interaction, columns: tuple[Column, ...] = WIDE_INTERACTION_COLUMNS
) -> tuple[Text, ...]:
    """The cells of one row of the interactions table, in the order of ``columns``."""
    wide = columns == WIDE_INTERACTION_COLUMNS
    usage = interaction.usage
    status = interaction.status

    def prompt_cell() -> Text:
        prompt = interaction.last_user_text
        if interaction.parse_error is not None and not prompt:
            text = one_line(interaction.raw_text, 80)
            text.stylize(_dim)
            return text
        return one_line(prompt)

    def time_cell() -> Text:
        moment = interaction.timestamp
        return Text(moment.strftime(TIME_FORMAT) if moment else "-", _dim)

    makers: dict[str, Callable[[], Text]] = {
        "number": lambda: Text(str(interaction.number), justify="right"),
        "time": time_cell,
        "model": lambda: one_line(_model_name(interaction, provider=wide) or "-", 40 if wide else 20),
        "in": lambda: Text(format_tokens(usage.input_tokens), justify="right"),
        "out": lambda: Text(format_tokens(usage.output_tokens), justify="right"),
        "tokens": lambda: _tokens_cell(interaction),
        "latency": lambda: Text(format_latency(interaction.duration_ms), justify="right"),
        "status": lambda: Text(status, STATUS_STYLES.get(status, Style())),
        "prompt": prompt_cell,
    }
    return tuple(makers[key]() for key, _ in columns)


def interaction_row_texts(interaction: Interaction) -> tuple[str, ...]:
    """The texts of an interaction's row as the table shows them, for a search: the
    cells of the widest layout, and the token counts as the narrower ones merge them."""
    cells = interaction_cells(interaction, WIDE_INTERACTION_COLUMNS)
    return (*(cell.plain for cell in cells), _tokens_cell(interaction).plain)


def highlight_interaction_cells(
    cells: tuple[Text, ...],
    columns: tuple[Column, ...],
    highlight: Highlighter,
    match_style: Style,
) -> tuple[Text, ...]:
    """The cells of a row that matches a search: the spans ``highlight`` finds in each
    cell drawn in ``match_style``, and the number cell wholly in it, so that a row
    matched by what it does not show (a message, a tool call) is marked too."""
    for (key, _), cell in zip(columns, cells, strict=True):
        if key == "number":
            cell.stylize(match_style)
        else:
            highlight_range(cell, 0, None, highlight, match_style)
    return cells


@dataclass(slots=True)
class InteractionTotals:
    """Running totals shown in the interactions pane's border title."""

    count: int = 0
    tokens: int = 0
    errors: int = 0
    malformed: int = 0
    _seen: dict[int, tuple[int, str]] = field(default_factory=dict, repr=False)

    def add(self, interaction: Interaction) -> None:
        """Count an interaction; a line seen before replaces its earlier version."""
        previous = self._seen.pop(interaction.line_number, None)
        if previous is not None:
            self._discount(*previous)
        tokens = interaction.usage.total or 0
        self._seen[interaction.line_number] = (tokens, interaction.status)
        self.count += 1
        self.tokens += tokens
        self.errors += interaction.status == "error"
        self.malformed += interaction.status == "malformed"

    def _discount(self, tokens: int, status: str) -> None:
        self.count -= 1
        self.tokens -= tokens
        self.errors -= status == "error"
        self.malformed -= status == "malformed"

    def title(self, label: str = "Interactions") -> str:
        """``Interactions 12 · 45.1k tok · 2 errors · 1 malformed``."""
        parts = [f"{label} {self.count}"]
        if self.tokens:
            parts.append(f"{format_tokens(self.tokens)} tok")
        if self.errors:
            parts.append(f"{self.errors} error{'s' if self.errors != 1 else ''}")
        if self.malformed:
            parts.append(f"{self.malformed} malformed")
        return " · ".join(parts)
