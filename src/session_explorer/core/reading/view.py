"""What a reader knows about the session on screen, for search, filters, jumps,
correlation marks and the merged timeline (the app holds one per loaded session).

:class:`SessionFacts` is read once per loaded session by a worker (one pass over its
lines): the core's :class:`~session_explorer.core.reading.filters.LineFacets` (level and
logger of each line), which lines start a record, and, for a session, each line's
time. :class:`ReadingView` is the chain of sources the log pane shows (the session's
lines, filtered, then merged with the interactions) and maps positions in what is
shown to lines of the session and back.
"""

from __future__ import annotations

import bisect
import threading
from array import array
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import compress

from session_explorer.core.levels import WARNING_RANK
from session_explorer.core.models import Interaction, LogLine
from session_explorer.core.reading.filters import (
    FilteredLines,
    LevelStep,
    LineFacets,
    LoggerFilter,
)
from session_explorer.core.reading.sources import LineSource
from session_explorer.core.reading.timeline import (
    Window,
    is_time_ordered,
    lines_in_window,
    merge_timeline,
)
from session_explorer.core.reading.timeline_lines import TimelineSource

#: ``bytes.translate`` table: level rank -> 1 for warnings and above.
_ALERT_TABLE = bytes(1 if rank >= WARNING_RANK else 0 for rank in range(256))


class _Recorder:
    """A source that notes, as its lines are read in order, which start a record
    and (``times``) when each was logged."""

    def __init__(self, source: LineSource, heads: bytearray, times: list[datetime | None] | None) -> None:
        self.source = source
        self.heads = heads
        self.times = times

    def __len__(self) -> int:
        return len(self.source)

    def read(self, start: int, stop: int) -> list[LogLine]:
        lines = self.source.read(start, stop)
        self.heads.extend(1 if line.head is not None else 0 for line in lines)
        if self.times is not None:
            self.times.extend(line.timestamp for line in lines)
        return lines


@dataclass
class SessionFacts:
    """Levels, loggers, record starts and (for a session) times of every line."""

    facets: LineFacets
    heads: bytearray
    times: list[datetime | None] | None
    alerts: array[int] = field(default_factory=lambda: array("Q"))
    ordered: bool = True

    @classmethod
    def read(cls, source: LineSource, *, with_times: bool,
             cancel: threading.Event | None = None,
             progress: Callable[[int, int], None] | None = None) -> SessionFacts:
        """Read ``source`` once (a worker thread)."""
        facts = cls(LineFacets(), bytearray(), [] if with_times else None)
        facts.extend(source, cancel=cancel, progress=progress)
        return facts

    def extend(self, source: LineSource, *, cancel: threading.Event | None = None,
               progress: Callable[[int, int], None] | None = None) -> int:
        """Read the lines the source gained since (a worker thread); how many."""
        start = len(self.facets)
        recorder = _Recorder(source, self.heads, self.times)
        added = self.facets.extend(recorder, cancel, progress)
        size = len(self.facets)
        del self.heads[size:]
        if self.times is not None:
            del self.times[size:]
            # Still in order when the new times are, from the last known time on.
            times = self.times
            last = next((times[i] for i in range(start - 1, -1, -1) if times[i] is not None), None)
            new = self.times[start:] if last is None else [last, *self.times[start:]]
            self.ordered = self.ordered and is_time_ordered(new)
        if added:
            levels = self.facets.levels[start:size].translate(_ALERT_TABLE)
            mask = (int.from_bytes(levels, "little")
                    & int.from_bytes(self.heads[start:size], "little")).to_bytes(size - start, "little")
            self.alerts.extend(start + n for n in compress(range(size - start), mask))
        return added

    @property
    def complete(self) -> bool:
        return self.facets.complete

    def __len__(self) -> int:
        return len(self.facets)

    def logger_choices(self) -> list[tuple[str, int]]:
        """Every logger and every dotted parent of one, with the lines under it, most
        lines first ("" is the lines without a logger)."""
        counts: dict[str, int] = {}
        for name, count in self.facets.logger_summary():
            if not name:
                counts[""] = counts.get("", 0) + count
                continue
            parts = name.split(".")
            for end in range(1, len(parts) + 1):
                prefix = ".".join(parts[:end])
                counts[prefix] = counts.get(prefix, 0) + count
        return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


@dataclass
class Filters:
    """The filters of the log pane."""

    level: LevelStep = LevelStep.ALL
    loggers: LoggerFilter | None = None
    logger_label: str = ""

    @property
    def active(self) -> bool:
        return self.level != LevelStep.ALL or self.loggers is not None

    def label(self) -> str:
        parts = []
        if self.level != LevelStep.ALL:
            parts.append(self.level.label)
        if self.loggers is not None:
            parts.append(f"logger {self.logger_label}")
        return " · ".join(parts)


def logger_filter(name: str) -> LoggerFilter:
    """The filter for a choice of :meth:`SessionFacts.logger_choices`: that logger
    and its children ("": the lines without a logger)."""
    return LoggerFilter.only([""]) if not name else LoggerFilter.under(name)


