"""The direct scan agrees byte for byte with a line-by-line reading of the grammar.

The reference reads every line with :func:`applog.attribute_lines` (file after file,
the session of the last record carried over; the live file's unfinished last line
held back) and keeps the session's lines; several logs are merged with
:func:`index.merge_by_time`. Tiny chunk sizes put every line, traceback and JSON
record at a chunk boundary somewhere.
"""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path

import pytest

from session_explorer.core.applog import direct_scan
from session_explorer.core.applog import records as applog
from session_explorer.core.applog.direct_scan import AppLogFiles, newest_heads, session_bytes, session_ids
from session_explorer.core.applog.merge import merge_by_time
from session_explorer.core.applog.rotations import discover_rotations
from session_explorer.core.models import IN_PROGRESS, LogLine
from tests.hostile import hostile_app_log, write_hostile_dir
from tests.reference import naive_sessions

CHUNKS = [1, 3, 17, 64, 333, 4096, 1 << 20]


# ------------------------------------------------------------------ reference
def reference_lines(live: Path) -> list[LogLine]:
    """Every line of a log (its rotations, oldest first) with its session, naively."""
    paths = discover_rotations(live)
    lines: list[LogLine] = []
    carry, record = IN_PROGRESS, None
    for i, path in enumerate(paths):
        data = path.read_bytes()
        if i == len(paths) - 1:  # the live file: a line still being written waits
            data = data[:data.rfind(b"\n") + 1]
        for offset, content, ending, sid, head in applog.attribute_lines(data, carry):
            carry = sid
            record = head or record
            lines.append(LogLine(live.name, 0, offset, content, ending, sid, head,
                                 None if head else (record if sid != IN_PROGRESS or record else None)))
    return lines


def reference_session(logs: list[Path], sid: str) -> bytes:
    streams = [[line for line in reference_lines(p) if line.session_id == sid] for p in logs]
    streams = [s for s in streams if s]
    merged = streams[0] if len(streams) == 1 else list(merge_by_time(streams))
    return b"".join(line.raw + line.ending for line in merged)


def scan(logs: list[Path], sid: str, chunk: int) -> bytes:
    opened = [AppLogFiles(p) for p in logs]
    try:
        return b"".join(session_bytes(opened, sid, chunk))
    finally:
        for log in opened:
            log.close()


def sessions_of(logs: list[Path]) -> set[str]:
    return {line.session_id for p in logs for line in reference_lines(p)}


# ----------------------------------------------------------------- generated
IDS = ["20251105_143052", "20251105_143052_2", "a", "custom_session_123", IN_PROGRESS,
       "caf\u00e9", 'q"uote', "back\\slash", "x] - INFO", "q"]


def generated_log(rng: random.Random, n: int, *, second0: int = 0, crlf: float = 0.1,
                  ids: list[str] | None = None) -> bytes:
    """A hostile mix of records and lines that only look like records."""
    ids = ids or IDS
    out: list[bytes] = []
    t = second0
    for _ in range(n):
        t += rng.choice([0, 0, 1])
        sid = rng.choice(ids)
        raw = sid.encode()
        ts = f"2025-11-05 {10 + t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}"
        kind = rng.random()
        if kind < 0.35 and b"]" not in raw:
            line = b"[" + raw + b"] - " + f"{ts},{rng.randrange(1000):03d} - app.x - INFO - m{t}".encode()
        elif kind < 0.45 and b"]" not in raw:
            line = b"[" + raw + b"] - " + rng.choice([b"DEBUG", b"NOTICE", b"ERROR"]) + b" - simple"
        elif kind < 0.55:
            doc = {"timestamp": ts.replace(" ", "T"), "session_id": sid, "level": "INFO", "message": "j"}
            line = json.dumps(doc, ensure_ascii=rng.random() < 0.5).encode()
            if sid == "a" and rng.random() < 0.3:  # the same id, escaped
                line = line.replace(b'"session_id": "a"', b'"session_id": "\\u0061"')
        elif kind < 0.62:
            line = rng.choice([b"Traceback (most recent call last):", b'  File "x.py", line 3', b"ValueError: bad"])
        else:
            line = rng.choice([
                b"[1, 2, 3]", b"[note] - text", b"[" + raw + b"] - not a record", b"[" + raw + b"]",
                b"[" + raw + b"] - 2025-11-05 10:00", b"", b"\xff\xfe not utf-8 \x00", b"\x1b[31mred",
                b'{"timestamp": "x"}', b'{"timestamp": "t", "session_id": "a', b"{\"athlete\": 1}",
                b"[" + raw + b"] - lower - x", b"  [" + raw + b"] - INFO - indented",
                b"[\xff" + raw + b"] - INFO - bad id byte", b"x" * rng.choice([1, 100, 5000]),
                # the id written as is: "q"uote" is a record of "q", "x] - INFO - m" of "x"
                b'{"timestamp": "t", "session_id": "' + raw + b'", "level": "INFO"}',
                b"[" + raw + b" - m",
            ])
        out.append(line + (b"\r\n" if rng.random() < crlf else b"\n"))
    return b"".join(out)


