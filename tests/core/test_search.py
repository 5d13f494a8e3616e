"""Search: query rules, the bytes-level searcher, and whole-log search against a naive scan."""

from __future__ import annotations

import importlib.util
import sys
import threading
from itertools import pairwise
from pathlib import Path

import pytest

from session_explorer.core.applog.index import LogIndex
from session_explorer.core.applog.rotations import discover_rotations
from session_explorer.core.query import QueryError, _literal_prefix, compile_query
from session_explorer.core.reading.search import search, search_index, search_lines
from session_explorer.core.reading.sources import AllLines, ConcatLines, ListLines, SessionLines
from tests.hostile import rec, write_hostile_dir

ROOT = Path(__file__).resolve().parents[2]


def _gen_module():
    spec = importlib.util.spec_from_file_location("gen_logs", ROOT / "bench" / "gen_logs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_logs", module)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def naive_lines(paths: list[Path]) -> list[bytes]:
    """Every line's content (without its ending), in log order, as the index reads it."""
    out: list[bytes] = []
    for path in paths:
        data = path.read_bytes()
        pieces = data.split(b"\n")
        if data.endswith(b"\n"):
            pieces.pop()
            out.extend(p[:-1] if p.endswith(b"\r") else p for p in pieces)
        elif data:
            out.extend(p[:-1] if p.endswith(b"\r") else p for p in pieces[:-1])
            out.append(pieces[-1])
    return out


def naive_search(lines: list[bytes], text: str) -> list[int]:
    """The obvious reading: decode each line, apply the query's text rule."""
    query = compile_query(text)
    return [n for n, raw in enumerate(lines) if query.matches(raw.decode("utf-8", "replace"))]


def built(paths: list[Path], block_size: int = 256) -> LogIndex:
    index = LogIndex(paths, "app", block_size=block_size, follow=False, workers=0)
    index.build()
    return index


# -- query rules -----------------------------------------------------------------

@pytest.mark.parametrize("query, text, expected", [
    ("timeout", "Request TIMEOUT after 3s", True),  # no capitals: ignore case
    ("Timeout", "request timeout", False),  # a capital: exact case
    ("Timeout", "a Timeout here", True),
    ("12:30", "at 12:30:01", True),
    ("café", "CAFÉ OUVERT", True),  # non-ASCII, ignore case
    ("Café", "café", False),
    ("é", "CAFÉ", True),
    ("12:30 é", "12:30 É", True),
    ("€ 12", "price € 12", True),  # nothing with a case: exact bytes
    ("re:err(or)?\\b", "an error occurred", True),
    ("re:ERROR", "error", False),  # expressions are case-sensitive...
    ("re:(?i)ERROR", "error", True),  # ...unless (?i)
    ("re:^\\[abc\\]", "[abc] - x", True),
    ("re:^\\[abc\\]", "x [abc]", False),
    ("re:\\d{3} ms$", "took 250 ms", True),
    ("re:", "re:", None),  # empty expression: QueryError
    ("", "", None),
    ("re:a+b", "a+b", False),  # an expression, not the text "a+b"
    ("a+b", "a+b", True),
    ("re:re:foo", "re:foo", True),
    ("re:caf\\u00e9", "un café", True),  # \u escapes: matched on the decoded text
])
def test_query_rules(query: str, text: str, expected: bool | None) -> None:
    if expected is None:
        with pytest.raises(QueryError):
            compile_query(query)
        return
    q = compile_query(query)
    assert q.matches(text) is expected
    assert q.matches_raw(text.encode()) is expected


