"""The live feed with its real threads, while a multi-MB app log is being indexed.

A viewer here does what the explorer's UI does with the feed (``ShownSession``):
watch a session, read its snapshot once the watch is applied, and join every batch
to it. Whatever the files go through (appends, torn lines, rotation, copytruncate,
delete and recreate, a second app log, a new session file, JSONL appends), the
lines shown must equal a naive reading of the files: each line once, in order.
Every wait has a hard time-out; nothing sleeps to synchronise.
"""

from __future__ import annotations

import heapq
import json
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from session_explorer.core.applog import blockio
from session_explorer.core.applog import index as index_module
from session_explorer.core.applog import records as applog
from session_explorer.core.live.feed import LiveBatch, LiveFeed
from session_explorer.core.models import Interaction
from session_explorer.core.reading import sources
from session_explorer.core.session.catalog import Catalog
from session_explorer.core.session.layout import discover
from session_explorer.ui.controllers.live import ShownSession

S = "20251105_235900"  # the session watched: the newest, at the end of the log
TIMEOUT = 20.0


def record(sid: str, n: int, message: str, level: str = "INFO") -> bytes:
    """A record at second ``n`` of the hour (the watched session's hour is the last)."""
    hour = 23 if sid == S else 22
    stamp = f"2025-11-05 {hour}:{n // 60 % 60:02d}:{n % 60:02d},000"
    return f"[{sid}] - {stamp} - app.worker - {level} - {message}\n".encode()


def big_log(path: Path, megabytes: int = 3) -> None:
    """Many interleaved sessions, then the watched one; tracebacks now and then."""
    with open(path, "wb") as fh:
        n, size = 0, 0
        while size < megabytes << 20:
            sid = f"20251105_2310{n // 5000 % 60:02d}"
            chunk = record(sid, n, f"step {n} " + "x" * 80)
            if n % 97 == 0:
                chunk += b"Traceback (most recent call last):\n  File \"a.py\", line 1\nValueError: no\n"
            fh.write(chunk)
            size += len(chunk)
            n += 1
        for i in range(50):
            fh.write(record(S, i, f"watched {i}"))


def interaction_line(number: int, text: str) -> bytes:
    body = {"timestamp": f"2025-11-05T23:59:{number % 60:02d}", "session_id": S, "interaction_id": number,
            "provider": "openai", "model": "gpt-4o-mini",
            "request": {"messages": [{"role": "user", "content": text}]},
            "response": {"choices": [{"message": {"role": "assistant", "content": "ok"}}]}}
    return json.dumps(body).encode() + b"\n"


def expected_lines(logs: Path, sid: str) -> list[bytes]:
    """A naive reading: every line of ``sid`` in every app log (rotations first),
    merged in time order as the explorer shows several logs."""
    streams: list[list[tuple[str, bytes]]] = []
    for name in ("app.log", "worker.log"):
        paths = [*sorted(logs.glob(name + ".*"), reverse=True), logs / name]
        data = b"".join(p.read_bytes() for p in paths if p.exists())
        found, stamp = [], ""
        for _offset, content, _ending, owner, head in applog.attribute_lines(data):
            if head is not None and head.timestamp is not None:
                stamp = head.timestamp.isoformat()
            if owner == sid:
                found.append((stamp, content))
        if found:
            streams.append(found)
    keyed = [[(stamp, i, k, content) for k, (stamp, content) in enumerate(stream)]
             for i, stream in enumerate(streams)]
    return [content for *_, content in heapq.merge(*keyed)]


