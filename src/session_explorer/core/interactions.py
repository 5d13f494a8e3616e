"""Read a session's LLM-interaction JSONL file and normalise every line.

Two halves:

* **Reading.** :class:`JsonlReader` reads a JSONL file incrementally (byte offset
  and line number kept between calls), holds back a torn last line, and starts
  over when the file is truncated or replaced. :func:`read_interactions` reads a
  whole file once. Nothing is dropped: a line that is not JSON, or not a JSON
  object, still becomes an :class:`Interaction` with ``parse_error`` set.
* **Normalising.** :func:`normalise` turns one record (as written by
  :class:`session_explorer.tracing.interaction_logger.InteractionLogger`, or any
  similar logger) into an :class:`Interaction`. The provider-native request in
  ``input`` and response in ``output`` are recognised by their *shape*, not by the
  ``provider`` name: OpenAI Chat Completions, OpenAI Responses, Anthropic Messages,
  Gemini generateContent, "plain" strings, or "unknown" (raw JSON kept).

Pure standard library: the reading core never imports the UI.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from .models import Interaction, Message, ToolCall, Usage

CHUNK_SIZE = 1 << 20  # bytes per read; lines of any length are reassembled

OPENAI_CHAT = "openai-chat"
OPENAI_RESPONSES = "openai-responses"
ANTHROPIC = "anthropic"
GEMINI = "gemini"
PLAIN = "plain"
UNKNOWN = "unknown"
SHAPES = (OPENAI_CHAT, OPENAI_RESPONSES, ANTHROPIC, GEMINI, PLAIN, UNKNOWN)


# =========================================================================== reading
class JsonlReader:
    """Read one JSONL file incrementally, complete lines only.

    Each :meth:`read_new` returns the interactions of the lines completed since the
    previous call. A last line without its ``\\n`` yet is held back (``offset`` stays
    at its start; ``pending_bytes`` says how long it is) until a later call sees it
    complete. Blank lines are skipped but counted in ``line_number``.

    The file is opened read-only for each call and closed again (never locked or
    written). When it shrinks below ``offset`` (or the byte before ``offset`` is no
    longer a newline: rewritten in place) the reader starts over from 0 and counts a
    truncation; when the path names another file (inode changed: rotation,
    replacement) it starts over too and counts a replacement. ``last_reset`` says
    which of the two happened during the latest call (``"truncated"``,
    ``"replaced"`` or None). A missing file reads as empty (``exists`` is False).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.offset = 0  # byte offset just after the last complete line read
        self.line_number = 0  # 1-based number of that line (0 before any)
        self.pending_bytes = 0  # size of the held-back torn last line
        self.truncations = 0
        self.replacements = 0
        self.last_reset: str | None = None
        self.exists = False
        self._identity: tuple[int, int] | None = None

    def read_new(self) -> list[Interaction]:
        """Return the interactions of the lines completed since the last call."""
        self.last_reset = None
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            self.exists = False
            self.pending_bytes = 0
            return []
        self.exists = True
        with handle:
            self._check_identity(handle)
            handle.seek(self.offset)
            return self._read_lines(handle)

    def read_pending(self) -> Interaction | None:
        """Parse the held-back last line (no newline yet) without consuming it.

        Meant to be called right after :meth:`read_new`: it reads from ``offset`` to
        the next newline or the end of the file. None when there is nothing there.
        """
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                data = handle.read()
        except FileNotFoundError:
            return None
        line = data.split(b"\n", 1)[0]
        return parse_line(line, line_number=self.line_number + 1, offset=self.offset)

    # ----------------------------------------------------------------- internals
    def _check_identity(self, handle: BinaryIO) -> None:
        status = os.fstat(handle.fileno())
        identity = (status.st_dev, status.st_ino)
        if self._identity is not None and identity != self._identity:
            self._restart("replaced")
        elif status.st_size < self.offset or not _follows_newline(handle, self.offset):
            self._restart("truncated")
        self._identity = identity

    def _restart(self, reason: str) -> None:
        self.offset = 0
        self.line_number = 0
        self.last_reset = reason
        if reason == "replaced":
            self.replacements += 1
        else:
            self.truncations += 1

    def _read_lines(self, handle: BinaryIO) -> list[Interaction]:
        found: list[Interaction] = []
        pending = bytearray()
        while chunk := handle.read(CHUNK_SIZE):
            search_from = len(pending)
            pending += chunk
            start = 0
            while (end := pending.find(b"\n", search_from)) != -1:
                self._take_line(bytes(pending[start:end]), found)
                start = search_from = end + 1
            del pending[:start]
        self.pending_bytes = len(pending)
        return found

    def _take_line(self, raw: bytes, found: list[Interaction]) -> None:
        self.line_number += 1
        offset = self.offset
        self.offset += len(raw) + 1
        interaction = parse_line(raw, line_number=self.line_number, offset=offset)
        if interaction is not None:
            found.append(interaction)


