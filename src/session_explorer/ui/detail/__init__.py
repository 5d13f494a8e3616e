"""Interactions -> Rich ``Text`` for the detail screen: the chat, the JSON, the summary.

Every value comes from a log file and is shown literally: text is appended with
``Text.append`` (never parsed as markup), and control, bidi and zero-width
characters become the core's visible stand-ins.

Long content is cut *before* any ``Text`` is built: a field is sliced to its
:class:`Limits` first (a 10 MB string costs one slice and a ``len``), and what is
left out is counted on a line of its own ("… 12,345 more characters (press e to
expand)"). Expanded, a field shows at most :data:`EXPANDED` characters; the rest
is still counted. The result of a block is a list of *pieces*, ``Text`` values of
at most :data:`PIECE_CHARS` characters cut at line ends, so the screen lays a
long field out as several small widgets instead of one huge one.

The parts: :mod:`.styles`, :mod:`.text` (literal text), :mod:`.json_view`,
:mod:`.blocks` and :mod:`.titles`; their public names are all importable from here.
"""

from __future__ import annotations

from session_explorer.ui.detail.blocks import (
    SUMMARY_LABEL_WIDTH,
    add_tool_call,
    error_context,
    format_timestamp,
    header,
    malformed_pieces,
    message_pieces,
    output_pieces,
    raw_pieces,
    summary_pieces,
    summary_text,
    unknown_pieces,
)
from session_explorer.ui.detail.json_view import (
    add_json_field,
    folded_strings,
    json_lines,
    parse_json_text,
)
from session_explorer.ui.detail.styles import (
    CALL_NAME,
    CONTEXT_AFTER,
    CONTEXT_BEFORE,
    CONTROL,
    DIM,
    ERROR,
    ERROR_COLOR,
    ERROR_TEXT,
    EXPANDED,
    FOLDED,
    JSON_ERROR_POSITION,
    JSON_KEY,
    JSON_LITERAL,
    JSON_NUMBER,
    JSON_PUNCT,
    JSON_STRING,
    LABEL,
    MALFORMED_COLOR,
    MAX_COUNTED_LINES,
    MAX_JSON_DEPTH,
    MAX_JSON_PARSE,
    NOTE,
    OTHER_ROLE_COLOR,
    PIECE_CHARS,
    RAW_EXPANDED,
    RAW_FOLDED,
    ROLE_COLORS,
    STATUS_STYLES,
    Limits,
    Run,
    role_class,
    role_color,
)
from session_explorer.ui.detail.text import (
    Pieces,
    add_text_field,
    clip,
    hidden_chars_note,
    hidden_lines_note,
    literal,
)
from session_explorer.ui.detail.titles import (
    body_text,
    subtitle,
    title,
    tool_call_text,
)

__all__ = [
    "CALL_NAME",
    "CONTEXT_AFTER",
    "CONTEXT_BEFORE",
    "CONTROL",
    "DIM",
    "ERROR",
    "ERROR_COLOR",
    "ERROR_TEXT",
    "EXPANDED",
    "FOLDED",
    "JSON_ERROR_POSITION",
    "JSON_KEY",
    "JSON_LITERAL",
    "JSON_NUMBER",
    "JSON_PUNCT",
    "JSON_STRING",
    "LABEL",
    "MALFORMED_COLOR",
    "MAX_COUNTED_LINES",
    "MAX_JSON_DEPTH",
    "MAX_JSON_PARSE",
    "NOTE",
    "OTHER_ROLE_COLOR",
    "PIECE_CHARS",
    "RAW_EXPANDED",
    "RAW_FOLDED",
    "ROLE_COLORS",
    "STATUS_STYLES",
    "SUMMARY_LABEL_WIDTH",
    "Limits",
    "Pieces",
    "Run",
    "add_json_field",
    "add_text_field",
    "add_tool_call",
    "body_text",
    "clip",
    "error_context",
    "folded_strings",
    "format_timestamp",
    "header",
    "hidden_chars_note",
    "hidden_lines_note",
    "json_lines",
    "literal",
    "malformed_pieces",
    "message_pieces",
    "output_pieces",
    "parse_json_text",
    "raw_pieces",
    "role_class",
    "role_color",
    "subtitle",
    "summary_pieces",
    "summary_text",
    "title",
    "tool_call_text",
    "unknown_pieces",
]
