"""Tolerant readers of JSON values: each gives a typed value or a neutral default.

Payloads come from many providers and many versions of their SDKs; any field can
be missing, null or of another type. These helpers never raise on such a value:
``as_dict(5)`` is ``{}``, ``as_int("x")`` is None, ``text(3)`` is None.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def first_item(value: Any) -> Any:
    """The first element of a non-empty list, else None."""
    return value[0] if isinstance(value, list) and value else None


def text(value: Any) -> str | None:
    """A non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def as_int(value: Any) -> int | None:
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


def as_float(value: Any) -> float | None:
    """A finite float from a number or a numeric string; else None (booleans too)."""
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


def first_text(mapping: Any, keys: Iterable[str]) -> str | None:
    """The first of ``keys`` whose value is a non-empty string."""
    mapping = as_dict(mapping)
    for key in keys:
        if (found := text(mapping.get(key))) is not None:
            return found
    return None


def first_present(mapping: Any, *keys: str) -> Any:
    """The value of the first of ``keys`` that is present and not null."""
    mapping = as_dict(mapping)
    for key in keys:
        if mapping.get(key) is not None:
            return mapping[key]
    return None


def first_int(mapping: dict[str, Any], keys: Iterable[str]) -> int | None:
    """The first of ``keys`` whose value reads as an integer."""
    for key in keys:
        value = mapping.get(key)
        if value is not None and (found := as_int(value)) is not None:
            return found
    return None


def first_not_none(*values: int | None) -> int | None:
    return next((value for value in values if value is not None), None)


def keep_first(target: dict[str, Any], source: dict[str, Any], keys: Iterable[str]) -> None:
    """Copy those of ``keys`` that ``source`` has and ``target`` has not yet."""
    for key in keys:
        if source.get(key) is not None:
            target.setdefault(key, source[key])


def json_text(value: Any) -> str:
    """A string as it is; anything else as compact JSON (repr as a last resort)."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return repr(value)


def join(texts: Iterable[str]) -> str:
    """The non-empty texts, one per line."""
    return "\n".join(text for text in texts if text)


def marked(label: str, value: Any) -> str:
    """``[label] value``, or ``[label]`` alone when there is no text."""
    return f"[{label}] {value}" if isinstance(value, str) and value else f"[{label}]"


def marked_if(label: str, value: Any) -> str:
    """``[label] value`` when ``value`` is a non-empty string, else ``""``."""
    return f"[{label}] {value}" if isinstance(value, str) and value else ""
