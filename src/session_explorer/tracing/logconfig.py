"""Stamp every log record with the session id, and configure logging to show it.

Two mechanisms work together:

* a **record factory** (installed by :func:`install_record_factory`, which
  :func:`configure_logging` calls) captures the id when a record is *created*, in
  the emitting thread or task. Every handler then sees it: handlers added later,
  third-party handlers, and handlers behind a ``QueueListener`` whose thread has a
  different context.
* :class:`SessionLogFilter`, the seed's handler filter, fills in the id for
  records that were made without the factory, and leaves a captured id alone.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from session_explorer.tracing.context import session_id_context
from session_explorer.tracing.jsonsafe import jsonable

DETAILED_FORMAT = "[%(session_id)s] - %(asctime)s - %(name)s - %(levelname)s - %(message)s"
SIMPLE_FORMAT = "[%(session_id)s] - %(levelname)s - %(message)s"

_MARK = "_session_explorer_handler"


class SessionLogFilter(logging.Filter):
    """Inject ``session_id`` from the context into every record; never rejects one.

    A record that already carries an id (captured when it was created) keeps it, so a
    filter on a handler behind a ``QueueListener`` does not restamp the record with
    the listener thread's id.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if "session_id" not in record.__dict__:
            record.session_id = session_id_context.get()
        return True


_PREVIOUS = "_session_explorer_previous"


def _session_record_factory(previous: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    """Wrap the previous record factory so each record carries the id at creation."""
    get_session_id = session_id_context.get

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.session_id = get_session_id()
        return record

    setattr(factory, _PREVIOUS, previous)
    return factory


def install_record_factory() -> None:
    """Make every new ``LogRecord`` carry the current session id (idempotent)."""
    current = logging.getLogRecordFactory()
    if not hasattr(current, _PREVIOUS):
        logging.setLogRecordFactory(_session_record_factory(current))


def uninstall_record_factory() -> None:
    """Undo :func:`install_record_factory` (for tests and embedding)."""
    current = logging.getLogRecordFactory()
    if hasattr(current, _PREVIOUS):
        logging.setLogRecordFactory(getattr(current, _PREVIOUS))


class SessionFormatter(logging.Formatter):
    """A formatter that never fails on a record without ``session_id``.

    Records carry the id from the record factory; one made without it (a factory
    replaced after ours, ``makeLogRecord`` of a foreign dict) shows the context's
    current id instead of raising. The fallback costs nothing on the usual path:
    it is the formatter's ``defaults``, looked up only when the attribute is missing.
    """

    def __init__(self, fmt: str | None = None, datefmt: str | None = None) -> None:
        super().__init__(fmt, datefmt, defaults={"session_id": _CurrentSessionId()})


class _CurrentSessionId:
    """Formats as the session id current when it is formatted."""

    def __str__(self) -> str:
        return session_id_context.get()

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


_RESERVED = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()
    | {"message", "asctime", "session_id", "taskName"}
)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``timestamp``, ``session_id``, ``logger``, ``level``,
    ``message``, ``exception`` / ``stack`` when present, and any ``extra`` fields.

    Values JSON cannot encode are written in a readable form; this never raises.
    """

    def format(self, record: logging.LogRecord) -> str:
        sid = record.__dict__.get("session_id") or session_id_context.get()
        doc: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created).isoformat(
                timespec="milliseconds"
            ),
            "session_id": sid,
            "logger": record.name,
            "level": record.levelname,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            doc["exception"] = record.exc_text
        if record.stack_info:
            doc["stack"] = self.formatStack(record.stack_info)
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                doc[key] = value
        return json.dumps(jsonable(doc), ensure_ascii=False)


def default_app_name() -> str:
    """The log file's stem: the running program's name, or ``app``."""
    stem = Path(sys.argv[0]).stem if sys.argv and sys.argv[0] else ""
    if stem in ("", "-c", "-m", "__main__", "python", "python3", "pytest"):
        return "app"
    return stem


def configure_logging(
    level: int | str = logging.INFO,
    verbose: bool = False,
    log_file: str | Path | bool | None = None,
    *,
    app_name: str | None = None,
    json_lines: bool = False,
    console: bool = True,
    max_bytes: int = 0,
    backup_count: int = 0,
) -> logging.Logger:
    """Set up the root logger with session-stamped console and file handlers.

    * console (stderr): :data:`SIMPLE_FORMAT`, or :data:`DETAILED_FORMAT` when ``verbose``;
    * file: :data:`DETAILED_FORMAT` (or :class:`JsonFormatter` with ``json_lines``),
      by default ``logs/<app_name>.log``; the directory is created. ``log_file=False``
      turns the file off. With ``max_bytes`` the file rotates like
      ``RotatingFileHandler`` (``app.log.1``, ``app.log.2``, ... up to ``backup_count``).

    Calling it again replaces the handlers it added before (no duplicate lines) and
    leaves other handlers alone. Returns the root logger.

    The id is stamped by the record factory when a record is created, so these
    handlers use plain formatters: the seed's per-handler :class:`SessionLogFilter`
    and :class:`SessionFormatter` (which tolerates records made without the id, at
    the cost of a dict merge per record) stay available for handlers wired by hand.
    A program that installs its own record factory later should wrap the current
    one (``logging.getLogRecordFactory()``), as ours does, or call
    :func:`install_record_factory` again.
    """
    install_record_factory()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _MARK, False):
            root.removeHandler(handler)
            handler.close()

    if console:
        console_handler = logging.StreamHandler(sys.stderr)
        console_handler.setFormatter(
            logging.Formatter(DETAILED_FORMAT if verbose else SIMPLE_FORMAT)
        )
        _attach(root, console_handler)

    if log_file is not False:
        path = Path(log_file) if isinstance(log_file, (str, os.PathLike)) else (
            Path("logs") / f"{app_name or default_app_name()}.log"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handler: logging.Handler
        if max_bytes > 0:
            file_handler = logging.handlers.RotatingFileHandler(
                path, maxBytes=max_bytes, backupCount=max(backup_count, 1), encoding="utf-8"
            )
        else:
            file_handler = logging.FileHandler(path, encoding="utf-8")
        file_handler.setFormatter(
            JsonFormatter() if json_lines else logging.Formatter(DETAILED_FORMAT)
        )
        _attach(root, file_handler)

    root.setLevel(level)
    return root


def _attach(root: logging.Logger, handler: logging.Handler) -> None:
    setattr(handler, _MARK, True)
    root.addHandler(handler)
