"""The detail screen's blocks: messages, tool calls, the output, the summary, a
malformed or unknown record, the raw record."""

from __future__ import annotations

from collections.abc import Iterable

from rich.style import Style
from rich.text import Text

from session_explorer.core.models import Interaction, Message, ToolCall
from session_explorer.core.text import visible_pieces
from session_explorer.ui.detail.json_view import add_json_field, folded_strings, parse_json_text
from session_explorer.ui.detail.styles import (
    CALL_NAME,
    CONTEXT_AFTER,
    CONTEXT_BEFORE,
    CONTROL,
    DIM,
    ERROR,
    ERROR_COLOR,
    ERROR_TEXT,
    JSON_ERROR_POSITION,
    LABEL,
    MALFORMED_COLOR,
    NOTE,
    STATUS_STYLES,
    Limits,
    role_color,
)
from session_explorer.ui.detail.text import Pieces, add_text_field, clip, hidden_chars_note, literal
from session_explorer.ui.render import format_latency

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
    if folded_strings(arguments, limits.fold):
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
            if folded_strings(parsed, limits.fold):
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
    match = JSON_ERROR_POSITION.search(parse_error)
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
    if folded_strings(interaction.raw, limits.fold):
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
        if folded_strings(interaction.raw, limits.fold):
            out.truncated = True
        add_json_field(out, interaction.raw, limits, expanded=expanded)
    return out.finish(), out.truncated
