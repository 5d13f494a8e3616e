"""Which provider format a payload is in, told by its shape rather than by its provider.

A gateway or an OpenAI-compatible local server logs OpenAI shapes under any
provider name, so :func:`response_shape` and :func:`request_shape` look at keys
and types only. The response decides when the request is ambiguous (OpenAI Chat
and Anthropic both send ``messages[]``).
"""

from __future__ import annotations

from typing import Any

from session_explorer.core.interactions.payloads import gemini, plain
from session_explorer.core.interactions.payloads.responses import CALL_ITEMS, RESULT_ITEMS
from session_explorer.core.interactions.payloads.values import as_dict, as_list, first_present, first_text

OPENAI_CHAT = "openai-chat"
OPENAI_RESPONSES = "openai-responses"
ANTHROPIC = "anthropic"
GEMINI = "gemini"
PLAIN = "plain"
UNKNOWN = "unknown"
SHAPES = (OPENAI_CHAT, OPENAI_RESPONSES, ANTHROPIC, GEMINI, PLAIN, UNKNOWN)

_ANTHROPIC_BLOCKS = frozenset(
    {"tool_use", "tool_result", "thinking", "redacted_thinking", "server_tool_use", "image", "document"}
)
_RESPONSES_ITEMS = frozenset({"message", "reasoning", *CALL_ITEMS, *RESULT_ITEMS})


def response_shape(response: Any) -> str | None:
    """The shape of a (reassembled) response; None when nothing is recognised."""
    if isinstance(response, str):
        return PLAIN
    if not isinstance(response, dict):
        return None
    if isinstance(response.get("choices"), list):
        return OPENAI_CHAT
    if any(key in response for key in gemini.RESPONSE_KEYS):
        return GEMINI
    if response.get("object") == "response" or isinstance(response.get("output"), list):
        return OPENAI_RESPONSES
    if response.get("type") == "message" or _looks_like_anthropic_message(response):
        return ANTHROPIC
    if first_text(response, plain.RESPONSE_KEYS) is not None:
        return PLAIN
    return None


def _looks_like_anthropic_message(response: dict[str, Any]) -> bool:
    """Content blocks plus a stop reason or the assistant role, without ``type``."""
    has_blocks = isinstance(response.get("content"), list)
    return has_blocks and ("stop_reason" in response or response.get("role") == "assistant")


def request_shape(request: Any, *, hint: str | None) -> str | None:
    """The shape of a request; ``hint`` is the response's shape, if any."""
    if isinstance(request, str):
        return PLAIN
    if isinstance(request, list):
        return _list_request_shape(request, hint)
    if not isinstance(request, dict):
        return None
    system = first_present(request, "systemInstruction", "system_instruction")
    if "contents" in request or system is not None:
        return GEMINI
    if isinstance(request.get("messages"), list):
        return _messages_shape(request, request["messages"], hint)
    if "input" in request and (
        isinstance(request["input"], list) or "instructions" in request or hint == OPENAI_RESPONSES
    ):
        return OPENAI_RESPONSES
    if first_text(request, plain.REQUEST_KEYS) is not None:
        return PLAIN
    return None


def _list_request_shape(items: list[Any], hint: str | None) -> str | None:
    """A request logged as a bare list: Gemini contents, Responses items or messages."""
    dicts = [item for item in items if isinstance(item, dict)]
    if not dicts:
        return PLAIN if items and all(isinstance(item, str) for item in items) else None
    if any("parts" in item for item in dicts):
        return GEMINI
    if any(isinstance(kind := item.get("type"), str) and kind in _RESPONSES_ITEMS for item in dicts):
        return OPENAI_RESPONSES
    if any("role" in item for item in dicts):
        return _messages_shape({}, items, hint)
    return None


def _messages_shape(request: dict[str, Any], messages: list[Any], hint: str | None) -> str:
    """OpenAI Chat and Anthropic both send ``messages[]``: tell them apart."""
    if hint in (OPENAI_CHAT, ANTHROPIC):
        return hint
    if "system" in request or _block_types(messages) & _ANTHROPIC_BLOCKS:
        return ANTHROPIC
    return OPENAI_CHAT


def _block_types(messages: list[Any]) -> set[str]:
    found: set[str] = set()
    for message in messages:
        for block in as_list(as_dict(message).get("content")):
            if isinstance(kind := as_dict(block).get("type"), str):
                found.add(kind)
    return found


def overall_shape(request_shape: str | None, response_shape: str | None) -> str:
    """The interaction's shape: the more specific of the two, "plain" or "unknown"."""
    for shape in (response_shape, request_shape):
        if shape not in (None, PLAIN):
            return shape
    return PLAIN if PLAIN in (response_shape, request_shape) else UNKNOWN
