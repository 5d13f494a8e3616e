"""The detail screen's title and subtitle, and the plain text it copies."""

from __future__ import annotations

import json
from collections.abc import Iterable

from rich.style import Style
from rich.text import Text

from session_explorer.core.models import Interaction, ToolCall
from session_explorer.core.text import visible_pieces
from session_explorer.ui.detail.styles import CONTROL, DIM, NOTE, STATUS_STYLES
from session_explorer.ui.render import format_latency

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