@pytest.mark.parametrize("seed", range(12))
def test_generated_logs_agree_with_the_reference(tmp_path, seed) -> None:
    rng = random.Random(seed)
    data = generated_log(rng, 400)
    if seed % 3 == 0:
        data = data.rstrip(b"\n")  # a last line still being written
    log = tmp_path / "app.log"
    log.write_bytes(data)
    chunk = rng.choice(CHUNKS)
    for sid in sessions_of([log]) | {"nope", "\ufffda", "2025"}:
        assert scan([log], sid, chunk) == reference_session([log], sid), (sid, chunk)


@pytest.mark.parametrize("chunk", CHUNKS)
def test_hostile_log_every_chunk_size(tmp_path, chunk) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(hostile_app_log())
    naive = naive_sessions([log])
    for sid in naive:
        assert scan([log], sid, chunk) == b"".join(naive[sid].lines), sid
        assert scan([log], sid, chunk) == reference_session([log], sid)


@pytest.mark.parametrize("chunk", [5, 64, 1 << 20])
def test_hostile_dir_rotated_and_merged(tmp_path, chunk) -> None:
    root = write_hostile_dir(tmp_path / "h")
    logs = [root / "app.log", root / "worker.log"]
    for sid in sessions_of(logs) | {"20251105_150000"}:
        assert scan(logs, sid, chunk) == reference_session(logs, sid), sid
    naive = naive_sessions(discover_rotations(root / "app.log"))
    for sid in naive:
        assert scan([root / "app.log"], sid, chunk) == b"".join(naive[sid].lines), sid


def test_traceback_at_every_chunk_boundary(tmp_path) -> None:
    rec = "[{}] - 2025-11-05 10:00:{:02d},000 - app - ERROR - failed\n"
    trace = "Traceback (most recent call last):\n  File \"a.py\", line 1\n[1, 2]\nValueError: x\n"
    data = "".join(rec.format(sid, i) + (trace if i % 2 else "") for i, sid in
                   enumerate(["a", "b", "a", "a", "b", "b", "a"] * 5)).encode()
    log = tmp_path / "app.log"
    log.write_bytes(data)
    for chunk in range(1, 120):
        for sid in ("a", "b"):
            assert scan([log], sid, chunk) == reference_session([log], sid), (sid, chunk)


@pytest.mark.parametrize("seed", range(6))
def test_rotations_cut_anywhere(tmp_path, seed) -> None:
    rng = random.Random(100 + seed)
    data = generated_log(rng, 300)
    cuts = sorted(rng.sample(range(1, len(data)), 3))
    if seed % 2:  # rotation at line ends, as a handler rotates
        cuts = [data.index(b"\n", c) + 1 for c in cuts]
    parts = [data[i:j] for i, j in zip([0, *cuts], [*cuts, len(data)], strict=True)]
    names = ["app.log.2025-11-04", "app.log.2", "app.log.1", "app.log"]
    for name, part in zip(names, parts, strict=True):
        (tmp_path / name).write_bytes(part)
    log = tmp_path / "app.log"
    assert len(discover_rotations(log)) == 4
    for sid in sessions_of([log]):
        assert scan([log], sid, rng.choice(CHUNKS)) == reference_session([log], sid), sid


@pytest.mark.parametrize("seed", range(6))
def test_two_app_logs_merged_in_time(tmp_path, seed) -> None:
    rng = random.Random(200 + seed)
    api, worker = tmp_path / "api.log", tmp_path / "worker.log"
    api.write_bytes(generated_log(rng, 300, crlf=0))
    worker.write_bytes(generated_log(rng, 200, second0=rng.randrange(60)))
    if seed % 2:
        (tmp_path / "worker.log.1").write_bytes(generated_log(rng, 50))
    logs = [api, worker]
    for sid in sessions_of(logs):
        assert scan(logs, sid, rng.choice(CHUNKS)) == reference_session(logs, sid), sid


def test_a_ten_megabyte_line(tmp_path) -> None:
    big = b"y" * (10 << 20)
    data = (b"[a] - 2025-11-05 10:00:00 - app - INFO - " + big + b"\n" + big + b"\n"
            b"[b] - 2025-11-05 10:00:01 - app - INFO - " + big + b"\r\n"
            b"[a] - INFO - after\n" + big[:3000] + b"\n")
    log = tmp_path / "app.log"
    log.write_bytes(data)
    for chunk in (4096, 1 << 20):
        for sid in ("a", "b"):
            assert scan([log], sid, chunk) == reference_session([log], sid)


