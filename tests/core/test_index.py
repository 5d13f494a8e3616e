"""The block index against a naive line-by-line reading, on generated and hostile logs."""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from session_explorer.core.applog.blocks import IndexProgress, IndexStale
from session_explorer.core.applog.index import LogIndex
from session_explorer.core.applog.merge import merge_by_time, merge_lazily
from session_explorer.core.applog.records import parse_head
from session_explorer.core.applog.rotations import discover_rotations
from session_explorer.core.models import IN_PROGRESS

#: The level rule, written out here apart from the core's (case-insensitive).
NAIVE_WARNINGS = {"WARNING", "WARN"}
NAIVE_ERRORS = {"ERROR", "CRITICAL", "FATAL", "SEVERE", "CRIT", "ALERT", "EMERG", "EMERGENCY", "EXCEPTION"}

BLOCK = 4096
ROOT = Path(__file__).resolve().parents[2]


def _gen_module():
    spec = importlib.util.spec_from_file_location("gen_logs", ROOT / "bench" / "gen_logs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_logs", module)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


class Naive:
    """The obvious reading: every line, in order, attributed to the last record's session."""

    def __init__(self, paths: list[Path]) -> None:
        self.lines: list[tuple[int, bytes, str, bool]] = []  # offset, raw line, session, head
        self.stats: dict[str, list] = {}
        owner, base = IN_PROGRESS, 0
        for path in paths:
            data = path.read_bytes()
            pos = 0
            while pos < len(data):
                end = data.find(b"\n", pos)
                end = len(data) if end < 0 else end + 1
                line = data[pos:end]
                head = parse_head(line)
                owner = head.session_id if head else owner
                st = self.stats.setdefault(owner, [0, 0, 0, 0, None, None])
                st[0] += 1
                if head:
                    st[1] += 1
                    st[2] += head.level.upper() in NAIVE_WARNINGS
                    st[3] += head.level.upper() in NAIVE_ERRORS
                    st[4] = st[4] or head.timestamp
                    st[5] = head.timestamp
                self.lines.append((base + pos, line, owner, head is not None))
                pos = end
            base += len(data)

    def session(self, sid: str) -> list[tuple[int, bytes, str, bool]]:
        return [line for line in self.lines if line[2] == sid]


def check(index: LogIndex, naive: Naive, sample: int | None = None) -> None:
    assert index.complete
    assert index.line_count == len(naive.lines)
    stats = index.session_stats()
    assert set(stats) == set(naive.stats)
    for sid, st in naive.stats.items():
        got = stats[sid]
        assert (got.lines, got.records, got.warnings, got.errors) == tuple(st[:4]), sid
        first_ts = next((parse_head(ln[1]).timestamp for ln in naive.session(sid) if ln[3]), None)
        assert got.first_ts == first_ts, sid
    sids = sorted(naive.stats)
    for sid in sids[:sample] if sample else sids:
        expected = naive.session(sid)
        assert list(index.session_line_offsets(sid)) == [ln[0] for ln in expected], sid
        lines = index.session_lines(sid, 0, len(expected))
        assert [ln.raw + ln.ending for ln in lines] == [ln[1] for ln in expected], sid
        assert all(line.session_id == sid for line in lines)
        numbers = [n for n, ln in enumerate(naive.lines) if ln[2] == sid]
        assert [ln.line_number for ln in lines] == numbers
        for line in lines:
            if line.head is not None:
                assert line.record_head is None
            elif line.record_head is not None:
                assert line.record_head.session_id == sid
            else:
                assert sid == IN_PROGRESS  # lines before the first record


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen")
    return _gen_module().generate(out, 400_000, sessions=40, seed=3, concurrency=6)


def test_generated_log_matches_naive(generated: Path) -> None:
    with LogIndex([generated], "app", block_size=BLOCK, segment_size=BLOCK * 8, workers=0) as index:
        index.build()
        naive = Naive([generated])
        check(index, naive)
        assert index.session_stats()[next(iter(naive.stats))].last_ts == naive.stats[next(iter(naive.stats))][5]


def test_generated_log_with_worker_processes(generated: Path) -> None:
    with LogIndex([generated], "app", block_size=BLOCK * 4, segment_size=BLOCK * 64, workers=2) as index:
        index.build()
        check(index, Naive([generated]), sample=5)


