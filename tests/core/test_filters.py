"""Level and logger filters: facets of each line, selections, the filtered view."""

from __future__ import annotations

import threading
from array import array
from pathlib import Path

import pytest

from session_explorer.core.applog.index import LogIndex
from session_explorer.core.applog.rotations import discover_rotations
from session_explorer.core.models import LogLine, RecordHead
from session_explorer.core.reading.filters import (
    FilteredLines,
    LevelStep,
    LineFacets,
    LoggerFilter,
    level_rank,
)
from session_explorer.core.reading.sources import AllLines, ListLines, SessionLines
from tests.hostile import rec, write_hostile_dir

LOG = b"".join([
    b"stray line before any record\n",  # 0: no level, no logger
    rec("a", 1, "DEBUG", "debug", "app.db"),  # 1
    rec("a", 2, "INFO", "info", "app.api"),  # 2
    rec("b", 3, "WARNING", "warning", "httpx"),  # 3
    rec("a", 4, "ERROR", "boom", "app.api.handlers"),  # 4
    b"Traceback (most recent call last):\n",  # 5: continues the error
    b"ValueError: bad\n",  # 6
    b"[b] - NOTICE - simple format, custom level\n",  # 7: no logger
    b"[b] - TRACE - below debug\n",  # 8
    b"  continued trace\n",  # 9
    rec("b", 5, "CRITICAL", "fatal", "httpx.client"),  # 10
    rec("a", 6, "WARN", "short warn", "app.apis"),  # 11: not a child of app.api
    b"[a] - SUCCESS - custom level\n",  # 12
])

RANKS = [1, 0, 1, 2, 3, 3, 3, 1, 0, 0, 3, 2, 1]
LOGGERS = ["", "app.db", "app.api", "httpx", "app.api.handlers", "app.api.handlers",
           "app.api.handlers", "", "", "", "httpx.client", "app.apis", ""]


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    path = tmp_path / "app.log"
    path.write_bytes(LOG)
    return path


@pytest.fixture
def index(log_path: Path):
    with LogIndex([log_path], "app", block_size=64, follow=False, workers=0) as index:
        index.build()
        yield index


def expected(step: int, flt: LoggerFilter | None = None) -> list[int]:
    return [n for n, (rank, name) in enumerate(zip(RANKS, LOGGERS, strict=True))
            if rank >= step and (flt is None or flt.matches(name))]


@pytest.mark.parametrize("level, rank", [
    ("DEBUG", 0), ("TRACE", 0), ("NOTSET", 0), ("INFO", 1), ("NOTICE", 1), ("SUCCESS", 1),
    ("AUDIT", 1), ("", 1), (None, 1), ("WARNING", 2), ("WARN", 2), ("warning", 2),
    ("ERROR", 3), ("CRITICAL", 3), ("FATAL", 3), ("EXCEPTION", 3),
])
def test_level_rank(level: str | None, rank: int) -> None:
    assert level_rank(level) == rank


def test_level_steps_cycle() -> None:
    steps = [LevelStep.ALL]
    for _ in range(4):
        steps.append(steps[-1].next())
    assert steps == [LevelStep.ALL, LevelStep.INFO, LevelStep.WARNING, LevelStep.ERROR, LevelStep.ALL]
    assert [s.label for s in LevelStep] == [
        "all levels", "info and above", "warnings and above", "errors only"]


def test_facets_follow_records(index: LogIndex) -> None:
    facets = LineFacets.build(AllLines(index))
    assert facets.complete and len(facets) == len(RANKS)
    assert list(facets.levels) == RANKS
    assert [facets.logger_names[n] for n in facets.loggers] == LOGGERS
    assert facets.rank_counts == [RANKS.count(r) for r in range(4)]
    summary = dict(facets.logger_summary())
    assert summary == {name: LOGGERS.count(name) for name in set(LOGGERS)}
    assert facets.logger_summary()[0] == ("", 5)  # most lines first


@pytest.mark.parametrize("step", list(LevelStep))
@pytest.mark.parametrize("flt", [
    None,
    LoggerFilter.only(["httpx"]),
    LoggerFilter.only(["httpx", ""]),
    LoggerFilter.under("app.api"),
    LoggerFilter.under("app.api."),
    LoggerFilter.under("app", "httpx"),
    LoggerFilter(frozenset({"httpx"}), ("app.api",), exclude=True),
    LoggerFilter.only(["nobody"]),
])
def test_select(index: LogIndex, step: LevelStep, flt: LoggerFilter | None) -> None:
    facets = LineFacets.build(AllLines(index))
    want = expected(step, flt)
    assert list(facets.select(step, flt)) == want
    assert list(facets.select(step, flt)) == want  # again, from the caches
    if flt is None:
        assert facets.count_at_step(step) == len(want)


@pytest.mark.parametrize("name, prefix, matches", [
    ("app.api", "app.api", True),
    ("app.api.handlers", "app.api", True),
    ("app.apis", "app.api", False),
    ("app", "app.api", False),
    ("", "app", False),
])
def test_logger_prefix(name: str, prefix: str, matches: bool) -> None:
    assert LoggerFilter.under(prefix).matches(name) is matches
    assert LoggerFilter(prefixes=(prefix,), exclude=True).matches(name) is not matches


