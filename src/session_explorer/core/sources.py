"""Line sources: what a view reads lines from, a range at a time.

A source's ``len()`` is cheap (a view calls it on its UI thread); ``read(start,
stop)`` may block on disk and is meant for worker threads. Sources over an index
grow as it grows: ``len()`` is read live.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from .index import LogIndex
from .models import LogLine

#: Lines read ahead of an unfinished index (a session's first page, the newest lines).
PREVIEW_LINES = 2000


@runtime_checkable
class LineSource(Protocol):
    def __len__(self) -> int: ...

    def read(self, start: int, stop: int) -> list[LogLine]: ...


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
