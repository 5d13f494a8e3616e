"""App-log line parsing: which lines start records, and what they say."""

from __future__ import annotations

import os
from dataclasses import asdict
from datetime import datetime

import pytest

from session_explorer.core import applog
from session_explorer.core.applog import parse_head, scan_block, scan_block_naive
from session_explorer.core.models import IN_PROGRESS

DT = datetime(2025, 11, 5, 14, 30, 52)

# (line, expected (session_id, level, message, timestamp, logger, kind) or None)
HEADS = [
    (b"[20251105_143052] - 2025-11-05 14:30:52,123 - cycling_ai.agent - INFO - Processing",
     ("20251105_143052", "INFO", "Processing", DT.replace(microsecond=123000), "cycling_ai.agent", "detailed")),
    (b"[20251105_143052] - 2025-11-05 14:30:52 - a.b - WARNING - no ms",
     ("20251105_143052", "WARNING", "no ms", DT, "a.b", "detailed")),
    (b"[20251105_143052_2] - 2025-11-05 14:30:52.5 - a - ERROR - dot ms",
     ("20251105_143052_2", "ERROR", "dot ms", DT.replace(microsecond=500000), "a", "detailed")),
    (b"[custom_session_123] - 2025-11-05 14:30:52,001 - my app - CRITICAL - spaces in logger",
     ("custom_session_123", "CRITICAL", "spaces in logger", DT.replace(microsecond=1000), "my app", "detailed")),
    (b"[in-progress] - 2025-11-05 14:30:52,000 - x - TRACE - custom level",
     ("in-progress", "TRACE", "custom level", DT, "x", "detailed")),
    (b"[s] - 2025-11-05 14:30:52,000 - x - INFO - a - ERROR - b",
     ("s", "INFO", "a - ERROR - b", DT, "x", "detailed")),
    (b"[s] - 2025-11-05 14:30:52 garbage after time",
     ("s", "", "garbage after time", DT, None, "detailed")),
    (b"[20251105_143052] - INFO - simple format",
     ("20251105_143052", "INFO", "simple format", None, None, "simple")),
    (b"[in-progress] - NOTICE - custom simple level",
     ("in-progress", "NOTICE", "custom simple level", None, None, "simple")),
    (b"[s] - WARNING - ", ("s", "WARNING", "", None, None, "simple")),
    (b"[s] - INFO - crlf\r\n", ("s", "INFO", "crlf", None, None, "simple")),
    (b"[s] - INFO - bad \xff\xfe utf8", ("s", "INFO", "bad \ufffd\ufffd utf8", None, None, "simple")),
    (b"[s] - INFO - nul \x00 byte", ("s", "INFO", "nul \x00 byte", None, None, "simple")),
    (b"[s] - INFO - \x1b[31mred\x1b[0m [bold]x[/bold]",
     ("s", "INFO", "\x1b[31mred\x1b[0m [bold]x[/bold]", None, None, "simple")),
    (b'{"timestamp": "2025-11-05T14:30:52.123", "session_id": "20251105_143052", "logger": "a.b", '
     b'"level": "ERROR", "message": "boom", "exception": "Traceback..."}',
     ("20251105_143052", "ERROR", "boom", DT.replace(microsecond=123000), "a.b", "json")),
    (b'{"timestamp": "2025-11-05T14:30:52", "session_id": "q\\"id", "logger": "a", "level": "INFO", "message": 1}',
     ('q"id', "INFO", "1", DT, "a", "json")),
    # continuations
    (b"Traceback (most recent call last):", None),
    (b'  File "x.py", line 1, in <module>', None),
    (b"[1, 2, 3]", None),
    (b"[note] - text", None),
    (b"[note] - Level 5 - message", None),
    (b"[bold]markup[/bold]", None),
    (b"[s] - info - lower-case level", None),
    (b"[s] -INFO - missing space", None),
    (b"[s] - 2025-11-05 - date only", None),
    (b"", None),
    (b"\x00\x00", None),
    (b'{"not": "ours"}', None),
    (b"  [s] - INFO - indented", None),
]


@pytest.mark.parametrize("line,expected", HEADS)
def test_parse_head(line: bytes, expected: tuple | None) -> None:
    head = parse_head(line)
    if expected is None:
        assert head is None
        return
    assert head is not None
    got = (head.session_id, head.level, head.message, head.timestamp, head.logger, head.kind)
    assert got == expected


def test_parse_head_accepts_str() -> None:
    head = parse_head("[é] - INFO - café\n")
    assert head is not None and head.session_id == "é" and head.message == "café"