def _follows_newline(handle: BinaryIO, offset: int) -> bool:
    """True when ``offset`` is 0 or the byte just before it is a newline."""
    if offset == 0:
        return True
    handle.seek(offset - 1)
    return handle.read(1) == b"\n"


def read_interactions(
    path: str | os.PathLike[str], *, include_partial: bool = False
) -> list[Interaction]:
    """Read every complete line of a JSONL file.

    A last line without a trailing newline is treated as still being written and
    left out, exactly as :class:`JsonlReader` holds it back; pass
    ``include_partial=True`` to parse it too (for a finished file written by a tool
    that does not end its last line). Raises FileNotFoundError for a missing file.
    """
    reader = JsonlReader(path)
    found = reader.read_new()
    if not reader.exists:
        raise FileNotFoundError(path)
    if include_partial and reader.pending_bytes:
        tail = reader.read_pending()
        if tail is not None:
            found.append(tail)
    return found


def parse_line(raw: bytes, *, line_number: int, offset: int) -> Interaction | None:
    """One JSONL line (without its ``\\n``) -> Interaction; None for a blank line.

    The bytes are decoded as UTF-8 with invalid bytes replaced; a trailing ``\\r``
    and a leading byte-order mark are ignored. JSON is parsed leniently about raw
    control characters inside strings (``strict=False``).
    """
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    text = raw.decode("utf-8", "replace").removeprefix("\ufeff")
    if not text.strip():
        return None
    try:
        value = json.loads(text, strict=False)
    except json.JSONDecodeError as exc:
        return _malformed(text, line_number, offset, f"{exc.msg}: line {exc.lineno} column {exc.colno}")
    except (ValueError, RecursionError) as exc:
        return _malformed(text, line_number, offset, f"invalid JSON: {exc}")
    if not isinstance(value, dict):
        problem = f"not a JSON object (a JSON {_json_kind(value)})"
        return _malformed(text, line_number, offset, problem, raw=value)
    return normalise(value, line_number=line_number, offset=offset, raw_text=text)


def _malformed(text: str, line_number: int, offset: int, problem: str, raw: Any = None) -> Interaction:
    return Interaction(
        number=line_number,
        line_number=line_number,
        offset=offset,
        raw_text=text,
        shape=UNKNOWN,
        raw=raw,
        parse_error=problem,
    )


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


# ======================================================================= normalising
def normalise(obj: dict[str, Any], *, line_number: int, offset: int, raw_text: str) -> Interaction:
    """One JSON object of the interactions file -> :class:`Interaction`.

    Never raises: should anything in the payload defeat the normaliser, the line
    is kept as shape "unknown" with ``raw`` holding the object.
    """
    try:
        return _normalise(obj, line_number, offset, raw_text)
    except Exception:  # noqa: BLE001 - a normaliser bug must not lose the line
        return Interaction(
            number=line_number,
            line_number=line_number,
            offset=offset,
            raw_text=raw_text,
            shape=UNKNOWN,
            raw=obj,
        )


def _normalise(obj: dict[str, Any], line_number: int, offset: int, raw_text: str) -> Interaction:
    request = _first_present(obj, "input", "request")
    response = _assemble_stream(_first_present(obj, "output", "response"))
    response_shape = _response_shape(response)
    request_shape = _request_shape(request, hint=response_shape)
    messages = _REQUEST_PARSERS[request_shape](request) if request_shape else []
    output_text, output_calls = _RESPONSE_PARSERS[response_shape](response) if response_shape else ("", ())
    return Interaction(
        number=_number(obj.get("interaction_id"), line_number),
        line_number=line_number,
        offset=offset,
        raw_text=raw_text,
        timestamp=_timestamp(obj, response),
        provider=_text(obj.get("provider")),
        model=_model(obj, request, response),
        messages=_name_tool_results(messages),
        output_text=output_text,
        output_tool_calls=tuple(output_calls),
        usage=_usage(obj, response),
        duration_ms=_duration_ms(obj),
        error=_error(obj, response),
        shape=_overall_shape(request_shape, response_shape),
        raw=obj,
    )


# ---------------------------------------------------------------- record fields
_TIME_KEYS = ("timestamp", "time", "ts", "created_at", "datetime")
_RESPONSE_TIME_KEYS = ("created", "created_at", "createTime", "create_time")


def _number(value: Any, line_number: int) -> int:
    number = _int(value)
    return line_number if number is None else number