class Viewer:
    """What the UI does with the feed (see module docstring), in the test thread."""

    def __init__(self, catalog: Catalog, session: str) -> None:
        self.catalog = catalog
        self.session = session
        self.batches: queue.Queue[LiveBatch] = queue.Queue()
        self.feed = LiveFeed(catalog, self.batches.put)
        self.shown = ShownSession()
        self.interactions: list[Interaction] = []
        self.reads = 0

    def open(self) -> None:
        token = self.feed.watch(self.session)
        self.shown.begin(self.session, token)
        assert self.feed.wait_applied(token, TIMEOUT)
        read = self.catalog.read_session(self.session)
        self.reads += 1
        self.source, interactions, _pending, stale = self.shown.loaded_read(read)
        self.interactions = interactions
        if stale:
            self.open()

    def lines(self) -> list[bytes]:
        return [line.raw for line in self.source.read(0, len(self.source))]

    def pump_until(self, done: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not done():
            left = deadline - time.monotonic()
            assert left > 0, f"{what}: not reached; shown {len(self.lines())} lines; {done!r}"
            try:
                batch = self.batches.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            joined = self.shown.take(batch)
            self.feed.ack()
            if batch.progress is not None and batch.progress.complete and self.source.partial:
                self.open()  # the index is complete: exact lines now
            elif joined is not None and joined.reload:
                self.open()
            elif joined is not None:
                self.interactions.extend(joined.interactions)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Holds the index build before its first segment until set."""
    opened = threading.Event()
    real = blockio.scan_segment

    def gated(*args, **kwargs):  # type: ignore[no-untyped-def]  # a stand-in for the patched function
        assert opened.wait(TIMEOUT), "the build was never let go"
        return real(*args, **kwargs)

    monkeypatch.setattr(blockio, "scan_segment", gated)
    yield opened
    opened.set()


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    directory = tmp_path / "logs"
    (directory / "llm_interactions").mkdir(parents=True)
    big_log(directory / "app.log")
    (directory / "llm_interactions" / f"session_{S}.jsonl").write_bytes(interaction_line(1, "hello"))
    return directory


@pytest.fixture
def viewer(logs: Path, gate: threading.Event) -> Iterator[Viewer]:
    catalog = Catalog(discover(logs))
    catalog.open(background=False)
    viewer = Viewer(catalog, S)
    viewer.feed.start()
    catalog.start_background()  # held by the gate: the build is under way
    viewer.open()
    yield viewer
    gate.set()
    viewer.feed.stop()
    catalog.close()


def append(path: Path, data: bytes) -> None:
    with open(path, "ab") as fh:
        fh.write(data)


class shows_all:  # a predicate
    """The viewer shows what the files hold now (read once, when asked)."""

    def __init__(self, viewer: Viewer, logs: Path) -> None:
        self.viewer = viewer
        self.expected = expected_lines(logs, S)

    def __call__(self) -> bool:
        return self.viewer.lines() == self.expected

    def __repr__(self) -> str:
        return f"expected ...{self.expected[-4:]}, shown ...{self.viewer.lines()[-4:]}"


def test_appends_during_and_after_the_index(viewer: Viewer, logs: Path, gate: threading.Event) -> None:
    assert not viewer.catalog.progress().complete
    assert viewer.lines() == expected_lines(logs, S)
    for i in range(5):  # while the index is held
        append(logs / "app.log", record(S, 100 + i, f"live {i}") + record("20251105_231000", i, "other"))
        viewer.pump_until(shows_all(viewer, logs), f"append {i} during the build")
    append(logs / "app.log", record(S, 110, "failed", "ERROR") + b"Traceback (most recent call last):\n  boom\n")
    viewer.pump_until(shows_all(viewer, logs), "a traceback during the build")
    gate.set()
    viewer.pump_until(lambda: viewer.catalog.progress().complete and not viewer.source.partial, "the index")
    assert viewer.lines() == expected_lines(logs, S)
    for i in range(5):
        append(logs / "app.log", record(S, 120 + i, f"after {i}"))
        viewer.pump_until(shows_all(viewer, logs), f"append {i} after the build")
    assert viewer.lines() == expected_lines(logs, S)


def test_a_burst_arrives_whole_and_in_order(viewer: Viewer, logs: Path, gate: threading.Event) -> None:
    gate.set()
    append(logs / "app.log", b"".join(record(S, i, f"burst {i}") for i in range(2000)))
    viewer.pump_until(shows_all(viewer, logs), "a burst of 2,000 lines")
    burst = [line for line in viewer.lines() if b"burst" in line]
    assert burst == [record(S, i, f"burst {i}").rstrip(b"\n") for i in range(2000)]


def test_a_torn_line_waits_for_its_end(viewer: Viewer, logs: Path) -> None:
    line = record(S, 130, "torn in two")
    append(logs / "app.log", line[:25])
    append(logs / "app.log", record(S, 131, "x")[:0])  # nothing: a poll sees the torn part only
    viewer.pump_until(lambda: viewer.feed.polls >= 3, "polls over the torn line")
    assert not any(b"torn" in raw for raw in viewer.lines())
    append(logs / "app.log", line[25:])
    viewer.pump_until(shows_all(viewer, logs), "the completed line")
    assert viewer.lines().count(line.rstrip(b"\n")) == 1


@pytest.mark.parametrize("how", ["rotation", "copytruncate", "delete-recreate"])
def test_the_log_starting_over(viewer: Viewer, logs: Path, gate: threading.Event, how: str) -> None:
    gate.set()
    viewer.pump_until(lambda: viewer.catalog.progress().complete and not viewer.source.partial, "the index")
    log = logs / "app.log"
    append(log, record(S, 140, "before " + how))
    viewer.pump_until(shows_all(viewer, logs), "before")
    if how == "rotation":
        os.rename(log, logs / "app.log.1")
        log.write_bytes(record(S, 141, "first of the new file"))
    elif how == "copytruncate":
        (logs / "app.log.1").write_bytes(log.read_bytes())
        with open(log, "r+b") as fh:
            fh.truncate(0)
        append(log, record(S, 141, "first after truncation"))
    else:
        log.unlink()
        viewer.pump_until(lambda: viewer.feed.polls >= 2, "a poll of the missing file")
        log.write_bytes(record(S, 141, "first of the recreated file"))
    viewer.pump_until(shows_all(viewer, logs), f"after {how}")
    append(log, record(S, 142, "and one more"))
    viewer.pump_until(shows_all(viewer, logs), f"appends after {how}")


def test_a_second_app_log_merges_live(viewer: Viewer, logs: Path, gate: threading.Event) -> None:
    worker = logs / "worker.log"
    worker.write_bytes(record(S, 60, "worker started"))
    viewer.pump_until(lambda: any(b"worker started" in raw for raw in viewer.lines()) or viewer.reads > 1,
                      "the new app log")
    viewer.open()  # a view opened now reads both logs
    assert viewer.lines() == expected_lines(logs, S)
    for i in range(3):  # written in time order, as two processes logging would
        append(worker, record(S, 150 + 2 * i, f"worker {i}"))
        append(logs / "app.log", record(S, 151 + 2 * i, f"api {i}"))
        viewer.pump_until(shows_all(viewer, logs), f"both logs, round {i}")
    gate.set()
    viewer.pump_until(lambda: viewer.catalog.progress().complete and not viewer.source.partial, "the index")
    append(worker, record(S, 160, "worker after the index"))
    viewer.pump_until(shows_all(viewer, logs), "the second log after the index")


def test_interactions_arrive_once_in_order(viewer: Viewer, logs: Path, gate: threading.Event) -> None:
    path = logs / "llm_interactions" / f"session_{S}.jsonl"
    assert [i.number for i in viewer.interactions] == [1]
    append(path, interaction_line(2, "second"))
    viewer.pump_until(lambda: len(viewer.interactions) == 2, "an interaction during the build")
    line = interaction_line(3, "third")
    append(path, line[:30])
    viewer.pump_until(lambda: viewer.feed.polls >= 3, "polls over the torn interaction")
    assert len(viewer.interactions) == 2
    append(path, line[30:])
    gate.set()
    viewer.pump_until(lambda: len(viewer.interactions) == 3, "the completed interaction")
    for n in range(4, 9):
        append(path, interaction_line(n, f"more {n}"))
    viewer.pump_until(lambda: len(viewer.interactions) == 8, "five more")
    assert [i.number for i in viewer.interactions] == list(range(1, 9))


def test_a_new_session_file_is_followed(logs: Path, gate: threading.Event) -> None:
    new = "20251106_000100"
    catalog = Catalog(discover(logs))
    catalog.open(background=False)
    viewer = Viewer(catalog, new)
    viewer.feed.start()
    try:
        catalog.start_background()
        viewer.open()
        assert viewer.interactions == []
        path = logs / "llm_interactions" / f"session_{new}.jsonl"
        path.write_bytes(interaction_line(1, "first"))
        viewer.pump_until(lambda: len(viewer.interactions) == 1, "the new file's first line")
        append(path, interaction_line(2, "second"))
        viewer.pump_until(lambda: len(viewer.interactions) == 2, "its second line")
        assert [i.number for i in viewer.interactions] == [1, 2]
    finally:
        gate.set()
        viewer.feed.stop()
        catalog.close()


def test_a_line_read_before_the_view_asked_is_in_its_snapshot(logs: Path, gate: threading.Event) -> None:
    """A line the feed read before the session was watched (so not handed to the
    view) is in the snapshot the view reads next: nothing falls in between."""
    catalog = Catalog(discover(logs))
    catalog.open(background=False)
    viewer = Viewer(catalog, S)
    viewer.feed.start()
    try:
        catalog.start_background()  # held by the gate: the index is being built
        append(logs / "app.log", record(S, 200, "written before anyone watched"))
        size = (logs / "app.log").stat().st_size
        follower = catalog.sources[0].follower
        assert follower is not None
        deadline = time.monotonic() + TIMEOUT
        while follower.offset < size:  # the feed has read it, for nobody
            assert time.monotonic() < deadline, "the feed never read the line"
            time.sleep(0.005)
        viewer.open()
        assert viewer.lines() == expected_lines(logs, S)
        assert viewer.lines()[-1].endswith(b"written before anyone watched")
    finally:
        gate.set()
        viewer.feed.stop()
        catalog.close()


def test_the_index_completing_reaches_the_view_without_a_file_event(
        viewer: Viewer, gate: threading.Event, monkeypatch: pytest.MonkeyPatch) -> None:
    """No file changes when the index completes: the build wakes the feed itself
    (with file-system events the feed would otherwise sleep until the next one)."""
    from session_explorer.core.live import wakeup

    monkeypatch.setattr(wakeup, "EVENTS_TIMEOUT", 3600.0)
    monkeypatch.setattr(wakeup, "POLL_INTERVAL", 3600.0)
    while True:  # take every batch until the feed sleeps (nothing for a second)
        viewer.feed.ack()
        try:
            viewer.batches.get(timeout=1.0)
        except queue.Empty:
            break
    seen: list[LiveBatch] = []
    gate.set()
    deadline = time.monotonic() + TIMEOUT
    while not any(b.progress is not None and b.progress.complete for b in seen):
        assert time.monotonic() < deadline, "the completed index was never reported"
        try:
            seen.append(viewer.batches.get(timeout=0.5))
        except queue.Empty:
            continue
        viewer.feed.ack()


def test_a_preview_that_stops_short_takes_live_lines_at_once(
        logs: Path, gate: threading.Event, monkeypatch: pytest.MonkeyPatch) -> None:
    """A session with more lines than a preview holds, watched while the index is
    held: a line appended meanwhile is shown at once after the preview's lines (not
    when the index completes), and once it completes every line is shown, in order."""
    monkeypatch.setattr(sources, "SESSION_PREVIEW_LINES", 10)
    catalog = Catalog(discover(logs))
    catalog.open(background=False)
    viewer = Viewer(catalog, S)
    viewer.feed.start()
    catalog.start_background()
    try:
        viewer.open()
        preview = viewer.lines()
        assert preview == expected_lines(logs, S)[:10] and viewer.source.partial
        append(logs / "app.log", record(S, 200, "live while held"))
        viewer.pump_until(lambda: viewer.lines()[-1:] == [record(S, 200, "live while held").rstrip(b"\n")],
                          "a line joining the preview")
        assert viewer.lines() == [*preview, record(S, 200, "live while held").rstrip(b"\n")]
        assert not catalog.progress().complete
        gate.set()
        viewer.pump_until(lambda: catalog.progress().complete and not viewer.source.partial, "the index")
        assert viewer.lines() == expected_lines(logs, S)
    finally:
        gate.set()
        viewer.feed.stop()
        catalog.close()


def test_a_session_the_preview_cannot_reach_is_read_again_with_the_index(
        tmp_path: Path, gate: threading.Event, monkeypatch: pytest.MonkeyPatch) -> None:
    """A session whose first record the scan ahead does not find within its budget
    (an id that is not a time gives no hint where to start): the view is empty but
    partial, takes appended lines at once, and shows every line once the index
    completes."""
    monkeypatch.setattr(index_module, "SCAN_AHEAD_BUDGET", 1)  # one chunk, then give up
    logs = tmp_path / "logs"
    (logs / "llm_interactions").mkdir(parents=True)
    big_log(logs / "app.log", megabytes=10)  # more than one scan chunk (4 MiB)
    with open(logs / "app.log", "ab") as fh:
        for i in range(5):
            fh.write(record("custom_s", i, f"custom {i}"))
    catalog = Catalog(discover(logs))
    catalog.open(background=False)
    viewer = Viewer(catalog, "custom_s")
    viewer.feed.start()
    catalog.start_background()
    try:
        viewer.open()
        assert viewer.lines() == [] and viewer.source.partial
        append(logs / "app.log", record("custom_s", 100, "live while held"))
        viewer.pump_until(lambda: viewer.lines() == [record("custom_s", 100, "live while held").rstrip(b"\n")],
                          "a line joining the empty preview")
        gate.set()
        viewer.pump_until(lambda: catalog.progress().complete and not viewer.source.partial, "the index")
        assert viewer.lines() == expected_lines(logs, "custom_s")
        assert len(viewer.lines()) == 6
    finally:
        gate.set()
        viewer.feed.stop()
        catalog.close()


def test_the_index_is_complete_only_once_the_bytes_appended_during_it_are_in(
        logs: Path, gate: threading.Event) -> None:
    """Bytes appended while the index is built wait for the feed's next poll after
    the build. Until then the catalog does not call the index complete: a view read
    "after the index" would otherwise miss lines the feed had already handed over."""
    catalog = Catalog(discover(logs))
    catalog.open(background=False)
    catalog.start_background()
    try:
        source = catalog.sources[0]
        assert source.index is not None
        append(logs / "app.log", record(S, 300, "during the build"))
        catalog.poll(S, showing=True)  # read now, indexed once the build ends
        gate.set()
        assert source.index.wait(TIMEOUT)
        assert not catalog.progress().complete
        catalog.poll(S, showing=True)
        assert catalog.progress().complete
        assert source.index.session_line_count(S) == len(expected_lines(logs, S))
    finally:
        gate.set()
        catalog.close()
