"""The UI thread's rule, checked: it never calls the catalog, never takes a lock
that the reading threads hold during I/O, and never reads a log.

Off by default (nothing is checked, plain locks are used). The test suite turns
it on (:func:`enable`) before it builds a catalog and runs the explorer; the app
names its thread with :func:`mark_ui_thread`. A breach is recorded with its stack
in :data:`violations` (and not raised, so that the app under test keeps running
and the test reports every breach).
"""

from __future__ import annotations

import functools
import os
import threading
import traceback
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_enabled = os.environ.get("SESSION_EXPLORER_THREAD_CHECKS") == "1"
_ui_thread: int | None = None
#: What the UI thread did that it must not do: (what, stack).
violations: list[tuple[str, str]] = []


def enable(on: bool = True) -> None:
    """Check from now on (locks made before keep their kind)."""
    global _enabled
    _enabled = on


def enabled() -> bool:
    return _enabled


def mark_ui_thread(ident: int | None = None) -> None:
    """The calling thread (or ``ident``) is the UI thread."""
    global _ui_thread
    _ui_thread = threading.get_ident() if ident is None else ident


def check(what: str) -> None:
    """Record a breach when called on the UI thread while checking."""
    if _enabled and _ui_thread is not None and threading.get_ident() == _ui_thread:
        violations.append((what, "".join(traceback.format_stack(limit=12))))


def off_ui(method: Callable[P, R]) -> Callable[P, R]:
    """Decorate a method that must not run on the UI thread (its signature is kept)."""
    name = method.__qualname__

    @functools.wraps(method)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        check(name)
        return method(*args, **kwargs)

    return checked


class _CheckedLock:
    """A lock whose acquisition off the rule is recorded."""

    def __init__(self, name: str, lock: threading.Lock | threading.RLock) -> None:
        self._name = name
        self._lock = lock

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        check(f"lock {self._name}")
        return self._lock.acquire(blocking, timeout)

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def lock(name: str, *, reentrant: bool = False) -> Any:
    """A lock for state that threads share during I/O: checked while checking."""
    made = threading.RLock() if reentrant else threading.Lock()
    return _CheckedLock(name, made) if _enabled else made
