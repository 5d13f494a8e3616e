"""The ``messages[]`` format of OpenAI Chat Completions and Anthropic Messages.

Both send a list of ``{"role", "content"}`` messages; they differ in where tools
go. OpenAI puts calls in ``tool_calls`` (arguments as a JSON string) and results
in ``role: "tool"`` messages; Anthropic puts ``tool_use`` / ``tool_result`` blocks
inside ``content`` and the system prompt in a top-level ``system``. One reader
accepts both, mixed, since OpenAI-compatible servers borrow from each other.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from session_explorer.core.interactions.payloads.parts import (
    content_text,
    output_from,
    part_text,
    parts_of,
    read_block,
    role_of,
    split_parts,
    system_messages,
    tool_call,
)
from session_explorer.core.interactions.payloads.values import (
    as_dict,
    as_list,
    first_item,
    first_text,
    join,
    marked_if,
    text,
)
from session_explorer.core.models import Message, ToolCall

# Keys that make a message more than its role and a text content.
_BEYOND_TEXT = frozenset({"tool_calls", "function_call", "reasoning_content", "reasoning", "refusal"})
# Texts up to this length are looked up in the cache of shared messages; a longer
# one costs more to hash and compare than a new Message costs to build.
SHARED_TEXT_LIMIT = 4096


def messages_request(request: Any) -> list[Message]:
    """``messages[]`` of OpenAI Chat Completions or Anthropic (plus Anthropic ``system``)."""
    if isinstance(request, list):
        request = {"messages": request}
    return system_messages(request.get("system")) + chat_messages(request.get("messages"))


def chat_messages(items: Any) -> list[Message]:
    """A list of provider messages (strings count as user messages)."""
    messages: list[Message] = []
    for item in as_list(items):
        if isinstance(item, dict):
            messages.extend(chat_message(item))
        elif isinstance(item, str):
            messages.append(Message(role="user", text=item))
    return messages


def chat_message(item: dict[str, Any]) -> list[Message]:
    """One provider message -> one Message, more when it holds tool results."""
    role = role_of(item.get("role"))
    if role == "tool":
        return [_openai_tool_message(item)]
    content = item.get("content")
    if (content is None or isinstance(content, str)) and _BEYOND_TEXT.isdisjoint(item):
        return [_text_message(role, content or "")]  # the common case, short-cut
    return split_parts(role, _message_parts(item), read_block, _openai_tool_calls(item))


def _text_message(role: str, content: str) -> Message:
    if len(content) > SHARED_TEXT_LIMIT:
        return Message(role=role, text=content)
    return _shared_text_message(role, content)


@lru_cache(maxsize=2048)
def _shared_text_message(role: str, content: str) -> Message:
    """One Message object for every repetition of a short text message.

    Each line of a conversation repeats the messages of the line before; the
    messages are frozen, so the lines can share them (fewer objects to build and
    to keep; bounded at 2048 x 4 KB of text).
    """
    return Message(role=role, text=content)


def _message_parts(message: dict[str, Any]) -> list[Any]:
    """The content parts of a message, with its reasoning first and its refusal last."""
    parts = parts_of(message.get("content"))
    if reasoning := marked_if("thinking", first_text(message, ("reasoning_content", "reasoning"))):
        parts = [reasoning, *parts]
    if refusal := marked_if("refusal", message.get("refusal")):
        parts = [*parts, refusal]
    return parts


def _openai_tool_message(item: dict[str, Any]) -> Message:
    return Message(
        role="tool",
        text=content_text(item.get("content")),
        tool_call_id=text(item.get("tool_call_id")),
        name=text(item.get("name")),
    )


def _openai_tool_calls(item: dict[str, Any]) -> tuple[ToolCall, ...]:
    """``tool_calls[]`` (arguments as a JSON string) and the legacy ``function_call``."""
    calls = [_openai_tool_call(call) for call in as_list(item.get("tool_calls")) if isinstance(call, dict)]
    if isinstance(item.get("function_call"), dict):
        calls.append(_openai_tool_call({"function": item["function_call"]}))
    return tuple(calls)


def _openai_tool_call(call: dict[str, Any]) -> ToolCall:
    function = as_dict(call.get("function"))
    arguments = function.get("arguments", call.get("arguments"))
    return tool_call(text(function.get("name")) or call.get("name"), arguments, call.get("id"))


def chat_response(response: dict[str, Any]) -> tuple[str, tuple[ToolCall, ...]]:
    """A chat completion's first choice -> (text, tool calls)."""
    choice = as_dict(first_item(response.get("choices")))
    message = as_dict(choice.get("message")) or as_dict(choice.get("delta"))
    if not message:
        return text(choice.get("text")) or "", ()  # legacy completions
    return join(part_text(part) for part in _message_parts(message)), _openai_tool_calls(message)


def anthropic_response(response: dict[str, Any]) -> tuple[str, tuple[ToolCall, ...]]:
    """An Anthropic message's content blocks -> (text, tool calls)."""
    return output_from(parts_of(response.get("content")), read_block)
