"""The live feed: one thread that follows every file and hands on what it finds.

:class:`LiveFeed` owns the following. Its thread (``live-feed``) wakes on a
file-system event or a timer (:mod:`.wakeup`), polls the catalog once — which reads
each appended byte once, attributes the lines to sessions, extends the index and
the summaries — and hands the lines and interactions of the session being shown to
a *sink* as one :class:`LiveBatch`: at most one batch per frame (``FRAME``), and
never a second one before the first was taken (:meth:`LiveFeed.ack`). What arrives
meanwhile is merged into the next batch: nothing is dropped, nothing is sent
twice, order is kept.

A second thread (``catalog-state``) makes the session list (the catalog's ``state()``)
when the feed says it changed, at most every ``STATE_PAUSE`` seconds, so that
building it never delays a live line.

The view says what it shows with :meth:`LiveFeed.watch`, which returns a token.
Lines polled after the token is applied (:meth:`wait_applied`) are in batches with
that token; lines polled before are already in the index and the files a snapshot
reads, so a view that reads its snapshot after ``wait_applied`` and then adds the
batch lines at or after the snapshot's coverage misses nothing and shows nothing
twice.

Threads and what they own:

* ``live-feed``: the catalog's followers, readers, and index extension; the batch
  being gathered.
* ``catalog-state``: building the session list (the catalog's summary cache).
* any thread: :meth:`watch`, :meth:`ack`, :meth:`request_state` (attribute writes
  and events; no lock held during I/O).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from session_explorer.core.live.changes import (
    Change,
    IndexProgress,
    InteractionsAppended,
    InteractionsReset,
    LinesAppended,
    LogReset,
    Problem,
    SessionsChanged,
)
from session_explorer.core.live.wakeup import Wakeup
from session_explorer.core.models import GROWING_SECONDS, Interaction, LogLine

StateT = TypeVar("StateT")
StateT_co = TypeVar("StateT_co", covariant=True)

#: Seconds between two batches at most (one frame).
FRAME = 0.016
#: The session list is made again at most this often (seconds), and this often
#: while the app logs are indexed; and when live markers expire.
STATE_PAUSE = 0.25
STATE_DELAY = 0.06
STATE_PAUSE_INDEXING = 1.0
LIVE_TICK_MAX = 60.0
#: More lines than this gathered for a view that does not take them: the view is
#: told to read its session again instead (``overflow``).
MAX_GATHERED = 200_000


@dataclass(frozen=True, slots=True)
class Watch:
    """What the view shows: a session, or every line (``session_id`` None)."""

    session_id: str | None
    token: int


@dataclass(frozen=True, slots=True)
class LiveBatch:
    """Everything the feed found since its last batch, for the view of ``token``.

    ``lines`` and ``interactions`` belong to the watched session (every line for
    "All lines"), in order. ``pending``: bytes of the shown session's unfinished
    JSONL line (None: unchanged). ``log_resets``: app logs that started over;
    ``interactions_reset``: the shown session's JSONL file did. ``overflow``: the
    view did not take batches for so long that the lines were dropped; read the
    session again.
    """

    token: int
    lines: tuple[LogLine, ...] = ()
    interactions: tuple[Interaction, ...] = ()
    pending: int | None = None
    log_resets: tuple[str, ...] = ()
    interactions_reset: bool = False
    appended_sessions: frozenset[str] = frozenset()
    sessions_changed: bool = False
    progress: IndexProgress | None = None
    problems: tuple[str, ...] = ()
    overflow: bool = False


@dataclass(slots=True)
class _Gathering:
    """A batch being gathered (live-feed thread only)."""

    token: int
    lines: list[LogLine] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)
    pending: int | None = None
    log_resets: list[str] = field(default_factory=list)
    interactions_reset: bool = False
    appended: set[str] = field(default_factory=set)
    sessions_changed: bool = False
    progress: IndexProgress | None = None
    problems: list[str] = field(default_factory=list)
    overflow: bool = False

    def empty(self) -> bool:
        return not (self.lines or self.interactions or self.pending is not None or self.log_resets
                    or self.interactions_reset or self.appended or self.sessions_changed
                    or self.progress is not None or self.problems or self.overflow)

    def add(self, changes: list[Change], watch: Watch | None) -> None:
        shown = watch.session_id if watch is not None else None
        for change in changes:
            if isinstance(change, LinesAppended):
                self.appended |= change.session_ids
                if not self.overflow:
                    self.lines.extend(change.lines)
            elif isinstance(change, InteractionsAppended):
                if watch is not None and change.session_id == shown:
                    self.interactions.extend(change.interactions)
                    self.pending = change.pending
            elif isinstance(change, InteractionsReset):
                if watch is not None and change.session_id == shown:
                    self.interactions_reset = True
                    self.interactions.clear()
                self.sessions_changed = True
            elif isinstance(change, LogReset):
                self.log_resets.append(change.source)
                self.lines = [line for line in self.lines if line.source != change.source]
            elif isinstance(change, IndexProgress):
                self.progress = change
            elif isinstance(change, Problem):
                self.problems.append(change.message)
            elif isinstance(change, SessionsChanged):
                self.sessions_changed = True
        if len(self.lines) > MAX_GATHERED:
            self.lines.clear()
            self.overflow = True

    def freeze(self) -> LiveBatch:
        return LiveBatch(
            self.token, tuple(self.lines), tuple(self.interactions), self.pending,
            tuple(self.log_resets), self.interactions_reset, frozenset(self.appended),
            self.sessions_changed, self.progress, tuple(self.problems), self.overflow,
        )


class FollowedLogs(Protocol[StateT_co]):
    """What the feed follows: a logs directory read as sessions (the catalog,
    :class:`~session_explorer.core.session.catalog.Catalog`), seen from below."""

    wake: Callable[[], None] | None  # set by the feed: background work pokes it
    last_change: float  # time.monotonic() of the last change a poll found

    def watched_dirs(self) -> list[str]: ...

    def show_interactions(self, session_id: str | None) -> None: ...

    @property
    def interactions_behind(self) -> bool: ...

    def poll(self, shown: str | None = None, *, showing: bool = False,
             changed: set[str] | None = None) -> list[Change]: ...

    def progress(self) -> IndexProgress: ...

    def state(self) -> StateT_co: ...


class LiveFeed(Generic[StateT]):
    """Follows a catalog's files in its own thread (see the module docstring).

    ``sink(batch)`` and ``on_state(state)`` are called from the feed's threads;
    they must only hand the value over (``post_message``), never block.
    """

    def __init__(
        self,
        catalog: FollowedLogs[StateT],
        sink: Callable[[LiveBatch], object],
        on_state: Callable[[StateT], object] | None = None,
        *,
        events: bool = True,
        frame: float = FRAME,
    ) -> None:
        self.catalog = catalog
        self._sink = sink
        self._on_state = on_state
        self._events = events
        self._frame = frame
        self._watch: Watch | None = None
        self._tokens = 0
        self._applied = -1
        self._applied_cond = threading.Condition()
        self._acked = threading.Event()
        self._acked.set()
        self._stop = threading.Event()
        self._state_due = threading.Event()
        self._wakeup: Wakeup | None = None
        self._threads: list[threading.Thread] = []
        self._last_progress: IndexProgress | None = None
        self._polled_watch: Watch | None = None
        self.polls = 0  # for tests and benchmarks

    # ------------------------------------------------------------------ control
    @property
    def mode(self) -> str:
        """"events" or "polling" (and why, when polling)."""
        wakeup = self._wakeup
        if wakeup is None:
            return "stopped"
        return wakeup.mode if wakeup.mode == "events" else f"polling ({wakeup.reason})" if wakeup.reason else "polling"

    def start(self) -> None:
        self._wakeup = Wakeup(self.catalog.watched_dirs(), events=self._events)
        self.catalog.wake = self._wakeup.poke  # index progress, summaries read
        for target, name in ((self._run, "live-feed"), (self._run_state, "catalog-state")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        self._state_due.set()
        self._acked.set()
        if self._wakeup is not None:
            self._wakeup.close()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout=5)

    def watch(self, session_id: str | None) -> int:
        """Show ``session_id`` (None: every line) from now on; the token of this watch."""
        self._tokens += 1
        self._watch = Watch(session_id, self._tokens)
        if self._wakeup is not None:
            self._wakeup.poke()
        return self._tokens

    def unwatch(self) -> None:
        self._tokens += 1
        self._watch = None

    def wait_applied(self, token: int, timeout: float = 5.0) -> bool:
        """Wait (not on the UI thread) until polls use the watch of ``token``."""
        with self._applied_cond:
            return self._applied_cond.wait_for(
                lambda: self._applied >= token or self._stop.is_set() or not self._threads, timeout)

    def ack(self) -> None:
        """The sink's last batch was taken: the next may come."""
        self._acked.set()
        if self._wakeup is not None:
            self._wakeup.poke()

    def request_state(self) -> None:
        """Make the session list again soon (e.g. the view wants fresh counts)."""
        self._state_due.set()

    def step(self) -> None:
        """One poll, handed over at once, without the threads (tests that drive the
        feed by hand; the state follows when the sessions changed)."""
        watch = self._watch
        token = watch.token if watch is not None else self._tokens
        self.catalog.show_interactions(watch.session_id if watch is not None else None)
        self._applied = token
        changes = self.catalog.poll(watch.session_id if watch is not None else None, showing=watch is not None)
        self.polls += 1
        if changes:
            gathering = _Gathering(token)
            gathering.add(changes, watch)
            self._sink(gathering.freeze())
            if any(isinstance(c, (SessionsChanged, IndexProgress)) for c in changes) and self._on_state:
                self._on_state(self.catalog.state())

    # ------------------------------------------------------------------ threads
    def _run(self) -> None:
        wakeup = self._wakeup
        assert wakeup is not None
        gathering: _Gathering | None = None
        last_sent = 0.0
        timeout: float | None = 0.0
        while not self._stop.is_set():
            changed = wakeup.wait(timeout)
            if self._stop.is_set():
                return
            watch = self._watch
            if watch is not self._polled_watch:
                changed, self._polled_watch = None, watch  # a new view: look at everything
            token = watch.token if watch is not None else self._tokens
            self.catalog.show_interactions(watch.session_id if watch is not None else None)
            with self._applied_cond:
                self._applied = token
                self._applied_cond.notify_all()
            try:
                changes = self.catalog.poll(
                    watch.session_id if watch is not None else None, showing=watch is not None, changed=changed)
            except Exception as error:  # a bad poll is reported, following goes on
                changes = [Problem(f"following the logs: {error}")]
            self.polls += 1
            if gathering is not None and gathering.token != token:
                gathering.lines.clear()  # for a view no longer shown
                gathering.interactions.clear()
                gathering.pending = None
                gathering.interactions_reset = False
                gathering.token = token
            if changes:
                gathering = gathering or _Gathering(token)
                gathering.add(changes, watch)
                if any(isinstance(c, (SessionsChanged, IndexProgress)) for c in changes):
                    self._state_due.set()
            now = time.monotonic()
            if gathering is not None and not gathering.empty() and self._acked.is_set() \
                    and now - last_sent >= self._frame:
                self._acked.clear()
                self._sink(gathering.freeze())
                gathering, last_sent = None, now
            if gathering is not None and not gathering.empty():
                # Something waits: come back when the frame is over (or it is taken).
                timeout = max(0.001, last_sent + self._frame - now) if self._acked.is_set() else 0.25
            elif self.catalog.interactions_behind:
                timeout = 0.005
            else:
                timeout = None

    def _run_state(self) -> None:
        last = 0.0
        sent: StateT | None = None
        while not self._stop.is_set():
            # Besides changes, the list is made again when live markers expire: once
            # GROWING_SECONDS after the last change, not on a timer.
            expiry = self.catalog.last_change + GROWING_SECONDS + 0.5 - time.monotonic()
            due = self._state_due.wait(expiry if 0 < expiry < LIVE_TICK_MAX else LIVE_TICK_MAX)
            if self._stop.is_set():
                return
            if not due and time.monotonic() - self.catalog.last_change > GROWING_SECONDS + LIVE_TICK_MAX:
                continue  # nothing grew lately: no live marker to age
            pause = STATE_PAUSE if self.catalog.progress().complete else STATE_PAUSE_INDEXING
            # Not before the live batch of the same change is on screen: the list's
            # counts can wait a few frames, the line cannot.
            wait = max(last + pause - time.monotonic(), STATE_DELAY)
            if wait > 0 and self._stop.wait(wait):
                return
            self._state_due.clear()
            last = time.monotonic()
            try:
                state = self.catalog.state()
            except Exception as error:  # reported, the list stays as it was
                self._sink(LiveBatch(self._tokens, problems=(f"listing the sessions: {error}",)))
                continue
            if state != sent and self._on_state is not None:
                sent = state
                self._on_state(state)
