"""The correlation rule between a session's app-log lines and its interactions."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from session_explorer.core.models import Interaction
from session_explorer.core.reading.timeline import (
    TimelineItem,
    Window,
    effective_time,
    interaction_at,
    interaction_windows,
    is_time_ordered,
    lines_in_window,
    merge_timeline,
)

BASE = datetime(2025, 11, 5, 14, 30, 0)


def at(seconds: float | None) -> datetime | None:
    """BASE + seconds; None stays None (an unknown time)."""
    return None if seconds is None else BASE + timedelta(seconds=seconds)


def times(*seconds: float | None) -> list[datetime | None]:
    return [at(s) for s in seconds]


def ix(seconds: float | None, duration_ms: float | None = None) -> Interaction:
    """An interaction logged at BASE + seconds; None makes it a malformed line."""
    return Interaction(
        number=0,
        line_number=1,
        offset=0,
        raw_text="{}" if seconds is not None else "{not json",
        timestamp=at(seconds),
        duration_ms=duration_ms,
        parse_error=None if seconds is not None else "Expecting property name",
    )


def closed(start: float | None, end: float, *, measured: bool = False) -> Window:
    """[start, end] (or (-inf, end] for start None)."""
    end_time = at(end)
    assert end_time is not None
    return Window(at(start), end_time, measured=measured)


def half_open(start: float, end: float) -> Window:
    """(start, end]."""
    end_time = at(end)
    assert end_time is not None
    return Window(at(start), end_time, start_open=True)


def L(index: int) -> TimelineItem:
    return TimelineItem("line", index)


def I(index: int) -> TimelineItem:  # noqa: E743 - reads like the rows it stands for
    return TimelineItem("interaction", index)


# --------------------------------------------------------------------------- windows


WINDOW_CASES = [
    pytest.param([ix(10)], None, [closed(None, 10)], id="first-without-session-start"),
    pytest.param([ix(10)], 0, [closed(0, 10)], id="first-from-session-start"),
    pytest.param([ix(10)], 10, [closed(10, 10)], id="session-start-at-timestamp"),
    pytest.param([ix(10)], 12, [closed(None, 10)], id="session-start-after-it-skew"),
    pytest.param([ix(10, 2000)], 0, [closed(8, 10, measured=True)], id="measured"),
    pytest.param([ix(10, 1.5)], None, [closed(9.9985, 10, measured=True)], id="measured-ms"),
    pytest.param([ix(10, 0)], None, [closed(10, 10, measured=True)], id="zero-duration"),
    pytest.param([ix(10, -5)], 0, [closed(0, 10)], id="negative-duration-ignored"),
    pytest.param([ix(10, float("nan"))], 0, [closed(0, 10)], id="nan-duration-ignored"),
    pytest.param([ix(10, float("inf"))], 0, [closed(0, 10)], id="inf-duration-ignored"),
    pytest.param([ix(10, 1e20)], 0, [closed(None, 10, measured=True)], id="duration-overflows"),
    pytest.param(
        [ix(10), ix(20), ix(35)],
        0,
        [closed(0, 10), half_open(10, 20), half_open(20, 35)],
        id="chain-from-previous-timestamps",
    ),
    pytest.param(
        [ix(10, 3000), ix(20)],
        0,
        [closed(7, 10, measured=True), half_open(10, 20)],
        id="previous-timestamp-not-previous-start",
    ),
    pytest.param(
        [ix(10), ix(20, 4000), ix(30)],
        0,
        [closed(0, 10), closed(16, 20, measured=True), half_open(20, 30)],
        id="measured-between-inferred",
    ),
    pytest.param(
        [ix(10), ix(20), ix(20), ix(30)],
        0,
        [closed(0, 10), half_open(10, 20), half_open(10, 20), half_open(20, 30)],
        id="equal-timestamps-share-a-window",
    ),
    pytest.param(
        [ix(20), ix(10)],
        0,
        [half_open(10, 20), closed(0, 10)],
        id="logged-out-of-order-time-order-wins",
    ),
    pytest.param(
        [ix(10), ix(None), ix(20)],
        0,
        [closed(0, 10), None, half_open(10, 20)],
        id="malformed-has-no-window-and-is-skipped",
    ),
    pytest.param([ix(None), ix(None)], 0, [None, None], id="only-malformed"),
    pytest.param([], 0, [], id="no-interactions"),
]


@pytest.mark.parametrize(("interactions", "session_start", "expected"), WINDOW_CASES)
def test_interaction_windows(
    interactions: list[Interaction], session_start: float | None, expected: list[Window | None]
) -> None:
    assert interaction_windows(interactions, at(session_start)) == expected


CONTAINS_CASES = [
    # window, seconds, contained
    (closed(0, 10), 0, True),
    (closed(0, 10), 5, True),
    (closed(0, 10), 10, True),
    (closed(0, 10), -0.001, False),
    (closed(0, 10), 10.001, False),
    (half_open(0, 10), 0, False),
    (half_open(0, 10), 0.001, True),
    (half_open(0, 10), 10, True),
    (closed(None, 10), -1e6, True),
    (closed(None, 10), 10.5, False),
]


@pytest.mark.parametrize(("window", "seconds", "contained"), CONTAINS_CASES)
def test_window_contains(window: Window, seconds: float, contained: bool) -> None:
    assert (at(seconds) in window) is contained


def test_window_contains_only_datetimes() -> None:
    assert None not in closed(None, 10)
    assert "14:30" not in closed(None, 10)


# --------------------------------------------------------------------------- lines


ORDER_CASES = [
    ([], True),
    ([None, None], True),
    ([1, 2, 2, 3], True),
    ([1, None, 2, None], True),
    ([None, 3, None, 3, 4], True),
    ([1, 3, 2], False),
    ([3, None, 1], False),
]


@pytest.mark.parametrize(("seconds", "ordered"), ORDER_CASES)
def test_is_time_ordered(seconds: list[float | None], ordered: bool) -> None:
    assert is_time_ordered(times(*seconds)) is ordered


def test_effective_time_glues_unknown_lines_to_the_line_before() -> None:
    line_times = times(None, 1, None, None, 4)
    assert [effective_time(line_times, i) for i in range(5)] == times(None, 1, 1, 1, 4)


LINES_CASES = [
    # line seconds, window, expected indices, comes back as a range (ordered)
    pytest.param([1, 2, 3, 4, 5], closed(2, 4), [1, 2, 3], True, id="closed"),
    pytest.param([1, 2, 3, 4, 5], half_open(2, 4), [2, 3], True, id="open-start"),
    pytest.param([1, 2, 2, 2, 3], half_open(1, 2), [1, 2, 3], True, id="equal-times-all-in"),
    pytest.param([1, 2, 2, 2, 3], half_open(2, 3), [4], True, id="equal-times-all-out"),
    pytest.param([1, 2, 3], closed(None, 2), [0, 1], True, id="unbounded-start"),
    pytest.param([1, 2, 3], closed(5, 9), [], True, id="after-all-lines"),
    pytest.param([5, 6], closed(0, 1), [], True, id="before-all-lines"),
    pytest.param([], closed(None, 9), [], True, id="no-lines"),
    pytest.param(
        [1, 2, None, None, 5], closed(2, 4), [1, 2, 3], True, id="unknown-lines-glued"
    ),
    pytest.param([1, None, 5], closed(3, 9), [2], True, id="glued-line-stays-with-its-own"),
    pytest.param(
        [None, None, 3, 4], closed(None, 9), [2, 3], True, id="leading-unknown-in-no-window"
    ),
    pytest.param([None, None], closed(None, 9), [], True, id="no-known-time"),
    pytest.param([1, 5, 2, 3, 9], closed(2, 4), [2, 3], False, id="unsorted-scan"),
    pytest.param(
        [1, 5, None, 2, None, 9], closed(2, 6), [1, 2, 3, 4], False, id="unsorted-with-unknown"
    ),
    pytest.param([3, 1, 2], closed(5, 9), [], False, id="unsorted-none-in"),
]


@pytest.mark.parametrize(("seconds", "window", "expected", "is_range"), LINES_CASES)
def test_lines_in_window(
    seconds: list[float | None], window: Window, expected: list[int], is_range: bool
) -> None:
    found = lines_in_window(times(*seconds), window)
    assert list(found) == expected
    assert isinstance(found, range) is is_range


def test_lines_in_no_window() -> None:
    assert list(lines_in_window(times(1, 2, 3), None)) == []


def test_ordered_hint_skips_the_check_and_agrees() -> None:
    line_times = times(1, 2, None, 4, 5)
    window = closed(2, 4)
    assert lines_in_window(line_times, window, ordered=True) == range(1, 4)
    assert lines_in_window(line_times, window, ordered=False) == [1, 2, 3]


def brute_force_lines(line_times: list[datetime | None], window: Window) -> list[int]:
    return [
        i
        for i in range(len(line_times))
        if (moment := effective_time(line_times, i)) is not None and moment in window
    ]


@pytest.mark.parametrize("seed", range(40))
def test_lines_in_window_matches_a_scan(seed: int) -> None:
    rng = random.Random(seed)
    seconds = [rng.choice([None, rng.randint(0, 30)]) for _ in range(rng.randint(0, 60))]
    if seed % 2:
        known = iter(sorted(s for s in seconds if s is not None))
        seconds = [None if s is None else next(known) for s in seconds]
    line_times = times(*seconds)
    for _ in range(20):
        start = rng.choice([None, rng.randint(-2, 32)])
        end = BASE + timedelta(seconds=rng.randint(-2, 32))
        window = Window(at(start), end, start_open=rng.random() < 0.5)
        found = lines_in_window(line_times, window)
        assert list(found) == brute_force_lines(line_times, window)
        assert isinstance(found, range) is is_time_ordered(line_times)


# --------------------------------------------------------------------------- interaction at


AT_CASES = [
    # windows, seconds, expected index
    pytest.param([], 5, None, id="no-windows"),
    pytest.param([None, None], 5, None, id="only-malformed"),
    pytest.param([closed(0, 10)], 5, 0, id="inside"),
    pytest.param([closed(0, 10)], 11, None, id="outside"),
    pytest.param([None, closed(0, 10)], 5, 1, id="skips-none"),
    pytest.param(
        [closed(0, 10), half_open(10, 20)], 10, 0, id="boundary-belongs-to-the-earlier"
    ),
    pytest.param([closed(0, 10), half_open(10, 20)], 10.001, 1, id="just-after-boundary"),
    pytest.param(
        [closed(0, 20, measured=True), closed(5, 10, measured=True)],
        7,
        1,
        id="nested-latest-start-wins",
    ),
    pytest.param(
        [closed(5, 10, measured=True), closed(0, 20, measured=True)],
        7,
        0,
        id="nested-order-does-not-matter",
    ),
    pytest.param(
        [closed(0, 10, measured=True), closed(5, 20, measured=True)],
        7,
        1,
        id="overlapping-latest-start-wins",
    ),
    pytest.param(
        [closed(0, 10, measured=True), closed(5, 20, measured=True)],
        12,
        1,
        id="overlap-only-one-contains",
    ),
    pytest.param(
        [closed(5, 20, measured=True), closed(5, 10, measured=True)],
        7,
        1,
        id="same-start-earliest-end-wins",
    ),
    pytest.param([half_open(10, 20), half_open(10, 20)], 15, 0, id="identical-first-wins"),
    pytest.param([closed(None, 20), closed(0, 20)], 5, 1, id="unbounded-starts-earliest"),
    pytest.param([half_open(5, 20), closed(5, 20)], 7, 0, id="open-start-is-later"),
]


@pytest.mark.parametrize(("windows", "seconds", "expected"), AT_CASES)
def test_interaction_at(
    windows: list[Window | None], seconds: float, expected: int | None
) -> None:
    assert interaction_at(at(seconds), windows) == expected


def test_interaction_at_unknown_time() -> None:
    assert interaction_at(None, [closed(None, 10)]) is None


def test_a_line_marks_the_interaction_it_was_logged_in() -> None:
    """The round trip the explorer makes: a line's time -> an interaction -> its lines."""
    interactions = [ix(10), ix(20, 4000), ix(30)]
    windows = interaction_windows(interactions, at(0))
    line_times = times(1, 9, None, 12, 17, 19, 25, 31)
    owners = [interaction_at(effective_time(line_times, i), windows) for i in range(8)]
    assert owners == [0, 0, 0, None, 1, 1, 2, None]
    assert list(lines_in_window(line_times, windows[1])) == [4, 5]


