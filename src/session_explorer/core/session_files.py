"""The interaction files of a logs directory, summarised and kept current.

Each ``session_<id>.jsonl`` gets a :class:`SessionFile`: a reader that has counted
every complete line into a :class:`JsonlSummary`, and, for the few sessions someone
is looking at, the full list of interactions (a second reader, so that the list
and the summary each see every line exactly once). :class:`SessionFiles` finds new
files and re-reads changed ones, cheaply: a file is read only when its size or
modification time moved.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .interaction_stats import InteractionStats, JsonlSummary
from .interactions import JsonlReader
from .layout import session_id_of
from .models import Interaction
from .watch import DirectoryWatcher
from .tail import NewFile, RemovedFile

#: A session whose file changed this recently (seconds) is shown as live.
GROWING_SECONDS = 30.0
#: How many sessions keep their full interaction list in memory.
LOADED_SESSIONS = 8
#: Every so often all files are looked at, not only the recently active ones.
SWEEP_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class FileChange:
    """What one poll found in one session file."""

    session_id: str
    appended: tuple[Interaction, ...] = ()  # for a loaded session: the new interactions
    reset: bool = False  # the file was truncated or replaced: reload the session
    new: bool = False
    removed: bool = False


class _Loaded:
    def __init__(self, path: Path) -> None:
        self.reader = JsonlReader(path)
        self.interactions: list[Interaction] = self.reader.read_new()


class SessionFile:
    """One session's JSONL file: its running summary and, when loaded, its interactions."""

    def __init__(self, session_id: str, path: str | os.PathLike[str]) -> None:
        self.session_id = session_id
        self.name = os.fspath(path)  # a directory holds thousands: no Path until needed
        self._path: Path | None = None
        self._reader_: JsonlReader | None = None
        self._summary = JsonlSummary()
        self._stats: tuple[int, InteractionStats] | None = None
        self._generation = 0  # bumped after each reading of the file
        self._signature: tuple[int, int] | None = None
        self.changed_at: float | None = None  # time.monotonic() of the last change seen
        self.scanned = False
        self.loaded: _Loaded | None = None

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = Path(self.name)
        return self._path

    @property
    def _reader(self) -> JsonlReader:
        if self._reader_ is None:
            self._reader_ = JsonlReader(self.name)
        return self._reader_

    @property
    def stats(self) -> InteractionStats:
        # Asked from any thread while another may be reading the file: a copy is
        # kept only for the reading it was made after.
        generation = self._generation
        cached = self._stats
        if cached is not None and cached[0] == generation:
            return cached[1]
        stats = self._summary.stats()
        self._stats = (generation, stats)
        return stats

    def signature(self) -> tuple[int, int] | None:
        try:
            status = os.stat(self.name)
        except OSError:
            return None
        return (status.st_size, status.st_mtime_ns)

    def refresh(self, *, force: bool = False) -> FileChange | None:
        """Read what was appended since the last look; None when nothing changed."""
        signature = self.signature()
        if not force and signature == self._signature:
            return None
        first_look = self._signature is None and not self.scanned
        self._signature = signature
        offset, pending = self._reader.offset, self._reader.pending_bytes
        self._summary.add_new(self._reader)  # streamed: interactions are not kept here
        self._generation += 1
        reset = self._reader.last_reset is not None
        self.scanned = True
        if not reset and self._reader.offset == offset:
            if first_look or self._reader.pending_bytes == pending:
                return None
            # Only an unfinished last line came or went: a change to say so.
            return self._change_for_loaded(False)
        if not first_look:
            self.changed_at = time.monotonic()
        return self._change_for_loaded(reset)

    def _change_for_loaded(self, reset: bool) -> FileChange:
        loaded = self.loaded
        if loaded is None:
            return FileChange(self.session_id, reset=reset)
        appended = loaded.reader.read_new()
        if reset or loaded.reader.last_reset is not None:
            loaded.interactions = list(appended)
            return FileChange(self.session_id, reset=True)
        loaded.interactions.extend(appended)
        return FileChange(self.session_id, appended=tuple(appended))

    @property
    def pending_bytes(self) -> int:
        """Bytes of a last line without its line end yet (held back until it has
        one: a torn line, or one being written)."""
        reader = self.loaded.reader if self.loaded is not None else self._reader_
        return reader.pending_bytes if reader is not None else 0

    def load(self) -> list[Interaction]:
        if self.loaded is None:
            self.loaded = _Loaded(self.path)
        return list(self.loaded.interactions)


class SessionFiles:
    """All ``session_*.jsonl`` files of one directory (which may not exist yet)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.RLock()
        self._files: dict[str, SessionFile] = {}
        self._loaded_order: OrderedDict[str, None] = OrderedDict()
        self._watcher = DirectoryWatcher(directory, "session_*.jsonl", report_existing=True)
        self._last_sweep = 0.0
        self._discover()

    # ------------------------------------------------------------------ queries
    def __iter__(self) -> Iterator[SessionFile]:
        with self._lock:
            return iter(list(self._files.values()))

    def get(self, session_id: str) -> SessionFile | None:
        with self._lock:
            return self._files.get(session_id)

    @property
    def scanned(self) -> bool:
        with self._lock:
            return all(f.scanned for f in self._files.values())

    def interactions(self, session_id: str) -> list[Interaction]:
        """Every interaction of a session (kept current by :meth:`poll` from now on)."""
        with self._lock:
            file = self._files.get(session_id)
            if file is None:
                return []
            result = file.load()
            self._loaded_order[session_id] = None
            self._loaded_order.move_to_end(session_id)
            while len(self._loaded_order) > LOADED_SESSIONS:
                old, _ = self._loaded_order.popitem(last=False)
                if old in self._files:
                    self._files[old].loaded = None
            return result

    def pending_bytes(self, session_id: str) -> int:
        """See :attr:`SessionFile.pending_bytes` (0 for an unknown session)."""
        with self._lock:
            file = self._files.get(session_id)
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
            with self._lock:
                file.refresh(force=True)
            if deadline is not None and time.monotonic() > deadline:
                return self.scanned
        return True

    def poll(self) -> list[FileChange]:
        """New and removed files, and appends to the recently active ones."""
        changes: list[FileChange] = []
        with self._lock:
            changes.extend(self._watch())
            now = time.monotonic()
            sweep = now - self._last_sweep >= SWEEP_SECONDS
            if sweep:
                self._last_sweep = now
            for file in list(self._files.values()):
                if not file.scanned:
                    continue
                hot = file.loaded is not None or (
                    file.changed_at is not None and now - file.changed_at < GROWING_SECONDS
                )
                if hot or sweep:
                    change = file.refresh()
                    if change is not None:
                        changes.append(change)
        return changes

    def _discover(self) -> None:
        for event in self._watcher.poll():
            if isinstance(event, NewFile):
                self._add(event.path)

    def _watch(self) -> list[FileChange]:
        changes: list[FileChange] = []
        for event in self._watcher.poll():
            path = event.path
            sid = session_id_of(path)
            if sid is None:
                continue
            if isinstance(event, NewFile) and sid not in self._files:
                file = self._add(path)
                file.refresh(force=True)
                file.changed_at = time.monotonic()
                changes.append(FileChange(sid, new=True))
            elif isinstance(event, RemovedFile) and sid in self._files:
                # The session stays listed with what was read; its file is gone.
                changes.append(FileChange(sid, removed=True))
        return changes

    def _add(self, path: str | os.PathLike[str]) -> SessionFile:
        sid = session_id_of(path)
        assert sid is not None
        file = SessionFile(sid, path)
        self._files[sid] = file
        return file
