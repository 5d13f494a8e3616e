"""Turn any Python value into something ``json.dumps`` writes, readably; never raise."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import math
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import PurePath
from typing import Any

REDACTED = "[REDACTED]"


def jsonable(
    value: Any,
    *,
    secret_key: Callable[[str], bool] | None = None,
    scrub: Callable[[str], str] | None = None,
) -> Any:
    """Return a JSON-encodable copy of ``value``.

    datetimes become ISO strings, Decimal a string of its digits, bytes UTF-8 text (or
    ``base64:...`` when they are not text), sets and tuples lists, dataclasses and
    objects with ``model_dump``/``to_dict``/``__dict__`` their fields, NaN and
    infinities strings, anything else its ``repr``; cycles become ``"<cycle>"``.

    For redaction: a mapping entry whose key ``secret_key`` accepts has its (non-empty)
    value replaced by ``"[REDACTED]"``, and every string goes through ``scrub``.
    """
    return _Converter(secret_key, scrub).convert(value)


class _Converter:
    def __init__(
        self,
        secret_key: Callable[[str], bool] | None,
        scrub: Callable[[str], str] | None,
    ) -> None:
        self.secret_key = secret_key
        self.scrub = scrub
        self.seen: set[int] = set()

    def convert(self, value: Any) -> Any:  # one flat dispatch on type
        if value is None or isinstance(value, (bool, int)):
            return value
        if isinstance(value, str):
            return self.scrub(value) if self.scrub else value
        if isinstance(value, float):
            return value if math.isfinite(value) else str(value)
        if isinstance(value, (dt.datetime, dt.date, dt.time)):
            return value.isoformat()
        if isinstance(value, dt.timedelta):
            return value.total_seconds()
        if isinstance(value, (Decimal, uuid.UUID, PurePath, complex)):
            return str(value)
        if isinstance(value, (bytes, bytearray, memoryview)):
            raw = bytes(value)
            try:
                return self.convert(raw.decode("utf-8"))
            except UnicodeDecodeError:
                return "base64:" + base64.b64encode(raw).decode("ascii")
        if isinstance(value, enum.Enum):
            return self.convert(value.value)

        ident = id(value)
        if ident in self.seen:
            return "<cycle>"
        self.seen.add(ident)
        try:
            return self._container(value)
        finally:
            self.seen.discard(ident)

    def _container(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(k): self._entry(str(k), v) for k, v in list(value.items())}
        if isinstance(value, (set, frozenset)):
            return [self.convert(v) for v in sorted(value, key=repr)]
        if isinstance(value, (list, tuple)):
            return [self.convert(v) for v in value]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self.convert(
                {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
            )
        for method in ("model_dump", "to_dict"):
            fn = getattr(value, method, None)
            if callable(fn):
                try:
                    return self.convert(fn())
                except Exception:  # fall through to the next form
                    pass
        attrs = getattr(value, "__dict__", None)
        if isinstance(attrs, dict) and attrs:
            return self.convert({"__type__": type(value).__name__, **attrs})
        return _safe_repr(value)

    def _entry(self, key: str, value: Any) -> Any:
        empty = value is None or (isinstance(value, str) and not value)
        if self.secret_key is not None and not empty and self.secret_key(key):
            return REDACTED
        return self.convert(value)


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception:  # a broken __repr__ must not break logging
        return f"<{type(value).__name__} object>"
