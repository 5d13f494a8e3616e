"""inotify events for the live feed (Linux), with real files and a real waiting thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from session_explorer.core.live import inotify, wakeup

pytestmark = pytest.mark.skipif(not inotify.available(), reason="inotify is Linux's")

TIMEOUT = 10.0


def _wait_for(watcher: inotify.Inotify, want: Callable[[set[str]], bool]) -> set[str] | None:
    """What ``wait`` returns, until ``want`` holds of it (hard time-out)."""
    deadline = time.monotonic() + TIMEOUT
    seen: set[str] = set()
    while time.monotonic() < deadline:
        found = watcher.wait(deadline - time.monotonic())
        if found is None:
            return None
        seen |= found
        if want(seen):
            return seen
    raise AssertionError(f"not seen in {TIMEOUT} s: {seen}")


def test_appends_creations_renames_and_deletions_are_named(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(b"one\n")
    watcher = inotify.Inotify([str(tmp_path)])
    try:
        with log.open("ab") as f:
            f.write(b"two\n")
        assert str(log) in _wait_for(watcher, lambda s: str(log) in s)
        log.rename(tmp_path / "app.log.1")  # rotation
        log.write_bytes(b"new\n")
        seen = _wait_for(watcher, lambda s: {str(log), str(tmp_path / "app.log.1")} <= s)
        assert {str(log), str(tmp_path / "app.log.1")} <= seen
        (tmp_path / "app.log.1").unlink()
        assert str(tmp_path / "app.log.1") in _wait_for(watcher, lambda s: str(tmp_path / "app.log.1") in s)
        assert watcher.wait(0.05) == set()  # nothing more happened
    finally:
        watcher.close()


def test_a_directory_made_later_is_watched_and_everything_looked_at(tmp_path: Path) -> None:
    watcher = inotify.Inotify([str(tmp_path)])
    try:
        sub = tmp_path / "llm_interactions"
        sub.mkdir()
        assert _wait_for(watcher, lambda s: False) is None  # files may be there already: look at all
        (sub / "session_1.jsonl").write_bytes(b"{}\n")
        path = str(sub / "session_1.jsonl")
        assert path in _wait_for(watcher, lambda s: path in s)
    finally:
        watcher.close()


def test_interrupt_wakes_a_waiting_thread(tmp_path: Path) -> None:
    watcher = inotify.Inotify([str(tmp_path)])
    got: list[set[str] | None] = []
    thread = threading.Thread(target=lambda: got.append(watcher.wait(None)))
    thread.start()
    watcher.interrupt()
    thread.join(TIMEOUT)
    assert not thread.is_alive() and got == [set()]
    watcher.close()


def test_a_directory_that_cannot_be_watched_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="watching"):
        inotify.Inotify([str(tmp_path / "missing")])


def test_wakeup_uses_inotify_and_wakes_on_a_write(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(b"")
    w = wakeup.Wakeup([tmp_path])
    try:
        assert w.mode == "events" and w._inotify is not None
        t0 = time.monotonic()
        with log.open("ab") as f:
            f.write(b"line\n")
        deadline = time.monotonic() + TIMEOUT
        changed: set[str] = set()
        while str(log) not in changed and time.monotonic() < deadline:
            changed |= w.wait(deadline - time.monotonic()) or set()
        assert str(log) in changed and time.monotonic() - t0 < TIMEOUT
    finally:
        w.close()
    assert w._thread is not None and not w._thread.is_alive()


def test_wakeup_falls_back_to_watchfiles_without_inotify(tmp_path: Path, monkeypatch) -> None:
    pytest.importorskip("watchfiles")
    monkeypatch.setattr(inotify, "available", lambda: False)
    w = wakeup.Wakeup([tmp_path])
    try:
        assert w.mode == "events" and w._inotify is None
    finally:
        w.close()

