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
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from rich.style import Style
from rich.text import Text

from session_explorer.core.models import Interaction, Message, ToolCall
from session_explorer.core.text import visible_pieces
from session_explorer.ui.render import TAB_SIZE, format_latency


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
_COLUMN = re.compile(r"line (\d+) column (\d+)")

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


# --- literal text -----------------------------------------------------------------


def literal(value: str, style: Style = Style()) -> Text:
    """``value`` as Text, shown as written: newlines kept, tabs expanded, controls visible."""
    text = Text(end="")
    if "\t" in value:
        value = value.expandtabs(TAB_SIZE)
    for piece, is_picture in visible_pieces(value):
        text.append(piece, CONTROL if is_picture else style)
    return text


def clip(value: str, limits: Limits) -> tuple[str, int]:
    """The shown start of ``value`` and how many characters are left out.

    A cut by characters goes back to the last line break when there is one in the
    last fifth of what is shown, so a cut field does not end in half a line.
    """
    shown = value[: limits.chars]
    if len(value) > limits.chars and value[limits.chars] != "\n":
        newline = shown.rfind("\n", limits.chars - limits.chars // 5)
        if newline > 0:
            shown = shown[:newline]
    if limits.lines:
        position = -1
        for _ in range(limits.lines):
            position = shown.find("\n", position + 1)
            if position < 0:
                break
        else:
            shown = shown[:position]
    return shown, len(value) - len(shown)


def hidden_chars_note(hidden: int, *, expanded: bool, bound: int = EXPANDED.chars) -> Text:
    """The line that says how much of a field is not shown (``bound``: the expanded cap)."""
    if expanded:
        return Text(
            f"… {hidden:,} more characters not shown "
            f"(the view stops at {bound:,}; y copies all of it)",
            NOTE,
        )
    return Text(f"… {hidden:,} more characters (press e to expand)", NOTE)


def hidden_lines_note(hidden: int, *, expanded: bool, capped: bool = False) -> Text:
    """The line that says how many lines of a JSON value are not shown."""
    count = f"more than {hidden:,}" if capped else f"{hidden:,}"
    unit = "line" if hidden == 1 and not capped else "lines"
    if expanded:
        return Text(f"… {count} more {unit} not shown (y copies all of it)", NOTE)
    return Text(f"… {count} more {unit} (press e to expand)", NOTE)


class Pieces:
    """Lines gathered into ``Text`` pieces of at most about :data:`PIECE_CHARS`."""

    def __init__(self) -> None:
        self.pieces: list[Text] = []
        self._current: Text | None = None
        #: True once a field was cut (something is left out).
        self.truncated = False

    def add(self, line: Text) -> None:
        """Add one or more whole lines."""
        current = self._current
        if current is not None and len(current) + len(line) > PIECE_CHARS:
            self.pieces.append(current)
            current = None
        if current is None:
            current = Text(end="")
        else:
            current.append("\n")
        current.append_text(line)
        self._current = current

    def finish(self) -> list[Text]:
        if self._current is not None:
            self.pieces.append(self._current)
            self._current = None
        return self.pieces


def add_text_field(
    out: Pieces, value: str, limits: Limits, *, expanded: bool, style: Style = Style(),
    indent: int = 0,
) -> None:
    """A free-text field, cut to ``limits``, in pieces, with its hidden-characters line."""
    shown, hidden = clip(value, limits)
    margin = " " * indent
    start = 0
    while start < len(shown):
        end = start + PIECE_CHARS
        next_start = end
        if end < len(shown):
            newline = shown.rfind("\n", start, end)
            if newline > start:
                end, next_start = newline, newline + 1
        chunk = shown[start:end]
        if indent:
            chunk = margin + chunk.replace("\n", "\n" + margin)
        out.add(literal(chunk, style))
        start = next_start
    if hidden:
        out.truncated = True
        out.add(Text(margin) + hidden_chars_note(hidden, expanded=expanded, bound=limits.chars))


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


def _folded_strings(value: Any, fold: int) -> bool:
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


# --- blocks -----------------------------------------------------------------------


def header(role: str, *, detail: Iterable[Text | str] = (), is_error: bool = False,
           label: str | None = None, color: str | None = None) -> Text:
    """The first line of a block: the role in its colour, then dim details."""
    text = Text(end="")
    color = color or role_color(role, is_error=is_error)
    shown = label if label is not None else role
    for piece, is_picture in visible_pieces(shown, keep=""):
        text.append(piece, CONTROL if is_picture else Style(color=color, bold=True))
    for part in detail:
        if not part:
            continue
        text.append(" · ", DIM)
        if isinstance(part, Text):
            text.append_text(part)
        else:
            text.append_text(literal(part, DIM))
    if is_error:
        text.append("  ✖ error", ERROR)
    return text


def add_tool_call(out: Pieces, call: ToolCall, limits: Limits, *, expanded: bool) -> None:
    """``→ name · id`` and the arguments pretty-printed below it."""
    line = Text("→ ", CALL_NAME)
    line.append_text(literal(call.name or "(unnamed tool)", CALL_NAME))
    if call.id:
        line.append("  ")
        line.append_text(literal(call.id, DIM))
    out.add(line)
    arguments = call.arguments
    if isinstance(arguments, str):
        parsed = parse_json_text(arguments)
        if parsed is None:
            add_text_field(out, arguments, limits, expanded=expanded, indent=2)
            if not arguments:
                out.add(Text("  (no arguments)", NOTE))
            return
        arguments = parsed
    if _folded_strings(arguments, limits.fold):
        out.truncated = True
    add_json_field(out, arguments, limits, expanded=expanded, indent=1)


def message_pieces(message: Message, limits: Limits, *, expanded: bool) -> tuple[list[Text], bool]:
    """One conversation message: its header, text and tool calls; and whether it was cut."""
    out = Pieces()
    details: list[str] = []
    if message.role == "tool":
        details = [part for part in (message.name, message.tool_call_id) if part]
    elif message.name:
        details = [message.name]
    out.add(header(message.role, detail=details, is_error=message.is_error))
    _add_body(out, message.text, message.tool_calls, limits, expanded=expanded,
              is_tool=message.role == "tool", is_error=message.is_error)
    return out.finish(), out.truncated


def _add_body(out: Pieces, text: str, calls: Iterable[ToolCall], limits: Limits, *,
              expanded: bool, is_tool: bool = False, is_error: bool = False) -> None:
    calls = tuple(calls)
    if text:
        parsed = parse_json_text(text) if is_tool else None
        if parsed is not None:
            if _folded_strings(parsed, limits.fold):
                out.truncated = True
            add_json_field(out, parsed, limits, expanded=expanded)
        else:
            style = ERROR_TEXT if is_error else Style()
            add_text_field(out, text, limits, expanded=expanded, style=style)
    for call in calls:
        add_tool_call(out, call, limits, expanded=expanded)
    if not text and not calls:
        out.add(Text("(empty)", NOTE))


def output_pieces(interaction: Interaction, limits: Limits, *, expanded: bool) -> tuple[list[Text], bool]:
    """The model's answer: output text and the tool calls it asked for."""
    out = Pieces()
    out.add(header("assistant", detail=[Text("response", DIM)]))
    if interaction.output_text or interaction.output_tool_calls:
        _add_body(out, interaction.output_text, interaction.output_tool_calls, limits,
                  expanded=expanded)
    elif interaction.error:
        out.add(Text("(no response: the call failed, see the error below)", NOTE))
    else:
        out.add(Text("(no response recorded)", NOTE))
    return out.finish(), out.truncated


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def format_timestamp(interaction: Interaction) -> str:
    moment = interaction.timestamp
    if moment is None:
        return "-"
    stamp = moment.strftime("%Y-%m-%d %H:%M:%S")
    if moment.microsecond:
        stamp += f".{moment.microsecond // 1000:03d}"
    if moment.tzinfo is not None:
        stamp += " " + (moment.strftime("%z") or "")
    return stamp


SUMMARY_LABEL_WIDTH = 10


def _row(out: Pieces, label: str, value: Text | str) -> None:
    line = Text(end="")
    line.append(label.ljust(SUMMARY_LABEL_WIDTH), LABEL)
    line.append(" ")
    line.append_text(value if isinstance(value, Text) else literal(value))
    out.add(line)


def summary_pieces(interaction: Interaction, limits: Limits, *, expanded: bool) -> tuple[list[Text], bool]:
    """Provider, model, shape, time, usage, latency, where the line is, and the error."""
    out = Pieces()
    out.add(header("summary", label="summary"))
    status = interaction.status
    _row(out, "status", Text(status, STATUS_STYLES.get(status, Style())))
    _row(out, "provider", interaction.provider or "-")
    _row(out, "model", interaction.model or "-")
    _row(out, "shape", interaction.shape)
    _row(out, "time", format_timestamp(interaction))
    usage = interaction.usage
    if usage.input_tokens is None and usage.output_tokens is None and usage.total is None:
        tokens = Text("not recorded", NOTE)
    else:
        tokens = Text(end="")
        tokens.append(_count(usage.input_tokens), Style(bold=True))
        tokens.append(" in · ", DIM)
        tokens.append(_count(usage.output_tokens), Style(bold=True))
        tokens.append(" out · ", DIM)
        tokens.append(_count(usage.total), Style(bold=True))
        tokens.append(" total", DIM)
    _row(out, "tokens", tokens)
    _row(out, "latency", format_latency(interaction.duration_ms))
    _row(out, "line", f"{interaction.line_number:,} (byte {interaction.offset:,})")
    if interaction.error:
        shown, hidden = clip(interaction.error, limits)
        margin = "\n" + " " * (SUMMARY_LABEL_WIDTH + 1)
        value = literal(shown.replace("\n", margin), ERROR_TEXT)
        _row(out, "error", value)
        if hidden:
            out.truncated = True
            out.add(Text(" " * (SUMMARY_LABEL_WIDTH + 1))
                    + hidden_chars_note(hidden, expanded=expanded, bound=limits.chars))
    return out.finish(), out.truncated


def summary_text(interaction: Interaction) -> str:
    """The summary as plain text for the clipboard (the error whole)."""
    whole = Limits(chars=len(interaction.error or ""), lines=0, fold=0)
    pieces, _ = summary_pieces(interaction, whole, expanded=True)
    return "\n".join(piece.plain for piece in pieces)


def malformed_pieces(interaction: Interaction, limits: Limits, *, expanded: bool) -> tuple[list[Text], bool]:
    """A line that is not a JSON object: where it is, why, and its text as written."""
    out = Pieces()
    out.add(header("malformed", label="malformed line", color=MALFORMED_COLOR,
                   detail=[f"line {interaction.line_number:,}", f"byte {interaction.offset:,}"]))
    _row(out, "error", literal(interaction.parse_error or "", ERROR_TEXT))
    near = error_context(interaction.raw_text, interaction.parse_error or "")
    if near is not None:
        _row(out, "near", near)
    _row(out, "raw text", Text(f"{len(interaction.raw_text):,} characters", DIM))
    if interaction.raw_text:
        add_text_field(out, interaction.raw_text, limits, expanded=expanded)
    else:
        out.add(Text("(empty)", NOTE))
    return out.finish(), out.truncated


def error_context(raw_text: str, parse_error: str) -> Text | None:
    """The characters around the place a JSON parse error names, that place marked.

    ``Expecting value: line 1 column 91`` -> ``…"model": [bold]oops`` with the ``[``
    in reverse red. None when the error names no place on the line.
    """
    match = _COLUMN.search(parse_error)
    if match is None or match.group(1) != "1":
        return None
    position = int(match.group(2)) - 1
    if not 0 <= position <= len(raw_text):
        return None
    start = max(0, position - CONTEXT_BEFORE)
    text = Text("…" if start else "", DIM, end="")
    text.append_text(literal(raw_text[start:position].replace("\n", " ")))
    marked = raw_text[position : position + 1] or " "
    text.append_text(literal(marked.replace("\n", " "), Style(color=ERROR_COLOR, reverse=True, bold=True)))
    after = raw_text[position + 1 : position + 1 + CONTEXT_AFTER]
    text.append_text(literal(after.replace("\n", " ")))
    if position + 1 + CONTEXT_AFTER < len(raw_text):
        text.append("…", DIM)
    return text


def unknown_pieces(interaction: Interaction, limits: Limits, *, expanded: bool) -> tuple[list[Text], bool]:
    """A record whose payload shape is not recognised: its JSON."""
    out = Pieces()
    out.add(header("unknown", label="unrecognised payload", detail=["the record's JSON"]))
    if _folded_strings(interaction.raw, limits.fold):
        out.truncated = True
    add_json_field(out, interaction.raw, limits, expanded=expanded)
    return out.finish(), out.truncated


def raw_pieces(interaction: Interaction, limits: Limits, *, expanded: bool) -> tuple[list[Text], bool]:
    """The record as JSON (highlighted, long strings folded), or its raw text."""
    out = Pieces()
    size = f"{len(interaction.raw_text):,} characters"
    out.add(header("raw", label="raw record", detail=[f"line {interaction.line_number:,}", size]))
    if interaction.raw is None:
        add_text_field(out, interaction.raw_text, limits, expanded=expanded)
    else:
        if _folded_strings(interaction.raw, limits.fold):
            out.truncated = True
        add_json_field(out, interaction.raw, limits, expanded=expanded)
    return out.finish(), out.truncated


# --- titles and copies ------------------------------------------------------------


def title(interaction: Interaction | None, index: int, total: int) -> Text:
    """``Interaction 3/12 · openai/gpt-4o-mini · ok`` (the status in its colour)."""
    if interaction is None:
        return Text("No interactions", Style(bold=True), end="")
    text = Text(f"Interaction {index + 1}/{total}", Style(bold=True), end="")
    text.append(" · ", DIM)
    if interaction.parse_error is not None:
        text.append(f"line {interaction.line_number:,}")
    else:
        model = "/".join(part for part in (interaction.provider, interaction.model) if part)
        if len(model) > 60:
            model = model[:59] + "…"
        if not model:
            text.append("no model", NOTE)
        for piece, is_picture in visible_pieces(model, keep=""):
            text.append(piece, CONTROL if is_picture else Style())
    text.append(" · ", DIM)
    text.append(interaction.status, STATUS_STYLES.get(interaction.status, Style()))
    return text


def subtitle(interaction: Interaction | None, *, raw: bool) -> Text:
    """``openai-chat · line 2 · 450 tokens · 812ms`` (``raw JSON · …`` in the raw view)."""
    if interaction is None:
        return Text("")
    parts = ["raw JSON"] if raw else []
    parts.append(interaction.shape if interaction.parse_error is None else "not JSON")
    parts.append(f"line {interaction.line_number:,}")
    total = interaction.usage.total
    if total is not None:
        parts.append(f"{total:,} tokens")
    if interaction.duration_ms is not None:
        parts.append(format_latency(interaction.duration_ms))
    return Text(" · ".join(parts), end="")


def tool_call_text(call: ToolCall) -> str:
    """A tool call as plain text for the clipboard: ``name(id)`` and its arguments."""
    arguments = call.arguments
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments, indent=2, ensure_ascii=False)
    ident = f" [{call.id}]" if call.id else ""
    return f"{call.name}{ident}\n{arguments}"


def body_text(text: str, calls: Iterable[ToolCall]) -> str:
    """A message's text and tool calls as plain text for the clipboard."""
    parts = [text] if text else []
    parts.extend(tool_call_text(call) for call in calls)
    return "\n\n".join(parts)
