"""The JSON bundle of a session: its summary, its lines and its interactions."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from session_explorer.core.session.catalog import Catalog

from session_explorer.core.models import Interaction, LogLine, Message, ToolCall, iso_time
from session_explorer.core.session.export.constants import JSON_FORMAT_NAME, JSON_FORMAT_VERSION
from session_explorer.core.session.export.gather import SessionData, app_log_names, relative, session_lines

# --------------------------------------------------------------------------- JSON


def json_bundle(catalog: Catalog, data: SessionData) -> Iterator[str]:
    yield "{\n"
    yield f'  "format": {_dumps(JSON_FORMAT_NAME)},\n  "version": {JSON_FORMAT_VERSION},\n'
    yield f'  "session": {_object(_session_json(catalog, data), 1)},\n'
    yield '  "app_log": ['
    separator = "\n"
    for line in session_lines(catalog, data):
        yield f"{separator}    {_dumps(_line_json(line))}"
        separator = ",\n"
    yield "\n  ],\n" if separator != "\n" else "],\n"
    yield '  "interactions": ['
    separator = "\n"
    for interaction in data.interactions:
        yield f"{separator}    {_object(_interaction_json(interaction), 2)}"
        separator = ",\n"
    yield "\n  ]\n}\n" if separator != "\n" else "]\n}\n"


def _session_json(catalog: Catalog, data: SessionData) -> dict[str, Any]:
    s = data.summary
    return {**s.to_json(), "interactions_file": relative(catalog, s.interactions_file),
            "app_logs": app_log_names(catalog, data)}


def _line_json(line: LogLine) -> dict[str, Any]:
    head = line.head or line.record_head
    return {
        "source": line.source,
        "line_number": line.line_number + 1,
        "session_id": line.session_id,
        "timestamp": iso_time(line.timestamp),
        "level": head.level if head else None,
        "logger": head.logger if head else None,
        "text": line.text,
        "continuation": line.is_continuation,
    }


def _interaction_json(interaction: Interaction) -> dict[str, Any]:
    usage = interaction.usage
    return {
        "number": interaction.number,
        "line_number": interaction.line_number,
        "timestamp": iso_time(interaction.timestamp),
        "provider": interaction.provider,
        "model": interaction.model,
        "shape": interaction.shape,
        "status": interaction.status,
        "usage": {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "total_tokens": usage.total,
        },
        "duration_ms": interaction.duration_ms,
        "error": interaction.error,
        "parse_error": interaction.parse_error,
        "messages": [_message_json(m) for m in interaction.messages],
        "output_text": interaction.output_text,
        "output_tool_calls": [_tool_call_json(c) for c in interaction.output_tool_calls],
        "raw": interaction.raw,
        "raw_text": interaction.raw_text if interaction.parse_error is not None else None,
    }


def _message_json(message: Message) -> dict[str, Any]:
    return {
        "role": message.role,
        "name": message.name,
        "tool_call_id": message.tool_call_id,
        "text": message.text,
        "tool_calls": [_tool_call_json(c) for c in message.tool_calls],
        "is_error": message.is_error,
    }


def _tool_call_json(call: ToolCall) -> dict[str, Any]:
    return {"id": call.id, "name": call.name, "arguments": call.arguments}


# Outside strings, json.dumps writes non-finite numbers as bare NaN/Infinity tokens.
_NON_FINITE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|(-?Infinity|NaN)')
_SURROGATE = re.compile("[\ud800-\udfff]")


def _object(value: dict[str, Any], level: int) -> str:
    """A JSON object with one key per line, each value on one line (the fast encoder)."""
    inner = "  " * (level + 1)
    items = ",\n".join(f"{inner}{_dumps(key)}: {_dumps(item)}" for key, item in value.items())
    return "{\n" + items + "\n" + "  " * level + "}"


def _dumps(value: Any, *, indent: int | None = None) -> str:
    """``value`` as JSON text: always valid JSON, and encodable as UTF-8."""
    try:
        text = json.dumps(value, ensure_ascii=False, indent=indent, allow_nan=False)
    except ValueError:  # a NaN or an infinity somewhere
        text = _dumps_with_nan(value, indent)
    except RecursionError:  # too deep for the indenting encoder: the flat one copes
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        except ValueError:
            text = _dumps_with_nan(value, None)
    if _SURROGATE.search(text):
        text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text


def _dumps_with_nan(value: Any, indent: int | None) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, indent=indent)
    except RecursionError:
        text = json.dumps(value, ensure_ascii=False)
    return _NON_FINITE.sub(lambda m: "null" if m.group(1) else m.group(0), text)


def pretty_json(value: Any) -> str:
    return _dumps(value, indent=2)