def test_filtered_lines(index: LogIndex) -> None:
    source = AllLines(index)
    facets = LineFacets.build(source)
    numbers = facets.select(LevelStep.WARNING)
    view = FilteredLines(source, numbers)
    assert len(view) == len(numbers)
    everything = source.read(0, len(source))
    assert view.read(0, len(view)) == [everything[n] for n in numbers]
    assert view.read(2, 4) == [everything[n] for n in numbers[2:4]]
    assert view.read(len(view), len(view) + 5) == []
    assert view.source_line(0) == numbers[0]
    assert view.position_of(numbers[3]) == 3
    assert view.position_of(numbers[3] + 1) == 4  # the next line shown after it
    assert view.position_of(10_000) == len(view)


def test_filtered_lines_far_apart() -> None:
    """Selected lines far apart are read in separate ranges, near ones in one."""
    reads: list[tuple[int, int]] = []

    class Counting(ListLines):
        def read(self, start: int, stop: int):
            reads.append((start, stop))
            return super().read(start, stop)

    lines = [LogLine("app", n, n * 10, b"x", b"\n", "s") for n in range(1000)]
    view = FilteredLines(Counting(lines), array("Q", [3, 5, 10, 500, 501, 999]))
    assert [line.line_number for line in view.read(0, 6)] == [3, 5, 10, 500, 501, 999]
    assert reads == [(3, 11), (500, 502), (999, 1000)]


def test_session_facets(tmp_path: Path) -> None:
    """A session's continuation lines keep their record's level and logger."""
    root = write_hostile_dir(tmp_path / "logs")
    with LogIndex(discover_rotations(root / "app.log"), "app", block_size=128, follow=False,
                  workers=0) as index:
        index.build()
        sid = "20251105_143052"
        session = SessionLines(index, sid)
        facets = LineFacets.build(session)
        lines = session.read(0, len(session))
        assert len(facets) == len(lines)
        for line, rank, number in zip(lines, facets.levels, facets.loggers, strict=True):
            head = line.head or line.record_head
            assert rank == level_rank(head.level if head else None)
            assert facets.logger_names[number] == ((head.logger if head else None) or "")
        errors = [lines[n] for n in facets.select(LevelStep.ERROR)]
        assert [line.raw for line in errors][:4] == [
            rec(sid, 53, "ERROR", "Tool failed").rstrip(b"\n"),
            b"Traceback (most recent call last):",
            b'  File "agent.py", line 3, in run',
            b"ValueError: bad",
        ]
        assert any(b"json line" in line.raw for line in errors)  # CRITICAL, JSON format


def test_hostile_custom_levels(tmp_path: Path) -> None:
    root = write_hostile_dir(tmp_path / "logs")
    with LogIndex(discover_rotations(root / "app.log"), "app", block_size=128, follow=False,
                  workers=0) as index:
        index.build()
        source = AllLines(index)
        facets = LineFacets.build(source)
        lines = source.read(0, len(source))
        notice = next(i for i, line in enumerate(lines) if b"NOTICE" in line.raw)
        trace = next(i for i, line in enumerate(lines) if b"TRACE - another" in line.raw)
        info_up = set(facets.select(LevelStep.INFO))
        assert notice in info_up and trace not in info_up
        assert facets.select(LevelStep.ALL).tolist() == list(range(len(lines)))


def test_build_cancel_and_extend(log_path: Path) -> None:
    with LogIndex([log_path], "app", block_size=64, follow=False, workers=0) as index:
        index.build()
        source = AllLines(index)
        cancel = threading.Event()
        reports: list[tuple[int, int]] = []

        def stop(done: int, total: int) -> None:
            reports.append((done, total))
            cancel.set()

        facets = LineFacets.build(source, cancel=cancel, progress=stop, batch=5)
        assert not facets.complete and len(facets) == 5 and reports == [(5, len(RANKS))]
        assert list(facets.select(LevelStep.ALL)) == list(range(5))
        assert facets.extend(source) == len(RANKS) - 5
        assert facets.complete and list(facets.levels) == RANKS
        assert list(facets.select(LevelStep.ALL)) == list(range(len(RANKS)))  # cache dropped
        assert [facets.logger_names[n] for n in facets.loggers] == LOGGERS


def test_continuation_at_batch_start() -> None:
    """A batch that starts with continuation lines takes their record from the lines."""
    head = RecordHead("s", "ERROR", "boom", logger="app")
    lines = [LogLine("app", 0, 0, b"x", b"\n", "s", head)] + [
        LogLine("app", n, n, b"  tb", b"\n", "s", None, head) for n in range(1, 6)]
    facets = LineFacets.build(ListLines(lines), batch=2)
    assert list(facets.levels) == [3] * 6
    assert {facets.logger_names[n] for n in facets.loggers} == {"app"}