def _timestamp(obj: dict[str, Any], response: Any) -> datetime | None:
    for key in _TIME_KEYS:
        if (found := parse_timestamp(obj.get(key))) is not None:
            return found
    for key in _RESPONSE_TIME_KEYS:
        if (found := parse_timestamp(_dict(response).get(key))) is not None:
            return found
    return None


def parse_timestamp(value: Any) -> datetime | None:
    """ISO 8601 text or unix seconds (or milliseconds) -> naive local datetime.

    A time with a zone (``Z``, ``+02:00``) is converted to local time and made
    naive, so it compares with the naive local times of the application log.
    Anything else gives None.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return _local_naive(datetime.fromisoformat(text))
    except (ValueError, OverflowError, OSError):
        pass
    try:
        return _from_epoch(float(text))
    except ValueError:
        return None


def _from_epoch(seconds: float) -> datetime | None:
    if not math.isfinite(seconds):
        return None
    if abs(seconds) > 1e11:  # milliseconds since the epoch
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds)
    except (OverflowError, OSError, ValueError):
        return None


def _local_naive(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone().replace(tzinfo=None)


def _model(obj: dict[str, Any], request: Any, response: Any) -> str | None:
    return (
        _text(obj.get("model"))
        or _text(_dict(request).get("model"))
        or _first_text(_dict(response), ("model", "modelVersion", "model_version"))
    )


_MS_KEYS = ("duration_ms", "latency_ms", "elapsed_ms")
_SECOND_KEYS = ("duration", "duration_s", "duration_seconds", "latency_s")


def _duration_ms(obj: dict[str, Any]) -> float | None:
    for key in _MS_KEYS:
        if (value := _float(obj.get(key))) is not None:
            return value
    for key in _SECOND_KEYS:
        if (value := _float(obj.get(key))) is not None:
            return value * 1000
    return None


def _error(obj: dict[str, Any], response: Any) -> str | None:
    found = _error_text(obj.get("error"))
    if found is None:
        found = _error_text(_dict(response).get("error"))
    return found


def _error_text(value: Any) -> str | None:
    if value is None or value is False or value == "":
        return None
    if value is True:
        return "error"
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return _error_dict_text(value)
    return _json_text(value)


def _error_dict_text(value: dict[str, Any]) -> str:
    inner = value.get("error")
    if isinstance(inner, dict):  # Anthropic: {"type": "error", "error": {...}}
        return _error_dict_text(inner)
    kind = _first_text(value, ("type", "name", "status")) or _scalar_text(value.get("code"))
    message = _first_text(value, ("message", "msg", "detail", "description")) or _text(inner)
    if kind and message:
        return f"{kind}: {message}"
    return message or kind or _json_text(value)


# ------------------------------------------------------------------------ usage
_INPUT_KEYS = ("input_tokens", "prompt_tokens", "promptTokenCount", "prompt_token_count", "inputTokens")
_OUTPUT_KEYS = (
    "output_tokens",
    "completion_tokens",
    "candidatesTokenCount",
    "candidates_token_count",
    "outputTokens",
)
_TOTAL_KEYS = ("total_tokens", "totalTokenCount", "total_token_count", "totalTokens")


def _usage(obj: dict[str, Any], response: Any) -> Usage:
    """Token counts: the record's own ``usage`` first, the response's to fill gaps.

    Counts are kept as the provider gives them (Anthropic cache tokens are not
    added to ``input_tokens``; Gemini thought tokens are not added to output).
    """
    ours = _usage_from(obj.get("usage"))
    theirs = _usage_from(_response_usage(response))
    return Usage(
        input_tokens=_first_not_none(ours.input_tokens, theirs.input_tokens),
        output_tokens=_first_not_none(ours.output_tokens, theirs.output_tokens),
        total_tokens=_first_not_none(ours.total_tokens, theirs.total_tokens),
    )


def _response_usage(response: Any) -> Any:
    response = _dict(response)
    return _first_present(response, "usage", "usageMetadata", "usage_metadata")


def _usage_from(value: Any) -> Usage:
    value = _dict(value)
    return Usage(
        input_tokens=_first_int(value, _INPUT_KEYS),
        output_tokens=_first_int(value, _OUTPUT_KEYS),
        total_tokens=_first_int(value, _TOTAL_KEYS),
    )


# ----------------------------------------------------------- shape recognition
_ANTHROPIC_BLOCKS = frozenset(
    {"tool_use", "tool_result", "thinking", "redacted_thinking", "server_tool_use", "image", "document"}
)
_RESPONSES_ITEMS = frozenset(
    {
        "message",
        "function_call",
        "function_call_output",
        "reasoning",
        "custom_tool_call",
        "custom_tool_call_output",
    }
)
_PLAIN_REQUEST_KEYS = ("prompt", "text", "query", "question", "input", "message", "content")
_PLAIN_RESPONSE_KEYS = (
    "text", "content", "completion", "response", "output", "answer", "output_text", "result"
)
_GEMINI_RESPONSE_KEYS = ("candidates", "usageMetadata", "usage_metadata", "promptFeedback", "prompt_feedback")


def _response_shape(response: Any) -> str | None:
    if isinstance(response, str):
        return PLAIN
    if not isinstance(response, dict):
        return None
    if isinstance(response.get("choices"), list):
        return OPENAI_CHAT
    if any(key in response for key in _GEMINI_RESPONSE_KEYS):
        return GEMINI
    if response.get("object") == "response" or isinstance(response.get("output"), list):
        return OPENAI_RESPONSES
    if response.get("type") == "message" or _looks_like_anthropic_message(response):
        return ANTHROPIC
    if _first_text(response, _PLAIN_RESPONSE_KEYS) is not None:
        return PLAIN
    return None


def _looks_like_anthropic_message(response: dict[str, Any]) -> bool:
    """Content blocks plus a stop reason or the assistant role, without ``type``."""
    has_blocks = isinstance(response.get("content"), list)
    return has_blocks and ("stop_reason" in response or response.get("role") == "assistant")


def _request_shape(request: Any, *, hint: str | None) -> str | None:
    if isinstance(request, str):
        return PLAIN
    if isinstance(request, list):
        return _list_request_shape(request, hint)
    if not isinstance(request, dict):
        return None
    system = _first_present(request, "systemInstruction", "system_instruction")
    if "contents" in request or system is not None:
        return GEMINI
    if isinstance(request.get("messages"), list):
        return _messages_shape(request, request["messages"], hint)
    if "input" in request and (
        isinstance(request["input"], list) or "instructions" in request or hint == OPENAI_RESPONSES
    ):
        return OPENAI_RESPONSES
    if _first_text(request, _PLAIN_REQUEST_KEYS) is not None:
        return PLAIN
    return None


def _list_request_shape(items: list[Any], hint: str | None) -> str | None:
    """A request logged as a bare list: Gemini contents, Responses items or messages."""
    dicts = [item for item in items if isinstance(item, dict)]
    if not dicts:
        return PLAIN if items and all(isinstance(item, str) for item in items) else None
    if any("parts" in item for item in dicts):
        return GEMINI
    if any(item.get("type") in _RESPONSES_ITEMS for item in dicts):
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
        for block in _list(_dict(message).get("content")):
            if isinstance(kind := _dict(block).get("type"), str):
                found.add(kind)
    return found


def _overall_shape(request_shape: str | None, response_shape: str | None) -> str:
    for shape in (response_shape, request_shape):
        if shape not in (None, PLAIN):
            return shape
    return PLAIN if PLAIN in (response_shape, request_shape) else UNKNOWN


# ---------------------------------------------------------------- content parts
class _Piece(NamedTuple):
    """What one content part contributes: text, a tool call, or a tool result."""

    text: str = ""
    call: ToolCall | None = None
    result: Message | None = None


_MEDIA = {
    "image_url": "image",
    "image": "image",
    "input_image": "image",
    "input_audio": "audio",
    "document": "document",
    "file": "file",
    "input_file": "file",
}


def _part_text(part: Any) -> str:
    """Text of one typed content part (OpenAI, Responses or Anthropic)."""
    if isinstance(part, str):
        return part
    if not isinstance(part, dict):
        return ""
    kind = part.get("type")
    if kind == "thinking":
        return _marked("thinking", part.get("thinking"))
    if kind == "redacted_thinking":
        return "[redacted thinking]"
    if kind == "refusal":
        return _marked("refusal", part.get("refusal"))
    if isinstance(part.get("text"), str):
        return part["text"]
    if isinstance(kind, str) and kind in _MEDIA:
        return f"[{_MEDIA[kind]}]"
    return ""


def _content_text(content: Any) -> str:
    return _join(_part_text(part) for part in _parts(content))


def _read_block(block: Any) -> _Piece:
    """An OpenAI / Anthropic content part, with Anthropic tool blocks split out."""
    kind = _dict(block).get("type")
    if kind == "tool_result":
        return _Piece(result=_tool_result_message(block))
    if kind in ("tool_use", "server_tool_use"):
        name = _text(block.get("name")) or ""
        return _Piece(call=ToolCall(name, _arguments(block.get("input")), _text(block.get("id"))))
    return _Piece(text=_part_text(block))


def _tool_result_message(block: dict[str, Any]) -> Message:
    return Message(
        role="tool",
        text=_content_text(block.get("content")),
        tool_call_id=_text(block.get("tool_use_id")),
        is_error=block.get("is_error") is True,
    )


def _split_parts(role: str, parts: Iterable[Any], read: Callable[[Any], _Piece]) -> list[Message]:
    """Parts of one message -> Messages: tool results become their own "tool" messages.

    Text and tool calls around them stay in a message of ``role``, in order.
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
    _flush(messages, role, texts, calls)
    return messages or [Message(role=role)]


