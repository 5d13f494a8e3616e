"""Watch a directory for files that appear or disappear (new session files).

:class:`DirectoryWatcher` reports files matching a pattern that appear in or disappear
from a directory (a new session starts a new ``llm_interactions/session_*.jsonl``) as
the ``NewFile`` and ``RemovedFile`` events of :mod:`.follower`. It is polled by the
live feed's thread; file-system events only say when to poll (:mod:`.wakeup`), so a
directory on a network file system, which sends none, is still watched.
"""

from __future__ import annotations

import fnmatch
import os
import re
import time

from session_explorer.core.live.events import ErrorOnce, NewFile, RemovedFile, StrPath, TailEvent

__all__ = ["DirectoryWatcher"]

#: Directory listings whose mtime is younger than this are re-read even if the mtime did
#: not change: two entries created within one timestamp tick share one mtime.
_RACY_NS = 2_000_000_000


# --------------------------------------------------------------------------- new files


class DirectoryWatcher:
    """Report files matching ``pattern`` (an ``fnmatch`` pattern on the base name, case
    sensitive) that appear in or disappear from ``directory``.

    The files present at construction are the starting point and are *not* reported
    (the catalog lists them itself), unless ``report_existing`` is true, in which case
    the first poll reports them as :class:`NewFile`. A directory that does not exist yet
    counts as empty, so when it is created all its matching files are new (an
    application creates its ``llm_interactions/`` with its first session).

    ``poll()`` costs one ``os.stat`` of the directory when its mtime did not change;
    events are sorted by path.
    """

    def __init__(
        self,
        directory: StrPath,
        pattern: str = "session_*.jsonl",
        *,
        report_existing: bool = False,
    ) -> None:
        self.directory = os.fspath(directory)
        self.pattern = pattern
        self._match = re.compile(fnmatch.translate(pattern)).match
        self._mtime_ns: int | None = None
        self._errors = ErrorOnce()
        self._known: set[str] = set()
        if not report_existing:
            self._known = self._list([]) or set()

    def poll(self) -> list[TailEvent]:
        """Look at the directory once: :class:`NewFile`/:class:`RemovedFile` events."""
        events: list[TailEvent] = []
        if not self._needs_listing():
            return events
        current = self._list(events)
        if current is None:
            return events
        appeared = sorted(current - self._known)
        gone = sorted(self._known - current)
        self._known = current
        events.extend(RemovedFile(path) for path in gone)
        events.extend(NewFile(path) for path in appeared)
        return events

    @property
    def known(self) -> frozenset[str]:
        """The matching paths seen at the last listing."""
        return frozenset(self._known)

    def _needs_listing(self) -> bool:
        try:
            mtime_ns = os.stat(self.directory).st_mtime_ns
        except OSError:
            mtime_ns = None
        if mtime_ns is None or mtime_ns != self._mtime_ns:
            return True
        return time.time_ns() - mtime_ns < _RACY_NS

    def _list(self, events: list[TailEvent]) -> set[str] | None:
        """The matching regular files now, or None if the directory could not be read."""
        try:
            self._mtime_ns = os.stat(self.directory).st_mtime_ns
            with os.scandir(self.directory) as entries:
                found = {entry.path for entry in entries if self._is_match(entry)}
        except (FileNotFoundError, NotADirectoryError):
            self._mtime_ns = None
            self._errors.clear()
            return set()
        except OSError as exc:
            self._mtime_ns = None
            self._errors.report(events, self.directory, exc)
            return None
        self._errors.clear()
        return found

    def _is_match(self, entry: os.DirEntry[str]) -> bool:
        if not self._match(entry.name):
            return False
        try:
            return entry.is_file()
        except OSError:
            return False
