"""``show`` by direct scan: the same bytes and the same answers as the catalog gives,
without an index or a summary of the JSONL files."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from session_explorer.cli import main
from session_explorer.core.applog.index import LogIndex
from session_explorer.core.interactions import stats as interaction_stats
from session_explorer.core.session.catalog import Catalog
from session_explorer.core.session.layout import discover
from session_explorer.core.session.session_files import SessionFiles
from session_explorer.core.session.summaries import SessionNotFound
from tests.core.test_direct_scan import generated_log
from tests.hostile import rec, write_hostile_dir

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_logs"


def open_catalog(root: Path, app_logs: list[Path] | None = None) -> Catalog:
    layout = discover(root, app_logs)
    try:
        catalog = Catalog(layout, cache=False)  # type: ignore[call-arg]  # a Catalog without the argument is tried next
    except TypeError:
        catalog = Catalog(layout)
    catalog.open(wait=True)
    return catalog


def catalog_lines(catalog: Catalog, sid: str) -> bytes:
    return b"".join(line.raw + line.ending for line in catalog.iter_session_lines(sid))


def show(capsysbinary, *args: str) -> tuple[int, bytes, str]:
    code = main(["show", *map(str, args)])
    captured = capsysbinary.readouterr()
    return code, captured.out, captured.err.decode()


def generated_dir(root: Path, seed: int) -> Path:
    """Two app logs (one rotated), JSONL files for some sessions."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    data = generated_log(rng, 300)
    cut = data.index(b"\n", len(data) // 2) + 1
    (root / "api.log.1").write_bytes(data[:cut])
    (root / "api.log").write_bytes(data[cut:])
    (root / "worker.log").write_bytes(generated_log(rng, 150, second0=20))
    inter = root / "llm_interactions"
    inter.mkdir()
    for sid in ("20251105_143052", "custom_session_123", "20251107_000000"):
        (inter / f"session_{sid}.jsonl").write_bytes(b'{"timestamp": "2025-11-05T10:00:00"}\n')
    return root


@pytest.fixture(params=["sample", "hostile", "generated-1", "generated-2"])
def logs_dir(request, tmp_path) -> Path:
    if request.param == "sample":
        return SAMPLE
    if request.param == "hostile":
        return write_hostile_dir(tmp_path / "h")
    return generated_dir(tmp_path / "g", int(request.param[-1]))


def test_show_prints_what_the_catalog_reads(logs_dir, capsysbinary) -> None:
    with open_catalog(logs_dir) as catalog:
        sessions = [s.id for s in catalog.sessions()]
        expected = {sid: catalog_lines(catalog, sid) for sid in sessions}
    for sid in sessions:
        code, out, err = show(capsysbinary, logs_dir, sid)
        assert (code, err) == (0, "")
        assert out == expected[sid], sid


def test_show_one_app_log_of_several(tmp_path, capsysbinary) -> None:
    root = write_hostile_dir(tmp_path / "h")
    with open_catalog(root, [root / "worker.log"]) as catalog:
        expected = catalog_lines(catalog, "20251105_143052")
    code, out, _ = show(capsysbinary, root, "20251105_143052", "--app-log", root / "worker.log")
    assert code == 0 and out == expected


def test_latest_is_the_catalogs(logs_dir, capsysbinary) -> None:
    with open_catalog(logs_dir) as catalog:
        latest = catalog.resolve("latest")
        expected = catalog_lines(catalog, latest)
    code, out, _ = show(capsysbinary, logs_dir, "latest")
    assert code == 0 and out == expected


def test_latest_started_last_in_the_app_log_only(tmp_path, capsysbinary) -> None:
    root = write_hostile_dir(tmp_path / "h")
    with open(root / "app.log", "ab") as log:  # custom ids: dated by their first record
        log.write(rec("zz_custom", 59, "INFO", "older custom"))
        log.write(b"[late-custom] - 2025-11-06 09:30:00,000 - app - INFO - newest start\n")
        log.write(rec("zz_custom", 59, "INFO", "older custom again"))
    with open_catalog(root) as catalog:
        assert catalog.resolve("latest") == "late-custom"
    code, out, _ = show(capsysbinary, root, "latest")
    assert code == 0 and out == b"[late-custom] - 2025-11-06 09:30:00,000 - app - INFO - newest start\n"


def test_prefixes_and_errors_answer_as_the_catalog(logs_dir, capsysbinary) -> None:
    with open_catalog(logs_dir) as catalog:
        sessions = [s.id for s in catalog.sessions()]
        queries = {sid[:n] for sid in sessions for n in (1, 4, len(sid) - 1) if len(sid) > n}
        queries |= {"nope", "in-"}
        answers = {}
        for query in sorted(queries):
            try:
                sid = catalog.resolve(query)
                answers[query] = (0, catalog_lines(catalog, sid), "")
            except SessionNotFound as error:
                answers[query] = (1, b"", f"session-explorer: {error}\n")
    for query, expected in answers.items():
        assert show(capsysbinary, logs_dir, query) == expected, query


def test_show_needs_no_index_and_no_summary(tmp_path, capsysbinary, monkeypatch) -> None:
    root = generated_dir(tmp_path / "g", 3)
    with open_catalog(root) as catalog:
        expected = {q: catalog_lines(catalog, catalog.resolve(q)) for q in ("latest", "custom_s", "a", "20251107")}

    def refuse(*args, **kwargs):
        raise AssertionError("show read more than the session")

    monkeypatch.setattr(LogIndex, "__init__", refuse)
    monkeypatch.setattr(Catalog, "__init__", refuse)
    monkeypatch.setattr(SessionFiles, "scan", refuse)
    monkeypatch.setattr(interaction_stats, "summarise_file", refuse)
    monkeypatch.setattr(interaction_stats.JsonlSummary, "add_new", refuse)  # what the catalog summarises with
    for query, lines in expected.items():
        assert show(capsysbinary, root, query) == (0, lines, ""), query
    code, out, _ = show(capsysbinary, root, "20251107", "--interactions")
    assert code == 0 and out == (root / "llm_interactions" / "session_20251107_000000.jsonl").read_bytes()


def test_interactions_of_a_session_without_a_file(tmp_path, capsysbinary) -> None:
    root = write_hostile_dir(tmp_path / "h")
    assert show(capsysbinary, root, "20251105_150000", "--interactions") == (0, b"", "")
    assert show(capsysbinary, root, "custom", "--interactions") == (0, b"", "")
    code, _, err = show(capsysbinary, root, "zzz", "--interactions")
    assert code == 1 and err == "session-explorer: unknown session 'zzz'\n"


def test_compressed_rotation_warning_as_list_gives_it(tmp_path, capsysbinary) -> None:
    root = write_hostile_dir(tmp_path / "h")
    (root / "app.log.2.gz").write_bytes(b"\x1f\x8b")
    code, out, err = show(capsysbinary, root, "custom_session_123")
    assert code == 0 and out.startswith(b"[custom_session_123] - NOTICE")
    assert err == f"session-explorer: warning: {root / 'app.log.2.gz'}: compressed rotation not read\n"
    assert main(["list", str(root), "--no-cache"] if _has_no_cache() else ["list", str(root)]) == 0
    assert capsysbinary.readouterr().err.decode() == err


def _has_no_cache() -> bool:
    from session_explorer.cli import list_parser

    return "--no-cache" in list_parser().format_help()


def test_json_format_app_log(tmp_path, capsysbinary) -> None:
    lines = []
    for i, sid in enumerate(["s1", "s2", "s1", "caf\u00e9", "s1"]):
        doc = {"timestamp": f"2025-11-05T10:00:0{i}", "session_id": sid, "level": "ERROR", "message": "m"}
        lines.append(json.dumps(doc).encode() + b"\n" + b"Traceback (most recent call last):\n")
    (tmp_path / "app.log").write_bytes(b"".join(lines))
    with open_catalog(tmp_path) as catalog:
        expected = {sid: catalog_lines(catalog, sid) for sid in ("s1", "s2", "caf\u00e9")}
    for sid, lines_ in expected.items():
        assert show(capsysbinary, tmp_path, sid) == (0, lines_, ""), sid
    assert show(capsysbinary, tmp_path, "caf")[1] == expected["caf\u00e9"]


def test_export_resolves_as_show_does(tmp_path, capsysbinary) -> None:
    root = write_hostile_dir(tmp_path / "h")
    assert main(["export", str(root), "20251105_143052_", "--format", "json"]) == 0
    bundle = json.loads(capsysbinary.readouterr().out)
    assert bundle["session"]["id"] == "20251105_143052_2"
    assert main(["export", str(root), "2025110"]) == 1
    assert "matches" in capsysbinary.readouterr().err.decode()
