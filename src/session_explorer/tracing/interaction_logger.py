"""One JSONL file of LLM interactions per session, and the session id that names it."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from contextvars import Token
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from session_explorer.tracing.context import claim_session_id, restore, session_id_candidates, session_id_context
from session_explorer.tracing.jsonsafe import jsonable
from session_explorer.tracing.redact import is_secret_key, scrub_secrets

logger = logging.getLogger(__name__)

DEFAULT_LOG_DIR = Path("logs") / "llm_interactions"


class InteractionLogger:
    """Write a session's LLM interactions to ``<log_dir>/session_<id>.jsonl``.

    Creating one starts a session: it picks an id (``YYYYMMDD_HHMMSS``, suffixed
    ``_2``, ``_3``... when another logger of this process or another file already
    took that second), creates the file exclusively (never truncating anyone's),
    sets the id in :data:`session_id_context` and logs where the file is.
    :meth:`close` (or leaving a ``with`` block) restores the id that was current
    before.

    ``log_interaction`` is thread-safe: each call appends one complete line with a
    single write. Secrets (``api_key``, ``Authorization``, ``sk-...`` keys, ...) are
    replaced by ``[REDACTED]`` unless ``redact=False``. ``clock`` returns the
    current local time (for tests and reproducible demos).
    """

    def __init__(
        self,
        log_dir: str | Path | None = None,
        enabled: bool = True,
        *,
        redact: bool = True,
        session_id: str | None = None,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.enabled = enabled
        self.redact = redact
        self.log_dir = Path(log_dir) if log_dir is not None else DEFAULT_LOG_DIR
        self._clock = clock
        self._lock = threading.Lock()
        self._next_id = 1
        self._fd: int | None = None
        self.session_file: Path | None = None

        if enabled:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            self.session_id, self._fd = self._create_file(session_id)
            self.session_file = self.log_dir / f"session_{self.session_id}.jsonl"
        elif session_id is not None:
            self.session_id = session_id
        else:
            self.session_id = next(
                c for c in session_id_candidates(clock()) if claim_session_id(c)
            )

        self._token: Token[str] | None = session_id_context.set(self.session_id)
        if enabled:
            logger.info("LLM interaction logging enabled. Log file: %s", self.session_file)
        else:
            logger.debug("LLM interaction logging disabled for session %s", self.session_id)

    def _create_file(self, wanted: str | None) -> tuple[str, int]:
        candidates = [wanted] if wanted is not None else session_id_candidates(self._clock())
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | getattr(os, "O_BINARY", 0)
        for candidate in candidates:
            if wanted is None and not claim_session_id(candidate):
                continue
            path = self.log_dir / f"session_{candidate}.jsonl"
            try:
                return candidate, os.open(path, flags, 0o644)
            except FileExistsError:
                if wanted is not None:
                    # An explicit id continues an existing session file: append to it.
                    return candidate, os.open(path, flags & ~os.O_EXCL, 0o644)
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------------ writing
    def log_interaction(
        self,
        provider: str,
        model: str,
        input: Any,  # the seed's field name
        output: Any,
        *,
        usage: Any = None,
        duration_ms: float | None = None,
        error: Any = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Append one interaction; return the record as written (after redaction)."""
        with self._lock:
            record: dict[str, Any] = {
                "interaction_id": self._next_id,
                "timestamp": self._clock().isoformat(timespec="milliseconds"),
                "provider": provider,
                "model": model,
                "input": input,
                "output": output,
            }
            if usage is not None:
                record["usage"] = usage
            if duration_ms is not None:
                record["duration_ms"] = duration_ms
            if error is not None:
                record["error"] = error if isinstance(error, (str, dict)) else _describe(error)
            for key, value in extra.items():
                record.setdefault(key, value)
            if self.redact:
                record = jsonable(record, secret_key=is_secret_key, scrub=scrub_secrets)
            else:
                record = jsonable(record)
            self._next_id += 1
            if self._fd is not None:
                line = json.dumps(record, ensure_ascii=False) + "\n"
                _write_all(self._fd, line.encode("utf-8"))
            return record

    # ---------------------------------------------------------------- lifecycle
    def close(self) -> None:
        """Close the file and restore the session id that was current before."""
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            token, self._token = self._token, None
        if token is not None:
            restore(token)

    def __enter__(self) -> InteractionLogger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"InteractionLogger(session_id={self.session_id!r}, file={self.session_file})"


def _describe(error: Any) -> Any:
    if isinstance(error, BaseException):
        return {"type": type(error).__name__, "message": str(error)}
    return error


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


__all__ = ["DEFAULT_LOG_DIR", "InteractionLogger"]
