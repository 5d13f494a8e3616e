"""Level and logger filters over a line source, without re-reading the file.

:meth:`LineFacets.build` reads a source once (in a worker thread) and keeps, per line,
one byte for the level rank and two for the logger number; continuation lines
(tracebacks, multi-line messages) carry their record's level and logger.
:meth:`LineFacets.select` then answers "which lines pass" from those arrays at C
speed: a level step alone is a cached array (built once per step), a logger filter
costs one pass over the arrays. :class:`FilteredLines` shows the selected lines as a
:class:`~session_explorer.core.reading.sources.LineSource`.

Level steps (``l`` cycles them): all, info and above, warnings and above, errors
only, by the ranks of :mod:`session_explorer.core.levels`.
"""

from __future__ import annotations

import bisect
import threading
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum
from itertools import compress

from session_explorer.core.levels import INFO_RANK, RANKS, level_rank
from session_explorer.core.models import LogLine
from session_explorer.core.reading.sources import LineSource


class LevelStep(IntEnum):
    """The level filter's steps; a line passes when its rank is at least the step."""

    ALL = 0
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return _STEP_LABELS[self]

    def next(self) -> LevelStep:
        """The step ``l`` moves to (after "errors only" comes "all" again)."""
        return LevelStep((self + 1) % len(LevelStep))


_STEP_LABELS = {
    LevelStep.ALL: "all levels",
    LevelStep.INFO: "info and above",
    LevelStep.WARNING: "warnings and above",
    LevelStep.ERROR: "errors only",
}

#: ``bytes.translate`` tables: rank -> 1 when it passes a step, else 0.
_STEP_TABLES = [bytes(1 if rank >= step else 0 for rank in range(256)) for step in range(len(LevelStep))]

#: The logger number of lines without a logger (simple format, lines before any record).
NO_LOGGER = ""
#: At most this many distinct logger names get their own number; later ones share the last.
MAX_LOGGERS = 0xFFFF
OTHER_LOGGERS = "(other loggers)"


@dataclass(frozen=True, slots=True)
class LoggerFilter:
    """Which loggers to show (or, with ``exclude``, to hide).

    ``names`` match exactly; each of ``prefixes`` matches that logger and its
    children, as logging's hierarchy does (``cycling_ai.tools`` matches
    ``cycling_ai.tools.registry`` but not ``cycling_ai.toolsmith``). Lines without a
    logger have the name ``""``.
    """

    names: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    exclude: bool = False

    @classmethod
    def only(cls, names: Iterable[str]) -> LoggerFilter:
        return cls(names=frozenset(names))

    @classmethod
    def under(cls, *prefixes: str) -> LoggerFilter:
        return cls(prefixes=tuple(p.rstrip(".") for p in prefixes))

    def matches(self, name: str) -> bool:
        hit = name in self.names or any(
            name == p or name.startswith(p + ".") for p in self.prefixes)
        return hit != self.exclude


_UNSET = object()


