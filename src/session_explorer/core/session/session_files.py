"""The interaction files of a logs directory, summarised and kept current.

Each ``session_<id>.jsonl`` gets a :class:`SessionFile`: one reader that counts
every complete line into a :class:`JsonlSummary`. The lines of the session being
shown are read in full (normalised once: the summary counts them and the view gets
them); the others are read light. :class:`SessionFiles` finds new files and
re-reads changed ones, cheaply: a file is read only when its size or modification
time moved. A session opened for viewing is read by :meth:`SessionFiles.read_all`
with a reader of its own, kept for the few sessions viewed last.

Threads: :meth:`SessionFiles.poll` runs on the live feed's thread, :meth:`scan` on
the catalog's background thread, :meth:`read_all` on loading workers. Each file has
its own lock, held while it is read; the live feed never waits for it (a file being
read by the background thread is polled again right after). The directory's lock
guards the table of files and is never held during I/O.
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from session_explorer.core import threadcheck
from session_explorer.core.interactions.reader import JsonlReader
from session_explorer.core.live.directory import DirectoryWatcher
from session_explorer.core.live.events import NewFile, RemovedFile
from session_explorer.core.models import GROWING_SECONDS, Interaction
from session_explorer.core.session.layout import session_id_of
from session_explorer.core.session.session_file import FileChange, SessionFile

#: How many sessions keep their full interaction list in memory.
LOADED_SESSIONS = 8
#: Every so often all files are looked at, not only the recently active ones.
SWEEP_SECONDS = 2.0


@dataclass(slots=True)
class _Loaded:
    """A session's interactions read for viewing, and the reader that read them."""

    reader: JsonlReader
    interactions: list[Interaction]


@dataclass(frozen=True, slots=True)
class LoadedInteractions:
    """A session's interactions as read at one moment: every complete line before
    byte ``covered`` is here; ``pending`` bytes of an unfinished line follow it."""

    interactions: tuple[Interaction, ...]
    covered: int
    pending: int



