"""JSON for the detail screen: coloured, folded, bounded in depth and size."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from typing import Any

from rich.style import Style
from rich.text import Text

from session_explorer.core.text import visible_pieces
from session_explorer.ui.detail.styles import (
    CONTROL,
    DIM,
    JSON_KEY,
    JSON_LITERAL,
    JSON_NUMBER,
    JSON_PUNCT,
    JSON_STRING,
    MAX_COUNTED_LINES,
    MAX_JSON_DEPTH,
    MAX_JSON_PARSE,
    NOTE,
    Limits,
    Run,
)
from session_explorer.ui.detail.text import Pieces, hidden_lines_note

# --- JSON -------------------------------------------------------------------------


def _json_string(value: str, fold: int, style: Style) -> list[Run]:
    if len(value) <= fold:
        return [(json.dumps(value, ensure_ascii=False), style)]
    quoted = json.dumps(value[:fold], ensure_ascii=False)
    return [
        (quoted[:-1], style),
        ("…", DIM),
        ('"', style),
        (f" (+{len(value) - fold:,} chars)", NOTE),
    ]


def _json_scalar(value: Any, fold: int) -> list[Run]:
    if isinstance(value, str):
        return _json_string(value, fold, JSON_STRING)
    if value is None or isinstance(value, bool):
        return [(json.dumps(value), JSON_LITERAL)]
    if isinstance(value, (int, float)):
        return [(json.dumps(value), JSON_NUMBER)]
    return _json_string(str(value), fold, JSON_STRING)


def _inline_list(value: list[Any], fold: int) -> list[Run] | None:
    """A short list of scalars on one line (``["avg_power", "np"]``), else None."""
    if len(value) > 8 or any(isinstance(item, (dict, list)) for item in value):
        return None
    runs: list[Run] = [("[", JSON_PUNCT)]
    for number, item in enumerate(value):
        if number:
            runs.append((", ", JSON_PUNCT))
        runs.extend(_json_scalar(item, fold))
    runs.append(("]", JSON_PUNCT))
    return runs if sum(len(text) for text, _ in runs) <= 60 else None


def json_lines(
    value: Any, fold: int, *, indent: int = 0, prefix: tuple[Run, ...] = (), suffix: str = "",
    depth: int = 0,
) -> Iterator[list[Run]]:
    """``value`` pretty-printed, one list of runs per line, produced lazily.

    Strings longer than ``fold`` are cut with ``… (+N chars)``; nesting deeper
    than :data:`MAX_JSON_DEPTH` is shown as ``{…}``.
    """
    pad: Run = ("  " * indent, JSON_PUNCT)
    end: Run = (suffix, JSON_PUNCT)
    if isinstance(value, dict) and value:
        if depth >= MAX_JSON_DEPTH:
            yield [pad, *prefix, ("{…}", DIM), end]
            return
        yield [pad, *prefix, ("{", JSON_PUNCT)]
        last = len(value) - 1
        for number, (key, item) in enumerate(value.items()):
            label = (*_json_string(str(key), fold, JSON_KEY), (": ", JSON_PUNCT))
            yield from json_lines(
                item, fold, indent=indent + 1, prefix=label,
                suffix="," if number < last else "", depth=depth + 1,
            )
        yield [pad, ("}", JSON_PUNCT), end]
    elif isinstance(value, list) and value:
        inline = _inline_list(value, fold)
        if inline is not None:
            yield [pad, *prefix, *inline, end]
            return
        if depth >= MAX_JSON_DEPTH:
            yield [pad, *prefix, ("[…]", DIM), end]
            return
        yield [pad, *prefix, ("[", JSON_PUNCT)]
        last = len(value) - 1
        for number, item in enumerate(value):
            yield from json_lines(
                item, fold, indent=indent + 1, suffix="," if number < last else "",
                depth=depth + 1,
            )
        yield [pad, ("]", JSON_PUNCT), end]
    elif isinstance(value, (dict, list)):
        yield [pad, *prefix, ("{}" if isinstance(value, dict) else "[]", JSON_PUNCT), end]
    else:
        yield [pad, *prefix, *_json_scalar(value, fold), end]


def _runs_text(runs: Iterable[Run]) -> Text:
    text = Text(end="")
    for value, style in runs:
        for piece, is_picture in visible_pieces(value, keep=""):
            text.append(piece, CONTROL if is_picture else style)
    return text


def add_json_field(
    out: Pieces, value: Any, limits: Limits, *, expanded: bool, indent: int = 0
) -> None:
    """A JSON value pretty-printed and highlighted, cut to ``limits``."""
    lines = json_lines(value, limits.fold, indent=indent)
    used = 0
    for count, runs in enumerate(lines):
        if (limits.lines and count >= limits.lines) or used >= limits.chars:
            rest = sum(1 for _ in itertools.islice(lines, MAX_COUNTED_LINES))
            capped = rest == MAX_COUNTED_LINES
            out.truncated = True
            note = hidden_lines_note(rest + 1, expanded=expanded, capped=capped)
            out.add(Text("  " * indent) + note)
            return
        line = _runs_text(runs)
        out.add(line)
        used += len(line)


def folded_strings(value: Any, fold: int) -> bool:
    """True when a JSON value has a string longer than ``fold`` (cheap, bounded walk)."""
    stack = [value]
    seen = 0
    while stack and seen < 10_000:
        item = stack.pop()
        seen += 1
        if isinstance(item, str):
            if len(item) > fold:
                return True
        elif isinstance(item, dict):
            stack.extend(item.values())
            stack.extend(key for key in item if len(key) > fold)
        elif isinstance(item, list):
            stack.extend(item)
    return False


def parse_json_text(value: str) -> Any | None:
    """A tool result that is a JSON object or array, parsed; None otherwise."""
    if len(value) > MAX_JSON_PARSE or value.lstrip()[:1] not in ("{", "["):
        return None
    try:
        parsed = json.loads(value)
    except (ValueError, RecursionError):
        return None
    return parsed if isinstance(parsed, (dict, list)) else None