# --------------------------------------------------------------------------- merged view


MERGE_CASES = [
    # line seconds, interactions, expected order
    pytest.param([], [], [], id="empty"),
    pytest.param([1, 2], [], [L(0), L(1)], id="lines-only"),
    pytest.param([], [ix(5), ix(None), ix(1)], [I(2), I(0), I(1)], id="interactions-only"),
    pytest.param(
        [1, 2, 3, 4], [ix(2.5)], [L(0), L(1), I(0), L(2), L(3)], id="between-lines"
    ),
    pytest.param([1, 2, 3], [ix(2)], [L(0), L(1), I(0), L(2)], id="after-line-of-same-time"),
    pytest.param([1, 2, 2, 3], [ix(2)], [L(0), L(1), L(2), I(0), L(3)], id="after-all-equal"),
    pytest.param([5, 6], [ix(1)], [I(0), L(0), L(1)], id="before-all-lines"),
    pytest.param([1, 2], [ix(9)], [L(0), L(1), I(0)], id="after-all-lines"),
    pytest.param(
        [1, None, None, 3], [ix(2)], [L(0), L(1), L(2), I(0), L(3)], id="unknown-lines-glued"
    ),
    pytest.param(
        [None, 5], [ix(1)], [L(0), I(0), L(1)], id="leading-unknown-lines-stay-first"
    ),
    pytest.param(
        [None, None], [ix(1)], [L(0), L(1), I(0)], id="no-known-line-time"
    ),
    pytest.param(
        [1, 5, 2, 6], [ix(3)], [L(0), L(1), L(2), I(0), L(3)], id="unsorted-after-last-earlier"
    ),
    pytest.param(
        [1, 5, 2, 6], [ix(5.5)], [L(0), L(1), L(2), I(0), L(3)], id="unsorted-later-time"
    ),
    pytest.param(
        [4, 1, 2], [ix(0.5), ix(3)], [I(0), L(0), L(1), L(2), I(1)], id="unsorted-first-late"
    ),
    pytest.param(
        [1, 3], [ix(2), ix(2)], [L(0), I(0), I(1), L(1)], id="equal-timestamps-file-order"
    ),
    pytest.param(
        [1, 3], [ix(2.5), ix(2)], [L(0), I(1), I(0), L(1)], id="same-place-time-order"
    ),
    pytest.param(
        [1, 3, 5], [ix(4), ix(2)], [L(0), I(1), L(1), I(0), L(2)], id="out-of-file-order"
    ),
    pytest.param(
        [1, 3],
        [ix(None), ix(2), ix(None)],
        [L(0), I(1), L(1), I(0), I(2)],
        id="malformed-at-the-end-in-file-order",
    ),
    pytest.param(
        [1, 3], [ix(2, 5000)], [L(0), I(0), L(1)], id="placed-by-timestamp-not-start"
    ),
]


