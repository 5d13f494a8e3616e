"""Driving the explorer app in tests: waiting for workers, deterministic sample copies."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from textual.pilot import Pilot

from session_explorer.core.session.layout import discover
from session_explorer.ui.app import SESSIONS_REFRESH, ExplorerApp, make_app

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_logs"
#: A fixed modification time for copied logs, so no session looks "live" by accident.
OLD_MTIME = 1_700_000_000


async def settle(app: ExplorerApp, pilot: Pilot, rounds: int = 3, timeout: float = 10.0) -> None:
    """Let the catalog finish reading, then workers finish and their messages land.

    Without a tail thread (``poll_interval=None``) the catalog's background reading
    reaches the screen through a poll: one is made once the catalog has settled.
    """
    deadline = time.monotonic() + timeout
    while not app.catalog.settled:
        assert time.monotonic() < deadline, "the catalog did not settle"
        await pilot.pause(0.01)
    if app.poll_interval is None and not getattr(app, "_settled_once", False):
        app._settled_once = True  # type: ignore[attr-defined]  # a mark of this helper
        app.poll_once()
    for _ in range(rounds):
        await pilot.pause()
        while any(w.is_running for w in app.workers):
            assert time.monotonic() < deadline, "workers did not finish"
            await pilot.pause(0.01)
        while app.refresh_pending:  # a throttled session-list refresh
            assert time.monotonic() < deadline, "the session list was never refreshed"
            await pilot.pause(0.02)
    # Widgets finish some layout when idle (a DataTable sizes its columns then).
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.1)
    await pilot.pause()


async def poll(app: ExplorerApp, pilot: Pilot) -> None:
    """One tick of the tail, as the tail worker would do it (and the throttled
    session-list refresh that may follow it), after earlier work has settled (a
    rotation starts a new index, whose end the next tick reports)."""
    await settle(app, pilot)
    app.poll_once()
    await settle(app, pilot)
    await pilot.pause(SESSIONS_REFRESH + 0.05)
    await settle(app, pilot)


def copy_sample(tmp_path: Path) -> Path:
    """sample_logs in a temporary directory, with old modification times."""
    logs = Path(shutil.copytree(SAMPLE, tmp_path / "logs"))
    for path in [logs, *logs.rglob("*")]:
        os.utime(path, (OLD_MTIME, OLD_MTIME))
    return logs


def explorer(directory: Path, **options: object) -> ExplorerApp:
    """The app as the CLI makes it, without the tail thread (tests poll by hand)."""
    options.setdefault("poll_interval", None)
    options.setdefault("label", directory.name)
    app = make_app(discover(directory), **options)  # type: ignore[arg-type]  # the test's options
    app.theme = "textual-dark"
    return app


def shot(snap_compare, app, *, size=(140, 40), press=(), before=None) -> bool:  # type: ignore[no-untyped-def]  # pytest fixture and the app under test
    """A snapshot of ``app`` once loaded, after ``before(pilot)`` and ``press``."""

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]  # a Textual pilot
        await settle(app, pilot)
        if before is not None:
            await before(pilot)
        for key in press:
            await pilot.press(key)
            await settle(app, pilot)
        # Repaint everything once more, scrollbars included, before the shot.
        app.screen.refresh(layout=True)
        for widget in app.screen.walk_children():
            widget.refresh()
        await settle(app, pilot)

    return snap_compare(app, terminal_size=size, run_before=run_before)
