"""App-log line parsing: which lines start records, and what they say."""

from __future__ import annotations

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
