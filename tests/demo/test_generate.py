"""The reproducible demo run: same seed, same bytes; the committed sample_logs/."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from session_explorer.demo import MARKER, generate, generate_sample_logs
from session_explorer.demo.sample import SAMPLE_SEED, SAMPLE_SESSIONS, default_sample_dir
from tests.demo.helpers import SAMPLE_LOGS, app_log_lines, logging_state, records, session_files, tree


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample logs, freshly generated (the tests below read it, never write it)."""
    out = tmp_path_factory.mktemp("regen") / "sample_logs"
    generate_sample_logs(out)
    return out


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", sessions=9, seed=7)
    generate(tmp_path / "b", sessions=9, seed=7)
    first, second = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert list(first) == list(second)
    for name in first:
        assert first[name] == second[name], name


def test_different_seeds_differ(tmp_path: Path) -> None:
    generate(tmp_path / "a", sessions=6, seed=1)
    generate(tmp_path / "b", sessions=6, seed=2)
    assert tree(tmp_path / "a") != tree(tmp_path / "b")
    assert (tmp_path / "a" / "cycling-ai.log").read_bytes() != (tmp_path / "b" / "cycling-ai.log").read_bytes()


def test_sample_logs_match_the_committed_copy(sample: Path) -> None:
    assert default_sample_dir() == SAMPLE_LOGS
    committed, fresh = tree(SAMPLE_LOGS), tree(sample)
    assert sorted(committed) == sorted(fresh), "file names differ: regenerate with python -m session_explorer.demo"
    for name in committed:
        assert committed[name] == fresh[name], f"{name} differs: regenerate with python -m session_explorer.demo"


def test_output_does_not_depend_on_time_zone_or_directory(tmp_path: Path) -> None:
    """Another time zone (with a half-hour offset), another working directory."""
    out = tmp_path / "elsewhere" / "logs"
    code = (
        "import sys; from session_explorer.demo import generate; "
        f"generate(sys.argv[1], {SAMPLE_SESSIONS}, {SAMPLE_SEED})"
    )
    env = {**os.environ, "TZ": "Australia/Adelaide"}
    subprocess.run([sys.executable, "-c", code, str(out)], check=True, env=env, cwd=tmp_path, timeout=60)
    assert tree(out) == tree(SAMPLE_LOGS)


def test_sample_covers_every_case(sample: Path) -> None:
    size = sum(len(data) for data in tree(sample).values())
    assert size < 300_000
    assert (sample / "cycling-ai.log.1").is_file() and (sample / "cycling-ai.log").is_file()
    assert (sample / MARKER).is_file()

    recs = records(sample)
    sessions = session_files(sample)
    assert len(sessions) == SAMPLE_SESSIONS
    # Two sessions started in the same second; one session on another day.
    assert any(sid.endswith("_2") and sid[:-2] in sessions for sid in sessions)
    assert len({sid[:8] for sid in sessions}) == 2
    # in-progress lines at start-up and at shut-down.
    assert recs[0][0] == "in-progress" and recs[-1][0] == "in-progress"
    assert "starting" in recs[0][3] and "Shutting down" in recs[-2][3]
    # Several modules, warnings, an exception with its traceback.
    loggers = {r[1] for r in recs}
    for name in ("cycling_ai.agent", "cycling_ai.tools.weather", "cycling_ai.tools.rides",
                 "cycling_ai.storage", "cycling_ai.cli", "cycling_ai.providers.gemini",
                 "cycling_ai.providers.openai", "cycling_ai.providers.anthropic"):
        assert name in loggers
    assert any(r[2] == "WARNING" for r in recs)
    (error,) = [r for r in recs if r[2] == "ERROR"]
    tb = b"\n".join(error[4]).decode()
    assert tb.startswith("Traceback (most recent call last):")
    assert 'File "/srv/cycling-ai/src/cycling_ai/storage.py"' in tb
    assert tb.endswith("ValueError: could not convert string to float: 'n/a'")
    assert error[0] != "in-progress"

    lines = [json.loads(line) for path in sessions.values() for line in path.read_text().splitlines()]
    assert {rec["provider"] for rec in lines} == {"gemini", "openai", "anthropic"}
    errors = [rec for rec in lines if "error" in rec]
    assert errors and errors[0]["error"]["status"] == 429
    assert any(rec.get("duration_ms", 0) > 15_000 for rec in lines)  # a slow call
    assert all("duration_ms" in rec for rec in lines)
    assert all("usage" in rec for rec in lines if "error" not in rec)
    longest = max(len(json.dumps(rec["output"])) for rec in lines)
    assert longest > 3_000  # a long response
    multi_turn = [rec for rec in lines if len(rec["input"].get("messages", rec["input"].get("contents", []))) >= 6]
    assert multi_turn


def test_sessions_interleave_in_the_app_log(sample: Path) -> None:
    order = [r[0] for r in records(sample) if r[0] != "in-progress"]
    last = {sid: i for i, sid in enumerate(order)}
    first: dict[str, int] = {}
    for i, sid in enumerate(order):
        first.setdefault(sid, i)
    overlapping = [
        (a, b) for a in first for b in first if a < b and first[b] < last[a] and first[a] < first[b]
    ]
    assert overlapping


def test_logging_is_restored_and_nothing_reaches_the_console(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    before = logging_state()
    generate(tmp_path / "out", sessions=3, seed=5)
    assert logging_state() == before
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def test_thread_pool_and_asyncio_work_keeps_the_session(tmp_path: Path) -> None:
    """The weekend session's work runs on pool threads and in asyncio tasks."""
    import asyncio
    import threading

    seen: list[tuple[str, str, str, bool, str]] = []

    class Spy(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            try:
                in_task = asyncio.current_task() is not None
            except RuntimeError:
                in_task = False
            seen.append((record.session_id, record.name, record.getMessage(), in_task, threading.current_thread().name))

    spy = Spy()
    root = logging.getLogger()
    root.addHandler(spy)
    try:
        generate(tmp_path / "out", sessions=6, seed=1)
    finally:
        root.removeHandler(spy)
    main = threading.main_thread().name
    (weekend,) = {sid for sid, _, msg, _, _ in seen if "weekend via" in msg}
    pool = [s for s in seen if s[4].startswith("cycling-ai-tools")]
    tasks = [s for s in seen if s[3]]
    files = [s for s in seen if s[4].startswith("cycling-ai-files")]
    notify = [s for s in seen if s[4] == "cycling-ai-notify"]
    assert len(pool) >= 8 and len(tasks) >= 5 and files and notify
    assert {s[0] for s in pool + tasks + files + notify} == {weekend}
    assert any("done on the worker pool" in s[2] for s in pool)  # bind_context callbacks
    assert all(s[4] == main for s in seen if s not in pool + files + notify)
    # Same lines, same session in the file.
    file_lines = [r for r in records(tmp_path / "out") if "Worker running" in r[3] or "calendar" in r[1]]
    assert file_lines and {r[0] for r in file_lines} == {weekend}


def test_app_log_and_interaction_files_agree(sample: Path) -> None:
    recs = records(sample)
    sessions = session_files(sample)
    in_log = {r[0] for r in recs} - {"in-progress"}
    assert in_log == set(sessions)
    for sid, path in sessions.items():
        assert path.read_bytes().endswith(b"\n")
        first = json.loads(path.read_text().splitlines()[0])
        assert first["timestamp"][:10].replace("-", "") == sid[:8]
    assert all(line for line in app_log_lines(sample))
