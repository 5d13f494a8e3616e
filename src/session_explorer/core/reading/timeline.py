"""When each interaction ran, and how a session's app-log lines line up with it.

The explorer marks, in the app-log pane, the lines logged while a selected
interaction ran, marks the interaction an app-log line falls in, and offers a merged,
time-ordered view of both. This module holds the rule behind all three; it works on
plain timestamps and indices, so it knows nothing about files or widgets.

**An interaction's window.** ``InteractionLogger`` stamps an interaction when the call
is logged, that is when it *ended*, and may add ``duration_ms``. So:

* with a usable duration (finite, not negative) the window is measured:
  ``[timestamp - duration, timestamp]``, both ends included;
* otherwise it is inferred: ``(previous, timestamp]`` where ``previous`` is the latest
  timestamp of the session's interactions that is strictly earlier than its own (time
  order, not file order: concurrent calls may be logged slightly out of order);
* an interaction with no earlier one starts at the session start, included
  (``[session_start, timestamp]``), or is unbounded when the session start is unknown
  or, through clock skew, after its timestamp;
* an interaction without a timestamp (a malformed line) has no window (None).

Interactions logged at the same instant without a duration get the same inferred
window; measured windows of concurrent calls may overlap. :func:`interaction_at`
settles both cases by preferring the window that started latest.

**An app-log line's time.** ``line_times`` are the times of a session's app-log lines
in log order, a continuation line carrying its record's time. A line whose time is
None is glued to the line before it and takes its time; None lines before the first
known time have no time at all: they fall in no window and stay at the head of the
merged view. Logs are mostly, not strictly, time-ordered (several threads log at
once), so nothing here assumes order without checking it.

All times must be on one clock and comparable: the core parses both logs to naive
local time (see :func:`.interactions.parse_timestamp`).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from session_explorer.core.models import Interaction

__all__ = [
    "TimelineItem",
    "Window",
    "effective_time",
    "interaction_at",
    "interaction_windows",
    "is_time_ordered",
    "lines_in_window",
    "merge_timeline",
]


@dataclass(frozen=True, slots=True)
class Window:
    """The time an interaction ran: from ``start`` to ``end``, ``end`` included.

    ``start`` is None for a window without a known start (it reaches back forever);
    otherwise it is included unless ``start_open`` is true, as for an inferred window
    that begins at the previous interaction's timestamp (a line logged at that instant
    belongs to the previous one). ``measured`` is true when the start comes from the
    interaction's recorded duration rather than from its neighbours.
    """

    start: datetime | None
    end: datetime
    start_open: bool = False
    measured: bool = False

    def __contains__(self, moment: object) -> bool:
        if not isinstance(moment, datetime) or moment > self.end:
            return False
        if self.start is None:
            return True
        return moment > self.start if self.start_open else moment >= self.start

    def starts_after(self, other: Window) -> bool:
        """True when this window starts strictly later than ``other``."""
        return _start_key(self) > _start_key(other)


@dataclass(frozen=True, slots=True)
class TimelineItem:
    """One row of the merged view: app-log line ``index`` or interaction ``index``."""

    kind: Literal["line", "interaction"]
    index: int


# --------------------------------------------------------------------------- windows


def interaction_windows(
    interactions: Sequence[Interaction], session_start: datetime | None = None
) -> list[Window | None]:
    """The window of each interaction, in the order given (None: no timestamp).

    See the module docstring for the rule. ``session_start`` bounds the window of the
    earliest interaction when its duration is unknown.
    """
    stamps = sorted({i.timestamp for i in interactions if i.timestamp is not None})
    windows: list[Window | None] = []
    for interaction in interactions:
        end = interaction.timestamp
        if end is None:
            windows.append(None)
            continue
        measured = _measured_window(end, interaction.duration_ms)
        if measured is not None:
            windows.append(measured)
            continue
        earlier = bisect_right(stamps, end) - 2  # stamps holds end itself once
        if earlier >= 0:
            windows.append(Window(stamps[earlier], end, start_open=True))
        elif session_start is not None and session_start <= end:
            windows.append(Window(session_start, end))
        else:
            windows.append(Window(None, end))
    return windows


def _measured_window(end: datetime, duration_ms: float | None) -> Window | None:
    if duration_ms is None or not math.isfinite(duration_ms) or duration_ms < 0:
        return None
    try:
        start: datetime | None = end - timedelta(milliseconds=duration_ms)
    except OverflowError:  # a duration reaching back before year 1
        start = None
    return Window(start, end, measured=True)


def _start_key(window: Window) -> tuple[bool, datetime, bool]:
    """Orders window starts: unbounded first, and an open start just after a closed
    one at the same instant."""
    if window.start is None:
        return (False, datetime.min, False)
    return (True, window.start, window.start_open)


def interaction_at(moment: datetime | None, windows: Sequence[Window | None]) -> int | None:
    """The index of the interaction whose window contains ``moment``, or None.

    When several windows contain it (concurrent calls, or calls logged at the same
    instant), the one that started latest wins: it is the innermost, most specific
    call. Among those starting together the one ending first wins, then the first in
    ``windows``.
    """
    if moment is None:
        return None
    best: int | None = None
    best_window: Window | None = None
    for index, window in enumerate(windows):
        if window is None or moment not in window:
            continue
        if (
            best_window is None
            or window.starts_after(best_window)
            or (not best_window.starts_after(window) and window.end < best_window.end)
        ):
            best, best_window = index, window
    return best


# --------------------------------------------------------------------------- app-log lines


def effective_time(line_times: Sequence[datetime | None], index: int) -> datetime | None:
    """The time of line ``index``: its own, else that of the nearest line before it
    that has one (None if there is none)."""
    for i in range(index, -1, -1):
        if (moment := line_times[i]) is not None:
            return moment
    return None


def is_time_ordered(line_times: Sequence[datetime | None]) -> bool:
    """True when the known times never go backwards (None entries are ignored)."""
    last: datetime | None = None
    for moment in line_times:
        if moment is None:
            continue
        if last is not None and moment < last:
            return False
        last = moment
    return True


def lines_in_window(
    line_times: Sequence[datetime | None],
    window: Window | None,
    *,
    ordered: bool | None = None,
) -> range | list[int]:
    """The indices of the lines whose time (see :func:`effective_time`) is in ``window``.

    When the times are ordered the lines form one block, found by binary search and
    returned as a ``range``; otherwise every line is checked and a list of indices is
    returned. ``ordered`` skips the order check (a linear pass) when the caller already
    knows the answer, for example because it tracks order as lines arrive; passing
    True for unordered times gives a wrong answer.
    """
    if window is None:
        return range(0)
    if ordered is None:
        ordered = is_time_ordered(line_times)
    if not ordered:
        found: list[int] = []
        current: datetime | None = None
        for index, moment in enumerate(line_times):
            if moment is not None:
                current = moment
            if current is not None and current in window:
                found.append(index)
        return found
    first_known = _first_known(line_times)
    start, end = window.start, window.end
    if start is None:
        lo = first_known
    elif window.start_open:
        lo = _first_index(line_times, first_known, lambda t: t > start)
    else:
        lo = _first_index(line_times, first_known, lambda t: t >= start)
    hi = _first_index(line_times, lo, lambda t: t > end)
    return range(lo, hi)


def _first_known(line_times: Sequence[datetime | None]) -> int:
    """The index of the first line with a known time (the length if there is none)."""
    return next((i for i, t in enumerate(line_times) if t is not None), len(line_times))


def _first_index(
    line_times: Sequence[datetime | None], lo: int, past: Callable[[datetime], bool]
) -> int:
    """The first index from ``lo`` whose effective time is ``past`` (a predicate that
    stays true once true, over ordered times with a known time at ``lo``)."""
    hi = len(line_times)
    while lo < hi:
        mid = (lo + hi) // 2
        moment = effective_time(line_times, mid)
        assert moment is not None  # a known time precedes every index searched
        if past(moment):
            hi = mid
        else:
            lo = mid + 1
    return lo


# --------------------------------------------------------------------------- merged view


def merge_timeline(
    line_times: Sequence[datetime | None], interactions: Sequence[Interaction]
) -> list[TimelineItem]:
    """App-log lines and interactions in one time-ordered stream.

    The lines keep their log order. An interaction is placed where it was logged: just
    after the last line (in log order) whose time is at or before its timestamp, so a
    line logged at the same instant comes first; with out-of-order lines that can put
    it after a later-stamped line, never before an earlier-stamped one. Interactions at
    the same place follow their timestamps, then file order. Interactions without a
    timestamp go at the end, in file order.
    """
    # Lines before the first known time have no time and are never passed. Past them,
    # suffix minima of the effective times rise with the index, and the number of
    # lines whose suffix minimum is <= T is one past the last line at or before T.
    first_known = _first_known(line_times)
    suffix_min: list[datetime] = []
    current: datetime | None = None
    for i in range(first_known, len(line_times)):
        current = line_times[i] or current
        assert current is not None
        suffix_min.append(current)
    for i in range(len(suffix_min) - 2, -1, -1):
        if suffix_min[i + 1] < suffix_min[i]:
            suffix_min[i] = suffix_min[i + 1]

    stamped: list[tuple[datetime, int]] = []
    unstamped: list[int] = []
    for index, interaction in enumerate(interactions):
        if interaction.timestamp is None:
            unstamped.append(index)
        else:
            stamped.append((interaction.timestamp, index))
    stamped.sort()  # by time, then file order; the places then never go down

    items: list[TimelineItem] = []
    next_line = 0
    for timestamp, index in stamped:
        place = first_known + bisect_right(suffix_min, timestamp)
        items.extend(TimelineItem("line", i) for i in range(next_line, place))
        next_line = max(next_line, place)
        items.append(TimelineItem("interaction", index))
    items.extend(TimelineItem("line", i) for i in range(next_line, len(line_times)))
    items.extend(TimelineItem("interaction", index) for index in unstamped)
    return items