class LineFacets:
    """Per-line level rank and logger number of one source (see the module docstring)."""

    def __init__(self) -> None:
        self.levels = bytearray()  # a rank per line
        self.loggers = array("H")  # an index into logger_names per line
        self.logger_names: list[str] = [NO_LOGGER]
        self.logger_counts: list[int] = [0]  # lines per logger number
        self.rank_counts = [0, 0, 0, 0]  # lines per level rank
        self.complete = True  # False when the build was cancelled
        self._numbers: dict[str, int] = {NO_LOGGER: 0}
        self._step_cache: dict[int, array[int]] = {}
        self._mask_cache: tuple[LoggerFilter, bytes] | None = None

    def __len__(self) -> int:
        return len(self.levels)

    @classmethod
    def build(cls, source: LineSource, cancel: threading.Event | None = None,
              progress: Callable[[int, int], None] | None = None, batch: int = 8192) -> LineFacets:
        """Read ``source`` once; meant for a worker thread. ``progress(lines, total)``.

        When ``cancel`` is set the facets cover the lines read so far and
        ``complete`` is False.
        """
        facets = cls()
        facets.extend(source, cancel, progress, batch)
        return facets

    def extend(self, source: LineSource, cancel: threading.Event | None = None,
               progress: Callable[[int, int], None] | None = None, batch: int = 8192) -> int:
        """Add the lines the source gained since the last build or extend; returns how many."""
        total = len(source)
        pos = start = len(self)
        self.complete = True
        while pos < total:
            if cancel is not None and cancel.is_set():
                self.complete = False
                break
            lines = source.read(pos, min(pos + batch, total))
            if not lines:
                break
            self._add(lines)
            pos += len(lines)
            if progress is not None:
                progress(pos, total)
        if pos > start:
            self._step_cache.clear()
            self._mask_cache = None
        return pos - start

    def _add(self, lines: list[LogLine]) -> None:
        levels = bytearray()
        loggers = array("H")
        numbers, ranks, counts = self._numbers, RANKS, self.logger_counts
        last_head: object = _UNSET
        rank = number = 0
        for line in lines:
            head = line.head or line.record_head
            if head is not last_head:  # a record's lines share its head object
                last_head = head
                if head is None:
                    rank, number = INFO_RANK, 0
                else:
                    level = head.level
                    rank = ranks.get(level, INFO_RANK) if level.isupper() else level_rank(level)
                    name = head.logger or NO_LOGGER
                    number = numbers.get(name, -1)
                    if number < 0:
                        number = self._new_logger(name)
            levels.append(rank)
            loggers.append(number)
            counts[number] += 1
        self.levels += levels
        self.loggers.extend(loggers)
        for rank_value in range(4):
            self.rank_counts[rank_value] += levels.count(rank_value)

    def _new_logger(self, name: str) -> int:
        number = len(self.logger_names)
        if number >= MAX_LOGGERS:
            number = MAX_LOGGERS
            if len(self.logger_names) == MAX_LOGGERS:
                self.logger_names.append(OTHER_LOGGERS)
                self.logger_counts.append(0)
        else:
            self.logger_names.append(name)
            self.logger_counts.append(0)
        self._numbers[name] = number
        return number

    def logger_summary(self) -> list[tuple[str, int]]:
        """(logger name, lines) for every logger seen, most lines first ("" = none)."""
        pairs = [(n, c) for n, c in zip(self.logger_names, self.logger_counts, strict=True) if c]
        return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))

    def count_at_step(self, step: int) -> int:
        """Lines passing a level step (no logger filter), without building its array."""
        return sum(self.rank_counts[step:])

    def select(self, min_level: int = LevelStep.ALL, loggers: LoggerFilter | None = None) -> array[int]:
        """Line numbers (positions in the source) passing both filters, ascending.

        A level step alone is built once and then cached (O(1) after); a logger filter
        costs one C-speed pass. Do not modify the returned array.
        """
        step = int(min_level)
        if loggers is None:
            cached = self._step_cache.get(step)
            if cached is None:
                cached = self._step_cache[step] = self._select_mask(self._level_mask(step))
            return cached
        mask = self._logger_mask(loggers)
        if step > LevelStep.ALL:
            size = len(mask)
            mask = (int.from_bytes(mask, "little") & int.from_bytes(self._level_mask(step), "little")
                    ).to_bytes(size, "little")
        return self._select_mask(mask)

    def _level_mask(self, step: int) -> bytes:
        return bytes(self.levels.translate(_STEP_TABLES[step]))

    def _logger_mask(self, loggers: LoggerFilter) -> bytes:
        if self._mask_cache is not None and self._mask_cache[0] == loggers:
            return self._mask_cache[1]
        allow = bytes(1 if loggers.matches(name) else 0 for name in self.logger_names)
        mask = bytes(map(allow.__getitem__, self.loggers))
        self._mask_cache = (loggers, mask)
        return mask

    def _select_mask(self, mask: bytes) -> array[int]:
        return array("Q", compress(range(len(mask)), mask))


class FilteredLines:
    """The lines of ``source`` at ``line_numbers`` (ascending), as a line source."""

    #: Lines between two wanted ones that are still read in one go.
    GAP = 64

    def __init__(self, source: LineSource, line_numbers: array[int]) -> None:
        self.source = source
        self.line_numbers = line_numbers
        self.partial = getattr(source, "partial", False)

    def __len__(self) -> int:
        return len(self.line_numbers)

    def source_line(self, i: int) -> int:
        """The position in the underlying source of line ``i`` of this view."""
        return self.line_numbers[i]

    def position_of(self, source_line: int) -> int:
        """This view's position of a source line, or of the next one shown after it
        (``len(self)`` when none): where to keep the cursor when a filter changes."""
        return bisect.bisect_left(self.line_numbers, source_line)

    def read(self, start: int, stop: int) -> list[LogLine]:
        wanted = self.line_numbers[max(start, 0):max(stop, 0)]
        out: list[LogLine] = []
        i = 0
        while i < len(wanted):
            first = last = wanted[i]
            j = i + 1
            while j < len(wanted) and wanted[j] - last <= self.GAP:
                last = wanted[j]
                j += 1
            lines = self.source.read(first, last + 1)
            for n in wanted[i:j]:
                if n - first < len(lines):
                    out.append(lines[n - first])
            i = j
        return out