def test_a_json_format_log(tmp_path) -> None:
    rng = random.Random(7)
    lines = []
    for i in range(500):
        sid = rng.choice(["s1", "s2", "caf\u00e9"])
        doc = {"timestamp": f"2025-11-05T10:00:{i % 60:02d}", "session_id": sid, "level": "INFO",
               "message": "m"}
        lines.append(json.dumps(doc, ensure_ascii=bool(i % 2)).encode() + b"\n")
        if i % 7 == 0:
            lines.append(b"Traceback (most recent call last):\n  ValueError\n")
    log = tmp_path / "app.log"
    log.write_bytes(b"".join(lines))
    for chunk in (50, 1 << 20):
        for sid in ("s1", "s2", "caf\u00e9", "s"):
            assert scan([log], sid, chunk) == reference_session([log], sid), sid


def test_unfinished_last_line_of_the_live_file_waits(tmp_path) -> None:
    (tmp_path / "app.log.1").write_bytes(b"[a] - INFO - old\nunfinished in a rotation")
    (tmp_path / "app.log").write_bytes(b"[a] - INFO - one\ncont\n[a] - INFO - partial")
    assert scan([tmp_path / "app.log"], "a", 4) == (
        b"[a] - INFO - old\nunfinished in a rotation[a] - INFO - one\ncont\n")


def test_lines_stream_as_they_are_found(tmp_path, monkeypatch) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(b"[a] - INFO - x\n[b] - INFO - y\n" * 1000)
    reads = []
    real = direct_scan._chunks

    def counting(*args):
        for item in real(*args):
            reads.append(1)
            yield item

    monkeypatch.setattr(direct_scan, "_chunks", counting)
    opened = AppLogFiles(log)
    pieces = session_bytes([opened], "a", 1024)
    assert next(pieces).startswith(b"[a] - INFO - x\n")
    assert len(reads) == 1
    assert len(list(pieces)) > 10
    opened.close()


# ---------------------------------------------------------------- resolution
@pytest.mark.parametrize("seed", range(4))
def test_session_ids_by_prefix(tmp_path, seed) -> None:
    rng = random.Random(300 + seed)
    log = tmp_path / "app.log"
    log.write_bytes(generated_log(rng, 300))
    lines = reference_lines(log)
    opened = AppLogFiles(log)
    try:
        for prefix in ["", "2025", "20251105_143052", "a", "c", "in-", "q\"", "zzz", "\ufffd"]:
            expected: dict[str, datetime | None] = {}
            for line in lines:
                if line.session_id.startswith(prefix) and line.session_id not in expected:
                    expected[line.session_id] = line.head.timestamp if line.head else None
            found = session_ids(opened, prefix, rng.choice(CHUNKS))
            assert found == expected, prefix
    finally:
        opened.close()


def test_newest_heads_read_backwards(tmp_path) -> None:
    rng = random.Random(5)
    log = tmp_path / "app.log"
    log.write_bytes(generated_log(rng, 300))
    heads = [line for line in reference_lines(log) if line.head is not None]
    opened = AppLogFiles(log)
    try:
        blocks = list(newest_heads(opened, 200))
    finally:
        opened.close()
    assert blocks[0].keys() >= {heads[-1].session_id}
    seen: dict[str, datetime | None] = {}
    for block in reversed(blocks):
        for sid, ts in block.items():
            seen.setdefault(sid, ts)
    first: dict[str, datetime | None] = {}
    for line in heads:
        first.setdefault(line.session_id, line.head.timestamp)
    assert seen == first


def test_ids_that_need_escapes_or_hold_brackets(tmp_path) -> None:
    data = b"".join([
        b'[q] - INFO - q\n',
        b'{"timestamp": "t", "session_id": "q\\"uote", "level": "INFO"}\n',  # q"uote
        b'line of q"uote\n',
        b'{"timestamp": "t", "session_id": "q"uote", "level": "INFO"}\n',  # a record of q
        b'line of q\n',
        b'{"timestamp": "t", "session_id": "x] - INFO", "level": "INFO"}\n',
        b'line of x] - INFO\n',
        b'[x] - INFO - m\n',  # a record of x, not of "x] - INFO"
        b'line of x\n',
        b'{"timestamp": "t", "session_id": "back\\\\slash"}\n',
        b'{"timestamp": "t", "session_id": "back\\slash"}\n',  # an invalid escape: as written
        b'line of back\\slash\n',
    ])
    log = tmp_path / "app.log"
    log.write_bytes(data)
    for sid in ['q"uote', "q", "x] - INFO", "x", "back\\slash"]:
        for chunk in (1, 40, 1 << 20):
            assert scan([log], sid, chunk) == reference_session([log], sid), (sid, chunk)
    assert scan([log], "q", 1 << 20).count(b"\n") == 3


def test_consecutive_records_are_one_run(tmp_path) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(b"[a] - INFO - x\n  more\n" * 50_000 + b"[b] - INFO - y\n" + b"[a] - INFO - z\n" * 10)
    opened = AppLogFiles(log)
    try:
        chunks = list(direct_scan.session_runs(opened, "a", 1 << 16))
    finally:
        opened.close()
    assert sum(len(runs) for runs in chunks) <= len(chunks) + 1
    assert b"".join(d for runs in chunks for _, d in runs) == reference_session([log], "a")
