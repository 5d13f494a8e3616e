"""The record's own fields: number, time, model, duration, error and token usage.

Each reads the record first (as ``InteractionLogger`` writes it, or under a few
common alternative names) and falls back to what the provider's response says.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from session_explorer.core.interactions.payloads.values import (
    as_dict,
    as_float,
    as_int,
    first_int,
    first_not_none,
    first_present,
    first_text,
    json_text,
    text,
)
from session_explorer.core.models import Usage

_TIME_KEYS = ("timestamp", "time", "ts", "created_at", "datetime")
_RESPONSE_TIME_KEYS = ("created", "created_at", "createTime", "create_time")
_MS_KEYS = ("duration_ms", "latency_ms", "elapsed_ms")
_SECOND_KEYS = ("duration", "duration_s", "duration_seconds", "latency_s")


def number_of(obj: dict[str, Any], line_number: int) -> int:
    """``interaction_id`` when it reads as an integer, else the line number."""
    number = as_int(obj.get("interaction_id"))
    return line_number if number is None else number


# -------------------------------------------------------------------- time
def timestamp_of(obj: dict[str, Any], response: Any) -> datetime | None:
    for mapping, keys in ((obj, _TIME_KEYS), (as_dict(response), _RESPONSE_TIME_KEYS)):
        for key in keys:
            if (found := parse_timestamp(mapping.get(key))) is not None:
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
    stripped = value.strip()
    try:
        return _local_naive(datetime.fromisoformat(stripped))
    except (ValueError, OverflowError, OSError):
        pass
    try:
        return _from_epoch(float(stripped))
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


# ------------------------------------------------------ model and duration
def model_of(obj: dict[str, Any], request: Any, response: Any) -> str | None:
    return (
        text(obj.get("model"))
        or text(as_dict(request).get("model"))
        or first_text(response, ("model", "modelVersion", "model_version"))
    )


def duration_ms_of(obj: dict[str, Any]) -> float | None:
    for keys, scale in ((_MS_KEYS, 1), (_SECOND_KEYS, 1000)):
        for key in keys:
            if (value := as_float(obj.get(key))) is not None:
                return value * scale
    return None


# ------------------------------------------------------------------- error
def error_of(obj: dict[str, Any], response: Any) -> str | None:
    found = _error_text(obj.get("error"))
    if found is None:
        found = _error_text(as_dict(response).get("error"))
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
    return json_text(value)


def _error_dict_text(value: dict[str, Any]) -> str:
    inner = value.get("error")
    if isinstance(inner, dict):  # Anthropic: {"type": "error", "error": {...}}
        return _error_dict_text(inner)
    kind = first_text(value, ("type", "name", "status")) or _scalar_text(value.get("code"))
    message = first_text(value, ("message", "msg", "detail", "description")) or text(inner)
    if kind and message:
        return f"{kind}: {message}"
    return message or kind or json_text(value)


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    return text(value)


# ------------------------------------------------------------------- usage
_INPUT_KEYS = ("input_tokens", "prompt_tokens", "promptTokenCount", "prompt_token_count", "inputTokens")
_OUTPUT_KEYS = (
    "output_tokens",
    "completion_tokens",
    "candidatesTokenCount",
    "candidates_token_count",
    "outputTokens",
)
_TOTAL_KEYS = ("total_tokens", "totalTokenCount", "total_token_count", "totalTokens")


_NO_USAGE = Usage()


def usage_of(obj: dict[str, Any], response: Any) -> Usage:
    """Token counts: the record's own ``usage`` first, the response's to fill gaps.

    Counts are kept as the provider gives them (Anthropic cache tokens are not
    added to ``input_tokens``; Gemini thought tokens are not added to output).
    """
    ours = _usage_from(obj.get("usage"))
    theirs = _usage_from(first_present(response, "usage", "usageMetadata", "usage_metadata"))
    return Usage(
        input_tokens=first_not_none(ours.input_tokens, theirs.input_tokens),
        output_tokens=first_not_none(ours.output_tokens, theirs.output_tokens),
        total_tokens=first_not_none(ours.total_tokens, theirs.total_tokens),
    )


def _usage_from(value: Any) -> Usage:
    value = as_dict(value)
    if not value:
        return _NO_USAGE
    return Usage(
        input_tokens=first_int(value, _INPUT_KEYS),
        output_tokens=first_int(value, _OUTPUT_KEYS),
        total_tokens=first_int(value, _TOTAL_KEYS),
    )
