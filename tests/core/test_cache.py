"""The persistent index: reused only where it can be verified, never in the way."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from session_explorer.core.applog import blockio
from session_explorer.core.cache import store as store_module
from session_explorer.core.cache.store import CacheStore
from session_explorer.core.session.catalog import Catalog
from session_explorer.core.session.layout import discover
from tests.hostile import rec, write_hostile_dir

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_logs"


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Bytes scanned by index builds (counted, not timed)."""
    counted: list[int] = []
    real = blockio.scan_segment

    def counting(fd, start, end, block_size):  # type: ignore[no-untyped-def]  # a stand-in for the patched function
        counted.append(end - start)
        return real(fd, start, end, block_size)

    monkeypatch.setattr(blockio, "scan_segment", counting)
    return counted


def listing(logs: Path, store: CacheStore | None) -> list[dict]:
    """Every session summary and every session's lines, as plain values."""
    with Catalog(discover(logs), cache=store if store is not None else False) as catalog:
        catalog.open(wait=True)
        sessions = catalog.sessions()
        out = []
        for summary in sessions:
            row = dataclasses.asdict(summary)
            row.pop("growing", None)
            row["lines_read"] = [line.raw for line in catalog.iter_session_lines(summary.id)]
            out.append(row)
        return out


def logs_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SAMPLE, tmp_path / "logs"))


def test_a_second_opening_reads_nothing_again(tmp_path: Path, scanned: list[int]) -> None:
    logs = logs_copy(tmp_path)
    store = CacheStore(tmp_path / "cache")
    first = listing(logs, store)
    assert sum(scanned) > 0 and store.info().by_kind == {"applog": 1, "jsonl": 6}
    scanned.clear()
    assert listing(logs, store) == first
    assert sum(scanned) == 0


def test_only_appended_bytes_are_scanned(tmp_path: Path, scanned: list[int]) -> None:
    logs = logs_copy(tmp_path)
    store = CacheStore(tmp_path / "cache")
    listing(logs, store)
    log = logs / "cycling-ai.log"
    appended = rec("20251113_082521", 59, "INFO", "appended after the first run") * 3
    with open(log, "ab") as fh:
        fh.write(appended)
    scanned.clear()
    warm = listing(logs, store)
    assert sum(scanned) == len(appended)
    assert warm == listing(logs, None)


