"""Lines of several app logs (or a session's lines in several) merged in time order.

A continuation line keeps its record's time; a line without a time keeps the time
of the line before it in its stream; equal times keep the streams' order.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Protocol, TypeVar, overload

from session_explorer.core.models import LogLine


class _Timestamped(Protocol):
    """What :func:`merge_by_time` orders by."""

    @property
    def timestamp(self) -> datetime | None: ...


_T = TypeVar("_T", bound=_Timestamped)


def merge_by_time(streams: Iterable[Iterable[_T]]) -> Iterator[_T]:
    """Merge line streams (e.g. of several sources) by record time, stable per stream.

    Continuation lines keep their record's time; lines without a time keep the time of
    the line before them in their stream.
    """
    def keyed(index: int, lines: Iterable[_T]) -> Iterator[tuple[datetime, int, int, _T]]:
        last = datetime.min
        for n, line in enumerate(lines):
            last = line.timestamp or last
            yield last, index, n, line

    for *_, line in heapq.merge(*(keyed(i, s) for i, s in enumerate(streams))):
        yield line


def merge_lazily(parts: Sequence[Sequence[LogLine]]) -> Sequence[LogLine] | None:
    """:func:`merge_by_time` of ``parts`` as a sequence whose lines are made only when
    read, when every part can say its lines' times without making them (a
    ``times()`` method); None otherwise."""
    keyed = []
    for i, part in enumerate(parts):
        times = getattr(part, "times", None)
        if times is None:
            return None
        keyed.append(_carried(i, times()))
    order = [(i, n) for _, i, n in heapq.merge(*keyed)]
    return MergedLines(parts, order)


def _carried(index: int, times: Iterable[datetime | None]) -> Iterator[tuple[datetime, int, int]]:
    """merge_by_time's keys: a line without a time has the time of the one before."""
    last = datetime.min
    for n, ts in enumerate(times):
        last = ts or last
        yield last, index, n


class MergedLines(Sequence[LogLine]):
    """Lines of several parts in a merged order: (part, position) per line."""

    def __init__(self, parts: Sequence[Sequence[LogLine]], order: list[tuple[int, int]]) -> None:
        self._parts = parts
        self._order = order

    def __len__(self) -> int:
        return len(self._order)

    @overload
    def __getitem__(self, item: int) -> LogLine: ...

    @overload
    def __getitem__(self, item: slice) -> list[LogLine]: ...

    def __getitem__(self, item: int | slice) -> LogLine | list[LogLine]:
        if isinstance(item, slice):
            return [self._parts[i][n] for i, n in self._order[item]]
        i, n = self._order[item]
        return self._parts[i][n]
