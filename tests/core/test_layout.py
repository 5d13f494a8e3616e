"""Finding the interaction directory and the app logs of a logs directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from session_explorer.core.session.layout import LayoutError, discover, find_app_logs


def touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_seed_layout(tmp_path) -> None:
    touch(tmp_path / "cycling-ai.log")
    touch(tmp_path / "cycling-ai.log.1")
    touch(tmp_path / "llm_interactions" / "session_20251105_143052.jsonl")
    touch(tmp_path / "llm_interactions" / "notes.txt")
    layout = discover(tmp_path)
    assert layout.interactions_dir == tmp_path / "llm_interactions"
    assert layout.app_logs == (tmp_path / "cycling-ai.log",)
    assert layout.app_log_dir == tmp_path
    assert list(layout.session_files()) == ["20251105_143052"]


def test_interaction_directory_given_directly(tmp_path) -> None:
    touch(tmp_path / "api.log")
    inter = touch(tmp_path / "llm_interactions" / "session_custom_session_123.jsonl").parent
    layout = discover(inter)
    assert layout.interactions_dir == inter
    assert layout.app_logs == (tmp_path / "api.log",)
    assert list(layout.session_files()) == ["custom_session_123"]


def test_several_app_logs_and_orphan_rotations(tmp_path) -> None:
    for name in ["worker.log", "api.log", "old.log.2025-11-04", "old.log.1", "notes.txt", "x.log.gz"]:
        touch(tmp_path / name)
    assert [p.name for p in find_app_logs(tmp_path)] == ["api.log", "old.log", "worker.log"]


def test_empty_directory_is_a_valid_new_layout(tmp_path) -> None:
    layout = discover(tmp_path)
    assert layout.app_logs == ()
    assert layout.interactions_dir == tmp_path / "llm_interactions"
    assert layout.session_files() == {}


def test_overrides(tmp_path) -> None:
    log = touch(tmp_path / "elsewhere" / "app.log")
    inter = tmp_path / "my_sessions"
    inter.mkdir()
    layout = discover(tmp_path, app_logs=[log], interactions=inter)
    assert layout.app_logs == (log,)
    assert layout.interactions_dir == inter
    assert layout.app_log_dir is None


@pytest.mark.parametrize("make,message", [("missing", "no such directory"), ("file", "not a directory")])
def test_errors(tmp_path, make, message) -> None:
    target = tmp_path / "x"
    if make == "file":
        target.write_text("")
    with pytest.raises(LayoutError, match=message):
        discover(target)


def test_missing_override_file(tmp_path) -> None:
    with pytest.raises(LayoutError, match="no such file"):
        discover(tmp_path, app_logs=[tmp_path / "nope.log"])
