"""Streamed responses: a list of chunks or events logged as the output -> one response.

Each provider's stream is folded back into the shape of its non-streamed response,
so the rest of the normaliser reads both the same way: OpenAI Chat chunks into a
chat completion (first choice), Gemini chunks into one candidate, Anthropic SSE
events into a message, and OpenAI Responses events into their ``response.completed``
response. A list that is none of these is returned as it is.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from session_explorer.core.interactions.payloads import gemini
from session_explorer.core.interactions.payloads.parts import arguments_of
from session_explorer.core.interactions.payloads.values import (
    as_dict,
    as_int,
    as_list,
    first_item,
    first_present,
    keep_first,
    text,
)

_ANTHROPIC_EVENTS = frozenset({"message_start", "content_block_start", "content_block_delta", "message_delta"})


def assemble_stream(output: Any) -> Any:
    """A response logged as a list of streamed chunks/events -> one response."""
    if not isinstance(output, list):
        return output
    events = [event for event in output if isinstance(event, dict)]
    if not events:
        return output
    if any("choices" in event for event in events):
        return _merge_chat_chunks(events)
    if any(key in event for event in events for key in gemini.RESPONSE_KEYS):
        return _merge_gemini_chunks(events)
    if any(isinstance(kind := event.get("type"), str) and kind in _ANTHROPIC_EVENTS for event in events):
        return _merge_anthropic_events(events)
    completed = [event for event in events if event.get("type") == "response.completed"]
    if completed:
        return completed[-1].get("response")
    return output


# ------------------------------------------------------------- OpenAI Chat
def _merge_chat_chunks(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    """``chat.completion.chunk`` deltas -> one chat completion (first choice)."""
    merged: dict[str, Any] = {"object": "chat.completion"}
    content: list[str] = []
    reasoning: list[str] = []
    calls: dict[int, dict[str, Any]] = {}
    for chunk in chunks:
        keep_first(merged, chunk, ("id", "model", "created"))
        if isinstance(chunk.get("usage"), dict):
            merged["usage"] = chunk["usage"]
        for choice in as_list(chunk.get("choices")):
            if isinstance(choice, dict) and as_int(choice.get("index")) in (0, None):
                _merge_chat_delta(as_dict(choice.get("delta")), content, reasoning, calls)
    message: dict[str, Any] = {"role": "assistant", "content": "".join(content)}
    if reasoning:
        message["reasoning_content"] = "".join(reasoning)
    if calls:
        message["tool_calls"] = [calls[index] for index in sorted(calls)]
    merged["choices"] = [{"index": 0, "message": message}]
    return merged


def _merge_chat_delta(
    delta: dict[str, Any], content: list[str], reasoning: list[str], calls: dict[int, dict[str, Any]]
) -> None:
    if isinstance(delta.get("content"), str):
        content.append(delta["content"])
    if isinstance(delta.get("reasoning_content"), str):
        reasoning.append(delta["reasoning_content"])
    for fragment in as_list(delta.get("tool_calls")):
        fragment = as_dict(fragment)
        call = calls.setdefault(as_int(fragment.get("index")) or 0, {"function": {"name": "", "arguments": ""}})
        if text(fragment.get("id")):
            call["id"] = fragment["id"]
        function = as_dict(fragment.get("function"))
        for key in ("name", "arguments"):
            if isinstance(function.get(key), str):
                call["function"][key] += function[key]


# ------------------------------------------------------------------ Gemini
def _merge_gemini_chunks(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    parts: list[Any] = []
    for chunk in chunks:
        keep_first(merged, chunk, ("modelVersion", "model_version", "responseId", "response_id"))
        usage = first_present(chunk, "usageMetadata", "usage_metadata")
        if isinstance(usage, dict):
            merged["usageMetadata"] = usage
        parts.extend(gemini.content_parts(as_dict(first_item(chunk.get("candidates"))).get("content")))
    merged["candidates"] = [{"content": {"role": "model", "parts": _coalesce_text(parts)}}]
    return merged


def _coalesce_text(parts: list[Any]) -> list[Any]:
    """Join consecutive streamed text parts (same ``thought`` flag) into one."""
    joined: list[Any] = []
    for part in parts:
        previous = joined[-1] if joined else None
        if _is_text_part(part) and _is_text_part(previous) and part.get("thought") == previous.get("thought"):
            joined[-1] = {**previous, "text": previous["text"] + part["text"]}
        else:
            joined.append(part)
    return joined


def _is_text_part(part: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(part, dict) and isinstance(part.get("text"), str)


# --------------------------------------------------------------- Anthropic
def _merge_anthropic_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Anthropic SSE events (message_start, content_block_*, message_delta) -> a message."""
    message: dict[str, Any] = {}
    blocks: dict[int, dict[str, Any]] = {}
    json_parts: dict[int, list[str]] = {}
    for event in events:
        kind = event.get("type")
        index = as_int(event.get("index")) or 0
        if kind == "message_start":
            message = dict(as_dict(event.get("message")))
        elif kind == "content_block_start":
            blocks[index] = dict(as_dict(event.get("content_block")))
        elif kind == "content_block_delta":
            block = blocks.setdefault(index, {})
            _apply_anthropic_delta(block, as_dict(event.get("delta")), json_parts.setdefault(index, []))
        elif kind == "message_delta":
            message.update(as_dict(event.get("delta")))
            message["usage"] = {**as_dict(message.get("usage")), **as_dict(event.get("usage"))}
    for index, fragments in json_parts.items():
        if fragments:
            blocks[index]["input"] = arguments_of("".join(fragments))
    return {**message, "type": "message", "content": [blocks[index] for index in sorted(blocks)]}


def _apply_anthropic_delta(block: dict[str, Any], delta: dict[str, Any], json_parts: list[str]) -> None:
    for key in ("text", "thinking"):
        if isinstance(delta.get(key), str):
            block[key] = str(block.get(key) or "") + delta[key]
    if isinstance(delta.get("partial_json"), str):
        json_parts.append(delta["partial_json"])
