"""The block scanner: the record rule of :mod:`.records` applied to ~1 MiB of lines
at C speed, counting each session's lines, records, warnings and errors."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import repeat

from session_explorer.core.applog.records import (
    BRACKET_HEAD,
    BRACKET_RE,
    JSON_PREFIX,
    LEVEL_PATTERN,
    TIMESTAMP_PATTERN,
    decode_id,
    iter_lines,
    parse_head,
)
from session_explorer.core.levels import WARN_ERROR_PATTERN, severity, warn_error
from session_explorer.core.models import RecordHead

# ---------------------------------------------------------------------------
# Block scanning: the same rule applied to ~1 MiB of lines at C speed.
#
# Per block the scanner makes one regex pass that yields a small key per line, one
# Counter over those keys, and one regex pass for warning/error level names (a few
# hundred hits per MiB, each verified against the exact rule). Nothing else runs
# per line in Python; continuation lines are attributed per run.
#
# The key of a detailed record holds its timestamp up to the minute, checked once per
# distinct key rather than once per line (the seconds are checked by the pattern).
# A block whose keys do not all check out (JSON records, an id running over a
# newline, a line looking like a record that is not one) is read by the previous
# scanner, :func:`_scan_block_lines`, which itself falls back to reading line by line:
# what a block yields never depends on which path read it.
# ---------------------------------------------------------------------------

#: A line's key: b"[id] - " (detailed record), b"[id] - LEVEL - " (simple record) or
#: the JSON prefix. ``[^\]]*`` may run over a newline; such keys are detected and the
#: block is then read line by line.
_KEY = rb"\[[^\]]*\] - (?:" + LEVEL_PATTERN + rb" - |(?=" + TIMESTAMP_PATTERN + rb"))|" + re.escape(JSON_PREFIX)
#: One findall item per newline: the key of the line after it, b"" for any other line.
_LINE_KEY_RE = re.compile(rb"\n(" + _KEY + rb")?")
_FIRST_KEY_RE = re.compile(_KEY)
#: The scanner's key: b"[id] - LEVEL - " (simple record), b"[id] - YYYY-MM-DD HH:MM"
#: (a line followed by ":SS", a detailed record when the key checks out), or the JSON
#: prefix. One findall item per newline, b"" for a line without a key.
_KEY_M = rb"\[[^\]]*\] - (?:" + LEVEL_PATTERN + rb" - |[^\n]{16}(?=:\d\d))|" + re.escape(JSON_PREFIX)
_LINE_KEY_M_RE = re.compile(rb"\n(" + _KEY_M + rb")?")
_FIRST_KEY_M_RE = re.compile(_KEY_M)
#: A key that checks out: group 1 the raw id, group 2 the level of a simple record.
_KEY_M_CHECK = re.compile(rb"\[([^\]\n]*)\] - (?:(" + LEVEL_PATTERN + rb") - |\d{4}-\d\d-\d\d \d\d:\d\d)")
_NOT_BRACKET_RE = re.compile(rb"\n(?!\[)")
_NOT_RECORD_RE = re.compile(rb"\n(?!" + BRACKET_HEAD + rb")")
#: "- LEVEL" for the warning and error level names, wherever they are (the search
#: starts at "-", rarer than " "); the trailing " - " is a lookahead so that
#: "- WARN - ERROR - " yields both candidates.
_LEVEL_HIT_RE = re.compile(rb"- " + WARN_ERROR_PATTERN + rb"(?= - )")
#: A detailed record line up to its level (group 1: id, group 2: level), the exact
#: rule of :func:`parse_head` (fraction taken greedily, name lazily) in one pattern.
_DETAILED_LEVEL_RE = re.compile(
    rb"\[([^\]\n]*)\] - " + TIMESTAMP_PATTERN + rb"(?>(?:[,.]\d{1,6})?) - [^\n]*? - (" + LEVEL_PATTERN + rb") - "
)


@dataclass(slots=True)
class SessionCounts:
    """What one block (or the whole log) holds of one session."""

    lines: int = 0
    records: int = 0
    warnings: int = 0
    errors: int = 0

    def add_level(self, level: str, n: int = 1) -> None:
        kind = severity(level)
        if kind == "warning":
            self.warnings += n
        elif kind == "error":
            self.errors += n


@dataclass(slots=True)
class BlockScan:
    """The summary of one block of whole lines (offsets relative to the block).

    ``lead`` continuation lines open the block and belong to the session carried in
    from the previous block; they are not in ``counts``. ``tail_owner`` is the session
    of the block's last line, None when the block holds no record.
    """

    lines: int
    lead: int
    counts: dict[str, SessionCounts]
    first: dict[str, int]
    last: dict[str, int]
    tail_owner: str | None
    others: int = 0  # lines that are not bracket records
    start: int = 0
    end: int = 0


def other_line_starts(data: bytes, expected: int | None = None) -> tuple[list[int], bool]:
    """Starts of the lines of ``data`` that are not bracket records, in order.

    Cheap first (lines not starting with "["); when that does not add up to
    ``expected`` (or ``expected`` is None) every line is checked against the rule.
    Also says whether lines starting with "[" that are not records were seen.
    """
    size = len(data)
    if expected is not None:
        starts = [m.end() for m in _NOT_BRACKET_RE.finditer(data)]
        if starts and starts[-1] == size:
            starts.pop()
        if size and data[0] != 0x5B:
            starts.insert(0, 0)
        if len(starts) == expected:
            return starts, False
    starts = [m.end() for m in _NOT_RECORD_RE.finditer(data)]
    if starts and starts[-1] == size:
        starts.pop()
    if size and not BRACKET_RE.match(data):
        starts.insert(0, 0)
    return starts, True


def walk_others(data: bytes, others: list[int]) -> Iterator[tuple[int, str | None, RecordHead | None]]:
    """(start, owner, json_head) for each non-bracket-record line.

    ``owner`` is the session of the record the line belongs to (None: the record is
    before ``data``); for a JSON record line ``json_head`` is its parsed head.
    """
    prev_end = -1
    owner: str | None = None
    for start in others:
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if start != prev_end and start > 0:
            prev = data.rfind(b"\n", 0, start - 1) + 1
            owner = decode_id(data[prev + 1:data.index(b"]", prev)])
        elif start == 0:
            owner = None
        prev_end = end + 1
        if data.startswith(JSON_PREFIX, start):
            head = parse_head(data[start:end])
            if head is not None:
                owner = head.session_id
                yield start, owner, head
                continue
        yield start, owner, None


def scan_block(data: bytes, seen: set[str] | None = None, end: int | None = None) -> BlockScan:
    """Summarise a block of whole lines: ``data[:end]`` (all of ``data`` by default),
    which ends with a newline; offsets are relative to ``data``.

    One findall yields a key per line, in order (see ``_LINE_KEY_M_RE``); a Counter of
    the keys gives each session's records (and the levels of simple records), each
    distinct key checked once against the exact rule; continuation lines are
    attributed by walking the runs of empty keys; warnings and errors of detailed
    records come from :func:`_count_detailed_levels`. ``first`` is filled for the
    sessions not in ``seen`` (which is updated); :func:`scan_segment` finds the last
    records. Blocks whose keys do not check out are read by :func:`_scan_block_lines`.
    """
    if end is None:
        end = len(data)
    scan = _scan_block_keys(data, end, seen)
    if scan is None:
        scan = _scan_block_lines(data if end == len(data) else data[:end], seen)
    return scan


def _scan_block_keys(data: bytes, end: int, seen: set[str] | None) -> BlockScan | None:
    """:func:`scan_block`'s fast path; None when a key does not check out."""
    return _scan_keys(data, end, seen, _LINE_KEY_M_RE, _FIRST_KEY_M_RE, _checked_key)