@pytest.mark.parametrize("raw,content,ending", [
    (b"a\r\n", b"a", b"\r\n"), (b"a\n", b"a", b"\n"), (b"a", b"a", b""), (b"a\rb\n", b"a\rb", b"\n"),
])
def test_strip_ending(raw: bytes, content: bytes, ending: bytes) -> None:
    assert applog.strip_ending(raw) == (content, ending)


def test_iter_lines_keeps_everything() -> None:
    data = b"a\r\n\x00\xff\n" + b"x" * (10 << 20) + b"\nlast"
    lines = list(applog.iter_lines(data))
    assert [(c[:3], e) for _, c, e in lines] == [(b"a", b"\r\n"), (b"\x00\xff", b"\n"), (b"xxx", b"\n"), (b"las", b"")]
    assert len(lines[2][1]) == 10 << 20
    assert list(applog.iter_lines(b"a\nb", final=False))[-1][1] == b"a"


def test_lines_before_first_record_are_in_progress() -> None:
    data = b"boot line\n[1, 2]\n[s] - INFO - hi\ncont\n"
    owners = [sid for _, _, _, sid, _ in applog.attribute_lines(data)]
    assert owners == [IN_PROGRESS, IN_PROGRESS, "s", "s"]


HOSTILE_BLOCK = b"".join([
    b"lead continuation\n",
    b"[a] - 2025-11-05 14:30:52,123 - m - INFO - one\r\n",
    b"[b] - WARNING - simple warn\n",
    b"Traceback (most recent call last):\n",
    b"[1, 2, 3]\n",
    b"[note] - text\n",
    b"[a] - 2025-11-05 14:30:53,000 - my app - ERROR - spaced logger\n",
    b"  File x\n",
    b"[a] - 2025-11-05 14:30:53,000 - m - INFO - says WARNING - in text\n",
    b"[b] - 2025-11-05 14:30:53,000 - m - CRITICAL - crit \xff\x00\x1b[1m\n",
    b"[c] - 2025-11-05 14:30:53,000 - m - WARN - short warn\n",
    b"[c] - FATAL - simple fatal\n",
    b"[unclosed - 2025\n",
    b"[d] - 2025-11-05 14:30:54,000 - m - DEBUG - end\n",
    b"tail continuation\n",
])


def _summary(scan: applog.BlockScan) -> tuple:
    return (scan.lines, scan.lead, {k: asdict(v) for k, v in scan.counts.items()}, scan.tail_owner)


@pytest.mark.parametrize("data", [
    HOSTILE_BLOCK,
    HOSTILE_BLOCK.replace(b"lead continuation\n", b""),
    b"[x] - INFO - only\n",
    b"cont only\nmore\n",
    b'{"timestamp": "t", "session_id": "j", "logger": "l", "level": "ERROR", "message": "m"}\nafter\n',
])
def test_scan_block_matches_naive(data: bytes) -> None:
    assert _summary(scan_block(data)) == _summary(scan_block_naive(data))


# Level names in every place the fast path must tell apart from the level field:
# each block is read by the fast path (``others`` >= 0) and must agree with the naive
# reading, counts and first records included.
LEVEL_CASES = [
    b"[a] - 2025-11-05 14:30:52,123 - m - WARN - ERROR - two names, the first is the level\n",
    b"[a] - 2025-11-05 14:30:52,123 - m - INFO - x - ERROR - y: in the message\n",
    b"[a] - 2025-11-05 14:30:52,123 - my - WARNING app - ERROR - a name with ' - '\n",
    b"[a] - 2025-11-05 14:30:52,123 - my - app - WARNING - lazy name\n",
    b"[a] - 2025-11-05 14:30:52 - m - CRITICAL - no fraction\n",
    b"[a] - 2025-11-05 14:30:52.123456 - m - FATAL - six digits\n",
    b"[a] - 2025-11-05 14:30:52,1234567 - m - ERROR - seven digits: no level field\n",
    b"[a] - 2025-11-05 14:30:52,123 - ERROR - no logger name: no level field\n",
    b"[a] - 2025-11-05 14:30:52,123 -  - ERROR - empty logger name\n",
    b"[a] - 2025-11-05 14:30:52,123 - m - WARNINGS - not a warning\n",
    b"[a] - 2025-11-05 14:30:52,123 - m - error - lower case: a continuation? no, no level\n",
    b"[a] - 2025-11-05 14:30:52,123 - WARN - ERROR - a logger named WARN\n",
    b"[x - ERROR - y] - 2025-11-05 14:30:52,123 - m - INFO - a level name in the id\n",
    b"[b] - INFO - simple - ERROR - in the message\n",
    b"[b] - ERROR - simple error\n",
    b"  File x - ERROR - in a continuation line\n",
    b"[note] - 2025 - WARNING - not a timestamp: continuation\n",
    b"[c] - 2025-11-05 14:30:52,123 - m - ERROR - crlf\r\n",
    b'text {"timestamp": "x", "session_id": "j"} inside a line\n',
    b"[\xff] - 2025-11-05 14:30:52,123 - m - WARNING - invalid utf-8 id\n",
    b"[\xfe] - 2025-11-05 14:30:52,123 - m - ERROR - another id decoding to the same\n",
]


