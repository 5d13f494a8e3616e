"""Time for the demo application: a virtual clock for reproducible output, the
real clock for live mode, and the log-record hook that makes the app log agree.

The demo never asks the machine what time it is while it generates a reproducible
logs directory: :class:`VirtualTimeline` owns a virtual clock that only moves when
the demo says so. ``InteractionLogger`` reads it through its ``clock=`` argument
(JSONL ``timestamp`` and the session id), and :func:`virtual_record_time` makes
every ``LogRecord`` created meanwhile carry it in ``created``/``msecs``, so the app
log's ``asctime`` shows the same virtual moment.

:class:`LiveTimeline` is the same interface over real time: pauses really wait,
scaled down so that a new user sees lines stream in.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol


class Timeline(Protocol):
    """How the demo application experiences time."""

    #: Real seconds per application second (1.0 for the virtual clock).
    scale: float

    def now(self) -> datetime:
        """The current local time, naive, as an application would read it."""

    def epoch(self) -> int:
        """Unix seconds for payload fields such as OpenAI's ``created``."""

    def pause(self, seconds: float) -> None:
        """Let ``seconds`` of application time pass inside one step of work."""

    def wait_until(self, moment: datetime) -> bool:
        """Let time reach ``moment``; False when the run was asked to stop."""

    def stopped(self) -> bool:
        """True once the run was asked to stop."""


class VirtualClock:
    """A clock that only moves when told to. Call it to read it (``clock()``)."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._now += timedelta(microseconds=round(seconds * 1_000_000))
            return self._now

    def advance_to(self, moment: datetime) -> datetime:
        """Move forward to ``moment`` (never backwards)."""
        with self._lock:
            if moment > self._now:
                self._now = moment
            return self._now


class VirtualTimeline:
    """Application time on a :class:`VirtualClock`: nothing ever really waits."""

    scale = 1.0

    def __init__(self, start: datetime) -> None:
        self.clock = VirtualClock(start)

    def now(self) -> datetime:
        return self.clock()

    def epoch(self) -> int:
        # The virtual wall clock is read as UTC so that the number does not depend
        # on the machine's time zone.
        return int(self.clock().replace(tzinfo=UTC).timestamp())

    def pause(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def wait_until(self, moment: datetime) -> bool:
        self.clock.advance_to(moment)
        return True

    def stopped(self) -> bool:
        return False


class LiveTimeline:
    """Real time, with application pauses shortened by ``scale``; stoppable."""

    def __init__(self, stop: threading.Event, scale: float = 0.25) -> None:
        self.scale = scale
        self._stop = stop

    def now(self) -> datetime:
        return datetime.now()

    def epoch(self) -> int:
        return int(time.time())

    def pause(self, seconds: float) -> None:
        self._stop.wait(max(0.0, seconds * self.scale))

    def wait_until(self, moment: datetime) -> bool:
        remaining = (moment - datetime.now()).total_seconds()
        if remaining > 0:
            return not self._stop.wait(remaining)
        return not self._stop.is_set()

    def stopped(self) -> bool:
        return self._stop.is_set()


class _VirtualTimeRecordFactory:
    """Wraps the current record factory; stamps records with the virtual time."""

    def __init__(
        self,
        previous: Callable[..., logging.LogRecord],
        clock: VirtualClock,
        step: Callable[[], float] | None,
    ) -> None:
        self.previous = previous
        self.clock = clock
        self.step = step

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.previous(*args, **kwargs)
        moment = self.clock.advance(self.step()) if self.step is not None else self.clock()
        # ``Formatter.formatTime`` turns ``created`` back into local time with
        # ``time.localtime``: a naive local moment survives the round trip.
        record.created = time.mktime(moment.timetuple()) + moment.microsecond / 1_000_000
        record.msecs = float(moment.microsecond // 1000)
        return record


@contextmanager
def virtual_record_time(
    clock: VirtualClock, step: Callable[[], float] | None = None
) -> Iterator[None]:
    """While active, every new ``LogRecord`` carries ``clock``'s time.

    With ``step``, the clock first moves on by ``step()`` seconds per record: writing
    a line takes a little time. Wraps whatever factory is installed (the tracing
    core's session-stamping one included) and puts it back on exit.
    """
    previous = logging.getLogRecordFactory()
    factory = _VirtualTimeRecordFactory(previous, clock, step)
    logging.setLogRecordFactory(factory)
    try:
        yield
    finally:
        if logging.getLogRecordFactory() is factory:
            logging.setLogRecordFactory(previous)
