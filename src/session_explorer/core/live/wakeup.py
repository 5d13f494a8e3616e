"""When to look at the files again: on a file-system event, or on a timer.

:class:`Wakeup` is what the live feed waits on. With file-system events (inotify,
FSEvents, ReadDirectoryChangesW through ``watchfiles``) it wakes as soon as a file
under the logs directory changes and says which; without them (the library is
missing, the platform has none, a network file system, the watch limit is reached)
it wakes every ``POLL_INTERVAL`` and the feed looks at every file it follows.

On Linux the events come straight from inotify (:mod:`.inotify`): the thread
blocks on its descriptor, costs nothing while the files are quiet and wakes at
once. Elsewhere (and should inotify not start) ``watchfiles`` checks for events
every *step* milliseconds. A short step is fast and costs a little CPU even when
nothing happens, so the step is short while the files are busy and longer once
they have been quiet for ``QUIET_AFTER`` seconds: the first line after a quiet
spell waits at most one long step.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from session_explorer.core.live import inotify

if TYPE_CHECKING:
    from watchfiles._rust_notify import RustNotify

#: Seconds between two looks at the files without file-system events.
POLL_INTERVAL = 0.02
#: The events' step (ms) while files are busy, and once quiet; their debounce (ms).
BUSY_STEP_MS = 4
QUIET_STEP_MS = 60
DEBOUNCE_MS = 12
#: Seconds without events after which the quiet step is used.
QUIET_AFTER = 2.0
#: With events, a look at the followed files at least this often (seconds) when
#: nothing happens (the app logs' followers; cheap).
EVENTS_TIMEOUT = 5.0
#: With events, every file is looked at anyway this often (seconds): a safety net
#: for an event the platform did not deliver.
SAFETY_SWEEP = 30.0


class Wakeup:
    """Wakes the live feed: ``wait(timeout)`` returns the paths that changed (None:
    unknown, look at everything). ``poke()`` wakes it from another thread."""

    def __init__(self, paths: Iterable[os.PathLike[str] | str], *, events: bool = True) -> None:
        self._paths = [os.path.abspath(p) for p in paths if os.path.isdir(p)]
        self._poked = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()  # guards _changed (never held during I/O)
        self._changed: set[str] = set()
        self._last_sweep = time.monotonic()
        self._thread: threading.Thread | None = None
        self._inotify: inotify.Inotify | None = None
        self._everything = False  # events were lost: look at every file
        self.mode = "polling"
        self.reason = "" if events else "events turned off"
        if events:
            self._start_events()

    # ------------------------------------------------------------------ events
    def _start_events(self) -> None:
        if not self._paths:
            self.reason = "no directory to watch yet"
            return
        if inotify.available():
            try:
                watcher = inotify.Inotify(self._paths)
            except OSError as error:
                if error.errno == errno.ENOSPC:  # watchfiles would meet the same limit
                    self.reason = str(error.strerror)
                    return
            else:
                self.mode = "events"
                self._inotify = watcher
                self._thread = threading.Thread(target=self._watch_inotify, args=(watcher,), name="fs-events",
                                                daemon=True)
                self._thread.start()
                return
        try:
            from watchfiles._rust_notify import RustNotify
        except ImportError:
            self.reason = "watchfiles is not installed"
            return
        try:
            notify = RustNotify(self._paths, False, False, 50, True, True)
        except Exception as error:  # any failure means: poll instead
            self.reason = f"file-system events unavailable ({error})"
            return
        self.mode = "events"
        self._thread = threading.Thread(target=self._watch, args=(notify,), name="fs-events", daemon=True)
        self._thread.start()

    def _watch_inotify(self, watcher: inotify.Inotify) -> None:
        last = 0.0
        try:
            while not self._stop.is_set():
                found = watcher.wait(None)
                # A busy writer makes an event per write: the feed is woken at most
                # once a BUSY_STEP, with what came meanwhile.
                gap = last + BUSY_STEP_MS / 1000 - time.monotonic()
                if found is not None and found and gap > 0:
                    time.sleep(gap)
                    more = watcher.wait(0)
                    found = None if more is None else found | more
                last = time.monotonic()
                if found is None:
                    with self._lock:
                        self._everything = True
                    self._poked.set()
                elif found:
                    with self._lock:
                        self._changed.update(found)
                    self._poked.set()
        except Exception as error:  # the watcher died: poll from now on
            self.mode, self.reason = "polling", f"file-system events stopped ({error})"
            self._poked.set()
        finally:
            watcher.close()

    def _watch(self, notify: RustNotify) -> None:
        last_event = time.monotonic()
        try:
            while not self._stop.is_set():
                quiet = time.monotonic() - last_event > QUIET_AFTER
                step = QUIET_STEP_MS if quiet else BUSY_STEP_MS
                found = notify.watch(DEBOUNCE_MS, step, 500, self._stop)
                if isinstance(found, set) and found:
                    last_event = time.monotonic()
                    with self._lock:
                        self._changed.update(path for _kind, path in found)
                    self._poked.set()
        except Exception as error:  # the watcher died: poll from now on
            self.mode, self.reason = "polling", f"file-system events stopped ({error})"
            self._poked.set()
        finally:
            close = getattr(notify, "close", None)
            if close is not None:
                close()

    # ------------------------------------------------------------------ waiting
    def wait(self, timeout: float | None) -> set[str] | None:
        """Wait for a change (or a poke), at most ``timeout`` seconds (None: the
        mode's own: POLL_INTERVAL when polling). The paths that changed (empty:
        none, a time-out or a poke), or None when anything may have (polling, and
        every SAFETY_SWEEP seconds with events)."""
        if timeout is None:
            timeout = POLL_INTERVAL if self.mode == "polling" else EVENTS_TIMEOUT
        self._poked.wait(timeout)
        self._poked.clear()
        with self._lock:
            changed, self._changed = self._changed, set()
            everything, self._everything = self._everything, False
        now = time.monotonic()
        if self.mode == "polling" or everything or now - self._last_sweep >= SAFETY_SWEEP:
            self._last_sweep = now
            return None
        return changed

    def poke(self) -> None:
        self._poked.set()

    def close(self) -> None:
        self._stop.set()
        self._poked.set()
        if self._inotify is not None:
            self._inotify.interrupt()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
