"""The tail against each file fault, in tmp_path, with hard deadlines (never hangs)."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from session_explorer.core.live.directory import DirectoryWatcher
from session_explorer.core.live.events import (
    Appended,
    Created,
    Error,
    NewFile,
    RemovedFile,
    Rotated,
    TailEvent,
    Truncated,
)
from session_explorer.core.live.follower import FileFollower

DEADLINE = 3.0  # seconds: no test waits longer than this for anything


# --------------------------------------------------------------------------- helpers


class Delivered:
    """Collects events and checks the tail's contract on the fly: per (path,
    generation) the Appended ranges are contiguous and match their data, complete
    lines end with a newline, and generations only go up."""

    def __init__(self) -> None:
        self.events: list[TailEvent] = []
        self.data: dict[tuple[str, int], bytearray] = {}
        self.first_start: dict[tuple[str, int], int] = {}
        self._generation: dict[str, int] = {}

    def add(self, events: list[TailEvent]) -> list[TailEvent]:
        for event in events:
            self.events.append(event)
            if isinstance(event, Appended):
                self._check(event)
            elif isinstance(event, (Truncated, Rotated, Created)):
                assert event.generation >= self._generation.get(event.path, 0)
                self._generation[event.path] = event.generation
        return events

    def _check(self, event: Appended) -> None:
        key = (event.path, event.generation)
        assert event.generation >= self._generation.get(event.path, 0)
        self._generation[event.path] = event.generation
        assert event.end - event.start == len(event.data) > 0
        assert event.data.endswith(b"\n") != event.unterminated
        if key in self.data:
            assert event.start == self.first_start[key] + len(self.data[key]), "gap/overlap"
        else:
            self.first_start[key] = event.start
            self.data[key] = bytearray()
        self.data[key] += event.data

    def text(self, path: Path | str, generation: int = 0) -> bytes:
        return bytes(self.data.get((str(path), generation), b""))

    def kinds(self) -> list[str]:
        return [type(e).__name__ for e in self.events]


def poll_until(
    poll: Callable[[], list[TailEvent]],
    sink: Delivered,
    condition: Callable[[], bool],
    timeout: float = DEADLINE,
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        sink.add(poll())
        if condition():
            return
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s; events: {sink.kinds()}")
        time.sleep(0.002)


def append(path: Path, data: bytes) -> None:
    with open(path, "ab") as handle:
        handle.write(data)


def lines(start: int, stop: int, *, width: int = 0) -> bytes:
    return b"".join(f"line {i:05d} {'x' * width}\n".encode() for i in range(start, stop))


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "app.log"
    path.write_bytes(b"")
    return path


# --------------------------------------------------------------------------- appends


def test_appended_lines_are_delivered_exactly_once(log: Path) -> None:
    sink = Delivered()
    follower = FileFollower(log)
    assert sink.add(follower.poll()) == []
    append(log, lines(0, 3))
    append(log, lines(3, 5))
    sink.add(follower.poll())
    append(log, lines(5, 9))
    sink.add(follower.poll())
    assert sink.add(follower.poll()) == []  # nothing changed: nothing reported
    assert sink.text(log) == lines(0, 9)
    assert follower.offset == len(lines(0, 9))
    follower.close()


def test_torn_line_waits_for_its_newline_and_comes_once(log: Path) -> None:
    sink = Delivered()
    follower = FileFollower(log)
    append(log, b"first\nsecond half")
    sink.add(follower.poll())
    assert sink.text(log) == b"first\n"
    append(log, b" still torn")
    assert sink.add(follower.poll()) == []
    append(log, b" done\nthird\n")
    sink.add(follower.poll())
    assert sink.text(log) == b"first\nsecond half still torn done\nthird\n"
    follower.close()


def test_crlf_line_is_kept_byte_for_byte_even_when_torn_between_cr_and_lf(log: Path) -> None:
    sink = Delivered()
    follower = FileFollower(log)
    append(log, b"windows line\r")
    assert sink.add(follower.poll()) == []
    append(log, b"\nnext\r\n")
    sink.add(follower.poll())
    assert sink.text(log) == b"windows line\r\nnext\r\n"
    follower.close()


def test_ten_megabyte_line_is_one_line_and_reads_are_batched(log: Path) -> None:
    big = b"{" + b"a" * (10 * 1024 * 1024) + b"}\n"
    follower = FileFollower(log, max_read=4 * 1024 * 1024)
    sink = Delivered()
    append(log, big[: len(big) // 3])
    sink.add(follower.poll())
    append(log, big[len(big) // 3 :] + b"after\n")
    polls = 0
    while True:
        events = sink.add(follower.poll())
        polls += 1
        assert polls < 10
        if not follower.has_more:
            break
    appended = [e for e in sink.events if isinstance(e, Appended)]
    assert [e.data for e in appended] == [big + b"after\n"]
    assert polls >= 2 and events  # the budget split the reads, the line stayed whole
    follower.close()


def test_huge_append_is_read_in_bounded_batches(log: Path) -> None:
    data = lines(0, 40_000, width=40)  # ~2 MB
    append(log, data)
    follower = FileFollower(log, max_read=256 * 1024)
    sink = Delivered()
    for _ in range(100):
        events = sink.add(follower.poll())
        # a batch is the budget plus, at most, the torn line carried from the last one
        assert all(len(e.data) < 256 * 1024 + 60 for e in events if isinstance(e, Appended))
        if not follower.has_more:
            break
    assert sink.text(log) == data
    follower.close()


# --------------------------------------------------------------------------- truncation


def test_copytruncate_rereads_from_zero_without_repeating_old_lines(log: Path) -> None:
    sink = Delivered()
    follower = FileFollower(log)
    append(log, lines(0, 5) + b"torn")
    sink.add(follower.poll())
    shutil.copyfile(log, log.with_name("app.log.1"))  # logrotate copytruncate: copy...
    with open(log, "r+b") as handle:  # ...then truncate in place (the writer's job here)
        handle.truncate(0)
    append(log, lines(5, 7))
    sink.add(follower.poll())
    assert sink.kinds() == ["Appended", "Appended", "Truncated", "Appended"]
    assert sink.text(log, 0) == lines(0, 5) + b"torn"  # the torn line, flagged
    assert sink.events[1].unterminated  # type: ignore[union-attr]  # the event is Appended
    truncated = sink.events[2]
    assert isinstance(truncated, Truncated) and truncated.generation == 1
    assert sink.text(log, 1) == lines(5, 7)
    assert sink.first_start[(str(log), 1)] == 0
    follower.close()


def test_truncate_and_refill_past_our_offset_between_polls_is_noticed(log: Path) -> None:
    sink = Delivered()
    follower = FileFollower(log)
    append(log, lines(0, 2))
    sink.add(follower.poll())
    with open(log, "r+b") as handle:
        handle.truncate(0)
    append(log, lines(100, 110))  # bigger than before: size alone cannot tell
    sink.add(follower.poll())
    assert "Truncated" in sink.kinds()
    assert sink.text(log, 1) == lines(100, 110)
    follower.close()


def test_same_size_rewrite_is_noticed_by_mtime_and_content(log: Path) -> None:
    sink = Delivered()
    follower = FileFollower(log)
    append(log, b"aaaa\n")
    sink.add(follower.poll())
    time.sleep(0.01)  # let the coarse file-system clock move
    with open(log, "r+b") as handle:
        handle.truncate(0)
    append(log, b"bbbb\n")
    os.utime(log, ns=(time.time_ns(), time.time_ns() + 10**9))  # mtime surely moved
    sink.add(follower.poll())
    assert sink.text(log, 1) == b"bbbb\n"
    follower.close()


# --------------------------------------------------------------------------- rotation


def test_rename_rotation_drains_old_file_then_reads_new_from_zero(log: Path) -> None:
    sink = Delivered()
    follower = FileFollower(log)
    with open(log, "ab", buffering=0) as writer:
        writer.write(lines(0, 3))
        sink.add(follower.poll())
        os.replace(log, log.with_name("app.log.1"))
        writer.write(lines(3, 5))  # written to the old file after the rename, before a poll
    append(log, lines(5, 8))  # the new app.log
    sink.add(follower.poll())
    assert sink.kinds() == ["Appended", "Appended", "Rotated", "Appended"]
    rotated = sink.events[2]
    assert isinstance(rotated, Rotated) and rotated.generation == 1
    assert rotated.old_inode != rotated.new_inode == log.stat().st_ino
    assert sink.text(log, 0) == lines(0, 5)
    assert sink.text(log, 1) == lines(5, 8)
    follower.close()


def test_rotation_delivers_the_torn_last_line_of_the_old_file_flagged(log: Path) -> None:
    sink = Delivered()
    follower = FileFollower(log)
    append(log, b"done\nnever finished")
    sink.add(follower.poll())
    os.replace(log, log.with_name("app.log.1"))
    append(log, b"new\n")
    sink.add(follower.poll())
    last_old = [e for e in sink.events if isinstance(e, Appended) and e.generation == 0][-1]
    assert last_old.data == b"never finished" and last_old.unterminated
    assert sink.text(log, 1) == b"new\n"
    follower.close()


def test_timed_rotation_name_and_delayed_creation(log: Path) -> None:
    """Rename away, a poll while the name is missing, late writes to the old file,
    then the new file: Deleted, old remainder, Created, new file from zero."""
    sink = Delivered()
    follower = FileFollower(log)
    with open(log, "ab", buffering=0) as writer:
        writer.write(lines(0, 2))
        sink.add(follower.poll())
        os.replace(log, log.with_name("app.log.2025-11-04"))
        sink.add(follower.poll())
        assert sink.kinds()[-1] == "Deleted"
        writer.write(lines(2, 4))  # the application has not reopened yet
    sink.add(follower.poll())
    append(log, lines(4, 6))
    sink.add(follower.poll())
    assert sink.kinds() == ["Appended", "Deleted", "Appended", "Created", "Appended"]
    assert sink.text(log, 0) == lines(0, 4)
    assert sink.text(log, 1) == lines(4, 6)
    follower.close()


def test_delete_then_recreate_with_a_poll_in_between(log: Path) -> None:
    sink = Delivered()
    follower = FileFollower(log)
    append(log, lines(0, 2) + b"torn")
    sink.add(follower.poll())
    log.unlink()
    sink.add(follower.poll())
    assert sink.kinds() == ["Appended", "Appended", "Deleted"]  # unlinked: torn line flushed
    assert not follower.is_open  # a deleted file does not keep its disk space
    assert sink.add(follower.poll()) == []  # still gone: reported once
    append(log, lines(2, 3))
    sink.add(follower.poll())
    assert sink.kinds()[-2:] == ["Created", "Appended"]
    assert sink.text(log, 1) == lines(2, 3)
    follower.close()


def test_delete_and_recreate_between_two_polls_is_a_rotation(log: Path) -> None:
    sink = Delivered()
    follower = FileFollower(log)
    append(log, lines(0, 2))
    sink.add(follower.poll())
    log.unlink()
    append(log, lines(2, 4))
    sink.add(follower.poll())
    assert sink.kinds() == ["Appended", "Rotated", "Appended"]
    assert sink.text(log, 1) == lines(2, 4)
    follower.close()


def test_file_missing_at_start_is_created_later(tmp_path: Path) -> None:
    path = tmp_path / "later.log"
    sink = Delivered()
    follower = FileFollower(path)
    assert sink.add(follower.poll()) == []
    append(path, b"hello\n")
    sink.add(follower.poll())
    assert sink.kinds() == ["Created", "Appended"]
    assert sink.text(path, 0) == b"hello\n"
    follower.close()


# --------------------------------------------------------------------------- start offset


def test_growth_during_the_initial_index_is_delivered_exactly_once(log: Path) -> None:
    """An indexer reads while a writer appends; the follower starts where it stopped."""
    stop = threading.Event()

    def write() -> None:
        i = 0
        while not stop.is_set() and i < 5000:
            append(log, lines(i, i + 1))
            i += 1

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    while log.stat().st_size < 2000:
        time.sleep(0.001)
    with open(log, "rb") as handle:  # the "index": complete lines up to some size S0
        snapshot = handle.read()
    indexed = snapshot[: snapshot.rfind(b"\n") + 1]
    follower = FileFollower(log, start_offset=len(indexed), inode=log.stat().st_ino)
    sink = Delivered()
    time.sleep(0.01)
    stop.set()
    writer.join(DEADLINE)
    assert not writer.is_alive()
    poll_until(follower.poll, sink, lambda: not follower.has_more)
    assert indexed + sink.text(log, 0) == log.read_bytes()
    assert sink.first_start[(str(log), 0)] == len(indexed)
    follower.close()


def test_start_offset_beyond_the_file_means_it_was_truncated(log: Path) -> None:
    append(log, b"short\n")
    sink = Delivered()
    follower = FileFollower(log, start_offset=1000)
    sink.add(follower.poll())
    assert sink.kinds() == ["Truncated", "Appended"]
    assert sink.text(log, 1) == b"short\n"
    follower.close()


def test_start_inode_of_another_file_means_it_was_rotated(log: Path) -> None:
    old_inode = log.stat().st_ino
    log.unlink()
    keep = log.with_name("keep")  # hold the inode so the new file cannot reuse it
    keep.write_bytes(b"")
    append(log, b"fresh\n")
    assert log.stat().st_ino != old_inode
    sink = Delivered()
    follower = FileFollower(log, start_offset=3, inode=old_inode)
    sink.add(follower.poll())
    assert sink.kinds() == ["Rotated", "Appended"]
    assert sink.text(log, 1) == b"fresh\n"
    follower.close()


# --------------------------------------------------------------------------- errors


def test_a_directory_at_the_path_is_an_error_not_an_exception(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    path.mkdir()
    follower = FileFollower(path)
    first = follower.poll()
    assert len(first) == 1 and isinstance(first[0], Error)
    assert follower.poll() == []  # the same problem is reported once
    path.rmdir()
    append(path, b"ok\n")
    sink = Delivered()
    sink.add(follower.poll())
    assert sink.text(path, 0) == b"ok\n"
    follower.close()


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    path = tmp_path / "pipe.log"
    os.mkfifo(path)
    events = FileFollower(path).poll()
    assert [type(e) for e in events] == [Error]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file"
)
def test_an_unreadable_file_is_an_error_until_it_becomes_readable(log: Path) -> None:
    append(log, b"secret\n")
    log.chmod(0)
    follower = FileFollower(log)
    events = follower.poll()
    assert [type(e) for e in events] == [Error]
    log.chmod(0o644)
    sink = Delivered()
    sink.add(follower.poll())
    assert sink.text(log, 0) == b"secret\n"
    follower.close()


def test_the_watched_file_is_never_modified(log: Path) -> None:
    append(log, lines(0, 3) + b"torn")
    before = log.stat()
    follower = FileFollower(log)
    follower.poll()
    follower.poll()
    follower.close()
    after = log.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_mode) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_mode,
    )


# --------------------------------------------------------------------------- new files


def test_directory_watcher_reports_new_and_removed_files_sorted(tmp_path: Path) -> None:
    (tmp_path / "session_old.jsonl").write_bytes(b"")
    watcher = DirectoryWatcher(tmp_path)
    assert watcher.poll() == []  # known at construction: not reported
    for name in ("session_b.jsonl", "session_a.jsonl", "other.jsonl", "session_c.txt"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "session_dir.jsonl").mkdir()
    assert watcher.poll() == [
        NewFile(str(tmp_path / "session_a.jsonl")),
        NewFile(str(tmp_path / "session_b.jsonl")),
    ]
    (tmp_path / "session_old.jsonl").unlink()
    assert watcher.poll() == [RemovedFile(str(tmp_path / "session_old.jsonl"))]
    assert watcher.poll() == []


def test_directory_watcher_report_existing_and_a_directory_created_later(
    tmp_path: Path,
) -> None:
    (tmp_path / "session_1.jsonl").write_bytes(b"")
    assert DirectoryWatcher(tmp_path, report_existing=True).poll() == [
        NewFile(str(tmp_path / "session_1.jsonl"))
    ]
    later = tmp_path / "llm_interactions"
    watcher = DirectoryWatcher(later)
    assert watcher.poll() == []
    later.mkdir()
    (later / "session_2.jsonl").write_bytes(b"")
    assert watcher.poll() == [NewFile(str(later / "session_2.jsonl"))]


def _write_with_random_rotations(
    log: Path, rng: random.Random, count: int, follower: FileFollower
) -> list[bytes]:
    """Append ``count`` numbered lines in random chunks, rotating by rename at random
    moments (mid-line too, with late writes to the old file). Returns what each file
    generation received."""
    written: list[bytearray] = [bytearray()]
    writer = open(log, "ab", buffering=0)  # noqa: SIM115 - reopened at each rotation, as a log handler does
    rotations = 0
    for i in range(count):
        line = f"{i:06d} {'y' * rng.randrange(0, 200)}\n".encode()
        cuts = sorted(rng.sample(range(1, len(line)), k=min(rng.randrange(0, 4), len(line) - 1)))
        for piece in (line[a:b] for a, b in zip([0, *cuts], [*cuts, len(line)], strict=True)):
            writer.write(piece)
            written[-1] += piece
            if rng.random() < 0.004:
                rotations += 1
                os.replace(log, log.with_name(f"app.log.{rotations}"))
                late = b"late %d\n" % rotations if rng.random() < 0.5 else b""
                writer.write(late)  # the old file still gets a write after the rename
                written[-1] += late
                if rng.random() < 0.3:
                    time.sleep(0.003)  # let the follower see the name missing
                writer.close()
                writer = open(log, "ab", buffering=0)  # noqa: SIM115 - closed at the next rotation or the end
                written.append(bytearray())
                deadline = time.monotonic() + DEADLINE
                while follower.generation < rotations:  # never two rotations per poll
                    assert time.monotonic() < deadline, "the follower did not see the rotation"
                    time.sleep(0.0005)
        if rng.random() < 0.01:
            time.sleep(0.001)
    writer.close()
    return [bytes(w) for w in written]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_writes_and_rotations_lose_and_repeat_nothing(log: Path, seed: int) -> None:
    """A follower polled from its own thread while a writer appends in random pieces
    and rotates by rename at random moments: every generation arrives whole."""
    rng = random.Random(seed)
    follower = FileFollower(log)
    sink = Delivered()
    lock = threading.Lock()
    stop = threading.Event()
    assert follower.poll() == []  # the first generation is open before any rotation

    def poll_loop() -> None:
        while not stop.wait(0.002):
            events = follower.poll()
            with lock:
                sink.add(events)

    thread = threading.Thread(target=poll_loop, name="test-follower")
    thread.start()
    try:
        written = _write_with_random_rotations(log, rng, 3000, follower)
        total = sum(map(len, written))
        deadline = time.monotonic() + DEADLINE
        while True:
            with lock:
                done = sum(map(len, sink.data.values())) >= total
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.005)
    finally:
        stop.set()
        thread.join(DEADLINE)
        follower.close()
    assert not thread.is_alive()
    assert len(written) > 1
    for generation, expected in enumerate(written):
        assert sink.text(log, generation) == expected, f"generation {generation}"
    assert set(sink.data) == {(str(log), g) for g in range(len(written)) if written[g]}


# --------------------------------------------------------------------------- hygiene


def test_tail_imports_neither_textual_nor_rich() -> None:
    code = (
        "import sys, session_explorer.core.live.follower; "
        "print(sorted(m for m in ('textual', 'rich') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    )
    assert out.stdout.strip() == "[]"
