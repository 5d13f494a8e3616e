"""``session-explorer demo`` (written once, or live) and ``LiveDemo``."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from session_explorer.demo import MARKER, LiveDemo, generate
from session_explorer.demo.cli import add_demo_arguments, run_demo_command
from tests.demo.helpers import HEAD, logging_state, session_files, tree


def demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="session-explorer demo")
    add_demo_arguments(parser)
    return run_demo_command(parser.parse_args(argv))


def wait_for(condition, timeout: float, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not within {timeout}s")


# ------------------------------------------------------------------ written once
def test_writes_a_logs_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "new" / "logs"
    assert demo([str(out), "--sessions", "3", "--seed", "4"]) == 0
    assert "Wrote 3 sessions" in capsys.readouterr().out
    assert len(session_files(out)) == 3 and (out / "cycling-ai.log").is_file() and (out / MARKER).is_file()


@pytest.mark.parametrize("kind", ["file in it", "a plain file"])
def test_refuses_a_foreign_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    out = tmp_path / "mine"
    if kind == "file in it":
        out.mkdir()
        (out / "notes.txt").write_text("mine")
    else:
        out.write_text("mine")
    before = tree(tmp_path)
    assert demo([str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("session-explorer demo: ")
    assert tree(tmp_path) == before


def test_overwrites_a_previous_demo_output_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "logs"
    generate(out, sessions=6, seed=1)
    (out / "README.txt").write_text("kept")
    (out / "llm_interactions" / "notes.txt").write_text("kept too")
    generate(out, sessions=2, seed=2)
    generate(tmp_path / "fresh", sessions=2, seed=2)
    expected = {**tree(tmp_path / "fresh"), "README.txt": b"kept", "llm_interactions/notes.txt": b"kept too"}
    assert tree(out) == expected


def test_rate_goes_with_live(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert demo([str(tmp_path / "x"), "--rate", "5"]) == 2
    assert "--live" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        demo([str(tmp_path / "x"), "--sessions", "0"])


# --------------------------------------------------------------------------- live
def _app_log_size(out: Path) -> int:
    path = out / "cycling-ai.log"
    return path.stat().st_size if path.exists() else 0


def test_live_demo_streams_lines_and_sessions_then_stops_cleanly(tmp_path: Path) -> None:
    out = tmp_path / "live"
    before = logging_state()
    live = LiveDemo(rate=120, seed=3)
    live.start(out)
    try:
        wait_for(lambda: session_files(out), timeout=3)
        size = _app_log_size(out)
        wait_for(lambda: _app_log_size(out) > size, timeout=1)
        count = len(session_files(out))
        wait_for(lambda: len(session_files(out)) > count, timeout=1.5)
    finally:
        started = time.monotonic()
        assert live.stop(timeout=2)
    assert time.monotonic() - started < 1
    assert live.error is None and not live.running
    assert logging_state() == before
    text = (out / "cycling-ai.log").read_bytes()
    assert text.endswith(b"- Ride database closed\n")
    for line in text.splitlines():
        assert HEAD.match(line) or line.startswith((b"Traceback", b"  File", b"ValueError"))
    for path in session_files(out).values():
        data = path.read_bytes()  # empty when the session made no call yet
        assert not data or data.endswith(b"\n")
        for line in data.splitlines():
            json.loads(line)
    assert not (out / "cycling-ai.log").with_suffix(".log.1").exists()


def test_live_demo_with_a_session_count_ends_by_itself(tmp_path: Path) -> None:
    live = LiveDemo(rate=600, seed=1, sessions=1, time_scale=0.01)
    live.start(tmp_path / "live")
    assert live.join(timeout=5)
    assert live.error is None
    assert len(session_files(tmp_path / "live")) == 1
    assert b"(1 completed)" in (tmp_path / "live" / "cycling-ai.log").read_bytes()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_live_command_ends_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    out = tmp_path / "live"
    process = subprocess.Popen(
        [sys.executable, "-m", "session_explorer", "demo", str(out), "--live", "--rate", "120"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        wait_for(lambda: session_files(out), timeout=10)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert b"Traceback" not in err
    assert (out / "cycling-ai.log").read_bytes().endswith(b"- Ride database closed\n")
