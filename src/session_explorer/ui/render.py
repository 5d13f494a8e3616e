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
from dataclasses import dataclass, field
from datetime import date, datetime

from rich.cells import get_character_cell_size
from rich.style import Style
from rich.text import Text

from session_explorer.core.models import (
    ERROR_LEVELS,
    IN_PROGRESS,
    WARNING_LEVELS,
    Interaction,
    LogLine,
    RecordHead,
    SessionSummary,
)
from session_explorer.core.text import control_picture, visible_pieces  # noqa: F401 (re-export)

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
SESSION_TAG_LENGTH = 6
#: The tag of lines logged outside any session ("in-progress").
IN_PROGRESS_TAG = "·" * SESSION_TAG_LENGTH

#: Level names grouped into the classes that get a style.
LEVEL_CLASSES: dict[str, str] = {
    "DEBUG": "debug",
    "INFO": "info",
    **{name: "warning" for name in WARNING_LEVELS},
    **{name: "error" for name in ERROR_LEVELS},
}

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
    date: Style = Style(dim=True, italic=True)
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

    def level(self, level: str | None) -> Style:
        """The style of a level name."""
        return getattr(self, f"level_{level_class(level)}")


DEFAULT_LOG_STYLES = LogStyles()


@dataclass(frozen=True, slots=True)
class LogColumns:
    """Widths of the columns of a log line (0 hides a column)."""

    tag: int = 0
    time: int = 12
    level: int = LEVEL_WIDTH
    logger: int = 16

    @classmethod
    def for_width(cls, width: int, *, session_tags: bool = False) -> LogColumns:
        """The columns for a pane ``width`` cells wide: the logger column shrinks first."""
        if width >= 110:
            logger = 24
        elif width >= 80:
            logger = 16
        elif width >= 60:
            logger = 10
        else:
            logger = 0
        return cls(tag=SESSION_TAG_LENGTH if session_tags else 0, logger=logger)

    @property
    def continuation_indent(self) -> int:
        """Continuation lines start under the level column."""
        return (self.tag + 1 if self.tag else 0) + self.time + 1

    @property
    def message_column(self) -> int:
        """Where the message starts on a line without a date."""
        width = self.continuation_indent + self.level + 1
        return width + (self.logger + 1 if self.logger else 0)


def level_class(level: str | None) -> str:
    """``debug``, ``info``, ``warning``, ``error`` or ``other`` (custom levels)."""
    if not level:
        return "other"
    return LEVEL_CLASSES.get(level.upper(), "other")


def session_tag(session_id: str) -> str:
    """The short tag of a session: the last characters of its id."""
    return session_id[-SESSION_TAG_LENGTH:]


def session_color(session_id: str) -> str:
    """A colour for a session that is the same in every run (not Python's ``hash``)."""
    return TAG_COLORS[zlib.crc32(session_id.encode("utf-8")) % len(TAG_COLORS)]


