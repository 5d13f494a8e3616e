"""``list`` and ``show``: agree with the naive reference, bytes exact to a pipe."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from session_explorer.cli import main
from session_explorer.core.applog.rotations import discover_rotations
from session_explorer.core.session.layout import discover
from tests.hostile import write_hostile_dir
from tests.reference import naive_interactions, naive_sessions

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_logs"


@pytest.fixture(params=["sample", "hostile"])
def logs_dir(request, tmp_path) -> Path:
    return SAMPLE if request.param == "sample" else write_hostile_dir(tmp_path / "h")


def test_list_json_agrees_with_the_reference(logs_dir, capsysbinary) -> None:
    assert main(["list", str(logs_dir), "--json"]) == 0
    rows = json.loads(capsysbinary.readouterr().out)
    layout = discover(logs_dir)
    naive = [naive_sessions(discover_rotations(p)) for p in layout.app_logs]
    ids = set(layout.session_files()).union(*(set(n) for n in naive))
    assert {r["id"] for r in rows} == ids
    for row in rows:
        sid = row["id"]
        assert set(row) == {"id", "start", "end", "interactions", "malformed", "lines", "warnings",
                            "errors", "models", "tokens", "interactions_file"}
        assert row["lines"] == sum(len(n[sid].lines) for n in naive if sid in n)
        assert row["warnings"] == sum(n[sid].warnings for n in naive if sid in n)
        assert row["errors"] == sum(n[sid].errors for n in naive if sid in n)
        path = layout.session_files().get(sid)
        if path is None:
            assert row["interactions_file"] is None and row["interactions"] == 0
        else:
            assert (row["interactions"], row["malformed"]) == naive_interactions(path)
    starts = [r["start"] for r in rows if r["id"] != "in-progress"]
    known = [s for s in starts if s is not None]
    assert starts == sorted(known, reverse=True) + [None] * (len(starts) - len(known))


def test_list_table(capsys) -> None:
    assert main(["list", str(SAMPLE)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["SESSION", "START", "END"]
    assert len(out) == 1 + 7


def test_show_is_byte_exact_to_a_pipe(tmp_path, capsysbinary) -> None:
    logs = write_hostile_dir(tmp_path / "h")
    naive = naive_sessions(discover_rotations(logs / "app.log"))
    for sid in ["20251105_143052", "20251105_143052_2", "custom_session_123", "in-progress"]:
        assert main(["show", str(logs), sid, "--app-log", str(logs / "app.log")]) == 0
        assert capsysbinary.readouterr().out == b"".join(naive[sid].lines), sid


def test_show_merges_sources_in_time_order(tmp_path, capsysbinary) -> None:
    logs = write_hostile_dir(tmp_path / "h")
    assert main(["show", str(logs), "20251105_143052"]) == 0
    out = capsysbinary.readouterr().out
    assert out.endswith(b"worker - INFO - worker picked the job\n")


def test_show_interactions_is_the_file(tmp_path, capsysbinary) -> None:
    logs = write_hostile_dir(tmp_path / "h")
    assert main(["show", str(logs), "20251105_143052", "--interactions"]) == 0
    path = logs / "llm_interactions" / "session_20251105_143052.jsonl"
    assert capsysbinary.readouterr().out == path.read_bytes()


def test_show_to_a_terminal_makes_controls_visible(tmp_path, capsysbinary, monkeypatch) -> None:
    logs = write_hostile_dir(tmp_path / "h")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["show", str(logs), "20251105_143052", "--app-log", str(logs / "app.log")]) == 0
    out = capsysbinary.readouterr().out.decode()
    assert "\x1b" not in out and "\x00" not in out
    assert "␛[31mred␛[0m and [bold]markup[/bold]" in out
    assert "␀" in out and "\ufffd" in out


@pytest.mark.parametrize(
    "query,code,message",
    [("nope", 1, "unknown session 'nope'"), ("2025110", 1, "matches")],
)
def test_show_unknown_session(tmp_path, capsys, query, code, message) -> None:
    logs = write_hostile_dir(tmp_path / "h")
    assert main(["show", str(logs), query]) == code
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_no_logs_found(tmp_path, capsys) -> None:
    assert main(["list", str(tmp_path)]) == 2
    assert "no logs found" in capsys.readouterr().err


def test_show_latest_prefix(capsysbinary) -> None:
    assert main(["show", str(SAMPLE), "latest"]) == 0
    first = capsysbinary.readouterr().out.splitlines()[0]
    assert first.startswith(b"[20251113_082521]")
