"""One application log (a file and its rotations) kept indexed while it is written.

:class:`AppLogSource` owns a :class:`LogIndex` and a :class:`FileFollower` on the
live file, started where the index stopped, so that every byte is indexed once:
appends are indexed by ``LogIndex.extend``; a truncation, a rotation, a deletion or a
re-creation of the file starts a new index and a new follower over the new set of
files (the index reads the old generation from its rotated name).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .index import IndexProgress, IndexStale, LogIndex, discover_rotations
from .models import LogLine
from .tail import Appended, Error, FileFollower

# A record start anywhere in appended data (the session id is group 1).
_RECORD_ID = re.compile(
    rb'(?:^|\n)(?:\[([^\]\n]*)\] - (?:[A-Z][A-Z0-9_]* - |\d{4}-\d\d-\d\d )'
    rb'|\{"timestamp": "[^"\n]*", "session_id": "((?:[^"\\\n]|\\.)*)")'
)


@dataclass(frozen=True, slots=True)
class SourceEvent:
    """What one poll of a source found."""

    appended_sessions: frozenset[str] = frozenset()
    reset: bool = False
    problem: str | None = None


class AppLogSource:
    """An app log and its rotations, indexed in the background and followed."""

    def __init__(
        self,
        path: Path,
        *,
        block_size: int | None = None,
        on_progress: Callable[[IndexProgress], None] | None = None,
    ) -> None:
        self.path = path
        self.name = path.name
        self._block_size = block_size
        self._on_progress = on_progress
        self._lock = threading.Lock()
        self.skipped: list[Path] = []
        self.index: LogIndex | None = None
        self.follower: FileFollower | None = None
        self._last_session: str | None = None
        self._pending: set[str] = set()
        self._building = False

    # ---------------------------------------------------------------- lifecycle
    def start(self, *, build: bool = True) -> None:
        """Open the index over the current files and build it in a background thread
        (with ``build`` False, not before :meth:`start_build`)."""
        with self._lock:
            self._open(build=build)

    def start_build(self) -> None:
        """Start building the index opened by ``start(build=False)``."""
        with self._lock:
            if self.index is not None and not self._building:
                self._building = True
                self.index.start()

    def _open(self, *, build: bool = True) -> None:
        if self.index is not None:
            self.index.close()
        if self.follower is not None:
            self.follower.close()
        self.skipped = []
        paths = discover_rotations(self.path, self.skipped)
        kwargs = {} if self._block_size is None else {"block_size": self._block_size}
        index = LogIndex(paths, self.name, **kwargs)
        if self._on_progress is not None:
            index.add_listener(self._on_progress)
        start, inode = 0, None
        if paths and paths[-1] == self.path:
            start, inode = _live_position(index)
        self.index = index
        self.follower = FileFollower(self.path, start_offset=start, inode=inode)
        self._last_session = None
        self._pending = set()
        self._building = build
        if build:
            index.start()

    def close(self) -> None:
        with self._lock:
            if self.index is not None:
                self.index.close()
            if self.follower is not None:
                self.follower.close()

    # -------------------------------------------------------------------- state
    @property
    def complete(self) -> bool:
        return self.index is not None and self.index.complete

    def wait(self, timeout: float | None = None) -> bool:
        return self.index is not None and self.index.wait(timeout)

    # ------------------------------------------------------------------ polling
    def poll(self) -> SourceEvent:
        """Follow the live file once: index what was appended, or start over."""
        with self._lock:
            if self.follower is None or self.index is None:
                return SourceEvent()
            sessions: set[str] = set()
            problem = None
            for event in self.follower.poll():
                if isinstance(event, Appended):
                    sessions |= self._sessions_in(event.data)
                elif isinstance(event, Error):
                    problem = f"{self.path}: {event.message}"
                else:  # truncated, rotated, deleted, created: a new generation
                    self._open()
                    return SourceEvent(reset=True, problem=problem)
            if not self.index.complete:
                # Appended before the build ended: indexed when it has (below).
                self._pending |= sessions
                return SourceEvent(problem=problem)
            sessions |= self._pending
            self._pending = set()
            try:
                added = self.index.extend(self.follower.offset)
            except IndexStale:
                self._open()
                return SourceEvent(reset=True, problem=problem)
            if not added:
                return SourceEvent(problem=problem)
            return SourceEvent(appended_sessions=frozenset(sessions), problem=problem)

    def _sessions_in(self, data: bytes) -> set[str]:
        """Sessions with lines in appended data (a leading continuation line belongs
        to the last record before it)."""
        ids = [
            (m.group(1) if m.group(1) is not None else m.group(2)).decode("utf-8", "replace")
            for m in _RECORD_ID.finditer(data)
        ]
        found = set(ids)
        if data and not _RECORD_ID.match(data):
            owner = self._last_session or self._owner_of_end()
            if owner:
                found.add(owner)
        if ids:
            self._last_session = ids[-1]
        return found

    def _owner_of_end(self) -> str | None:
        index = self.index
        if index is None or index.line_count == 0:
            return None
        lines = index.read_lines(index.line_count - 1, index.line_count)
        return lines[-1].session_id if lines else None

    # ------------------------------------------------------------------ reading
    def read_lines(self, start: int, stop: int) -> list[LogLine]:
        index = self.index
        return index.read_lines(start, stop) if index is not None else []


def _live_position(index: LogIndex) -> tuple[int, int]:
    """Where the index stops in the live (last) file, and that file's inode."""
    return index.live_position()
