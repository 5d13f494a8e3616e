"""App-log line parsing: which lines start records, and what they say."""

from __future__ import annotations

import os
from dataclasses import asdict
from datetime import datetime

import pytest

from session_explorer.core.applog import blockio, scanner, session_starts
from session_explorer.core.applog import records as applog
from session_explorer.core.applog.records import parse_head
from session_explorer.core.applog.scanner import scan_block, scan_block_naive
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


def _summary(scan: scanner.BlockScan) -> tuple:
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
        scans = blockio.scan_segment(fd, 0, len(data), 512)
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
    starts, heads = session_starts.session_starts_in_block(data, sid, carried, scan.others)
    owner = sid if carried else None
    expected, flags = [], []
    for off, content, _e in applog.iter_lines(data):
        head = parse_head(content)
        owner = head.session_id if head else owner
        if owner == sid:
            expected.append(off)
            flags.append(1 if head else 0)
    assert starts == expected and list(heads) == flags


# -- the fast path against the previous scanner --------------------------------------
#
# scan_block reads most blocks with keys checked once per distinct key
# (``_scan_block_keys``) and hands the others to the previous scanner
# (``_scan_block_lines``): whichever path reads a block, the BlockScan must be the
# same, field by field.

def _fields(scan: scanner.BlockScan) -> tuple:
    return (scan.lines, scan.lead, {k: asdict(v) for k, v in scan.counts.items()}, list(scan.counts),
            scan.first, scan.last, scan.tail_owner, scan.others)


TS_LINE = b"[a] - 2025-11-05 14:30:52,123 - m - INFO - x\n"
KEY_CASES = [
    # (block, read by the fast path)
    (TS_LINE * 3, True),
    (TS_LINE + b"[b] - 2025-11-05 14:31:00,000 - m - WARNING - w\n" + TS_LINE, True),  # runs change
    (TS_LINE + b"[a] - not a record\n" + TS_LINE, True),  # same id, not a record
    (TS_LINE + b"[a] - 2025-11-05 14:30:5x - seconds are not digits\n" + TS_LINE, True),
    (TS_LINE + b"[a] - 2025-11-05 14:30 - no seconds\n" + TS_LINE, True),
    (TS_LINE + b"[1, 2, 3]\n[note] - text\n" + TS_LINE, True),  # continuations starting with "["
    (TS_LINE + b"[a] - 2025-11-05 14:30:52,123 - m - INFO - says ERROR - in text\n", True),
    (TS_LINE + b"[a] - INFO - simple\n[a] - CUSTOM_1 - custom level\n", True),
    (TS_LINE + b"[a] - 2025-1x-05 14:30:52 - a key that does not check out\n" + TS_LINE, False),
    (TS_LINE + b"[a] - ABCDEFGHIJKLMNOP:12 - looks like a time at the right place\n", False),
    (TS_LINE + b"[a] - 2O25-11-05 14:30:52 - letter O in the year\n" + TS_LINE, False),
    (TS_LINE + b"[id over\nthe line] - 2025-11-05 14:30:52,000 - m - INFO - x\n" + TS_LINE, False),
    (TS_LINE + b'{"timestamp": "2025-11-05T14:30:52", "session_id": "j", "level": "ERROR"}\n', False),
    (b"lead\n[1]\n" + TS_LINE + b"tail\n", True),
    (b"[\xff] - 2025-11-05 14:30:52,123 - m - ERROR - e\n[\xfe] - 2025-11-05 14:30:52,123 - m - ERROR - e\n", True),
    (b"[a] - 2025-11-05 14:30:52,123 - m - INFO - x\r\n" * 2 + b"  File x\r\n", True),
]


@pytest.mark.parametrize("case", range(len(KEY_CASES)))
def test_fast_path_matches_previous_scanner(case: int) -> None:
    data, fast_path = KEY_CASES[case]
    assert (scanner._scan_block_keys(data, len(data), set()) is not None) == fast_path
    seen_new: set[str] = {"a"}
    seen_old: set[str] = {"a"}
    new, old = scan_block(data, seen_new), scanner._scan_block_lines(data, seen_old)
    assert _fields(new) == _fields(old) and seen_new == seen_old
    assert _summary(new) == _summary(scan_block_naive(data))


def test_scan_block_end_bound() -> None:
    """``end`` bounds the block: what follows it is not read."""
    data = HOSTILE_BLOCK
    tail = b"[zz] - 2025-11-05 14:30:52,123 - m - ERROR - beyond the end\n[a] - INFO - x"
    assert _fields(scan_block(data + tail, None, len(data))) == _fields(scan_block(data))
    good = TS_LINE * 4
    assert _fields(scan_block(good + tail, None, len(good))) == _fields(scan_block(good))


