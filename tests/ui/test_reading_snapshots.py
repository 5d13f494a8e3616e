"""Snapshots of reading a session on sample_logs: search, level filter, merged
timeline and correlation marks (fixed size and theme).

Review ``snapshot_report.html`` before ``pytest --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

from tests.ui.app_helpers import copy_sample, explorer, shot

SESSION = "20251112_085857"


def test_search_with_highlights_and_count(snap_compare, tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=SESSION)
    assert shot(snap_compare, app, press=("2", "g", "slash", *"export", "enter", "n"))


def test_level_filter_warnings_and_above(snap_compare, tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=SESSION)
    assert shot(snap_compare, app, press=("2", "l", "l"))


def test_merged_timeline(snap_compare, tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=SESSION)
    assert shot(snap_compare, app, press=("2", "t", "g"))


def test_correlation_marks(snap_compare, tmp_path: Path) -> None:
    # Interaction #2 of the newest session (6.3 s): the lines logged while it ran.
    app = explorer(copy_sample(tmp_path))
    assert shot(snap_compare, app, press=("3", "k"))


def test_interactions_search_with_highlights(snap_compare, tmp_path: Path) -> None:
    # "legs": #3's prompt (the current match) and #2's answer (its number is marked).
    app = explorer(copy_sample(tmp_path))
    assert shot(snap_compare, app, press=("3", "slash", *"legs", "enter"))