def shorten_left(name: str, width: int) -> str:
    """Fit a dotted name into ``width`` cells by dropping its left part.

    Whole components go first (``myapp.ai.tools.weather`` -> ``…tools.weather``);
    a last component that is still too long keeps its right end.
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


def _append_message(text: Text, value: str, style: Style, styles: LogStyles) -> None:
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


def _append_tag(text: Text, session_id: str, columns: LogColumns, styles: LogStyles) -> None:
    if not columns.tag:
        return
    if not session_id or session_id == IN_PROGRESS:
        # Lines logged outside any session: a neutral, dim filler rather than a
        # colour of their own (they belong to no row of the session list).
        filler = IN_PROGRESS_TAG if session_id else ""
        text.append(filler[: columns.tag].ljust(columns.tag) + " ", styles.time)
        return
    tag = session_tag(session_id).ljust(columns.tag)
    text.append(tag, styles.session_tag + Style(color=session_color(session_id)))
    text.append(" ")


def _append_head(text: Text, head: RecordHead, columns: LogColumns, styles: LogStyles,
                 reference_day: date | None) -> None:
    if head.timestamp is not None:
        stamp = format_time(head.timestamp, reference_day)
        if len(stamp) > columns.time:
            day, clock = stamp.split(" ", 1)
            text.append(day + " ", styles.date)
            stamp = clock
        text.append(stamp.ljust(columns.time), styles.time)
    else:
        text.append(" " * columns.time)
    text.append(" ")
    level = head.level or ""
    append_visible(text, level.ljust(columns.level), styles.level(level), styles.control)
    text.append(" ")
    if columns.logger:
        logger = shorten_left(head.logger or "", columns.logger)
        append_visible(text, logger.ljust(columns.logger), styles.logger, styles.control)
        text.append(" ")
    style = styles.message
    if level_class(level) == "error":
        style = style + Style(color=styles.level_error.color)
    _append_message(text, head.message, style, styles)


def render_log_line(
    line: LogLine,
    *,
    columns: LogColumns,
    styles: LogStyles = DEFAULT_LOG_STYLES,
    reference_day: date | None = None,
) -> Text:
    """One app-log line in columns: [tag] time level logger message.

    A continuation line (traceback, multi-line message) is indented under its
    record's level column and styled after that record's level. Lines of the simple
    or JSON formats use the fields they have and leave the others blank.
    """
    text = Text(no_wrap=True, end="")
    if line.head is not None:
        _append_tag(text, line.session_id, columns, styles)
        _append_head(text, line.head, columns, styles, reference_day)
        return text
    text.append(" " * columns.continuation_indent)
    error = level_class(line.level) == "error"
    style = styles.continuation_error if error else styles.continuation
    _append_message(text, line.text, style, styles)
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


def badges(errors: int, warnings: int) -> Text:
    """``✖ 2 ▲ 3``: errors in red, warnings in yellow; empty when both are zero."""
    text = Text(end="")
    if errors:
        text.append(f"{ERROR_BADGE} {errors}", _error)
    if warnings:
        if errors:
            text.append(" ")
        text.append(f"{WARNING_BADGE} {warnings}", _warning)
    return text


def session_prompt(summary: SessionSummary, *, newest_day: date | None) -> Text:
    """The two rows of a session in the session list."""
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append(f"{LIVE_MARKER} " if summary.growing else "  ", _live)
    if summary.start is not None:
        show_date = newest_day is not None and summary.start.date() != newest_day
        moment = summary.start.strftime("%m-%d %H:%M:%S" if show_date else TIME_FORMAT)
        text.append(moment, Style(bold=True))
        text.append("  ")
    if summary.id == IN_PROGRESS:  # lines outside any session: no colour of their own
        id_style = _dim + Style(italic=True)
    else:
        id_style = Style(color=session_color(summary.id))
    append_visible(text, summary.id, id_style, _dim + Style(reverse=True))
    marks = badges(summary.errors, summary.warnings)
    if marks:
        text.append("  ")
        text.append_text(marks)
    text.append("\n  ")
    count = summary.interactions
    text.append(f"{count} interaction{'s' if count != 1 else ''}", _dim)
    if summary.malformed:
        text.append(f" ({summary.malformed} malformed)", _warning)
    if summary.main_model:
        text.append(" · ", _dim)
        append_visible(text, summary.main_model, Style(), _dim)
    if summary.in_app_log and summary.interactions_file is None:
        text.append(" · log only", _dim + Style(italic=True))
    elif summary.interactions_file is not None and not summary.in_app_log:
        text.append(" · no log", _dim + Style(italic=True))
    return text


def all_lines_prompt(line_count: int | None = None) -> Text:
    """The first row of the session list: the whole app log."""
    text = Text(end="")
    text.append("  ≡ ", _dim)
    text.append(ALL_LINES_LABEL, Style(bold=True))
    text.append("\n  ")
    detail = "the whole app log"
    if line_count is not None:
        detail += f" · {line_count:,} lines"
    text.append(detail, _dim)
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


def interaction_cells(interaction: Interaction) -> tuple[Text, ...]:
    """The cells of one row of the interactions table (see ``INTERACTION_COLUMNS``)."""
    moment = interaction.timestamp.strftime(TIME_FORMAT) if interaction.timestamp else "-"
    model = "/".join(part for part in (interaction.provider, interaction.model) if part)
    usage = interaction.usage
    status = interaction.status
    prompt = interaction.last_user_text
    if interaction.parse_error is not None and not prompt:
        prompt_text = one_line(interaction.raw_text, 80)
        prompt_text.stylize(_dim)
    else:
        prompt_text = one_line(prompt)
    return (
        Text(str(interaction.number), justify="right"),
        Text(moment, _dim),
        one_line(model or "-", 40),
        Text(format_tokens(usage.input_tokens), justify="right"),
        Text(format_tokens(usage.output_tokens), justify="right"),
        Text(format_latency(interaction.duration_ms), justify="right"),
        Text(status, STATUS_STYLES.get(status, Style())),
        prompt_text,
    )


#: Column labels of the interactions table, in the order of ``interaction_cells``.
INTERACTION_COLUMNS: tuple[str, ...] = (
    "#", "time", "model", "in", "out", "latency", "status", "last user message",
)


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