HOSTILE = [
    b"boot before any record\n[1, 2, 3]\n",
    b"[a] - 2025-11-05 14:30:52,123 - m - INFO - crlf line\r\n",
    b"[b] - WARNING - simple\n",
    b"Traceback (most recent call last):\n  File \"x\", line 1\n",
    b"[note] - text\n",
    b"[a] - 2025-11-05 14:30:53 - my app - ERROR - spaced \xff\xfe \x00 \x1b[31m[bold]\n",
    b'{"timestamp": "2025-11-05T14:30:54", "session_id": "j", "logger": "l", "level": "CRITICAL", "message": "m"}\n',
    b"json continuation\n",
    b"[\xc3\xa9t\xc3\xa9] - TRACE - unicode id\n",
    b"[bad\xff] - INFO - invalid utf8 id\n",
    b"x" * 20000 + b"\n",
    b"[c] - 2025-11-05 14:30:55,000 - m - WARN - w\n",
    b"[unclosed\n",
    b"[c] - 2025-11-05 14:30:56,000 - m - FATAL - f\n",
]


@pytest.mark.parametrize("repeat", [1, 40])
def test_hostile_file_matches_naive(tmp_path: Path, repeat: int) -> None:
    path = tmp_path / "app.log"
    path.write_bytes(b"".join(HOSTILE) * repeat)
    with LogIndex([path], "app", block_size=256, workers=0) as index:
        index.build()
        check(index, Naive([path]))


def test_rotations_are_read_in_order(tmp_path: Path) -> None:
    for name, sid in [("app.log.2", "old"), ("app.log.1", "mid"), ("app.log", "new"), ("app.log.3.gz", "gz")]:
        (tmp_path / name).write_bytes(f"[{sid}] - INFO - x\ncont of {sid}\n".encode())
    skipped: list[Path] = []
    paths = discover_rotations(tmp_path / "app.log", skipped)
    assert [p.name for p in paths] == ["app.log.2", "app.log.1", "app.log"]
    assert [p.name for p in skipped] == ["app.log.3.gz"]
    with LogIndex(paths, "app", block_size=BLOCK, workers=0) as index:
        index.build()
        check(index, Naive(paths))
        assert [ln.session_id for ln in index.read_lines(0, 6)] == ["old", "old", "mid", "mid", "new", "new"]


def test_timed_rotations(tmp_path: Path) -> None:
    for name in ["app.log.2025-11-05", "app.log.2025-11-04", "app.log", "app.log.2025-11-04_10-00-00"]:
        (tmp_path / name).write_text("x\n")
    names = [p.name for p in discover_rotations(tmp_path / "app.log")]
    assert names == ["app.log.2025-11-04", "app.log.2025-11-04_10-00-00", "app.log.2025-11-05", "app.log"]


