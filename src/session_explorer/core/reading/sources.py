"""Line sources: what a view reads lines from, a range at a time.

A source's ``len()`` is cheap (a view calls it on its UI thread); ``read(start,
stop)`` may block on disk and is meant for worker threads. Sources over an index
grow as it grows: ``len()`` is read live.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from session_explorer.core.applog.index import LogIndex
from session_explorer.core.models import LogLine

#: Lines read ahead of an unfinished index (a session's first page, the newest lines).
PREVIEW_LINES = 2000
#: A session's lines read while its app log is indexed: enough for a live session
#: to be shown whole (and followed) before the index reaches it.
SESSION_PREVIEW_LINES = 20_000


@runtime_checkable
class LineSource(Protocol):
    """A sequence of app-log lines that can be read a range at a time.

    ``__len__`` must be cheap (it is called on the UI thread). ``read`` may block on
    disk: a view calls it only from a worker thread. It returns the lines ``start``
    to ``stop`` (fewer when the source is shorter), in order.
    """

    def __len__(self) -> int: ...

    def read(self, start: int, stop: int) -> list[LogLine]: ...


class EmptySource:
    """A source without lines: what a view shows before it is given one."""

    def __len__(self) -> int:
        return 0

    def read(self, start: int, stop: int) -> list[LogLine]:
        return []


EMPTY_SOURCE = EmptySource()


class ListLines:
    """Lines already in memory."""

    def __init__(self, lines: Sequence[LogLine], *, partial: bool = False) -> None:
        # A sequence is kept as it is (the index's previews build lines as they
        # are read); anything else is taken into a list.
        self.lines = lines if isinstance(lines, Sequence) and not isinstance(lines, list) else list(lines)
        self.partial = partial  # True: a preview, more lines come once indexing ends

    def __len__(self) -> int:
        return len(self.lines)

    def read(self, start: int, stop: int) -> list[LogLine]:
        return list(self.lines[max(start, 0) : max(stop, 0)])


class AllLines:
    """Every line of one app log (before its index is complete: its newest lines)."""

    def __init__(self, index: LogIndex) -> None:
        self.index = index
        self.partial = not index.complete
        self._preview = ListLines(index.tail_lines(PREVIEW_LINES)) if self.partial else None

    def __len__(self) -> int:
        return len(self._preview) if self._preview is not None else self.index.line_count

    def read(self, start: int, stop: int) -> list[LogLine]:
        if self._preview is not None:
            return self._preview.read(start, stop)
        return self.index.read_lines(start, stop)


class SessionLines:
    """The lines of one session in one app log, in log order.

    Before the index is complete, a session it has not reached yet shows the first
    page found by scanning ahead (``partial``).
    """

    def __init__(self, index: LogIndex, session_id: str) -> None:
        self.index = index
        self.session_id = session_id
        self._preview: ListLines | None = None
        if not index.complete:
            page = index.session_page(session_id, 0, PREVIEW_LINES)
            if not page.exact:
                self._preview = ListLines(page.lines, partial=True)
        self.partial = self._preview is not None or not index.complete

    def __len__(self) -> int:
        if self._preview is not None:
            return len(self._preview)
        return self.index.session_line_count(self.session_id)

    def read(self, start: int, stop: int) -> list[LogLine]:
        if self._preview is not None:
            return self._preview.read(start, stop)
        return self.index.session_lines(self.session_id, start, stop)


class ConcatLines:
    """Several sources one after the other (every line of several app logs)."""

    def __init__(self, parts: Sequence[LineSource]) -> None:
        self.parts = list(parts)
        self.partial = any(getattr(p, "partial", False) for p in self.parts)

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)

    def read(self, start: int, stop: int) -> list[LogLine]:
        out: list[LogLine] = []
        bounds = self._bounds()
        first = max(bisect.bisect_right(bounds, start) - 1, 0)
        for i in range(first, len(self.parts)):
            base = bounds[i]
            if base >= stop:
                break
            out.extend(self.parts[i].read(max(start - base, 0), stop - base))
        return out

    def _bounds(self) -> list[int]:
        bounds, total = [], 0
        for part in self.parts:
            bounds.append(total)
            total += len(part)
        return bounds


class FrozenLines:
    """A source read up to a fixed number of lines: its ``len()`` is a number, so a
    view may ask it on the UI thread (an index's counts sit behind its lock)."""

    def __init__(self, source: LineSource, length: int) -> None:
        self.source = source
        self.length = length
        self.partial = bool(getattr(source, "partial", False))

    def __len__(self) -> int:
        return self.length

    def read(self, start: int, stop: int) -> list[LogLine]:
        return self.source.read(start, min(stop, self.length))


class LiveLines:
    """A snapshot and the lines that arrived after it, in the order shown.

    ``appended`` only grows, by :meth:`append` on one thread (the UI's); ``read``
    from another thread sees a consistent prefix.
    """

    def __init__(self, base: LineSource, appended: Sequence[LogLine] = ()) -> None:
        self.base = base
        self._base_len = len(base)
        self.appended: list[LogLine] = list(appended)
        self.partial = bool(getattr(base, "partial", False))

    def __len__(self) -> int:
        return self._base_len + len(self.appended)

    def append(self, lines: Sequence[LogLine]) -> None:
        self.appended.extend(lines)

    def read(self, start: int, stop: int) -> list[LogLine]:
        start, stop = max(start, 0), max(stop, 0)
        out = self.base.read(start, min(stop, self._base_len)) if start < self._base_len else []
        if stop > self._base_len:
            out.extend(self.appended[max(start - self._base_len, 0):stop - self._base_len])
        return out


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A session's lines (or every line) as read at one moment, for a live view.

    ``covered`` maps each app log to the logical offset where the snapshot stops: no
    line at or after it is in ``source``, so a line appended there later joins the
    view without being shown twice. ``partial``: a preview made while the index is
    built, which may leave out lines before that offset; the view reads the session
    again when the index is complete.
    """

    source: LineSource
    covered: Mapping[str, int]
    partial: bool


def index_snapshot(index: LogIndex, session_id: str | None) -> tuple[LineSource, int]:
    """One app log's part of a :class:`Snapshot`: a fixed-length source and the
    offset it covers (see there). May read from disk: not on the UI thread."""
    if index.complete:
        count, end = index.extent(session_id)
        whole = AllLines(index) if session_id is None else SessionLines(index, session_id)
        return FrozenLines(whole, count), end
    if session_id is None:
        lines, end = index.tail_snapshot(PREVIEW_LINES)
        return ListLines(lines, partial=True), end
    found, stopped, _complete = index.session_preview(session_id, SESSION_PREVIEW_LINES)
    return ListLines(found, partial=True), stopped