class ReadingView:
    """What the log pane shows: ``base`` (the session's lines), maybe filtered,
    maybe merged with the interactions; positions map to lines of ``base``."""

    def __init__(self, base: LineSource, filtered: FilteredLines | None = None,
                 timeline: TimelineSource | None = None) -> None:
        self.base = base
        self.filtered = filtered
        self.timeline = timeline
        self._timeline_positions: dict[int, int] | None = None

    @classmethod
    def build(cls, base: LineSource, facts: SessionFacts | None, filters: Filters, *,
              timeline: bool = False, interactions: Sequence[Interaction] = (),
              session_id: str = "") -> ReadingView:
        """The view for ``filters`` (which need ``facts``) and, with ``timeline``
        (which needs the facts' times), the merged timeline."""
        filtered = None
        if filters.active and facts is not None:
            filtered = FilteredLines(base, facts.facets.select(filters.level, filters.loggers))
        merged = None
        if timeline and facts is not None and facts.times is not None:
            shown: LineSource = filtered if filtered is not None else base
            count = len(shown)
            times = [facts.times[n] for n in filtered.line_numbers] if filtered is not None else facts.times[:count]
            items = merge_timeline(times, interactions)
            merged = TimelineSource(shown, interactions, items, session_id)
        return cls(base, filtered, merged)

    @property
    def source(self) -> LineSource:
        if self.timeline is not None:
            return self.timeline  # type: ignore[return-value]  # rows of lines and interactions
        if self.filtered is not None:
            return self.filtered
        return self.base

    @property
    def is_plain(self) -> bool:
        return self.filtered is None and self.timeline is None

    # -- positions -----------------------------------------------------------------

    def _shown_line(self, index: int) -> int:
        """Line ``index`` of the (maybe filtered) lines, as a line of ``base``."""
        return self.filtered.source_line(index) if self.filtered is not None else index

    def to_base(self, position: int) -> int | None:
        """The line of ``base`` at ``position``; None on an interaction's row."""
        if self.timeline is not None:
            if not 0 <= position < len(self.timeline):
                return None
            item = self.timeline.item(position)
            if item.kind != "line":
                return None
            return self._shown_line(item.index)
        if self.filtered is not None:
            if not 0 <= position < len(self.filtered):
                return None
            return self.filtered.source_line(position)
        return position

    def interaction_at(self, position: int) -> int | None:
        """The interaction (index) whose row is at ``position`` of the timeline."""
        if self.timeline is None or not 0 <= position < len(self.timeline):
            return None
        item = self.timeline.item(position)
        return item.index if item.kind == "interaction" else None

    def line_before(self, position: int) -> int | None:
        """The line of ``base`` at ``position`` or, on an interaction's row, the
        nearest line above it."""
        for candidate in range(position, -1, -1):
            line = self.to_base(candidate)
            if line is not None:
                return line
        return None

    def position_of(self, line: int) -> int:
        """The position of line ``line`` of ``base`` (or of the next line shown)."""
        index = self.filtered.position_of(line) if self.filtered is not None else line
        if self.timeline is not None:
            return self._positions().get(index, self.timeline.position_of_line(index))
        return index

    def shows(self, line: int) -> bool:
        return self.to_base(self.position_of(line)) == line

    def _positions(self) -> dict[int, int]:
        if self._timeline_positions is None:
            assert self.timeline is not None
            self._timeline_positions = {
                item.index: position
                for position, item in enumerate(self.timeline.items)
                if item.kind == "line"
            }
        return self._timeline_positions

    def positions(self, lines: range | Iterable[int]) -> Collection[int]:
        """The positions of those ``lines`` of ``base`` that are shown."""
        if self.is_plain:
            return lines if isinstance(lines, range) else set(lines)
        if self.timeline is None and isinstance(lines, range) and self.filtered is not None:
            return range(self.filtered.position_of(lines.start), self.filtered.position_of(lines.stop))
        return {self.position_of(line) for line in lines if self.shows(line)}

    def timeline_row(self, interaction: int) -> int | None:
        if self.timeline is None:
            return None
        for position, item in enumerate(self.timeline.items):
            if item.kind == "interaction" and item.index == interaction:
                return position
        return None


def next_alert(facts: SessionFacts, view: ReadingView, position: int, step: int) -> int | None:
    """The position of the next (``step`` 1) or previous (-1) warning-or-above record
    shown, from ``position``; None when there is none that way."""
    alerts = facts.alerts
    here = view.line_before(position)
    on_line = view.to_base(position) is not None
    if step > 0:
        k = 0 if here is None else bisect.bisect_right(alerts, here)
        for line in alerts[k:]:
            if view.shows(line) and view.position_of(line) > position:
                return view.position_of(line)
        return None
    if here is None:
        return None
    k = bisect.bisect_left(alerts, here) if on_line else bisect.bisect_right(alerts, here)
    for line in reversed(alerts[:k]):
        if view.shows(line) and view.position_of(line) < position:
            return view.position_of(line)
    return None


def window_lines(facts: SessionFacts, window: Window | None) -> range | list[int]:
    """The lines of the session logged in ``window``."""
    if facts.times is None:
        return range(0)
    return lines_in_window(facts.times, window, ordered=facts.ordered)