def _flush(messages: list[Message], role: str, texts: list[str], calls: list[ToolCall]) -> None:
    if texts or calls:
        messages.append(Message(role=role, text=_join(texts), tool_calls=tuple(calls)))
    texts.clear()
    calls.clear()


def _output_from(parts: Iterable[Any], read: Callable[[Any], _Piece]) -> tuple[str, tuple[ToolCall, ...]]:
    pieces = [read(part) for part in parts]
    calls = tuple(piece.call for piece in pieces if piece.call is not None)
    return _join(piece.text for piece in pieces), calls


# ------------------------------------------------- OpenAI Chat and Anthropic
def _messages_request(request: Any) -> list[Message]:
    """``messages[]`` of OpenAI Chat Completions or Anthropic (plus Anthropic ``system``)."""
    if isinstance(request, list):
        request = {"messages": request}
    return _system_messages(request.get("system")) + _chat_messages(request.get("messages"))


def _chat_messages(items: Any) -> list[Message]:
    messages: list[Message] = []
    for item in _list(items):
        if isinstance(item, dict):
            messages.extend(_chat_message(item))
        elif isinstance(item, str):
            messages.append(Message(role="user", text=item))
    return messages


def _chat_message(item: dict[str, Any]) -> list[Message]:
    role = _role(item.get("role"))
    if role == "tool":
        return [_openai_tool_message(item)]
    parts = [_reasoning_text(item), *_parts(item.get("content")), _marked_refusal(item)]
    messages = _split_parts(role, parts, _read_block)
    calls = _openai_tool_calls(item)
    return _with_calls(messages, role, calls) if calls else messages