def test_read_lines_any_position(generated: Path) -> None:
    naive = Naive([generated])
    with LogIndex([generated], "app", block_size=BLOCK, workers=0) as index:
        index.build()
        for start in (0, 1, 77, len(naive.lines) // 2, len(naive.lines) - 3):
            got = index.read_lines(start, start + 5)
            want = naive.lines[start:start + 5]
            assert [ln.raw + ln.ending for ln in got] == [w[1] for w in want]
            assert [ln.session_id for ln in got] == [w[2] for w in want]
            assert [ln.line_number for ln in got] == list(range(start, start + len(want)))
            assert [ln.offset for ln in got] == [w[0] for w in want]


def test_tail_lines_before_index(generated: Path) -> None:
    naive = Naive([generated])
    with LogIndex([generated], "app", block_size=BLOCK, workers=0) as index:
        tail = index.tail_lines(7)
        assert [ln.raw + ln.ending for ln in tail] == [w[1] for w in naive.lines[-7:]]
        assert [ln.session_id for ln in tail] == [w[2] for w in naive.lines[-7:]]
        index.build()
        assert [ln.line_number for ln in index.tail_lines(2)] == [len(naive.lines) - 2, len(naive.lines) - 1]


def test_session_page_before_index(generated: Path) -> None:
    naive = Naive([generated])
    sid = sorted(naive.stats, key=lambda s: naive.session(s)[0][0])[-3]  # a late session
    want = [ln[1] for ln in naive.session(sid)[:20]]
    with LogIndex([generated], "app", block_size=BLOCK, workers=0) as index:
        page = index.session_page(sid, 0, 20)
        assert not page.exact
        assert [ln.raw + ln.ending for ln in page.lines] == want
        assert all(ln.line_number == -1 for ln in page.lines)
        index.build()
        page = index.session_page(sid, 0, 20)
        assert page.exact and [ln.raw + ln.ending for ln in page.lines] == want


def test_extend_after_append_and_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    path.write_bytes(b"[a] - INFO - one\n[b] - INFO - two\npartial")
    with LogIndex([path], "app", block_size=64, workers=0) as index:
        index.build()
        assert index.line_count == 2
        with open(path, "ab") as fh:
            fh.write(b" line of b\n[a] - ERROR - three\n" + b"[c] - INFO - x\ncont\n" * 10 + b"[d] - INFO")
        added = index.extend()
        assert added == 2 + 20
        check(index, Naive_without_torn(path))
        assert index.session_stats()["a"].errors == 1
        with open(path, "ab") as fh:
            fh.write(b" - done\n")
        assert index.extend() == 1
        check(index, Naive([path]))
        with open(path, "r+b") as fh:
            fh.truncate(10)
        with pytest.raises(IndexStale):
            index.extend()
        index.reset()
        index.build()
        assert index.line_count == 0


def Naive_without_torn(path: Path) -> Naive:
    data = path.read_bytes()
    clean = path.with_suffix(".clean")
    clean.write_bytes(data[:data.rfind(b"\n") + 1])
    naive = Naive([clean])
    clean.unlink()
    return naive


def test_cancel_and_progress(generated: Path) -> None:
    reports: list[IndexProgress] = []
    with LogIndex([generated], "app", block_size=BLOCK, segment_size=BLOCK, workers=0) as index:
        index.add_listener(reports.append)
        cancel = threading.Event()
        cancel.set()
        assert index.build(cancel) is False
        assert not index.complete
        index.start()
        assert index.wait(30)
        assert reports[-1].complete and reports[-1].bytes_done == reports[-1].bytes_total
        assert index.progress == (os.path.getsize(generated), os.path.getsize(generated))
        seen = Counter(s for r in reports for s in r.new_sessions)
        assert set(seen) == set(index.sessions()) and max(seen.values()) == 1


def test_threaded_reads_during_build(generated: Path) -> None:
    with LogIndex([generated], "app", block_size=BLOCK, segment_size=BLOCK * 2, workers=0) as index:
        index.start()
        while not index.complete:
            n = index.line_count
            if n:
                assert len(index.read_lines(max(0, n - 3), n)) == min(3, n)
        index.wait()


def test_merge_by_time(tmp_path: Path) -> None:
    a, b = tmp_path / "api.log", tmp_path / "worker.log"
    a.write_bytes(b"[s] - 2025-11-05 10:00:00,000 - m - INFO - a1\ntrace\n"
                  b"[s] - 2025-11-05 10:00:02,000 - m - INFO - a2\n")
    b.write_bytes(b"[s] - 2025-11-05 10:00:01,000 - m - INFO - b1\n")
    with LogIndex([a], "api", workers=0) as ia, LogIndex([b], "worker", workers=0) as ib:
        ia.build()
        ib.build()
        merged = list(merge_by_time([ia.session_lines("s", 0, 10), ib.session_lines("s", 0, 10)]))
        assert [(ln.source, ln.raw[-2:]) for ln in merged] == [
            ("api", b"a1"), ("api", b"ce"), ("worker", b"b1"), ("api", b"a2")]


def test_parallel_build_with_many_segments(generated: Path) -> None:
    """More segments than are in flight: the first is scanned in the build thread while
    the workers start, the others by the workers, all merged in order."""
    naive = Naive([generated])
    with LogIndex([generated], "app", block_size=BLOCK, segment_size=BLOCK * 4, workers=2) as index:
        reports: list[IndexProgress] = []
        index.add_listener(reports.append)
        assert index.build()
        check(index, naive, sample=3)
        stats = index.session_stats()
        for sid, st in naive.stats.items():
            assert stats[sid].last_ts == st[5], sid
        assert reports[-1].complete


def test_cancel_parallel_build(generated: Path) -> None:
    with LogIndex([generated], "app", block_size=BLOCK, segment_size=BLOCK, workers=2) as index:
        seen: list[IndexProgress] = []
        index.add_listener(seen.append)
        index.start()
        while not seen and index.wait(0.01) is False:
            pass  # until the first segment is in
        started = time.monotonic()
        index.cancel()
        assert time.monotonic() - started < 5  # workers stop without finishing the queue
        index.reset()
        index.build()
        check(index, Naive([generated]), sample=2)


def test_last_record_times_match_naive(generated: Path) -> None:
    naive = Naive([generated])
    with LogIndex([generated], "app", block_size=BLOCK, segment_size=BLOCK * 3, workers=0) as index:
        index.build()
        stats = index.session_stats()
        for sid, st in naive.stats.items():
            assert stats[sid].last_ts == st[5], sid  # the time of the session's last record


def test_live_position(tmp_path: Path) -> None:
    old, live = tmp_path / "app.log.1", tmp_path / "app.log"
    old.write_bytes(b"[a] - INFO - old\n")
    live.write_bytes(b"[a] - INFO - one\n[b] - INFO - torn")
    with LogIndex([old, live], "app", workers=0) as index:
        assert index.live_position() == (17, os.stat(live).st_ino)
        with open(live, "ab") as fh:
            fh.write(b" line\n")
        index.build()
        assert index.live_position() == (17, os.stat(live).st_ino)  # the size seen at open
        index.extend()
        assert index.live_position() == (os.path.getsize(live), os.stat(live).st_ino)


def test_a_live_session_stays_exact_while_it_grows(tmp_path) -> None:
    """Appends rescan the small last block; the session's cached offsets follow."""
    from tests.hostile import rec
    from tests.reference import naive_sessions

    log = tmp_path / "app.log"
    log.write_bytes(b"".join(rec(f"s{i % 3}", i % 60, "INFO", f"line {i}") for i in range(400)))
    with LogIndex([log], "app.log", block_size=4096, workers=0) as index:
        index.build()
        for round_ in range(6):
            for sid in ("s0", "s1"):
                count = index.session_line_count(sid)
                lines = index.session_lines(sid, 0, count)
                expected = naive_sessions([log])[sid].lines
                assert [ln.raw + ln.ending for ln in lines] == expected, (round_, sid)
            with open(log, "ab") as fh:
                for k in range(7):
                    fh.write(rec("s0" if k % 2 else "s1", k, "WARNING", f"append {round_}.{k}"))
            assert index.extend() == 7


def test_session_preview_joins_indexed_and_scanned_lines(generated: Path, tmp_path: Path) -> None:
    """A session that the index holds in part: its indexed lines, then those scanned
    ahead, each once and in order, read as the view reads them (pages, any order)."""
    data = generated.read_bytes()
    half = data.index(b"\n", len(data) // 2) + 1
    path = tmp_path / "app.log"
    path.write_bytes(data[:half])
    with LogIndex([path], "app", block_size=BLOCK, workers=0) as index:
        index.build()
        with path.open("ab") as f:
            f.write(data[half:])  # not indexed: found by the scan ahead
        naive = Naive([path])
        across = [sid for sid in naive.stats
                  if naive.session(sid)[0][0] < half <= naive.session(sid)[-1][0]]
        assert across
        for sid in across:
            want = naive.session(sid)
            lines, stopped, complete = index.session_preview(sid, 10 ** 6)
            assert (stopped, complete) == (len(data), True)
            assert len(lines) == len(want)
            tail = lines[len(lines) - 7:]  # a page from the end first, as a view in follow mode
            assert [ln.raw + ln.ending for ln in tail] == [ln[1] for ln in want[-7:]]
            assert [ln.offset for ln in lines[:]] == [ln[0] for ln in want]
            assert [ln.raw + ln.ending for ln in lines[:]] == [ln[1] for ln in want]
            assert all(ln.session_id == sid for ln in lines[:])
            assert all((ln.head is not None) == w[3] for ln, w in zip(lines[:], want, strict=True))


def test_merge_lazily_is_merge_by_time(tmp_path: Path) -> None:
    """A session in two logs, previewed before either is indexed: the lazy merge
    orders its lines as merge_by_time does (records without a time, continuation
    lines and lines before the session's first record included)."""
    a = tmp_path / "api.log"
    b = tmp_path / "worker.log"
    a.write_bytes(b"".join([
        b"[s] - 2025-11-05 14:30:01,000 - api - INFO - a1\n", b"  cont a1\n",
        b"[t] - 2025-11-05 14:30:02,000 - api - INFO - other\n",
        b"[s] - INFO - simple, no time\n",
        b"[s] - 2025-11-05 14:30:05,500 - api - ERROR - a3\n", b"Traceback\n", b"  File x\n",
        b"[s] - 2025-11-05 14:30:09 - api - INFO - a4 no millis\n",
    ]))
    b.write_bytes(b"".join([
        b"[s] - 2025-11-05 14:30:00,000 - worker - INFO - b0\n",
        b"[s] - 2025-11-05 14:30:05,500 - worker - INFO - b1 same time as a3\n", b"  cont b1\n",
        b"[s] - 2025-11-05 14:30:07,000 - worker - WARNING - b2\n",
        b"[s] - 2025-11-05 14:30:10,000 - worker - INFO - b3\n",
    ]))
    with LogIndex([a], "api", block_size=BLOCK, workers=0) as ia, \
            LogIndex([b], "worker", block_size=BLOCK, workers=0) as ib:
        parts = [ia.session_preview("s", 1000)[0], ib.session_preview("s", 1000)[0]]
        lazily = merge_lazily(parts)
        assert lazily is not None
        want = list(merge_by_time([p[:] for p in parts]))
        assert [(ln.source, ln.offset) for ln in lazily[:]] == [(ln.source, ln.offset) for ln in want]
        assert [(ln.source, ln.offset) for ln in (lazily[i] for i in range(len(lazily)))] == \
            [(ln.source, ln.offset) for ln in want]
        assert merge_lazily([parts[0], want]) is None  # a list cannot say its times
