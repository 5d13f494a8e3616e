"""Gemini ``generateContent``: ``contents[]`` of ``{role, parts}`` and ``candidates[]`` back.

Roles are ``user`` and ``model``; tool calls and results are ``functionCall`` and
``functionResponse`` parts. The REST API spells fields in camelCase, the Python
SDK's dumps in snake_case (``function_call``, ``system_instruction``): both are read.
"""

from __future__ import annotations

from typing import Any

from session_explorer.core.interactions.payloads.parts import (
    Piece,
    output_from,
    parts_of,
    role_of,
    split_parts,
    system_messages,
    tool_call,
)
from session_explorer.core.interactions.payloads.values import (
    as_dict,
    as_list,
    first_item,
    first_present,
    first_text,
    join,
    json_text,
    marked,
    text,
)
from session_explorer.core.models import Message, ToolCall

RESPONSE_KEYS = ("candidates", "usageMetadata", "usage_metadata", "promptFeedback", "prompt_feedback")


def gemini_request(request: Any) -> list[Message]:
    if isinstance(request, list):
        request = {"contents": request}
    system = first_present(request, "systemInstruction", "system_instruction")
    messages = system_messages(_instruction_text(system))
    contents = request.get("contents")
    if isinstance(contents, (str, dict)):
        contents = [contents]
    for content in as_list(contents):
        messages.extend(_content_messages(content))
    return messages


def _content_messages(content: Any) -> list[Message]:
    if isinstance(content, str):
        return [Message(role="user", text=content)]
    if not isinstance(content, dict):
        return []
    return split_parts(role_of(content.get("role")), content_parts(content), _read_part)


def content_parts(content: Any) -> list[Any]:
    """The ``parts`` of a content (a lone string part counts as a list of one)."""
    parts = as_dict(content).get("parts")
    return [parts] if isinstance(parts, str) else parts_of(parts)


def _read_part(part: Any) -> Piece:
    result = first_present(part, "functionResponse", "function_response")
    if isinstance(result, dict):
        return Piece(result=_function_response(result))
    call = first_present(part, "functionCall", "function_call")
    if isinstance(call, dict):
        return Piece(call=tool_call(call.get("name"), call.get("args"), call.get("id")))
    return Piece(text=_part_text(part))


def _function_response(result: dict[str, Any]) -> Message:
    response = result.get("response")
    return Message(
        role="tool",
        text=json_text(response) if response is not None else "",
        tool_call_id=text(result.get("id")),
        name=text(result.get("name")),
        is_error=isinstance(response, dict) and "error" in response,
    )


def _part_text(part: Any) -> str:
    if isinstance(part, str):
        return part
    part = as_dict(part)
    if isinstance(part.get("text"), str):
        return marked("thinking", part["text"]) if part.get("thought") is True else part["text"]
    inline = as_dict(first_present(part, "inlineData", "inline_data"))
    if inline:
        return f"[{first_text(inline, ('mimeType', 'mime_type')) or 'inline'} data]"
    if first_present(part, "fileData", "file_data") is not None:
        return "[file]"
    code = as_dict(first_present(part, "executableCode", "executable_code"))
    result = as_dict(first_present(part, "codeExecutionResult", "code_execution_result"))
    return text(code.get("code")) or text(result.get("output")) or ""


def _instruction_text(value: Any) -> str:
    """``systemInstruction``: a string, a content ``{parts}`` or a list of parts."""
    if isinstance(value, str):
        return value
    parts = content_parts(value) if isinstance(value, dict) and "parts" in value else parts_of(value)
    return join(_part_text(part) for part in parts)


def gemini_response(response: dict[str, Any]) -> tuple[str, tuple[ToolCall, ...]]:
    candidate = as_dict(first_item(response.get("candidates")))
    return output_from(content_parts(candidate.get("content")), _read_part)
