"""Records -> Rich ``Text``: every styling decision of the explorer in one package.

The widgets decide *where* a row goes; this package decides what a row looks like:
which columns a log line has and how wide they are, how a level is coloured, how a
logger name is shortened, how a session is tagged, and how hostile text (markup,
escape sequences, control characters) is made visible instead of interpreted.

Everything is built with ``Text(...)``/``append``, never ``Text.from_markup``, so a
message such as ``[bold]`` is shown exactly as written. Colours come from a
:class:`LogStyles` value: the log view builds one from its component classes (so
the theme and the stylesheet apply), and :data:`DEFAULT_LOG_STYLES` serves
everything else (tests, the session list and the interactions table).

The package's parts: :mod:`.log_lines` (the app-log pane), :mod:`.sessions` (the
sessions pane) and :mod:`.interactions` (the interactions pane and the timeline's
interaction rows); their names are all importable from here.
"""

from __future__ import annotations

from session_explorer.core.interactions.oneline import (
    INTERACTION_RULE,
    format_latency,
    format_tokens,
    interaction_summary,
)
from session_explorer.core.text import control_picture, visible_pieces
from session_explorer.ui.render.interactions import (
    INTERACTION_COLUMNS,
    INTERACTION_LAYOUTS,
    STATUS_STYLES,
    WIDE_INTERACTION_COLUMNS,
    Column,
    InteractionTotals,
    highlight_interaction_cells,
    interaction_cells,
    interaction_columns,
    interaction_row_texts,
    one_line,
    render_interaction_row,
)
from session_explorer.ui.render.log_lines import (
    DATE_FORMAT,
    DEFAULT_LOG_STYLES,
    IN_PROGRESS_TAG,
    LEVEL_WIDTH,
    LONG_DATE_WIDTH,
    MAX_MESSAGE_CHARS,
    PLACEHOLDER,
    SESSION_TAG_LENGTH,
    SHORT_DATE_FORMAT,
    SHORT_DATE_WIDTH,
    TAB_SIZE,
    TAG_COLORS,
    TIME_FORMAT,
    TRUNCATED_MARKER,
    Highlighter,
    LogColumns,
    LogStyles,
    append_visible,
    date_width,
    format_time,
    highlight_range,
    level_class,
    render_log_line,
    render_placeholder,
    session_color,
    session_tag,
    shorten_left,
    wrap_rows,
)
from session_explorer.ui.render.sessions import (
    ALL_LINES_LABEL,
    ERROR_BADGE,
    LIVE_MARKER,
    WARNING_BADGE,
    all_lines_prompt,
    badges,
    session_prompt,
)

__all__ = [
    "ALL_LINES_LABEL",
    "DATE_FORMAT",
    "DEFAULT_LOG_STYLES",
    "ERROR_BADGE",
    "INTERACTION_COLUMNS",
    "INTERACTION_LAYOUTS",
    "INTERACTION_RULE",
    "IN_PROGRESS_TAG",
    "LEVEL_WIDTH",
    "LIVE_MARKER",
    "LONG_DATE_WIDTH",
    "MAX_MESSAGE_CHARS",
    "PLACEHOLDER",
    "SESSION_TAG_LENGTH",
    "SHORT_DATE_FORMAT",
    "SHORT_DATE_WIDTH",
    "STATUS_STYLES",
    "TAB_SIZE",
    "TAG_COLORS",
    "TIME_FORMAT",
    "TRUNCATED_MARKER",
    "WARNING_BADGE",
    "WIDE_INTERACTION_COLUMNS",
    "Column",
    "Highlighter",
    "InteractionTotals",
    "LogColumns",
    "LogStyles",
    "all_lines_prompt",
    "append_visible",
    "badges",
    "control_picture",
    "date_width",
    "format_latency",
    "format_time",
    "format_tokens",
    "highlight_interaction_cells",
    "highlight_range",
    "interaction_cells",
    "interaction_columns",
    "interaction_row_texts",
    "interaction_summary",
    "level_class",
    "one_line",
    "render_interaction_row",
    "render_log_line",
    "render_placeholder",
    "session_color",
    "session_prompt",
    "session_tag",
    "shorten_left",
    "visible_pieces",
    "wrap_rows",
]