class SessionFiles:
    """All ``session_*.jsonl`` files of one directory (which may not exist yet)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threadcheck.lock("SessionFiles")  # the tables below; never held during I/O
        self._files: dict[str, SessionFile] = {}
        self._by_name: dict[str, SessionFile] = {}  # by file name (what events name)
        self._loaded: OrderedDict[str, _Loaded] = OrderedDict()
        self._loaded_lock = threadcheck.lock("SessionFiles.loaded")  # taken by loading workers only
        self._watcher = DirectoryWatcher(directory, "session_*.jsonl", report_existing=True)
        self._last_sweep = 0.0
        #: A file was busy when last polled: poll again soon.
        self.behind = False
        #: The session being shown (set by the live feed's polls): read in full.
        self.shown: str | None = None
        self._discovered = False

    def discover(self) -> None:
        """List the directory's files once (nothing is read before: a catalog is
        made on the UI thread and opened in a worker)."""
        if not self._discovered:
            self._discovered = True
            self._discover()

    # ------------------------------------------------------------------ queries
    def __iter__(self) -> Iterator[SessionFile]:
        self.discover()
        with self._lock:
            return iter(list(self._files.values()))

    def get(self, session_id: str) -> SessionFile | None:
        self.discover()
        with self._lock:
            return self._files.get(session_id)

    @property
    def scanned(self) -> bool:
        return all(f.scanned for f in self)

    def read_all(self, session_id: str) -> LoadedInteractions:
        """Every complete interaction of a session, for a view (a loading worker).

        The reader and list of the last few sessions read are kept, so reading one
        again reads only what was appended since.
        """
        file = self.get(session_id)
        if file is None:
            return LoadedInteractions((), 0, 0)
        # After any read of the file already under way: a later one reads it in
        # full when the session is shown, so no line falls between the two.
        with file.lock, self._loaded_lock:
            loaded = self._loaded.pop(session_id, None)
            if loaded is None:
                reader = JsonlReader(file.name)
                loaded = _Loaded(reader, reader.read_new())
            else:
                new = loaded.reader.read_new()
                if loaded.reader.last_reset is not None:
                    loaded.interactions = new
                else:
                    loaded.interactions.extend(new)
            self._loaded[session_id] = loaded
            while len(self._loaded) > LOADED_SESSIONS:
                self._loaded.popitem(last=False)
            return LoadedInteractions(tuple(loaded.interactions), loaded.reader.offset,
                                      loaded.reader.pending_bytes)

    def interactions(self, session_id: str) -> list[Interaction]:
        """Every interaction of a session (see :meth:`read_all`)."""
        return list(self.read_all(session_id).interactions)

    def pending_bytes(self, session_id: str) -> int:
        """See :attr:`SessionFile.pending_bytes` (0 for an unknown session)."""
        file = self.get(session_id)
        return file.pending_bytes if file is not None else 0

    # ------------------------------------------------------------------ reading
    def scan(self, budget: float | None = None) -> bool:
        """Summarise files not read yet (newest first); True when all are done.

        With ``budget`` (seconds) it returns early so that a caller can report
        progress between batches.
        """
        deadline = None if budget is None else time.monotonic() + budget
        for file in sorted(self, key=lambda f: f.session_id, reverse=True):
            if file.scanned:
                continue
            with file.lock:
                if not file.scanned:
                    full = file.session_id == self.shown
                    change = file.refresh(force=True, full=full)
                    if full and change is not None:
                        file.unsent.extend(change.appended)
            if deadline is not None and time.monotonic() > deadline:
                return self.scanned
        return True

    def show(self, shown: str | None) -> None:
        """From now on, read session ``shown`` in full (the live feed, before a view
        reads the session: see :meth:`read_all`)."""
        if shown != self.shown:
            previous = self.get(self.shown) if self.shown is not None else None
            if previous is not None:
                previous.unsent = []
            self.shown = shown

    def take_summary(self, file: SessionFile, entry: dict[str, Any]) -> None:
        """A file's summary made elsewhere (a worker process): taken unless the file
        was read here meanwhile or is being shown (then it is read here, in full)."""
        with file.lock:
            if file.scanned or file.session_id == self.shown:
                return
            file.resume(entry, saved=False)
            if _size(file.name) != entry["mark"]["covered"]:
                file.refresh(force=True)  # grown since the worker read it

    def poll(self, shown: str | None = None, changed: set[str] | None = None) -> list[FileChange]:
        """New and removed files, and appends to the recently active ones; the new
        interactions of session ``shown`` in full.

        ``changed``: the paths file-system events named; only those files (by
        name: a platform may name them through another path) and the shown one
        are looked at. None: no events, every recently active file is looked at,
        and every file every SWEEP_SECONDS.
        """
        self.show(shown)
        changes = self._watch(shown)
        now = time.monotonic()
        sweep = changed is None and now - self._last_sweep >= SWEEP_SECONDS
        if sweep:
            self._last_sweep = now
        self.behind = False
        for file in self._to_look_at(shown, changed, sweep, now):
            is_shown = file.session_id == shown
            if not file.scanned and not file.unsent and not is_shown:
                continue  # the background scan reads it first
            if not file.lock.acquire(blocking=False):
                self.behind = True  # being read by the background scan: next time
                continue
            try:
                # The shown session's file is read here even before the background
                # scan reaches it: its new lines must not wait for the scan.
                change = file.refresh(full=is_shown, force=not file.scanned)
                if file.unsent:  # read by the background scan first
                    earlier, file.unsent = tuple(file.unsent), []
                    change = FileChange(file.session_id, earlier + (change.appended if change else ()),
                                        pending=file.pending_bytes)
            finally:
                file.lock.release()
            if change is not None:
                changes.append(change)
        return changes

    def _to_look_at(self, shown: str | None, changed: set[str] | None, sweep: bool,
                    now: float) -> list[SessionFile]:
        """The files a poll reads (see :meth:`poll`): with events, those they name,
        found by name, without going through every file, and the shown one (the
        only one that can have ``unsent`` interactions)."""
        if changed is not None:
            names = {os.path.basename(path) for path in changed}
            with self._lock:
                found = [f for n in names if (f := self._by_name.get(n)) is not None]
                if shown is not None and (f := self._files.get(shown)) is not None and f not in found:
                    found.append(f)
            return found
        return [file for file in self if sweep or file.session_id == shown or file.unsent or (
            file.changed_at is not None and now - file.changed_at < GROWING_SECONDS)]

    def _discover(self) -> None:
        for event in self._watcher.poll():
            if isinstance(event, NewFile):
                self._add(event.path)

    def _watch(self, shown: str | None) -> list[FileChange]:
        changes: list[FileChange] = []
        for event in self._watcher.poll():
            path = event.path
            sid = session_id_of(path)
            if sid is None:
                continue
            if isinstance(event, NewFile) and self.get(sid) is None:
                file = self._add(path)
                with file.lock:
                    change = file.refresh(force=True, full=sid == shown)
                file.changed_at = time.monotonic()
                changes.append(FileChange(sid, new=True))
                if change is not None and change.appended:
                    changes.append(change)
            elif isinstance(event, RemovedFile) and self.get(sid) is not None:
                # The session stays listed with what was read; its file is gone.
                changes.append(FileChange(sid, removed=True))
        return changes

    def _add(self, path: str | os.PathLike[str]) -> SessionFile:
        sid = session_id_of(path)
        assert sid is not None
        file = SessionFile(sid, path)
        with self._lock:
            self._files[sid] = file
            self._by_name[file.basename] = file
        return file


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return -1
