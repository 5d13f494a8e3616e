"""The session id of the current execution context, and how to carry it along.

``session_id_context`` holds the id of the LLM session that the running code works
for. Every log record is stamped with it (see :mod:`.logconfig`), so that
``[20251105_143052] - ... - Processing user message`` in the application log can be
matched to ``llm_interactions/session_20251105_143052.jsonl``.

Where the value travels, and where it does not (Python 3.11 to 3.13):

* ``await`` and coroutines called directly: same context, the value is visible.
* ``asyncio.create_task`` / ``TaskGroup`` / ``gather``: each task runs in a *copy*
  of the creator's context, so it sees the creator's id, and its own ``set()``
  stays inside the task.
* ``asyncio.to_thread``: copies the context, the id is visible in the thread.
* ``loop.run_in_executor``, ``threading.Thread``, ``concurrent.futures``
  executors: **no copy**. The function runs in the thread's own context and sees
  the default ``"in-progress"``. Use :class:`ContextThreadPoolExecutor`,
  :func:`start_thread`, :func:`bind_context` or :func:`run_in_executor` instead.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_SESSION_ID = "in-progress"

#: The session id of the current execution context ("in-progress" outside a session).
session_id_context: contextvars.ContextVar[str] = contextvars.ContextVar(
    "session_id", default=DEFAULT_SESSION_ID
)

_issued_lock = threading.Lock()
_issued: set[str] = set()


def session_id_candidates(moment: datetime) -> Iterator[str]:
    """Yield ``YYYYMMDD_HHMMSS``, then ``YYYYMMDD_HHMMSS_2``, ``_3``, ... for one moment."""
    base = moment.strftime("%Y%m%d_%H%M%S")
    yield base
    n = 2
    while True:
        yield f"{base}_{n}"
        n += 1


def claim_session_id(candidate: str) -> bool:
    """Reserve an id for this process; False when it was already handed out."""
    with _issued_lock:
        if candidate in _issued:
            return False
        _issued.add(candidate)
        return True


def new_session_id(moment: datetime | None = None) -> str:
    """A session id unique in this process: the seed's timestamp, suffixed on collision."""
    for candidate in session_id_candidates(moment or datetime.now()):
        if claim_session_id(candidate):
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def session(session_id: str | None = None) -> Iterator[str]:
    """Run a block as one session: set the id (a new one when None), restore on exit.

    Sessions nest: leaving an inner block brings back the outer id.
    """
    sid = session_id if session_id is not None else new_session_id()
    token = session_id_context.set(sid)
    try:
        yield sid
    finally:
        restore(token)


def restore(token: contextvars.Token[str]) -> None:
    """Undo ``session_id_context.set`` even when called from another context."""
    try:
        session_id_context.reset(token)
    except ValueError:
        # The token belongs to another context (e.g. closed from another thread):
        # put the previous value back in this one.
        if token.old_value is contextvars.Token.MISSING:
            session_id_context.set(DEFAULT_SESSION_ID)
        else:
            session_id_context.set(token.old_value)


def bind_context(fn: Callable[P, T]) -> Callable[P, T]:
    """Return ``fn`` bound to a copy of the *current* context (for callbacks run elsewhere)."""
    ctx = contextvars.copy_context()

    @functools.wraps(fn)
    def bound(*args: P.args, **kwargs: P.kwargs) -> T:
        return ctx.run(fn, *args, **kwargs)

    return bound


class ContextThreadPoolExecutor(ThreadPoolExecutor):
    """A ``ThreadPoolExecutor`` whose jobs run in a copy of the submitter's context.

    A job sees the session id that was current when it was submitted; ids set inside
    a job do not leak into the worker thread's later jobs. ``map`` goes through
    ``submit`` and behaves the same.
    """

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        ctx = contextvars.copy_context()
        return super().submit(ctx.run, fn, *args, **kwargs)


def context_thread(
    target: Callable[..., Any],
    *args: Any,
    name: str | None = None,
    daemon: bool | None = None,
    **kwargs: Any,
) -> threading.Thread:
    """A (not yet started) thread that runs ``target`` in a copy of the current context."""
    ctx = contextvars.copy_context()
    return threading.Thread(
        target=ctx.run, args=(target, *args), kwargs=kwargs, name=name, daemon=daemon
    )


def start_thread(
    target: Callable[..., Any],
    *args: Any,
    name: str | None = None,
    daemon: bool | None = None,
    **kwargs: Any,
) -> threading.Thread:
    """Start a thread running ``target`` in a copy of the current context; return it."""
    thread = context_thread(target, *args, name=name, daemon=daemon, **kwargs)
    thread.start()
    return thread


def run_in_executor(
    executor: Any, fn: Callable[..., T], *args: Any
) -> asyncio.Future[T]:
    """``loop.run_in_executor`` that carries the current context into the executor."""
    loop = asyncio.get_running_loop()
    ctx = contextvars.copy_context()
    return loop.run_in_executor(executor, functools.partial(ctx.run, fn, *args))
