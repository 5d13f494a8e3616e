"""The detail screen's limits, colours and styles, shared by its parts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.style import Style


@dataclass(frozen=True, slots=True)
class Limits:
    """How much of one field is laid out."""

    chars: int  # characters of the field
    lines: int  # lines of the field (0: no limit)
    fold: int  # a JSON string longer than this is cut where it stands


#: A field as first shown.
FOLDED = Limits(chars=2_000, lines=40, fold=400)
#: A field after ``e``: large, but still bounded, so expanding never freezes the UI.
EXPANDED = Limits(chars=100_000, lines=0, fold=100_000)
#: The raw JSON of a record as first shown (long strings folded).
RAW_FOLDED = Limits(chars=100_000, lines=2_000, fold=400)
#: The raw JSON after ``e``.
RAW_EXPANDED = Limits(chars=200_000, lines=0, fold=100_000)

#: Characters of one piece (one widget) of a block.
PIECE_CHARS = 8_000
#: Nesting below this depth is shown as ``{…}`` / ``[…]``.
MAX_JSON_DEPTH = 40
#: A tool result longer than this is shown as text, never parsed as JSON.
MAX_JSON_PARSE = 1_000_000
#: Hidden JSON lines are counted up to this number ("more than …" beyond).
MAX_COUNTED_LINES = 100_000

ROLE_COLORS: dict[str, str] = {
    "system": "#c678dd",
    "user": "#61afef",
    "assistant": "#98c379",
    "tool": "#e5c07b",
}
ERROR_COLOR = "#e06c75"
OTHER_ROLE_COLOR = "#8a8fa3"

DIM = Style(dim=True)
NOTE = Style(dim=True, italic=True)
CONTROL = Style(dim=True, reverse=True)
ERROR = Style(color=ERROR_COLOR, bold=True)
ERROR_TEXT = Style(color=ERROR_COLOR)
LABEL = Style(color="#8a8fa3")
CALL_NAME = Style(color=ROLE_COLORS["tool"], bold=True)

JSON_KEY = Style(color="#56b6c2")
JSON_STRING = Style(color="#98c379")
JSON_NUMBER = Style(color="#d19a66")
JSON_LITERAL = Style(color="#c678dd", italic=True)
JSON_PUNCT = Style(dim=True)

MALFORMED_COLOR = "#e5c07b"
STATUS_STYLES: dict[str, Style] = {
    "ok": Style(color="#98c379", bold=True),
    "error": ERROR,
    "malformed": Style(color=MALFORMED_COLOR, bold=True),
}
#: Characters shown before and after the place a JSON parse error points at.
CONTEXT_BEFORE = 40
CONTEXT_AFTER = 20
JSON_ERROR_POSITION = re.compile(r"line (\d+) column (\d+)")

#: ``(text, style)``: one run of a JSON line.
Run = tuple[str, Style]


def role_color(role: str, *, is_error: bool = False) -> str:
    """The colour of a role's label (a failed tool result is red)."""
    if is_error:
        return ERROR_COLOR
    return ROLE_COLORS.get(role, OTHER_ROLE_COLOR)


def role_class(role: str) -> str:
    """The CSS class of a message block: ``-role-user``…; unknown roles share one."""
    return f"-role-{role}" if role in ROLE_COLORS else "-role-other"