def _openai_tool_message(item: dict[str, Any]) -> Message:
    return Message(
        role="tool",
        text=_content_text(item.get("content")),
        tool_call_id=_text(item.get("tool_call_id")),
        name=_text(item.get("name")),
    )


def _openai_tool_calls(item: dict[str, Any]) -> tuple[ToolCall, ...]:
    """``tool_calls[]`` (arguments as a JSON string) and the legacy ``function_call``."""
    calls = [_openai_tool_call(call) for call in _list(item.get("tool_calls")) if isinstance(call, dict)]
    if isinstance(item.get("function_call"), dict):
        calls.append(_openai_tool_call({"function": item["function_call"]}))
    return tuple(calls)


def _openai_tool_call(call: dict[str, Any]) -> ToolCall:
    function = _dict(call.get("function"))
    name = _text(function.get("name")) or _text(call.get("name")) or ""
    arguments = function.get("arguments", call.get("arguments"))
    return ToolCall(name=name, arguments=_arguments(arguments), id=_text(call.get("id")))


def _with_calls(messages: list[Message], role: str, calls: tuple[ToolCall, ...]) -> list[Message]:
    if messages and messages[-1].role == role:
        last = messages[-1]
        return [*messages[:-1], replace(last, tool_calls=last.tool_calls + calls)]
    return [*messages, Message(role=role, tool_calls=calls)]


def _reasoning_text(item: dict[str, Any]) -> str:
    """``reasoning_content`` added by some OpenAI-compatible servers."""
    reasoning = _first_text(item, ("reasoning_content", "reasoning"))
    return _marked("thinking", reasoning) if reasoning else ""


def _marked_refusal(item: dict[str, Any]) -> str:
    refusal = _text(item.get("refusal"))
    return _marked("refusal", refusal) if refusal else ""


def _chat_response(response: dict[str, Any]) -> tuple[str, tuple[ToolCall, ...]]:
    choice = _dict(_first(response.get("choices")))
    message = _dict(choice.get("message")) or _dict(choice.get("delta"))
    if not message:
        return _text(choice.get("text")) or "", ()  # legacy completions
    parts = [_reasoning_text(message), *_parts(message.get("content")), _marked_refusal(message)]
    return _join(_part_text(part) for part in parts), _openai_tool_calls(message)


def _anthropic_response(response: dict[str, Any]) -> tuple[str, tuple[ToolCall, ...]]:
    return _output_from(_parts(response.get("content")), _read_block)


def _system_messages(value: Any) -> list[Message]:
    text = _content_text(value)
    return [Message(role="system", text=text)] if text else []