@pytest.mark.parametrize("query, message", [
    ("re:[abc", "invalid regular expression: unterminated character set at position 3"),
    ("re:a(b", "invalid regular expression: missing ), unterminated subpattern at position 4"),
    ("re:*x", "invalid regular expression: nothing to repeat at position 3"),
    ("re:a{2,1}", "invalid regular expression: min repeat greater than max repeat at position 5"),
    ("", "empty query"),
])
def test_invalid_query_messages(query: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        compile_query(query)
    assert str(info.value) == message
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("query, text, spans", [
    ("foo", "Foo foo FOO", [(0, 3), (4, 7), (8, 11)]),
    ("Foo", "Foo foo FOO", [(0, 3)]),
    ("aa", "aaaa", [(0, 2), (2, 4)]),
    ("re:\\d+", "a 12 b 345", [(2, 4), (7, 10)]),
    ("re:x*", "abc", []),  # empty matches are not highlighted
    ("nothing", "abc", []),
])
def test_spans(query: str, text: str, spans: list[tuple[int, int]]) -> None:
    assert compile_query(query).spans(text) == spans


# -- the bytes-level searcher ----------------------------------------------------

CHUNK = (
    b"first line has needle\n"  # 0
    b"NEEDLE in capitals\r\n"  # 1: CRLF
    b"needle needle twice\n"  # 2: counted once
    b"no match here\n"  # 3
    b"bytes \xff\xfe needle after invalid utf-8\n"  # 4
    b"\n"  # 5: empty line
    b"nee\rdle split by a CR\n"  # 6: no match
    b"ends with needle\r\n"  # 7: match right before CRLF
    b"last line without newline needle"  # 8
)


@pytest.mark.parametrize("query, expected", [
    ("needle", [0, 1, 2, 4, 7, 8]),
    ("NEEDLE", [1]),
    ("needle twice", [2]),
    ("first", [0]),  # at the very first byte
    ("newline needle", [8]),  # up to the very last byte
    ("\xff", []),  # U+00FF is not the raw byte 0xFF
    ("re:needle$", [0, 7, 8]),  # $ before CRLF and at the end without newline
    ("re:^needle", [2]),
    ("re:le\\s", [2, 4, 6]),  # \s must not reach into the line ending (line 0)
    ("re:e\\r", [6]),  # a lone CR inside a line is content
    ("re:needle\\nNEEDLE", []),  # never across lines
    ("re:(?i)NEEDLE", [0, 1, 2, 4, 7, 8]),
    ("re:\\xff\\xfe", [4]),  # an ASCII expression runs on the raw bytes
    ("re:[^a-z]{2} needle", [4]),
    ("re:(?<=ends )with", [7]),
    ("re:\\Aends", [7]),
    ("re:needle\\Z", [0, 7, 8]),
    ("re:x*", list(range(9))),  # an empty match matches every line
    ("e needle", [2, 8]),
    ("re:needle\\w*", [0, 2, 4, 7, 8]),  # literal start "needle" found first
    ("re:^needle ne+dle", [2]),
    ("re:ends with n?needle", [7]),
])
def test_line_hits(query: str, expected: list[int]) -> None:
    q = compile_query(query)
    lines = CHUNK.split(b"\n")
    lines = [ln[:-1] if ln.endswith(b"\r") and i < len(lines) - 1 else ln for i, ln in enumerate(lines)]
    assert [i for i, raw in enumerate(lines) if q.matches_raw(raw)] == expected
    assert q.line_hits(CHUNK) == expected
    assert q.line_hits(bytearray(CHUNK) + b"garbage needle\n", len(CHUNK)) == expected


@pytest.mark.parametrize("per_mib", [1 << 30, 0])  # 0: the exact part is too common
def test_ignore_case_through_exact_part(monkeypatch, per_mib: int) -> None:
    """A case-insensitive query is found through its longest part without letters."""
    import session_explorer.core.query as query_module
    monkeypatch.setattr(query_module, "ANCHOR_HITS_PER_MIB", per_mib)
    lines = [b"at 12:30:01 - Timeout", b"AT 12:30:01 - TIMEOUT\r", b"12:30:01 - time out",
             b"12:30:01 - timeou", b"x 12:30:01 - timeout 12:30:01 - TimeOut"] * 5
    data = b"\n".join(lines) + b"\n12:30:01 - timeout"
    expected = [i for i in range(25) if i % 5 in (0, 1, 4)] + [25]
    assert compile_query("12:30:01 - timeout").line_hits(data) == expected
    assert compile_query("12:30:01 - timeout").line_hits(data[:-1]) == expected[:-1]
    assert compile_query("- timeout").line_hits(data) == expected  # too short an exact part


@pytest.mark.parametrize("source, prefix", [
    ("abc.*", b"abc"),
    ("^abcd", b"abcd"),
    ("abcd*", b"abc"),  # d is optional
    ("abcd{2}", b"abc"),
    ("ab", None),  # too short to help
    ("a|bcdef", None),
    ("(?i)abcdef", None),
    ("[abc]def", None),
    ("2025-11-05 12:4", b"2025-11-05 12:4"),
])
def test_literal_prefix(source: str, prefix: bytes | None) -> None:
    assert _literal_prefix(source) == prefix


def test_regex_tries_many_literal_starts(monkeypatch) -> None:
    import session_explorer.core.query as query_module
    monkeypatch.setattr(query_module, "PREFIX_TRIES", 2)
    data = b"".join(b"key %d\n" % n for n in range(100))
    assert compile_query("re:key 9[05]$").line_hits(data) == [90, 95]
    assert compile_query("re:key 9[05]").line_hits(data) == [90, 95]


def test_non_utf8_query_bytes() -> None:
    """Non-ASCII queries are encoded in UTF-8; invalid bytes never match them."""
    data = "plain café\nCAFÉ upper\n".encode() + b"caf\xe9 in latin-1\n"
    assert compile_query("café").line_hits(data) == [0, 1]
    assert compile_query("CAFÉ").line_hits(data) == [1]
    assert compile_query("re:caf.").line_hits(data) == [0, 2]  # bytes: '.' is one byte
    assert compile_query("re:caf\\u00e9").line_hits(data) == [0]  # text: \u escapes


# -- files, rotations, sessions --------------------------------------------------

FILE_CASES = {
    "first and last byte": b"needle at start\nmiddle\nends with needle",
    "only the query": b"needle",
    "trailing newline": b"a\nneedle\n",
    "CRLF": b"needle\r\nx\r\nneedle\r\n",
    "no match": b"nothing\nhere\n",
    "empty": b"",
    "empty lines": b"\n\n\nneedle\n\n",
    "long line": b"x" * 5000 + b"needle" + b"y" * 5000 + b"\nneedle\n",
}


@pytest.mark.parametrize("name", sorted(FILE_CASES))
@pytest.mark.parametrize("block_size", [16, 256, 1 << 20])
def test_search_index_files(tmp_path: Path, name: str, block_size: int) -> None:
    path = tmp_path / "app.log"
    path.write_bytes(FILE_CASES[name])
    with built([path], block_size) as index:
        expected = naive_search(naive_lines([path]), "needle")
        assert list(search_index(index, "needle")) == expected
        assert list(search_index(index, "needle", chunk_size=1)) == expected
        assert list(search_lines(AllLines(index), "needle")) == expected


def test_match_in_rotations_and_continuation_lines(tmp_path: Path) -> None:
    (tmp_path / "app.log.2").write_bytes(rec("s1", 1, "INFO", "start") + b"needle in a traceback\n")
    (tmp_path / "app.log.1").write_bytes(rec("s2", 2, "ERROR", "the needle fails"))
    (tmp_path / "app.log").write_bytes(rec("s1", 3, "INFO", "done") + b"  continued needle\n"
                                       + rec("s2", 4, "INFO", "needle last"))
    paths = discover_rotations(tmp_path / "app.log")
    with built(paths, 64) as index:
        assert list(search_index(index, "needle")) == [1, 2, 4, 5]
        session = SessionLines(index, "s1")
        assert [line.raw for line in session.read(0, len(session))][1] == b"needle in a traceback"
        assert list(search_lines(session, "needle")) == [1, 3]  # continuation lines of s1
        assert list(search(session, "needle")) == [1, 3]
        assert list(search_lines(SessionLines(index, "s2"), "needle")) == [0, 1]


def test_hostile_dir_against_naive(tmp_path: Path) -> None:
    root = write_hostile_dir(tmp_path / "logs")
    queries = ["needle", "info", "INFO", "utf", "\x00", "x" * 50, "[1, 2, 3]", "markup[/bold]",
               "re:\\x1b\\[31m", "re:^\\[custom", "re:(?i)traceback|valueerror", "re:^$",
               "re:\\d{2},\\d{3} - ", "re:[^\\x00-\\x7f]", "crlf line", "re:line$", "shutting down",
               "re:.{150000}"]
    for log in ("app.log", "worker.log"):
        paths = discover_rotations(root / log)
        lines = naive_lines(paths)
        for block_size in (64, 4096):
            with built(paths, block_size) as index:
                assert index.line_count == len(lines)
                for text in queries:
                    q = compile_query(text)
                    expected = [n for n, raw in enumerate(lines) if q.matches_raw(raw)]
                    assert list(search_index(index, q)) == expected, (log, text)
                    assert list(search_lines(AllLines(index), q)) == expected, (log, text)


def test_hostile_non_utf8_line(tmp_path: Path) -> None:
    root = write_hostile_dir(tmp_path / "logs")
    with built(discover_rotations(root / "app.log")) as index:
        found = search_index(index, "not utf-8")
        assert len(found) == 1
        line = index.read_lines(found[0], found[0] + 1)[0]
        assert b"\xff\xfe" in line.raw
        assert compile_query("not utf-8").spans(line.text)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen")
    return _gen_module().generate(out, 300_000, sessions=30, seed=5, concurrency=6)


@pytest.mark.parametrize("text", [
    "Rate limited", "rate limited", "timeout", "Timeout", "athlete:4", "[note]", "09:00:0",
    "re:attempt [7-9]\\)", "re:^\\s+\\d\\.", "re:(?i)KEYERROR", "re:\\}$", "re:^$", "zzz-absent",
    "2025-11-05 09:0", "- WARNING - ", "re:^\\[\\d+, ", "0 - cycling_ai.tools", "1 - httpx - warning",
])
def test_generated_log_against_naive(generated: Path, text: str) -> None:
    lines = naive_lines([generated])
    expected = naive_search(lines, text)
    with built([generated], 4096) as index:
        assert list(search_index(index, text)) == expected
        assert list(search_index(index, text, chunk_size=3 * 4096)) == expected
        assert list(search(AllLines(index), text)) == expected


def test_search_dispatch_over_sources(generated: Path) -> None:
    with built([generated], 4096) as index:
        all_lines = AllLines(index)
        expected = list(search_lines(all_lines, "Slow tool"))
        assert expected
        head = ListLines(all_lines.read(0, 100))
        concat = ConcatLines([head, all_lines])
        assert list(search(concat, "Slow tool")) == (
            [n for n in expected if n < 100] + [100 + n for n in expected])


def test_cancel_and_progress(generated: Path) -> None:
    with built([generated], 4096) as index:
        reports: list[tuple[int, int]] = []
        full = search_index(index, "INFO", progress=lambda done, total: reports.append((done, total)))
        total = reports[-1][1]
        assert reports[-1] == (total, total) and total == generated.stat().st_size
        assert all(a[0] <= b[0] for a, b in pairwise(reports))

        cancel = threading.Event()
        seen: list[int] = []

        def stop_early(done: int, total: int) -> None:
            seen.append(done)
            cancel.set()

        import session_explorer.core.reading.search as search_module
        every = search_module.PROGRESS_EVERY
        search_module.PROGRESS_EVERY = 0
        try:
            partial = search_index(index, "INFO", cancel=cancel, progress=stop_early, chunk_size=8192)
            assert len(seen) == 1 and 0 < len(partial) < len(full)
            assert list(partial) == list(full[:len(partial)])
            cancel.clear()
            seen.clear()
            source = AllLines(index)
            partial = search_lines(source, "INFO", cancel=cancel, progress=stop_early, batch=100)
            assert len(seen) == 1 and list(partial) == [n for n in full if n < 100]
        finally:
            search_module.PROGRESS_EVERY = every
        cancel.set()
        assert len(search_index(index, "INFO", cancel=cancel)) == 0