@pytest.mark.parametrize("change", ["rotation", "truncation", "same-size rewrite", "delete and recreate"])
def test_a_changed_log_is_indexed_afresh(tmp_path: Path, scanned: list[int], change: str) -> None:
    logs = logs_copy(tmp_path)
    store = CacheStore(tmp_path / "cache")
    listing(logs, store)
    log = logs / "cycling-ai.log"
    data = log.read_bytes()
    if change == "rotation":
        log.rename(logs / "cycling-ai.log.1")
        log.write_bytes(rec("20251113_082521", 59, "INFO", "new file"))
    elif change == "truncation":
        with open(log, "r+b") as fh:
            fh.truncate(len(data) // 2)
    elif change == "same-size rewrite":
        swapped = data.replace(b"INFO", b"WARN", 1).replace(b"WARNING", b"ERRORXX", 1)
        assert len(swapped) == len(data) and swapped != data
        stat_before = log.stat()
        log.write_bytes(swapped)
        os.utime(log, ns=(stat_before.st_atime_ns, stat_before.st_mtime_ns + 1_000_000_000))
    else:
        log.unlink()
        log.write_bytes(data + rec("20251113_082521", 59, "INFO", "recreated"))
    scanned.clear()
    assert listing(logs, store) == listing(logs, None)
    assert sum(scanned) > 0


def test_an_older_schema_is_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    logs = logs_copy(tmp_path)
    store = CacheStore(tmp_path / "cache")
    listing(logs, store)
    store.close()
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", store_module.SCHEMA_VERSION + 1)
    newer = CacheStore(tmp_path / "cache")
    assert newer.info().entries == 0
    assert listing(logs, newer) == listing(logs, None)
    assert newer.info().entries == 7


def test_a_corrupt_cache_file_is_replaced(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    directory.mkdir()
    (directory / "index.sqlite3").write_bytes(b"this is not a database" * 100)
    store = CacheStore(directory)
    assert store.problem is None
    logs = logs_copy(tmp_path)
    assert listing(logs, store) == listing(logs, None)
    assert store.info().entries == 7


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root writes anywhere")
def test_a_read_only_cache_directory_means_memory(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    directory.mkdir()
    directory.chmod(stat.S_IRUSR | stat.S_IXUSR)
    store = CacheStore(directory / "inner")
    assert store.problem is not None and "memory" in store.problem
    logs = logs_copy(tmp_path)
    assert listing(logs, store) == listing(logs, None)


def test_an_unwritable_cache_path_means_memory_said_once(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    store = CacheStore(blocker / "cache")
    assert store.problem is not None and "memory" in store.problem
    logs = logs_copy(tmp_path)
    with Catalog(discover(logs), cache=store) as catalog:
        catalog.open(wait=True)
        assert any("memory" in p for p in catalog.problems())
    with Catalog(discover(logs), cache=store) as catalog:
        catalog.open(wait=True)
        assert not any("memory" in p for p in catalog.problems())
    assert listing(logs, store) == listing(logs, None)


def test_the_cache_agrees_on_hostile_logs(tmp_path: Path) -> None:
    logs = write_hostile_dir(tmp_path / "hostile")
    store = CacheStore(tmp_path / "cache")
    cold = listing(logs, store)
    assert listing(logs, store) == cold == listing(logs, None)


def test_nothing_is_written_in_the_logs_directory(tmp_path: Path) -> None:
    logs = logs_copy(tmp_path)
    before = {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in logs.rglob("*")}
    store = CacheStore(tmp_path / "cache")
    listing(logs, store)
    listing(logs, store)
    assert {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in logs.rglob("*")} == before


def test_the_lru_cap_drops_the_oldest(tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "cache", max_bytes=4096)
    for n in range(40):
        store.save("x", f"key{n}", {"n": n, "noise": os.urandom(200).hex()})
    info = store.info()
    assert info.bytes <= 4096 and 0 < info.entries < 40
    assert store.load("x", "key39") is not None and store.load("x", "key0") is None


def run_cli(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SESSION_EXPLORER_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-m", "session_explorer", *args], capture_output=True,
                          text=True, env=env, timeout=60)


def test_two_processes_share_one_cache(tmp_path: Path) -> None:
    logs = logs_copy(tmp_path)
    cache = tmp_path / "cache"
    env = {**os.environ, "SESSION_EXPLORER_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "session_explorer", "list", str(logs), "--json"]
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(4)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outs]
    assert all(err == b"" for _, err in outs)
    assert len({out for out, _ in outs}) == 1
    assert json.loads(outs[0][0]) == json.loads(run_cli("list", str(logs), "--json", cache=cache).stdout)


def test_no_cache_and_the_cache_command(tmp_path: Path) -> None:
    logs = logs_copy(tmp_path)
    cache = tmp_path / "cache"
    assert run_cli("list", str(logs), "--no-cache", cache=cache).returncode == 0
    info = run_cli("cache", "info", cache=cache)
    assert "entries: 0" in info.stdout
    assert run_cli("list", str(logs), cache=cache).returncode == 0
    assert "entries: 7 (1 applog, 6 jsonl)" in run_cli("cache", "info", cache=cache).stdout
    cleared = run_cli("cache", "clear", cache=cache)
    assert cleared.returncode == 0 and "removed 7 entries" in cleared.stdout
    assert "entries: 0" in run_cli("cache", "info", cache=cache).stdout
    with sqlite3.connect(cache / "index.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 0