# ------------------------------------------------------------- OpenAI Responses
_RESPONSES_CALLS = ("function_call", "custom_tool_call")
_RESPONSES_RESULTS = ("function_call_output", "custom_tool_call_output")


def _responses_request(request: Any) -> list[Message]:
    if isinstance(request, list):
        request = {"input": request}
    messages = _system_messages(request.get("instructions"))
    items = request.get("input")
    if isinstance(items, str):
        return [*messages, Message(role="user", text=items)]
    for item in _list(items):
        _add_responses_item(messages, item)
    return messages


def _add_responses_item(messages: list[Message], item: Any) -> None:
    if isinstance(item, str):
        messages.append(Message(role="user", text=item))
        return
    if not isinstance(item, dict):
        return
    kind = item.get("type")
    if kind in _RESPONSES_CALLS:
        messages[:] = _with_calls(messages, "assistant", (_responses_call(item),))
    elif kind in _RESPONSES_RESULTS:
        messages.append(_responses_result(item))
    elif kind == "reasoning":
        if text := _reasoning_summary(item):
            messages.append(Message(role="assistant", text=text))
    elif "role" in item or kind == "message":
        messages.extend(_chat_message(item))


def _responses_call(item: dict[str, Any]) -> ToolCall:
    arguments = item.get("arguments", item.get("input"))
    call_id = _text(item.get("call_id")) or _text(item.get("id"))
    return ToolCall(name=_text(item.get("name")) or "", arguments=_arguments(arguments), id=call_id)


def _responses_result(item: dict[str, Any]) -> Message:
    text = _content_text(item.get("output"))
    return Message(role="tool", text=text, tool_call_id=_text(item.get("call_id")))


def _reasoning_summary(item: dict[str, Any]) -> str:
    parts = [*_list(item.get("summary")), *_list(item.get("content"))]
    text = _join(_part_text(part) for part in parts)
    return _marked("thinking", text) if text else ""


def _responses_response(response: dict[str, Any]) -> tuple[str, tuple[ToolCall, ...]]:
    texts: list[str] = []
    calls: list[ToolCall] = []
    for item in _list(response.get("output")):
        item = _dict(item)
        kind = item.get("type")
        if kind in _RESPONSES_CALLS:
            calls.append(_responses_call(item))
        elif kind == "reasoning":
            texts.append(_reasoning_summary(item))
        elif kind == "message" or "content" in item:
            texts.append(_content_text(item.get("content")))
    text = _join(texts) or _text(response.get("output_text")) or ""
    return text, tuple(calls)


# ----------------------------------------------------------------------- Gemini
def _gemini_request(request: Any) -> list[Message]:
    if isinstance(request, list):
        request = {"contents": request}
    system = _first_present(request, "systemInstruction", "system_instruction")
    messages = _system_messages(_gemini_text(system))
    contents = request.get("contents")
    if isinstance(contents, (str, dict)):
        contents = [contents]
    for content in _list(contents):
        messages.extend(_gemini_content(content))
    return messages


def _gemini_content(content: Any) -> list[Message]:
    if isinstance(content, str):
        return [Message(role="user", text=content)]
    if not isinstance(content, dict):
        return []
    return _split_parts(_role(content.get("role")), _gemini_parts(content), _read_gemini_part)


def _gemini_parts(content: Any) -> list[Any]:
    parts = _dict(content).get("parts")
    return [parts] if isinstance(parts, str) else _parts(parts)


def _read_gemini_part(part: Any) -> _Piece:
    """A Gemini part; camelCase and snake_case (``function_call``) both accepted."""
    result = _first_present(_dict(part), "functionResponse", "function_response")
    if isinstance(result, dict):
        return _Piece(result=_gemini_result(result))
    call = _first_present(_dict(part), "functionCall", "function_call")
    if isinstance(call, dict):
        name = _text(call.get("name")) or ""
        return _Piece(call=ToolCall(name, _arguments(call.get("args")), _text(call.get("id"))))
    return _Piece(text=_gemini_part_text(part))


def _gemini_result(result: dict[str, Any]) -> Message:
    response = result.get("response")
    return Message(
        role="tool",
        text=_json_text(response) if response is not None else "",
        tool_call_id=_text(result.get("id")),
        name=_text(result.get("name")),
        is_error=isinstance(response, dict) and "error" in response,
    )


