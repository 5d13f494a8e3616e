"""The catalog against the naive reference, on generated, sample and hostile logs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import ClassVar

import pytest

from session_explorer.core.applog.rotations import discover_rotations
from session_explorer.core.session.catalog import Catalog
from session_explorer.core.session.layout import discover
from session_explorer.core.session.summaries import SessionNotFound
from tests.hostile import write_hostile_dir
from tests.reference import naive_interactions, naive_sessions

ROOT = Path(__file__).resolve().parents[2]


def generated(tmp_path: Path) -> Path:
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_logs", ROOT / "bench" / "gen_logs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_logs", module)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    module.generate(tmp_path / "gen", size=400_000, sessions=40, seed=3)
    return tmp_path / "gen"


@pytest.fixture(params=["sample", "hostile", "generated"])
def logs_dir(request, tmp_path) -> Path:
    if request.param == "sample":
        return ROOT / "sample_logs"
    if request.param == "hostile":
        return write_hostile_dir(tmp_path / "hostile")
    return generated(tmp_path)


def open_catalog(directory: Path, block_size: int = 4096) -> Catalog:
    catalog = Catalog(discover(directory), block_size=block_size)
    catalog.open(wait=True)
    return catalog


def test_sessions_and_lines_match_the_reference(logs_dir: Path) -> None:
    layout = discover(logs_dir)
    with open_catalog(logs_dir) as catalog:
        summaries = {s.id: s for s in catalog.sessions()}
        expected_ids = set(layout.session_files())
        per_source = [naive_sessions(discover_rotations(p)) for p in layout.app_logs]
        for naive in per_source:
            expected_ids |= set(naive)
        assert set(summaries) == expected_ids
        for sid, summary in summaries.items():
            want_lines = [line for naive in per_source for line in naive.get(sid, _empty()).lines]
            assert summary.lines == len(want_lines), sid
            assert summary.warnings == sum(n[sid].warnings for n in per_source if sid in n), sid
            assert summary.errors == sum(n[sid].errors for n in per_source if sid in n), sid
            got = [line.raw + line.ending for line in catalog.iter_session_lines(sid)]
            assert sorted(got) == sorted(want_lines), sid
            if len(per_source) == 1:
                assert got == want_lines, sid  # one source: exactly log order
        for sid, path in layout.session_files().items():
            count, malformed = naive_interactions(path)
            assert (summaries[sid].interactions, summaries[sid].malformed) == (count, malformed)


class _empty:
    lines: ClassVar[list[bytes]] = []
    warnings = errors = 0


def test_newest_first_and_resolve(tmp_path) -> None:
    with open_catalog(write_hostile_dir(tmp_path / "h")) as catalog:
        ids = [s.id for s in catalog.sessions()]
        assert ids[0] == "20251106_090000"  # jsonl only, newest
        assert ids.index("20251105_150000") < ids.index("20251105_143052_2") < ids.index("20251105_143052")
        assert ids[-1] == "in-progress"
        assert catalog.resolve("latest") == "20251106_090000"
        assert catalog.resolve("20251105_1500") == "20251105_150000"
        assert catalog.resolve("custom") == "custom_session_123"
        with pytest.raises(SessionNotFound, match="matches 3 sessions"):
            catalog.resolve("20251105_1")
        with pytest.raises(SessionNotFound, match="unknown session"):
            catalog.resolve("nope")


def test_summary_fields(tmp_path) -> None:
    with open_catalog(write_hostile_dir(tmp_path / "h")) as catalog:
        s = {x.id: x for x in catalog.sessions()}
    a = s["20251105_143052"]
    assert (a.interactions, a.malformed, a.tokens, a.models) == (3, 2, 5, ("gpt-4o",))
    assert a.in_app_log and a.interactions_file.endswith("session_20251105_143052.jsonl")
    assert a.errors == 2  # ERROR + the CRITICAL JSON line
    assert s["20251105_150000"].interactions_file is None  # app-log only
    assert not s["20251106_090000"].in_app_log  # jsonl only
    assert a.prompt == "hi"
    assert a.start.isoformat() == "2025-11-05T14:30:52"


def test_an_app_log_created_after_discovery_is_picked_up(tmp_path) -> None:
    """``--demo``: the layout is read before the application has created its log."""
    from tests.hostile import rec

    layout = discover(tmp_path)
    (tmp_path / "app.log").write_bytes(rec("20251105_143052", 1, "INFO", "early"))
    with Catalog(layout) as catalog:
        catalog.open()
        changes = catalog.poll()
        assert any(type(c).__name__ == "LogReset" for c in changes)
        for source in catalog.sources:
            source.wait(10)
        catalog.poll()
        assert [s.id for s in catalog.sessions()] == ["20251105_143052"]
        with open(tmp_path / "app.log", "ab") as fh:
            fh.write(rec("20251105_143052", 2, "INFO", "later"))
        catalog.poll()
        assert catalog.sessions()[0].lines == 2