def _hostile_lines() -> list[bytes]:
    from tests.hostile import hostile_app_log
    lines = [line + b"\n" for line in HOSTILE_BLOCK.split(b"\n")[:-1]]
    lines += list(LEVEL_CASES)
    lines += [line + b"\n" for line in hostile_app_log().split(b"\n")[:-1] if len(line) < 1000]
    lines += [b"[a] - not a record\n", b"[a] - 2025-11-05 14:30:5x - bad seconds\n",
              b"[a] - 2025-1x-05 14:30:52 - bad date\n", b"[b] - ERROR - simple\n"]
    return lines


@pytest.mark.parametrize("seed", range(40))
def test_scan_block_random_mixes(seed: int) -> None:
    """Random mixes of hostile lines, mostly of a few sessions in runs of varying length."""
    import random
    rng = random.Random(seed)
    hostile = _hostile_lines()
    if seed % 3:  # only lines the fast path reads itself
        hostile = [line for line in hostile
                   if scanner._scan_block_keys(TS_LINE + line, len(TS_LINE) + len(line), None) is not None
                   and not (line.startswith(b"[") and b"]" not in line)]  # an id running on
    rate = (0.0, 0.01, 0.12)[seed % 3 if seed % 4 else 2]
    sessions = SESSIONS_MIXED
    data = _random_mix(rng, hostile, rate, sessions)
    seen_new = {sessions[0].decode()} if seed % 2 else set()
    seen_old = set(seen_new)
    new, old = scan_block(data, seen_new), scanner._scan_block_lines(data, seen_old)
    assert _fields(new) == _fields(old) and seen_new == seen_old
    assert _summary(new) == _summary(scan_block_naive(data))
    if seed % 3:
        assert scanner._scan_block_keys(data, len(data), None) is not None  # the fast path read it


SESSIONS_MIXED = [b"20251105_143052", b"20251105_143052_2", b"custom_session_7", b"in-progress", b"\xc3\xa9"]


def _random_mix(rng, hostile: list[bytes], rate: float, sessions: list[bytes]) -> bytes:
    out = []
    for _ in range(rng.randint(1, 400)):
        if rng.random() < rate:
            out.append(rng.choice(hostile))
            continue
        sid = rng.choice(sessions[:rng.randint(1, len(sessions))])
        for _ in range(rng.choice((1, 1, 2, 5, 30))):
            level = rng.choice((b"INFO", b"INFO", b"DEBUG", b"WARNING", b"ERROR", b"WARN", b"CRITICAL", b"FATAL"))
            out.append(b"[%s] - 2025-11-05 14:%02d:%02d,%03d - m.%d - %s - msg %d\n"
                       % (sid, rng.randrange(60), rng.randrange(60), rng.randrange(1000), rng.randrange(3),
                          level, rng.randrange(100)))
    return b"".join(out)


@pytest.mark.parametrize("seed", range(40))
def test_session_starts_random_mixes(seed: int) -> None:
    """A session's lines in a block, found from its own records (the walk), from the
    block's other lines, and line by line: the same, for every session and both
    ways a block can open."""
    import random
    rng = random.Random(1000 + seed)
    hostile = [line for line in _hostile_lines() if not line.startswith(b'{"timestamp"')] if seed % 2 \
        else _hostile_lines()
    data = _random_mix(rng, hostile, (0.0, 0.05, 0.3)[seed % 3], SESSIONS_MIXED)
    if seed % 4 < 2:  # the block opens with lines of a record before it
        data = b"  File x\n[1, 2]\n" * rng.randint(1, 3) + data
    scan = scan_block(data)
    for sid in [s.decode("utf-8", "replace") for s in SESSIONS_MIXED] + ["absent"]:
        for carried in (False, True):
            want = session_starts._session_starts_naive(data, sid, carried)
            got = session_starts.session_starts_in_block(data, sid, carried, scan.others)
            assert (got[0], bytes(got[1])) == (want[0], bytes(want[1])), (sid, carried)
            if scan.others >= 0:  # as the scan ahead calls it: the other lines unknown
                ahead = session_starts.session_starts_in_block(data, sid, carried, 1)
                assert (ahead[0], bytes(ahead[1])) == (want[0], bytes(want[1])), (sid, carried)


def test_record_time_is_the_heads_time() -> None:
    """record_time reads only the time, by the rule parse_head reads it with."""
    lines = _hostile_lines() + [case for case, _ in KEY_CASES] + [
        b"[a] - 2025-11-05 14:30:52.5 - m - INFO - one digit\n",
        b"[a] - 2025-13-45 14:30:52 - m - INFO - no such day\n",
        b'{"timestamp": "2025-11-05T14:30:52.123+00:00", "session_id": "j", "level": "INFO"}\n',
    ]
    for line in lines:
        first = line.split(b"\n")[0]
        head = parse_head(first)
        assert applog.record_time(first) == (head.timestamp if head else None), first