@pytest.mark.parametrize(("seconds", "interactions", "expected"), MERGE_CASES)
def test_merge_timeline(
    seconds: list[float | None], interactions: list[Interaction], expected: list[TimelineItem]
) -> None:
    assert merge_timeline(times(*seconds), interactions) == expected


@pytest.mark.parametrize("seed", range(40))
def test_merge_timeline_invariants(seed: int) -> None:
    rng = random.Random(seed)
    seconds = [rng.choice([None, rng.randint(0, 20)]) for _ in range(rng.randint(0, 40))]
    interactions = [ix(rng.choice([None, rng.randint(-1, 21)])) for _ in range(rng.randint(0, 8))]
    line_times = times(*seconds)
    merged = merge_timeline(line_times, interactions)

    lines = [item.index for item in merged if item.kind == "line"]
    placed = [item.index for item in merged if item.kind == "interaction"]
    assert lines == list(range(len(line_times)))  # every line once, in log order
    assert sorted(placed) == list(range(len(interactions)))
    malformed = [i for i, x in enumerate(interactions) if x.timestamp is None]
    assert placed[len(placed) - len(malformed) :] == malformed
    for position, item in enumerate(merged):
        if item.kind != "interaction" or interactions[item.index].timestamp is None:
            continue
        stamp = interactions[item.index].timestamp
        assert stamp is not None
        before = sum(1 for x in merged[:position] if x.kind == "line")
        known = [
            i
            for i in range(len(line_times))
            if (t := effective_time(line_times, i)) is not None and t <= stamp
        ]
        leading = next((i for i, t in enumerate(line_times) if t is not None), len(line_times))
        assert before == max([leading] + [i + 1 for i in known])


# --------------------------------------------------------------------------- hygiene


def test_timeline_imports_neither_textual_nor_rich() -> None:
    code = (
        "import sys, session_explorer.core.reading.timeline, session_explorer.core.live.directory; "
        "print(sorted(m for m in ('textual', 'rich') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    )
    assert out.stdout.strip() == "[]"
