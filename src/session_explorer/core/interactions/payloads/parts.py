"""Content parts -> Messages: what every provider's format has in common.

A provider message holds a list of *parts* (text, images, thinking, tool calls,
tool results). A reader turns one part into a :class:`Piece`; :func:`split_parts`
gathers the pieces of one message into :class:`Message` objects, giving each tool
result a "tool" message of its own so the conversation reads in order. The typed
parts of OpenAI Chat, OpenAI Responses and Anthropic share :func:`read_block`;
Gemini has its own reader in :mod:`.gemini`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, NamedTuple

from session_explorer.core.interactions.payloads.values import as_dict, as_list, join, marked, text
from session_explorer.core.models import Message, ToolCall


class Piece(NamedTuple):
    """What one content part contributes: text, a tool call, or a tool result."""

    text: str = ""
    call: ToolCall | None = None
    result: Message | None = None


PartReader = Callable[[Any], Piece]

_ROLES = {"model": "assistant", "developer": "system", "function": "tool", "human": "user", "ai": "assistant"}
# Exact spellings that need neither stripping nor lower-casing (the common case).
_KNOWN_ROLES = {**{role: role for role in ("system", "user", "assistant", "tool")}, **_ROLES}


def role_of(value: Any, default: str = "user") -> str:
    """Provider role -> system | user | assistant | tool (unknown roles kept as given)."""
    if not isinstance(value, str):
        return default
    if (known := _KNOWN_ROLES.get(value)) is not None:
        return known
    role = value.strip().lower()
    if not role:
        return default
    return _ROLES.get(role, role)


def arguments_of(value: Any) -> Any:
    """Tool-call arguments: a JSON-encoded string is parsed when it parses."""
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value
    return value


def tool_call(name: Any, arguments: Any, call_id: Any) -> ToolCall:
    """A ToolCall from raw fields: a missing name is ``""``, a missing id None."""
    return ToolCall(name=text(name) or "", arguments=arguments_of(arguments), id=text(call_id))


def parts_of(content: Any) -> list[Any]:
    """Content as a list of parts: a string or a single part becomes a list of one."""
    if isinstance(content, (str, dict)):
        return [content]
    return as_list(content)


_MEDIA = {
    "image_url": "image",
    "image": "image",
    "input_image": "image",
    "input_audio": "audio",
    "document": "document",
    "file": "file",
    "input_file": "file",
}


def part_text(part: Any) -> str:
    """Text of one typed content part (OpenAI, Responses or Anthropic)."""
    if isinstance(part, str):
        return part
    if not isinstance(part, dict):
        return ""
    kind = part.get("type")
    if kind == "thinking":
        return marked("thinking", part.get("thinking"))
    if kind == "redacted_thinking":
        return "[redacted thinking]"
    if kind == "refusal":
        return marked("refusal", part.get("refusal"))
    found = part.get("text")
    if isinstance(found, str):
        return found
    if isinstance(kind, str) and kind in _MEDIA:
        return f"[{_MEDIA[kind]}]"
    return ""


def content_text(content: Any) -> str:
    """All the text of a content value (a string, one part or a list of parts)."""
    if isinstance(content, str):
        return content
    return join(part_text(part) for part in parts_of(content))


def read_block(block: Any) -> Piece:
    """An OpenAI / Anthropic content part, with Anthropic tool blocks split out."""
    if isinstance(block, str):
        return Piece(text=block)
    kind = as_dict(block).get("type")
    if kind == "tool_result":
        return Piece(result=_tool_result_message(block))
    if kind in ("tool_use", "server_tool_use"):
        return Piece(call=tool_call(block.get("name"), block.get("input"), block.get("id")))
    return Piece(text=part_text(block))


def _tool_result_message(block: dict[str, Any]) -> Message:
    return Message(
        role="tool",
        text=content_text(block.get("content")),
        tool_call_id=text(block.get("tool_use_id")),
        is_error=block.get("is_error") is True,
    )


def split_parts(
    role: str, parts: Iterable[Any], read: PartReader, extra_calls: tuple[ToolCall, ...] = ()
) -> list[Message]:
    """Parts of one message -> Messages: tool results become their own "tool" messages.

    Text and tool calls around them stay in a message of ``role``, in order;
    ``extra_calls`` (calls a format keeps beside the content, like OpenAI's
    ``tool_calls``) go at the end of the last such message, or into a message of
    their own after a trailing tool result. Never empty: no parts at all give one
    empty message of ``role``.
    """
    messages: list[Message] = []
    texts: list[str] = []
    calls: list[ToolCall] = []
    for part in parts:
        piece = read(part)
        if piece.result is not None:
            _flush(messages, role, texts, calls)
            messages.append(piece.result)
        elif piece.call is not None:
            calls.append(piece.call)
        elif piece.text:
            texts.append(piece.text)
    calls.extend(extra_calls)
    _flush(messages, role, texts, calls)
    return messages or [Message(role=role)]


def _flush(messages: list[Message], role: str, texts: list[str], calls: list[ToolCall]) -> None:
    if texts or calls:
        messages.append(Message(role=role, text=join(texts), tool_calls=tuple(calls)))
    texts.clear()
    calls.clear()


def with_calls(messages: list[Message], role: str, calls: tuple[ToolCall, ...]) -> list[Message]:
    """Add tool calls to the last message when it is of ``role``, else in a new one."""
    if messages and messages[-1].role == role:
        last = messages[-1]
        return [*messages[:-1], replace(last, tool_calls=last.tool_calls + calls)]
    return [*messages, Message(role=role, tool_calls=calls)]


def output_from(parts: Iterable[Any], read: PartReader) -> tuple[str, tuple[ToolCall, ...]]:
    """A response's parts -> (its text, its tool calls)."""
    pieces = [read(part) for part in parts]
    calls = tuple(piece.call for piece in pieces if piece.call is not None)
    return join(piece.text for piece in pieces), calls


def system_messages(value: Any) -> list[Message]:
    """A system prompt (a string or parts) as a list of zero or one message."""
    found = content_text(value)
    return [Message(role="system", text=found)] if found else []