def _scan_block_lines(data: bytes, seen: set[str] | None = None) -> BlockScan:
    """The previous block scanner (one key per line, every line checked by the
    pattern), for blocks the fast path does not read; JSON records and ids over a
    newline are read line by line."""
    scan = _scan_keys(data, len(data), seen, _LINE_KEY_RE, _FIRST_KEY_RE, _plain_key)
    return scan if scan is not None else _with_firsts(scan_block_naive(data), seen)


def _checked_key(key: bytes) -> tuple[bytes, bytes | None] | None:
    """(raw id, simple level) of a fast-path key that checks out, else None."""
    m = _KEY_M_CHECK.fullmatch(key)
    return None if m is None else (m[1], m[2])


def _plain_key(key: bytes) -> tuple[bytes, bytes | None] | None:
    """(raw id, simple level) of a key of ``_LINE_KEY_RE``; None for a JSON record or
    an id over a newline."""
    if key[0] != 0x5B or b"\n" in key:
        return None
    close = key.index(b"]")
    return key[1:close], (key[close + 4:-3] if len(key) > close + 4 else None)


def _scan_keys(data: bytes, end: int, seen: set[str] | None, line_re: re.Pattern[bytes],
               first_re: re.Pattern[bytes],
               read_key: Callable[[bytes], tuple[bytes, bytes | None] | None]) -> BlockScan | None:
    """Summarise ``data[:end]`` from one key per line (``line_re`` finds the keys after
    each newline, ``first_re`` the first line's); each distinct key is read once by
    ``read_key``, and None from it gives up the whole block (None)."""
    keys = line_re.findall(data, 0, end)
    keys[-1:] = []  # the match at the final newline opens no line
    first_m = first_re.match(data, 0, end)
    keys.insert(0, first_m.group() if first_m else b"")
    counter = Counter(keys)
    n_other = counter.pop(b"", 0)
    counts: dict[str, SessionCounts] = {}
    sid_of: dict[bytes, str] = {}  # key -> session
    raw_sid: dict[bytes, str] = {}  # raw id -> session
    for key, n in counter.items():
        parts = read_key(key)
        if parts is None:
            return None
        raw, level = parts
        sid = raw_sid.get(raw)
        if sid is None:
            sid = raw_sid[raw] = decode_id(raw)
        sid_of[key] = sid
        c = counts.get(sid)
        if c is None:
            c = counts[sid] = SessionCounts()
        c.lines += n
        c.records += n
        if level is not None:
            c.add_level(level.decode("ascii"), n)
    scan = BlockScan(len(keys), 0, counts, {}, {}, None, others=n_other)
    if n_other:
        _attribute_runs(keys, sid_of, scan)
    last_key = keys[-1]
    if last_key:
        scan.tail_owner = sid_of[last_key]
    _count_detailed_levels(data, counts, raw_sid, end)
    _record_firsts(data, scan, seen, raw_sid, end)
    return scan


