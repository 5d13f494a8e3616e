"""The OpenAI Responses API: ``input`` items in the request, ``output`` items back.

Items are typed: messages (the same ``role``/``content`` as Chat Completions),
``function_call`` / ``custom_tool_call`` and their ``*_output`` results, and
``reasoning`` with a summary. Instructions (the system prompt) sit beside them.
"""

from __future__ import annotations

from typing import Any

from session_explorer.core.interactions.payloads.messages import chat_message
from session_explorer.core.interactions.payloads.parts import (
    content_text,
    part_text,
    system_messages,
    tool_call,
    with_calls,
)
from session_explorer.core.interactions.payloads.values import as_dict, as_list, join, marked_if, text
from session_explorer.core.models import Message, ToolCall

CALL_ITEMS = ("function_call", "custom_tool_call")
RESULT_ITEMS = ("function_call_output", "custom_tool_call_output")


def responses_request(request: Any) -> list[Message]:
    if isinstance(request, list):
        request = {"input": request}
    messages = system_messages(request.get("instructions"))
    items = request.get("input")
    if isinstance(items, str):
        return [*messages, Message(role="user", text=items)]
    for item in as_list(items):
        _add_item(messages, item)
    return messages


def _add_item(messages: list[Message], item: Any) -> None:
    if isinstance(item, str):
        messages.append(Message(role="user", text=item))
        return
    if not isinstance(item, dict):
        return
    kind = item.get("type")
    if kind in CALL_ITEMS:
        messages[:] = with_calls(messages, "assistant", (_call(item),))
    elif kind in RESULT_ITEMS:
        result = Message(role="tool", text=content_text(item.get("output")), tool_call_id=text(item.get("call_id")))
        messages.append(result)
    elif kind == "reasoning":
        if summary := _reasoning_summary(item):
            messages.append(Message(role="assistant", text=summary))
    elif "role" in item or kind == "message":
        messages.extend(chat_message(item))


def _call(item: dict[str, Any]) -> ToolCall:
    arguments = item.get("arguments", item.get("input"))
    return tool_call(item.get("name"), arguments, text(item.get("call_id")) or item.get("id"))


def _reasoning_summary(item: dict[str, Any]) -> str:
    parts = [*as_list(item.get("summary")), *as_list(item.get("content"))]
    return marked_if("thinking", join(part_text(part) for part in parts))


def responses_response(response: dict[str, Any]) -> tuple[str, tuple[ToolCall, ...]]:
    texts: list[str] = []
    calls: list[ToolCall] = []
    for item in as_list(response.get("output")):
        item = as_dict(item)
        kind = item.get("type")
        if kind in CALL_ITEMS:
            calls.append(_call(item))
        elif kind == "reasoning":
            texts.append(_reasoning_summary(item))
        elif kind == "message" or "content" in item:
            texts.append(content_text(item.get("content")))
    found = join(texts) or text(response.get("output_text")) or ""
    return found, tuple(calls)