def _gemini_part_text(part: Any) -> str:
    if isinstance(part, str):
        return part
    part = _dict(part)
    if isinstance(part.get("text"), str):
        return _marked("thinking", part["text"]) if part.get("thought") is True else part["text"]
    inline = _dict(_first_present(part, "inlineData", "inline_data"))
    if inline:
        return f"[{_first_text(inline, ('mimeType', 'mime_type')) or 'inline'} data]"
    if _first_present(part, "fileData", "file_data") is not None:
        return "[file]"
    code = _dict(_first_present(part, "executableCode", "executable_code"))
    result = _dict(_first_present(part, "codeExecutionResult", "code_execution_result"))
    return _text(code.get("code")) or _text(result.get("output")) or ""


def _gemini_text(value: Any) -> str:
    """``systemInstruction``: a string, a content ``{parts}`` or a list of parts."""
    if isinstance(value, str):
        return value
    parts = _gemini_parts(value) if isinstance(value, dict) and "parts" in value else _parts(value)
    return _join(_gemini_part_text(part) for part in parts)


def _gemini_response(response: dict[str, Any]) -> tuple[str, tuple[ToolCall, ...]]:
    candidate = _dict(_first(response.get("candidates")))
    return _output_from(_gemini_parts(candidate.get("content")), _read_gemini_part)


# ------------------------------------------------------------------------ plain
def _plain_request(request: Any) -> list[Message]:
    if isinstance(request, str):
        return [Message(role="user", text=request)]
    if isinstance(request, list):
        return [Message(role="user", text=item) for item in request if isinstance(item, str)]
    system = _first_text(request, ("system", "instructions"))
    prompt = _first_text(request, _PLAIN_REQUEST_KEYS) or ""
    return [*_system_messages(system), Message(role="user", text=prompt)]


def _plain_response(response: Any) -> tuple[str, tuple[ToolCall, ...]]:
    if isinstance(response, str):
        return response, ()
    return _first_text(_dict(response), _PLAIN_RESPONSE_KEYS) or "", ()


_REQUEST_PARSERS: dict[str, Callable[[Any], list[Message]]] = {
    OPENAI_CHAT: _messages_request,
    ANTHROPIC: _messages_request,
    OPENAI_RESPONSES: _responses_request,
    GEMINI: _gemini_request,
    PLAIN: _plain_request,
}
_RESPONSE_PARSERS: dict[str, Callable[[Any], tuple[str, tuple[ToolCall, ...]]]] = {
    OPENAI_CHAT: _chat_response,
    ANTHROPIC: _anthropic_response,
    OPENAI_RESPONSES: _responses_response,
    GEMINI: _gemini_response,
    PLAIN: _plain_response,
}


# -------------------------------------------------------------- tool names
def _name_tool_results(messages: list[Message]) -> tuple[Message, ...]:
    """Give tool results the name of the call they answer, when they lack one."""
    names: dict[str, str] = {}
    named: list[Message] = []
    for message in messages:
        for call in message.tool_calls:
            if call.id is not None and call.name:
                names[call.id] = call.name
        if message.role == "tool" and message.name is None and message.tool_call_id in names:
            message = replace(message, name=names[message.tool_call_id])
        named.append(message)
    return tuple(named)


# ------------------------------------------------------------ streamed output
_ANTHROPIC_EVENTS = frozenset(
    {"message_start", "content_block_start", "content_block_delta", "message_delta"}
)


def _assemble_stream(output: Any) -> Any:
    """A response logged as a list of streamed chunks/events -> one response."""
    if not isinstance(output, list):
        return output
    events = [event for event in output if isinstance(event, dict)]
    if not events:
        return output
    if any("choices" in event for event in events):
        return _merge_chat_chunks(events)
    if any(key in event for event in events for key in _GEMINI_RESPONSE_KEYS):
        return _merge_gemini_chunks(events)
    if any(event.get("type") in _ANTHROPIC_EVENTS for event in events):
        return _merge_anthropic_events(events)
    completed = [event for event in events if event.get("type") == "response.completed"]
    if completed:
        return completed[-1].get("response")
    return output


