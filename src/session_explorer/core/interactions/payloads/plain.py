"""Plain payloads: a prompt string in, a text string out, or a small dict holding them."""

from __future__ import annotations

from typing import Any

from session_explorer.core.interactions.payloads.parts import system_messages
from session_explorer.core.interactions.payloads.values import as_dict, first_text
from session_explorer.core.models import Message, ToolCall

REQUEST_KEYS = ("prompt", "text", "query", "question", "input", "message", "content")
RESPONSE_KEYS = ("text", "content", "completion", "response", "output", "answer", "output_text", "result")


def plain_request(request: Any) -> list[Message]:
    if isinstance(request, str):
        return [Message(role="user", text=request)]
    if isinstance(request, list):
        return [Message(role="user", text=item) for item in request if isinstance(item, str)]
    system = first_text(request, ("system", "instructions"))
    prompt = first_text(request, REQUEST_KEYS) or ""
    return [*system_messages(system), Message(role="user", text=prompt)]


def plain_response(response: Any) -> tuple[str, tuple[ToolCall, ...]]:
    if isinstance(response, str):
        return response, ()
    return first_text(as_dict(response), RESPONSE_KEYS) or "", ()
