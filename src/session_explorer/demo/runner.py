"""Running the demo application: reproducibly into a directory, or live.

* :func:`generate` runs a fixed number of sessions on a virtual clock and returns
  when the logs directory is complete: the same seed gives the same bytes.
* :class:`LiveDemo` runs sessions on the real clock in a background thread until
  :meth:`LiveDemo.stop`; :func:`run_live` is the foreground version for the CLI.

Both set up logging with the tracing core's ``configure_logging`` (file only,
never the console) for the duration of the run, and put the root logger and the
record factory back as they were afterwards.
"""

from __future__ import annotations

import contextvars
import heapq
import itertools
import logging
import random
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from session_explorer.demo.app import RunEnv, SessionIds, load_app_module
from session_explorer.demo.clock import LiveTimeline, Timeline, VirtualClock, VirtualTimeline, virtual_record_time
from session_explorer.demo.output_dir import APP_LOG, demo_files, prepare_output_dir
from session_explorer.demo.plans import plan_session
from session_explorer.demo.scripts import run_session
from session_explorer.demo.tools import ATHLETES, Tools
from session_explorer.tracing import configure_logging

#: Where the virtual clock of a reproducible run starts (a Wednesday morning).
VIRTUAL_START = datetime(2025, 11, 12, 8, 57, 12, 406000)

DEFAULT_SESSIONS = 6
DEFAULT_SEED = 1
DEFAULT_RATE = 20.0  # live sessions per minute
LIVE_TIME_SCALE = 0.25  # live: real seconds per second of application time
LIVE_MAX_BYTES = 5_000_000
LIVE_BACKUP_COUNT = 3

cli_log = logging.getLogger("cycling_ai.cli")
config_log = logging.getLogger("cycling_ai.config")
cache_log = logging.getLogger("cycling_ai.cache")
store_log = logging.getLogger("cycling_ai.storage")