def _merge_chat_chunks(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    """``chat.completion.chunk`` deltas -> one chat completion (first choice)."""
    merged: dict[str, Any] = {"object": "chat.completion"}
    content: list[str] = []
    reasoning: list[str] = []
    calls: dict[int, dict[str, Any]] = {}
    for chunk in chunks:
        _keep_first(merged, chunk, ("id", "model", "created"))
        if isinstance(chunk.get("usage"), dict):
            merged["usage"] = chunk["usage"]
        for choice in _list(chunk.get("choices")):
            if isinstance(choice, dict) and _int(choice.get("index")) in (0, None):
                _merge_chat_delta(_dict(choice.get("delta")), content, reasoning, calls)
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
    for fragment in _list(delta.get("tool_calls")):
        fragment = _dict(fragment)
        call = calls.setdefault(_int(fragment.get("index")) or 0, {"function": {"name": "", "arguments": ""}})
        if _text(fragment.get("id")):
            call["id"] = fragment["id"]
        function = _dict(fragment.get("function"))
        for key in ("name", "arguments"):
            if isinstance(function.get(key), str):
                call["function"][key] += function[key]


def _merge_gemini_chunks(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    parts: list[Any] = []
    for chunk in chunks:
        _keep_first(merged, chunk, ("modelVersion", "model_version", "responseId", "response_id"))
        usage = _first_present(chunk, "usageMetadata", "usage_metadata")
        if isinstance(usage, dict):
            merged["usageMetadata"] = usage
        parts.extend(_gemini_parts(_dict(_first(chunk.get("candidates"))).get("content")))
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


def _is_text_part(part: Any) -> bool:
    return isinstance(part, dict) and isinstance(part.get("text"), str)


def _merge_anthropic_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Anthropic SSE events (message_start, content_block_*, message_delta) -> a message."""
    message: dict[str, Any] = {}
    blocks: dict[int, dict[str, Any]] = {}
    json_parts: dict[int, list[str]] = {}
    for event in events:
        kind = event.get("type")
        index = _int(event.get("index")) or 0
        if kind == "message_start":
            message = dict(_dict(event.get("message")))
        elif kind == "content_block_start":
            blocks[index] = dict(_dict(event.get("content_block")))
        elif kind == "content_block_delta":
            block = blocks.setdefault(index, {})
            _apply_anthropic_delta(block, _dict(event.get("delta")), json_parts.setdefault(index, []))
        elif kind == "message_delta":
            message.update(_dict(event.get("delta")))
            message["usage"] = {**_dict(message.get("usage")), **_dict(event.get("usage"))}
    for index, fragments in json_parts.items():
        if fragments:
            blocks[index]["input"] = _arguments("".join(fragments))
    return {**message, "type": "message", "content": [blocks[index] for index in sorted(blocks)]}


def _apply_anthropic_delta(block: dict[str, Any], delta: dict[str, Any], json_parts: list[str]) -> None:
    for key, target in (("text", "text"), ("thinking", "thinking")):
        if isinstance(delta.get(key), str):
            block[target] = str(block.get(target) or "") + delta[key]
    if isinstance(delta.get("partial_json"), str):
        json_parts.append(delta["partial_json"])


# ---------------------------------------------------------------- small helpers
_ROLES = {"model": "assistant", "developer": "system", "function": "tool", "human": "user", "ai": "assistant"}


def _role(value: Any, default: str = "user") -> str:
    """Provider role -> system | user | assistant | tool (unknown roles kept as given)."""
    if not isinstance(value, str) or not value.strip():
        return default
    role = value.strip().lower()
    return _ROLES.get(role, role)


def _arguments(value: Any) -> Any:
    """Tool-call arguments: a JSON-encoded string is parsed when it parses."""
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value
    return value


def _parts(content: Any) -> list[Any]:
    """Content as a list of parts: a string or a single part becomes a list of one."""
    if isinstance(content, (str, dict)):
        return [content]
    return _list(content)


def _marked(label: str, text: Any) -> str:
    return f"[{label}] {text}" if isinstance(text, str) and text else f"[{label}]"


def _join(texts: Iterable[str]) -> str:
    return "\n".join(text for text in texts if text)


def _json_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return repr(value)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    return _text(value)


def _first_text(mapping: Any, keys: Iterable[str]) -> str | None:
    mapping = _dict(mapping)
    for key in keys:
        if (found := _text(mapping.get(key))) is not None:
            return found
    return None


def _first_present(mapping: Any, *keys: str) -> Any:
    mapping = _dict(mapping)
    for key in keys:
        if mapping.get(key) is not None:
            return mapping[key]
    return None


def _first_int(mapping: dict[str, Any], keys: Iterable[str]) -> int | None:
    for key in keys:
        if (found := _int(mapping.get(key))) is not None:
            return found
    return None


def _first_not_none(*values: int | None) -> int | None:
    return next((value for value in values if value is not None), None)


def _keep_first(target: dict[str, Any], source: dict[str, Any], keys: Iterable[str]) -> None:
    for key in keys:
        if source.get(key) is not None:
            target.setdefault(key, source[key])


def _int(value: Any) -> int | None:
    """An integer from an int, a whole float or a digit string; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    return None


__all__ = [
    "JsonlReader",
    "read_interactions",
    "parse_line",
    "parse_timestamp",
    "normalise",
    "CHUNK_SIZE",
    "SHAPES",
    "OPENAI_CHAT",
    "OPENAI_RESPONSES",
    "ANTHROPIC",
    "GEMINI",
    "PLAIN",
    "UNKNOWN",
]
