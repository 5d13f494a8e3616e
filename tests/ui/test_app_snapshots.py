"""Snapshots of the explorer's screens on sample_logs (fixed size and theme, no clocks).

Review ``snapshot_report.html`` before ``pytest --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

from tests.hostile import rec
from tests.ui.app_helpers import copy_sample, explorer, poll, shot


def test_first_screen(snap_compare, tmp_path: Path) -> None:
    assert shot(snap_compare, explorer(copy_sample(tmp_path)))


def test_session_with_error_and_traceback(snap_compare, tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session="20251112_085857")
    assert shot(snap_compare, app, press=("2", "g"))


def test_all_lines(snap_compare, tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session="20251112_085857")
    assert shot(snap_compare, app, press=("1", "g"))


def test_narrow_terminal(snap_compare, tmp_path: Path) -> None:
    assert shot(snap_compare, explorer(copy_sample(tmp_path)), size=(80, 24))


def test_help_screen(snap_compare, tmp_path: Path) -> None:
    assert shot(snap_compare, explorer(copy_sample(tmp_path)), press=("question_mark",))


def test_empty_state(snap_compare, tmp_path: Path) -> None:
    empty = tmp_path / "logs"
    empty.mkdir()
    assert shot(snap_compare, explorer(empty))


def test_follow_badge(snap_compare, tmp_path: Path) -> None:
    logs = copy_sample(tmp_path)
    app = explorer(logs)

    async def append_while_paused(pilot) -> None:  # type: ignore[no-untyped-def]  # a Textual pilot
        await pilot.press("2", "k", "k")
        with open(logs / "cycling-ai.log", "ab") as fh:
            for i in range(5):
                fh.write(rec("20251113_082521", 57, "INFO", f"a line written while paused ({i})"))
        await poll(app, pilot)

    assert shot(snap_compare, app, before=append_while_paused)
