"""Normalise one record of an interactions file into an :class:`Interaction`.

A record is what :class:`session_explorer.tracing.interaction_logger.InteractionLogger`
(or a similar logger) writes: a few fields of its own (id, time, provider, model,
usage, duration, error) around the provider-native request in ``input`` and
response in ``output``. Those are recognised by their *shape*, not by the
``provider`` name (:mod:`.shapes`), and read by one module per format family:

=====================  ==========================================================
:mod:`.messages`       OpenAI Chat Completions and Anthropic Messages (``messages[]``)
:mod:`.responses`      OpenAI Responses (typed ``input`` / ``output`` items)
:mod:`.gemini`         Gemini generateContent (``contents[]`` / ``candidates[]``)
:mod:`.plain`          plain strings, or a small dict holding them
:mod:`.streams`        a streamed response (chunks or events) folded into one
:mod:`.fields`         the record's own fields, usage and errors included
:mod:`.parts`          content parts -> messages, shared by the formats
:mod:`.values`         tolerant readers of JSON values
=====================  ==========================================================

Pure standard library.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from session_explorer.core.interactions.payloads.fields import (
    duration_ms_of,
    error_of,
    model_of,
    number_of,
    parse_timestamp,
    timestamp_of,
    usage_of,
)
from session_explorer.core.interactions.payloads.gemini import gemini_request, gemini_response
from session_explorer.core.interactions.payloads.messages import anthropic_response, chat_response, messages_request
from session_explorer.core.interactions.payloads.plain import plain_request, plain_response
from session_explorer.core.interactions.payloads.responses import responses_request, responses_response
from session_explorer.core.interactions.payloads.shapes import (
    ANTHROPIC,
    GEMINI,
    OPENAI_CHAT,
    OPENAI_RESPONSES,
    PLAIN,
    SHAPES,
    UNKNOWN,
    overall_shape,
    request_shape,
    response_shape,
)
from session_explorer.core.interactions.payloads.streams import assemble_stream
from session_explorer.core.interactions.payloads.values import first_present, text
from session_explorer.core.models import Interaction, Message, ToolCall

RequestParser = Callable[[Any], list[Message]]
ResponseParser = Callable[[Any], tuple[str, tuple[ToolCall, ...]]]

_REQUEST_PARSERS: dict[str, RequestParser] = {
    OPENAI_CHAT: messages_request,
    ANTHROPIC: messages_request,
    OPENAI_RESPONSES: responses_request,
    GEMINI: gemini_request,
    PLAIN: plain_request,
}
_RESPONSE_PARSERS: dict[str, ResponseParser] = {
    OPENAI_CHAT: chat_response,
    ANTHROPIC: anthropic_response,
    OPENAI_RESPONSES: responses_response,
    GEMINI: gemini_response,
    PLAIN: plain_response,
}


def normalise(
    obj: dict[str, Any], *, line_number: int, offset: int, raw_text: str, light: bool = False
) -> Interaction:
    """One JSON object of the interactions file -> :class:`Interaction`.

    Never raises: should anything in the payload defeat the normaliser, the line
    is kept as shape "unknown" with ``raw`` holding the object. ``light`` leaves
    out the conversation (messages and output), for summaries.
    """
    try:
        return _normalise(obj, line_number, offset, raw_text, light)
    except Exception:  # a normaliser bug must not lose the line
        return Interaction(
            number=line_number,
            line_number=line_number,
            offset=offset,
            raw_text=raw_text,
            shape=UNKNOWN,
            raw=obj,
        )


def _normalise(
    obj: dict[str, Any], line_number: int, offset: int, raw_text: str, light: bool = False
) -> Interaction:
    request = first_present(obj, "input", "request")
    response = assemble_stream(first_present(obj, "output", "response"))
    out_shape = response_shape(response)
    in_shape = request_shape(request, hint=out_shape)
    output_calls: tuple[ToolCall, ...]
    if light:
        # For summaries: counts, model, usage, time and error; no conversation.
        messages: list[Message] = []
        output_text, output_calls = "", ()
    else:
        messages = _REQUEST_PARSERS[in_shape](request) if in_shape else []
        output_text, output_calls = _RESPONSE_PARSERS[out_shape](response) if out_shape else ("", ())
    return Interaction(
        number=number_of(obj, line_number),
        line_number=line_number,
        offset=offset,
        raw_text=raw_text,
        timestamp=timestamp_of(obj, response),
        provider=text(obj.get("provider")),
        model=model_of(obj, request, response),
        messages=_name_tool_results(messages),
        output_text=output_text,
        output_tool_calls=tuple(output_calls),
        usage=usage_of(obj, response),
        duration_ms=duration_ms_of(obj),
        error=error_of(obj, response),
        shape=overall_shape(in_shape, out_shape),
        raw=obj,
    )


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


__all__ = [
    "ANTHROPIC",
    "GEMINI",
    "OPENAI_CHAT",
    "OPENAI_RESPONSES",
    "PLAIN",
    "SHAPES",
    "UNKNOWN",
    "normalise",
    "parse_timestamp",
]