@pytest.mark.parametrize("case", range(len(LEVEL_CASES)))
def test_scan_block_levels_fast_path(case: int) -> None:
    data = b"[z] - INFO - opening\n" + LEVEL_CASES[case] + b"[z] - INFO - after\n" + LEVEL_CASES[case]
    fast, naive = scan_block(data), scan_block_naive(data)
    assert fast.others >= 0  # read by the fast path
    assert _summary(fast) == _summary(naive)
    assert fast.first == naive.first


def test_scan_block_all_level_cases_together() -> None:
    data = b"".join(LEVEL_CASES) * 3
    fast, naive = scan_block(data), scan_block_naive(data)
    assert fast.others >= 0
    assert _summary(fast) == _summary(naive)
    assert fast.first == naive.first


@pytest.mark.parametrize("data", [
    b'[a] - INFO - x\n{"timestamp": "t", "session_id": "j", "level": "ERROR"}\n',
    b'{"timestamp": "t", "session_id": "j", "level": "ERROR"}\n[a] - INFO - x\n',
    b"[a] - INFO - x\n[id over\n[b] - INFO - the first key runs over a newline\n",
    b"[id over\n[b] - INFO - on the first line\n",
])
def test_scan_block_slow_path(data: bytes) -> None:
    """JSON records and keys the fast path cannot read: the block is read line by line."""
    fast = scan_block(data)
    assert fast.others == -1  # the naive reading
    assert _summary(fast) == _summary(scan_block_naive(data))


def test_scan_segment_first_and_last_records(tmp_path) -> None:
    """Firsts and lasts per segment, with sessions that pause for whole blocks."""
    lines = []
    for i in range(400):
        lines.append(b"[a] - 2025-11-05 14:30:%02d,000 - m - INFO - %d\n" % (i % 60, i))
        if i % 7 == 0:
            lines.append(b"  cont of a\n")
        if 100 <= i < 300 and i % 3 == 0:
            lines.append(b"[b] - WARNING - b %d\n" % i)
        if i in (5, 390):
            lines.append(b"[c] - 2025-11-05 14:31:00,000 - m - ERROR - c %d\n" % i)
    data = b"".join(lines)
    path = tmp_path / "seg.log"
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        scans = applog.scan_segment(fd, 0, len(data), 512)
    finally:
        os.close(fd)
    firsts: dict[str, int] = {}
    lasts: dict[str, int] = {}
    for scan in scans:
        for sid, off in scan.first.items():
            firsts.setdefault(sid, scan.start + off)
        for sid, off in scan.last.items():
            lasts[sid] = scan.start + off
    want_first: dict[str, int] = {}
    want_last: dict[str, int] = {}
    for off, content, _e in applog.iter_lines(data):
        head = parse_head(content)
        if head is not None:
            want_first.setdefault(head.session_id, off)
            want_last[head.session_id] = off
    assert firsts == want_first and lasts == want_last


def test_scan_block_counts() -> None:
    scan = scan_block(HOSTILE_BLOCK)
    assert scan.lead == 1 and scan.tail_owner == "d"
    a, b, c = scan.counts["a"], scan.counts["b"], scan.counts["c"]
    assert (a.records, a.lines, a.warnings, a.errors) == (3, 4, 0, 1)
    assert (b.records, b.lines, b.warnings, b.errors) == (2, 5, 1, 1)
    assert (c.records, c.lines, c.warnings, c.errors) == (2, 3, 1, 1)


@pytest.mark.parametrize("sid,carried", [("a", False), ("b", False), ("c", False), ("d", True), ("zz", True)])
def test_session_starts_in_block(sid: str, carried: bool) -> None:
    data = HOSTILE_BLOCK
    scan = scan_block(data)
    starts, heads = applog.session_starts_in_block(data, sid, carried, scan.others, scan.bracket_other)
    owner = sid if carried else None
    expected, flags = [], []
    for off, content, _e in applog.iter_lines(data):
        head = parse_head(content)
        owner = head.session_id if head else owner
        if owner == sid:
            expected.append(off)
            flags.append(1 if head else 0)
    assert starts == expected and list(heads) == flags
