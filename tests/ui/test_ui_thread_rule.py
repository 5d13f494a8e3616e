"""The UI thread never calls the catalog, never takes the reading side's locks and
never reads a log: checked while the explorer runs with its real live feed and a
person reads, searches, filters and follows a session being written."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from session_explorer.core import threadcheck
from session_explorer.core.session.layout import discover
from session_explorer.ui.app import make_app
from tests.hostile import rec
from tests.ui.app_helpers import copy_sample

NEWEST = "20251113_082521"  # the newest session of sample_logs
_watched: list[str] = []  # the logs directory whose files the UI thread must not open


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _watched and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        if any(path.startswith(root) for root in _watched):
            threadcheck.check(f"open {path}")


sys.addaudithook(_audit)


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    logs = copy_sample(tmp_path)
    real_pread = os.pread

    def pread(fd: int, n: int, offset: int) -> bytes:
        threadcheck.check("os.pread")
        return real_pread(fd, n, offset)

    monkeypatch.setattr(os, "pread", pread)
    threadcheck.violations.clear()
    threadcheck.enable(True)
    threadcheck.mark_ui_thread()  # the app is made on the thread it runs on: checked from the start
    _watched.append(str(logs))
    try:
        yield logs
    finally:
        _watched.clear()
        threadcheck.enable(False)


async def until(pilot: Pilot, condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        await pilot.pause(0.01)


async def test_the_ui_thread_keeps_to_its_rule(checked: Path) -> None:
    logs = checked
    app = make_app(discover(logs), poll_interval=0.02)
    app.theme = "textual-dark"
    async with app.run_test(size=(140, 40)) as pilot:
        assert threadcheck.enabled()
        await until(pilot, lambda: app.current_session == NEWEST and app.log_pane.line_count > 0, "first screen")
        await until(pilot, lambda: app.state is not None and app.state.progress.complete, "the index")
        for key in ("j", "k", "right_square_bracket", "left_square_bracket"):
            await pilot.press(key)
            await pilot.pause(0.05)
        await until(pilot, lambda: app.current_session == NEWEST and app.log_pane.line_count > 0, "back on the newest")
        before = app.log_pane.line_count

        def write() -> None:  # in another thread, as the application would
            with open(logs / "cycling-ai.log", "ab") as fh:
                for i in range(5):
                    fh.write(rec(NEWEST, 59, "WARNING", f"written live {i}"))

        await asyncio.to_thread(write)
        await until(pilot, lambda: app.log_pane.line_count == before + 5, "the live lines")
        await pilot.press("2", "slash")
        await pilot.press(*"live", "enter")
        await until(pilot, lambda: "matches" in str(app.log_pane.border_title), "the search")
        await pilot.press("l")
        await pilot.pause(0.2)
        await pilot.press("t")
        await pilot.pause(0.2)
        await pilot.press("3", "enter")
        await pilot.pause(0.2)
        await pilot.press("escape")
        await pilot.press("1", "g")
        await until(pilot, lambda: app.current_session is None, "All lines")
        await pilot.pause(0.2)
    assert threading.current_thread() is threading.main_thread()
    found = "\n\n".join(f"{what}\n{stack}" for what, stack in threadcheck.violations)
    assert not threadcheck.violations, f"the UI thread broke its rule:\n{found}"