# ------------------------------------------------------------------------ logging
@contextmanager
def app_logging(
    out_dir: Path,
    *,
    max_bytes: int,
    backup_count: int,
    clock: VirtualClock | None = None,
    step: Callable[[], float] | None = None,
) -> Iterator[None]:
    """The demo application's logging, for the duration of a block.

    ``configure_logging`` writes ``out_dir/cycling-ai.log`` (detailed format,
    rotating at ``max_bytes``), no console. With ``clock``, records carry its time
    (moved on by ``step()`` seconds per record, see :func:`virtual_record_time`).
    On exit the root logger's handlers and level and the record factory are put
    back as they were (the demo's file handler closed).
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    factory = logging.getLogRecordFactory()
    try:
        configure_logging(
            logging.INFO,
            log_file=out_dir / APP_LOG,
            console=False,
            max_bytes=max_bytes,
            backup_count=backup_count,
        )
        if clock is None:
            yield
        else:
            with virtual_record_time(clock, step):
                yield
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        for handler in handlers:
            if handler not in root.handlers:
                root.addHandler(handler)
        root.setLevel(level)
        logging.setLogRecordFactory(factory)


# ---------------------------------------------------------------------- scheduling
class Scheduler:
    """Interleaves session generators on one timeline, in a reproducible order.

    Each task runs in its own ``contextvars.Context``; the one that wakes first
    runs until it yields its next wait (ties: the one scheduled first).
    """

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self._queue: list[tuple[datetime, int, Iterator[float], contextvars.Context]] = []
        self._order = itertools.count()

    def spawn(self, steps: Iterator[float], delay: float = 0.0) -> None:
        """Schedule ``steps`` in a copy of the current context, ``delay`` from now."""
        self._push(steps, contextvars.copy_context(), delay)

    def _push(self, steps: Iterator[float], ctx: contextvars.Context, delay: float) -> None:
        wake = self.timeline.now() + timedelta(seconds=delay * self.timeline.scale)
        heapq.heappush(self._queue, (wake, next(self._order), steps, ctx))

    def run(self) -> bool:
        """Run until every task is done (True) or the timeline is stopped (False)."""
        while self._queue:
            wake, _order, steps, ctx = self._queue[0]
            if not self.timeline.wait_until(wake):
                return False
            heapq.heappop(self._queue)
            try:
                delay = ctx.run(next, steps)
            except StopIteration:
                continue
            self._push(steps, ctx, delay)
        return True

    def close_all(self) -> None:
        """End the unfinished tasks (their ``finally`` blocks run), earliest first."""
        while self._queue:
            _, _, steps, ctx = heapq.heappop(self._queue)
            close = getattr(steps, "close", None)
            if close is not None:
                ctx.run(close)


def arrivals(
    env: RunEnv,
    scheduler: Scheduler,
    sessions: int | None,
    next_gap: Callable[[int, bool], float],
) -> Iterator[float]:
    """The front door: starts the sessions one after the other."""
    index = 0
    while sessions is None or index < sessions:
        plan = plan_session(index, env.rng)
        if index > 0:
            yield next_gap(index, plan.same_second)
            if env.rng.random() < 0.2:
                cache_log.info(
                    "Forecast cache: %d entries, %d expired and dropped",
                    env.rng.randint(3, 40), env.rng.randint(0, 3),
                )
        scheduler.spawn(run_session(env, plan))
        index += 1


def virtual_gaps(timeline: VirtualTimeline, rng: random.Random, sessions: int) -> Callable[[int, bool], float]:
    """Seconds between arrivals on the virtual clock.

    Sessions start at distinct seconds (in the first half of a second), except a
    ``same_second`` one, 0.1 to 0.4 s after the one before (its id gets ``_2``).
    The last session of a run of several, and any arrival after 21:00, comes the
    next morning.
    """

    def gap(index: int, same_second: bool) -> float:
        now = timeline.now()
        if same_second:
            return rng.uniform(0.1, 0.4)
        target = now + timedelta(seconds=rng.uniform(25.0, 80.0))
        if (index == sessions - 1 and index > 1) or target.hour >= 21:
            morning = (now + timedelta(days=1)).date()
            target = datetime(morning.year, morning.month, morning.day,
                              7 + rng.randrange(2), rng.randrange(60), rng.randrange(60))
        target = target.replace(microsecond=rng.randrange(500) * 1000)
        return (target - now).total_seconds()

    return gap


def live_gaps(rng: random.Random, rate: float, scale: float) -> Callable[[int, bool], float]:
    """Application seconds between live arrivals: ``rate`` per real minute, jittered."""

    def gap(index: int, same_second: bool) -> float:
        real = 0.15 if same_second else 60.0 / rate * rng.uniform(0.75, 1.25)
        return real / scale

    return gap


def _run(env: RunEnv, scheduler: Scheduler, sessions: int | None, next_gap: Callable[[int, bool], float],
         mode: str) -> bool:
    timeline, rng = env.timeline, env.rng
    cli_log.info("cycling-ai 0.9.3 starting (%s)", mode)
    timeline.pause(rng.uniform(0.05, 0.2))
    config_log.info("Configuration loaded from config/cycling-ai.toml: providers gemini, openai, anthropic")
    timeline.pause(rng.uniform(0.05, 0.3))
    store_log.info("Ride database ready: %d athletes", len(ATHLETES))
    timeline.pause(rng.uniform(0.05, 0.2))
    cli_log.info("Coach API listening on 127.0.0.1:8080")
    scheduler.spawn(arrivals(env, scheduler, sessions, next_gap), delay=rng.uniform(1.0, 3.0))
    try:
        finished = scheduler.run()
        if not finished:
            cli_log.info(
                "Stop requested: closing %d open session(s)",
                env.sessions_started - env.sessions_finished,
            )
    finally:
        scheduler.close_all()  # also on a failure, while logging is still set up
    timeline.pause(rng.uniform(0.2, 1.5))
    cli_log.info(
        "Shutting down: %d sessions (%d completed), %d LLM calls",
        env.sessions_started, env.sessions_finished, env.llm_calls,
    )
    store_log.info("Ride database closed")
    return finished


# --------------------------------------------------------------------- generation
@dataclass(frozen=True)
class DemoResult:
    out_dir: Path
    sessions: int
    llm_calls: int
    files: tuple[Path, ...]


def rotation_size(sessions: int) -> int:
    """A ``max_bytes`` that makes the app log rotate about once, losing nothing."""
    return max(8_000, sessions * 2_200)


def generate(
    out_dir: str | Path,
    sessions: int = DEFAULT_SESSIONS,
    seed: int = DEFAULT_SEED,
    *,
    max_bytes: int | None = None,
    backup_count: int = 5,
) -> DemoResult:
    """Write a complete demo logs directory: the same arguments give the same bytes."""
    if sessions < 1:
        raise ValueError("sessions must be at least 1")
    out = prepare_output_dir(Path(out_dir)).resolve()
    timeline = VirtualTimeline(VIRTUAL_START)
    rng = random.Random(seed)
    storage = load_app_module("storage")
    env = RunEnv(
        out_dir=out,
        timeline=timeline,
        rng=rng,
        tools=Tools(rng, timeline, storage.RideStore({})),
        storage=storage,
        ids=SessionIds(),
        relative_paths=True,
    )
    scheduler = Scheduler(timeline)
    mode = f"demo, seed {seed}"
    with app_logging(
        out,
        max_bytes=max_bytes if max_bytes is not None else rotation_size(sessions),
        backup_count=backup_count,
        clock=timeline.clock,
        step=partial(_record_step, random.Random(f"{seed}/log-time")),
    ):
        contextvars.Context().run(
            _run, env, scheduler, sessions, virtual_gaps(timeline, rng, sessions), mode
        )
    return DemoResult(out, env.sessions_finished, env.llm_calls, tuple(demo_files(out)))


def _record_step(rng: random.Random) -> float:
    """Application time spent per log record: usually nothing visible, up to 4 ms."""
    return rng.randrange(5) / 1000


# ---------------------------------------------------------------------------- live
class LiveDemo:
    """The demo application running live, on the real clock, in a background thread.

    ``start(out_dir)`` prepares the directory (see :func:`prepare_output_dir`) and
    returns at once; lines appear within a fraction of a second and a new session
    every ``60 / rate`` seconds or so. ``stop()`` ends it cleanly: open sessions are
    closed, the last lines written, logging restored.
    """

    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        *,
        seed: int | None = None,
        sessions: int | None = None,
        time_scale: float = LIVE_TIME_SCALE,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.seed = seed
        self.sessions = sessions
        self.time_scale = time_scale
        self.out_dir: Path | None = None
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, out_dir: str | Path) -> None:
        if self._thread is not None:
            raise RuntimeError("this LiveDemo was already started")
        self.out_dir = prepare_output_dir(Path(out_dir)).resolve()
        self._thread = threading.Thread(target=self._main, name="session-explorer-demo", daemon=True)
        self._thread.start()

    def _main(self) -> None:
        assert self.out_dir is not None
        out = self.out_dir
        timeline = LiveTimeline(self._stop, self.time_scale)
        rng = random.Random(self.seed)
        try:
            storage = load_app_module("storage")
            env = RunEnv(out, timeline, rng, Tools(rng, timeline, storage.RideStore({})), storage, ids=None)
            with app_logging(out, max_bytes=LIVE_MAX_BYTES, backup_count=LIVE_BACKUP_COUNT):
                contextvars.Context().run(
                    _run, env, Scheduler(timeline), self.sessions,
                    live_gaps(rng, self.rate, self.time_scale), "live demo",
                )
        except BaseException as exc:  # reported through .error; the thread just ends
            self.error = exc
        finally:
            self._done.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._done.is_set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the run to end (by itself when ``sessions`` was given); True when it has.

        Waits on an event rather than ``Thread.join``: a Ctrl+C during the wait then
        leaves the state intact, and the caller can still stop the run cleanly.
        """
        if self._thread is None:
            return True
        return self._done.wait(timeout)

    def stop(self, timeout: float = 1.0) -> bool:
        """Ask the run to end and wait for it; True when it has ended in time."""
        self._stop.set()
        return self.join(timeout)


def run_live(
    out_dir: str | Path,
    rate: float = DEFAULT_RATE,
    *,
    seed: int | None = None,
    sessions: int | None = None,
) -> int:
    """Run the live demo in the foreground until Ctrl+C (or ``sessions`` are done)."""
    demo = LiveDemo(rate, seed=seed, sessions=sessions)
    demo.start(out_dir)
    print(f"Writing live demo logs to {out_dir} (Ctrl+C to stop)", file=sys.stderr)
    try:
        while not demo.join(0.2):
            pass
    except KeyboardInterrupt:
        demo.stop(timeout=5.0)
    if demo.error is not None:
        raise demo.error
    return 0