def _attribute_runs(keys: list[bytes], sid_of: dict[bytes, str], scan: BlockScan) -> None:
    """Give each run of continuation lines (empty keys) to the record before it."""
    size = len(keys)
    i = 0
    owner: str | None = None
    while True:
        try:
            i = keys.index(b"", i)
        except ValueError:
            return
        j = i + 1
        while j < size and not keys[j]:
            j += 1
        owner = sid_of[keys[i - 1]] if i > 0 else None
        if owner is None:
            scan.lead += j - i
        else:
            scan.counts[owner].lines += j - i
        if j == size:
            scan.tail_owner = owner
            return
        i = j


def _with_firsts(scan: BlockScan, seen: set[str] | None) -> BlockScan:
    if seen is not None:
        seen.update(scan.counts)
    return scan


def _count_detailed_levels(data: bytes, counts: dict[str, SessionCounts],
                           raw_sid: dict[bytes, str], end: int | None = None) -> None:
    """Warnings and errors of detailed records in ``data[:end]``: one pass for the level
    names, each hit kept only when it is its line's level field by the exact rule."""
    if end is None:
        end = len(data)
    hits = [hit.start() for hit in _LEVEL_HIT_RE.finditer(data, 0, end)]
    if not hits:
        return
    rfind = data.rfind
    starts = [rfind(b"\n", 0, pos) + 1 for pos in hits]
    heads = map(_DETAILED_LEVEL_RE.match, repeat(data), starts, repeat(end))
    tally = Counter([m.group(1, 2) for m, pos in zip(heads, hits, strict=True)
                     if m is not None and m.start(2) == pos + 2])
    for (raw, level), n in tally.items():
        warn, err = warn_error(level)
        c = counts[raw_sid.get(raw) or decode_id(raw)]
        c.warnings += warn * n
        c.errors += err * n


def _record_firsts(data: bytes, scan: BlockScan, seen: set[str] | None,
                   raw_sid: dict[bytes, str], end: int | None = None) -> None:
    """The first bracket record of each session not seen before (several raw ids may
    decode to one session when they hold invalid UTF-8)."""
    wanted = set(scan.counts) if seen is None else set(scan.counts) - seen
    if seen is not None:
        seen.update(wanted)
    for raw, sid in raw_sid.items():
        if sid in wanted:
            first = _first_record(data, raw, end)
            if first >= 0 and (sid not in scan.first or first < scan.first[sid]):
                scan.first[sid] = first


def _first_record(data: bytes, raw: bytes, end: int | None = None) -> int:
    """Start of the first bracket record with the raw id ``raw`` in ``data[:end]``, or -1."""
    if end is None:
        end = len(data)
    m = BRACKET_RE.match(data, 0, end)
    if m is not None and m.group(1) == raw:
        return 0
    needle = b"\n[" + raw + b"]"
    i = data.find(needle, 0, end)
    while i >= 0 and not BRACKET_RE.match(data, i + 1, end):
        i = data.find(needle, i + 1, end)
    return i + 1 if i >= 0 else -1


def scan_block_naive(data: bytes) -> BlockScan:
    """:func:`scan_block` done line by line (for blocks the fast path cannot read)."""
    counts: dict[str, SessionCounts] = {}
    scan = BlockScan(0, 0, counts, {}, {}, None, others=-1)
    owner: str | None = None
    for offset, content, _ending in iter_lines(data):
        scan.lines += 1
        head = parse_head(content)
        if head is not None:
            owner = head.session_id
            c = counts.get(owner) or counts.setdefault(owner, SessionCounts())
            c.records += 1
            c.lines += 1
            c.add_level(head.level)
            scan.first.setdefault(owner, offset)
            scan.last[owner] = offset
        elif owner is None:
            scan.lead += 1
        else:
            counts[owner].lines += 1
    scan.tail_owner = owner
    return scan
