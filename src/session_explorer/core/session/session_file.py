"""One interaction file, summarised and followed: what
:class:`~.session_files.SessionFiles` keeps per ``session_<id>.jsonl``.

A :class:`SessionFile` has one reader that counts every complete line into a
:class:`JsonlSummary`; the lines of the session being shown are read in full
(normalised once), the others light. Each file has its own lock, held while it is
read (see :mod:`.session_files` for the threads).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from session_explorer.core import threadcheck
from session_explorer.core.interactions.reader import JsonlReader
from session_explorer.core.interactions.stats import InteractionStats, JsonlSummary
from session_explorer.core.models import Interaction


@dataclass(frozen=True, slots=True)
class FileChange:
    """What one poll found in one session file."""

    session_id: str
    appended: tuple[Interaction, ...] = ()  # for the shown session: the new interactions
    reset: bool = False  # the file was truncated or replaced: reload the session
    new: bool = False
    removed: bool = False
    pending: int = 0  # for the shown session: bytes of an unfinished last line


class SessionFile:
    """One session's JSONL file and its running summary."""

    def __init__(self, session_id: str, path: str | os.PathLike[str]) -> None:
        self.session_id = session_id
        self.name = os.fspath(path)  # a directory holds thousands: no Path until needed
        self._path: Path | None = None
        self._basename: str | None = None
        self._reader_: JsonlReader | None = None
        self._summary = JsonlSummary()
        self._stats: tuple[int, InteractionStats] | None = None
        self._generation = 0  # bumped after each reading of the file
        self._signature: tuple[int, int] | None = None
        self.lock = threadcheck.lock("SessionFile")  # held while the file is read
        self.changed_at: float | None = None  # time.monotonic() of the last change seen
        self.scanned = False
        self.saved_offset = -1  # the reader's offset the persistent index holds
        #: Interactions of the shown session read by the background scan, for the
        #: live feed to hand on (read in full once, by whichever thread came first).
        self.unsent: list[Interaction] = []

    @property
    def basename(self) -> str:
        if self._basename is None:
            self._basename = os.path.basename(self.name)
        return self._basename

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

    def refresh(self, *, force: bool = False, full: bool = False) -> FileChange | None:
        """Read what was appended since the last look (with the lock held); None
        when nothing changed. ``full``: the session is shown, its new interactions
        are normalised whole and returned (read once, counted from the same)."""
        signature = self.signature()
        if not force and signature == self._signature:
            return None
        first_look = self._signature is None and not self.scanned
        self._signature = signature
        reader = self._reader
        offset, pending = reader.offset, reader.pending_bytes
        appended: list[Interaction] = []
        if full:
            appended = reader.read_new()
            if reader.last_reset is not None:
                self._summary.reset()
            self._summary.add(appended)
        else:
            self._summary.add_new(reader)  # streamed: interactions are not kept here
        self._generation += 1
        reset = reader.last_reset is not None
        self.scanned = True
        if not reset and reader.offset == offset:
            if first_look or reader.pending_bytes == pending:
                return None
            # Only an unfinished last line came or went: a change to say so.
            return FileChange(self.session_id, pending=reader.pending_bytes)
        if not first_look:
            self.changed_at = time.monotonic()
        return FileChange(self.session_id, appended=tuple(appended), reset=reset and not first_look,
                          pending=reader.pending_bytes)

    @property
    def pending_bytes(self) -> int:
        """Bytes of a last line without its line end yet (held back until it has
        one: a torn line, or one being written)."""
        return self._reader_.pending_bytes if self._reader_ is not None else 0

    # ------------------------------------------------------------ persistence
    def cache_state(self) -> dict[str, Any] | None:
        """Where the summary stands, for the persistent index (None: not read yet,
        or nothing read since it was last saved or restored)."""
        with self.lock:
            reader = self._reader_
            if not self.scanned or reader is None or not reader.exists or reader.offset == self.saved_offset:
                return None
            self.saved_offset = reader.offset
            return {"offset": reader.offset, "line_number": reader.line_number,
                    "summary": self._summary.state()}

    def resume(self, entry: dict[str, Any], *, saved: bool = True) -> bool:
        """Go on from a state whose file was checked (before any reading): one the
        persistent index holds (``saved``), or one a worker process made."""
        mark = entry["mark"]
        self._summary.restore(entry["summary"])
        self._reader.resume(int(entry["offset"]), int(entry["line_number"]), (mark["dev"], mark["ino"]))
        self.saved_offset = int(entry["offset"]) if saved else -1
        self._generation += 1
        self.scanned = True
        # Read what was appended since at the next look (the file may have grown).
        self._signature = (int(mark["covered"]), int(mark["mtime"])) if mark["covered"] == mark["size"] else None
        return True
