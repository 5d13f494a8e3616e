"""App-log lines: which lines start a record, and what the record's first line says.

A record starts with one of the formats written by :mod:`session_explorer.tracing`:

* detailed: ``[id] - 2025-11-05 14:30:52,123 - name - LEVEL - message``
  (milliseconds optional, separated by ``,`` or ``.``);
* simple: ``[id] - LEVEL - message`` (any upper-case level name, custom ones included);
* JSON: one object per line from ``JsonFormatter``, whose first keys are
  ``"timestamp"`` and ``"session_id"``.

The exact rule, shared by :func:`parse_head` and the block scanner below (so that
the index and a line-by-line reading always agree): a line
is a record start when it begins with ``[id] - `` followed by ``LEVEL - `` (simple)
or by a ``YYYY-MM-DD HH:MM:SS`` timestamp (detailed), or with
``{"timestamp": "...", "session_id": "..."``. Every other line (tracebacks,
``[1, 2, 3]``, ``[note] - text``) continues the record before it. Lines before the
first record belong to :data:`~session_explorer.core.models.IN_PROGRESS`.

Lines are bytes and stay bytes: CRLF, invalid UTF-8, NUL bytes, escape sequences and
markup are data. Text is decoded with replacement only for display.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import repeat

from session_explorer.core.levels import WARN_ERROR_PATTERN, severity, warn_error
from session_explorer.core.models import IN_PROGRESS, RecordHead

#: The id part: anything but "]" and newline, between brackets.
_ID = rb"\[([^\]\n]*)\] - "
_LEVEL = rb"[A-Z][A-Z0-9_]*"
_TS = rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
#: A bracket record start (at the start of a line). Group 1: id, group 2: simple level.
BRACKET_HEAD = _ID + rb"(?:(" + _LEVEL + rb") - |(?=" + _TS + rb"))"
#: A JSON record start. Group 1: the session id as written (JSON-escaped).
JSON_HEAD = rb'\{"timestamp": "[^"\n]*", "session_id": "((?:[^"\\\n]|\\.)*)"'
JSON_PREFIX = b'{"timestamp": "'

_BRACKET_RE = re.compile(BRACKET_HEAD)
_JSON_RE = re.compile(JSON_HEAD)
_DETAILED_RE = re.compile(
    rb"(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:[,.](\d{1,6}))?", re.S
)
_LOGGER_LEVEL_RE = re.compile(rb" - (.*?) - (" + _LEVEL + rb") - ", re.S)
_JSON_LEVEL_RE = re.compile(rb'"level": "([^"\\\n]*)"')


def strip_ending(line: bytes) -> tuple[bytes, bytes]:
    """Split ``line`` into its content and its ending (``\\r\\n``, ``\\n`` or ``b""``)."""
    if line.endswith(b"\r\n"):
        return line[:-2], b"\r\n"
    if line.endswith(b"\n"):
        return line[:-1], b"\n"
    return line, b""


def decode_id(raw: bytes) -> str:
    """A bracket id as text (invalid UTF-8 replaced)."""
    return raw.decode("utf-8", "replace")


def decode_json_id(raw: bytes) -> str:
    """A JSON-escaped session id as text."""
    try:
        value = json.loads(b'"' + raw + b'"')
    except ValueError:
        return raw.decode("utf-8", "replace")
    return value if isinstance(value, str) else str(value)


def head_session(data: bytes, pos: int = 0) -> str | None:
    """The session id of the record starting at ``data[pos]``, or None (continuation)."""
    m = _BRACKET_RE.match(data, pos)
    if m:
        return decode_id(m.group(1))
    if data.startswith(JSON_PREFIX, pos):
        m = _JSON_RE.match(data, pos)
        if m:
            return decode_json_id(m.group(1))
    return None


def is_head(data: bytes, pos: int = 0) -> bool:
    """Whether the line starting at ``data[pos]`` starts a record."""
    return head_session(data, pos) is not None


def parse_head(line: bytes | str) -> RecordHead | None:
    """The record fields of a record's first line, or None for a continuation line."""
    if isinstance(line, str):
        line = line.encode("utf-8", "surrogateescape")
    line, _ = strip_ending(line)
    m = _BRACKET_RE.match(line)
    if m:
        sid = decode_id(m.group(1))
        if m.group(2) is not None:
            return RecordHead(sid, m.group(2).decode("ascii"), _text(line[m.end():]), kind="simple")
        return _parse_detailed(sid, line, m.end())[0]
    if line.startswith(JSON_PREFIX):
        m = _JSON_RE.match(line)
        if m:
            return _parse_json(line, m)
    return None


def record_time(line: bytes) -> datetime | None:
    """``parse_head(line).timestamp`` (None for a continuation line or a record
    without a time) at a fraction of its cost for bracket records: only the time
    is read."""
    m = _BRACKET_RE.match(line)
    if m is None:
        head = parse_head(line) if line.startswith(JSON_PREFIX) else None
        return head.timestamp if head is not None else None
    if m.group(2) is not None:
        return None  # a simple record has no time
    ts_m = _DETAILED_RE.match(line, m.end())
    assert ts_m is not None  # guaranteed by BRACKET_HEAD's lookahead
    return _timestamp(ts_m.groups(b""))


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _parse_detailed(sid: str, line: bytes, start: int) -> tuple[RecordHead, int]:
    """The head of a detailed line whose timestamp begins at ``start``; also the level's
    position (-1 when the ``- name - LEVEL -`` part is missing)."""
    ts_m = _DETAILED_RE.match(line, start)
    assert ts_m is not None  # guaranteed by BRACKET_HEAD's lookahead
    timestamp = _timestamp(ts_m.groups(b""))
    rest_m = _LOGGER_LEVEL_RE.match(line, ts_m.end())
    if rest_m is None:
        message = line[ts_m.end():]
        if message.startswith(b" - "):
            message = message[3:]
        elif message.startswith(b" "):
            message = message[1:]
        return RecordHead(sid, "", _text(message), timestamp, None, "detailed"), -1
    head = RecordHead(
        sid,
        rest_m.group(2).decode("ascii"),
        _text(line[rest_m.end():]),
        timestamp,
        _text(rest_m.group(1)),
        "detailed",
    )
    return head, rest_m.start(2)


def _timestamp(parts: tuple[bytes, ...]) -> datetime | None:
    frac = parts[6] or b"0"
    try:
        return datetime(
            int(parts[0]), int(parts[1]), int(parts[2]), int(parts[3]), int(parts[4]),
            int(parts[5]), int(frac.ljust(6, b"0")),
        )
    except (ValueError, TypeError):
        return None


def _parse_json(line: bytes, m: re.Match[bytes]) -> RecordHead:
    sid = decode_json_id(m.group(1))
    try:
        doc = json.loads(line.decode("utf-8", "replace"))
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        lm = _JSON_LEVEL_RE.search(line)
        level = lm.group(1).decode("utf-8", "replace") if lm else ""
        return RecordHead(sid, level, _text(line), None, None, "json")
    timestamp = None
    if isinstance(doc.get("timestamp"), str):
        try:
            timestamp = datetime.fromisoformat(doc["timestamp"])
        except ValueError:
            timestamp = None
    logger = doc.get("logger")
    return RecordHead(
        sid,
        str(doc.get("level", "")),
        str(doc.get("message", "")),
        timestamp,
        logger if isinstance(logger, str) else None,
        "json",
    )


def iter_lines(data: bytes, final: bool = True) -> Iterator[tuple[int, bytes, bytes]]:
    """(offset, content, ending) for each line of ``data``.

    A last line without newline is yielded (with ending ``b""``) only when ``final``.
    """
    pos, size = 0, len(data)
    while pos < size:
        end = data.find(b"\n", pos)
        if end < 0:
            if final:
                yield pos, data[pos:], b""
            return
        content, ending = strip_ending(data[pos:end + 1])
        yield pos, content, ending
        pos = end + 1


def attribute_lines(data: bytes, carry: str = IN_PROGRESS,
                    ) -> Iterator[tuple[int, bytes, bytes, str, RecordHead | None]]:
    """The naive, line-by-line reading: (offset, content, ending, session, head) per line.

    ``carry`` is the session that continuation lines at the start of ``data`` belong to.
    Slow but obviously right; the block scanner is checked against it.
    """
    for offset, content, ending in iter_lines(data):
        head = parse_head(content)
        if head is not None:
            carry = head.session_id
        yield offset, content, ending, carry, head


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
_KEY = rb"\[[^\]]*\] - (?:" + _LEVEL + rb" - |(?=" + _TS + rb"))|" + re.escape(JSON_PREFIX)
#: One findall item per newline: the key of the line after it, b"" for any other line.
_LINE_KEY_RE = re.compile(rb"\n(" + _KEY + rb")?")
_FIRST_KEY_RE = re.compile(_KEY)
#: The scanner's key: b"[id] - LEVEL - " (simple record), b"[id] - YYYY-MM-DD HH:MM"
#: (a line followed by ":SS", a detailed record when the key checks out), or the JSON
#: prefix. One findall item per newline, b"" for a line without a key.
_KEY_M = rb"\[[^\]]*\] - (?:" + _LEVEL + rb" - |[^\n]{16}(?=:\d\d))|" + re.escape(JSON_PREFIX)
_LINE_KEY_M_RE = re.compile(rb"\n(" + _KEY_M + rb")?")
_FIRST_KEY_M_RE = re.compile(_KEY_M)
#: A key that checks out: group 1 the raw id, group 2 the level of a simple record.
_KEY_M_CHECK = re.compile(rb"\[([^\]\n]*)\] - (?:(" + _LEVEL + rb") - |\d{4}-\d\d-\d\d \d\d:\d\d)")
_NOT_BRACKET_RE = re.compile(rb"\n(?!\[)")
_NOT_RECORD_RE = re.compile(rb"\n(?!" + BRACKET_HEAD + rb")")
#: "- LEVEL" for the warning and error level names, wherever they are (the search
#: starts at "-", rarer than " "); the trailing " - " is a lookahead so that
#: "- WARN - ERROR - " yields both candidates.
_LEVEL_HIT_RE = re.compile(rb"- " + WARN_ERROR_PATTERN + rb"(?= - )")
#: A detailed record line up to its level (group 1: id, group 2: level), the exact
#: rule of :func:`parse_head` (fraction taken greedily, name lazily) in one pattern.
_DETAILED_LEVEL_RE = re.compile(
    rb"\[([^\]\n]*)\] - " + _TS + rb"(?>(?:[,.]\d{1,6})?) - [^\n]*? - (" + _LEVEL + rb") - "
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
    if size and not _BRACKET_RE.match(data):
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
    m = _BRACKET_RE.match(data, 0, end)
    if m is not None and m.group(1) == raw:
        return 0
    needle = b"\n[" + raw + b"]"
    i = data.find(needle, 0, end)
    while i >= 0 and not _BRACKET_RE.match(data, i + 1, end):
        i = data.find(needle, i + 1, end)
    return i + 1 if i >= 0 else -1


def record_lasts(data: bytes, sids: list[str], scan: BlockScan, end: int | None = None) -> None:
    """The last bracket record of each of ``sids`` in the block ``data[:end]``."""
    for sid in sids:
        _, last = record_positions(data, sid, want_last=True, end=end)
        if last > scan.last.get(sid, -1):
            scan.last[sid] = last


def _record_positions_naive(data: bytes, sid: str) -> tuple[int, int]:
    found = [off for off, content, _e in iter_lines(data) if (h := parse_head(content)) and h.session_id == sid]
    return (found[0], found[-1]) if found else (-1, -1)


def record_positions(data: bytes, sid: str, want_last: bool, end: int | None = None) -> tuple[int, int]:
    """Start of the first and (with ``want_last``) last bracket record of ``sid`` in
    ``data[:end]``."""
    if end is None:
        end = len(data)
    if "\ufffd" in sid:
        return _record_positions_naive(data if end == len(data) else data[:end], sid)
    raw = sid.encode("utf-8")
    if not want_last:
        first = _first_record(data, raw, end)
        return first, first
    needle = b"\n[" + raw + b"]"
    j = data.rfind(needle, 0, end)
    while j >= 0 and not _BRACKET_RE.match(data, j + 1, end):
        j = data.rfind(needle, 0, j + len(needle) - 1)
    if j >= 0:
        return -2, j + 1
    m = _BRACKET_RE.match(data, 0, end)
    first = 0 if m is not None and decode_id(m.group(1)) == sid else -1
    return first, first


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


def session_starts_in_block(data: bytes, sid: str, carried: bool, others: int) -> tuple[list[int], bytearray]:
    """Starts of the lines of ``sid`` in a block, and a flag per line (1: record start).

    ``carried``: the continuation lines opening the block belong to ``sid``;
    ``others`` (lines that are not bracket records, -1: unknown) comes from the block's
    :class:`BlockScan`.
    """
    if "\ufffd" in sid or others < 0:
        return _session_starts_naive(data, sid, carried)
    records = [m.start() + 1 for m in _session_record_re(sid).finditer(data)]
    m0 = _BRACKET_RE.match(data)
    if m0 and decode_id(m0.group(1)) == sid:
        records.insert(0, 0)
    if not others:
        return records, bytearray(b"\x01") * len(records)
    if not data.startswith(JSON_PREFIX) and data.find(b"\n" + JSON_PREFIX) < 0:
        return _walk_from_records(data, records, carried)
    starts, _ = other_line_starts(data, others)
    conts: list[int] = []
    for start, owner, head in walk_others(data, starts):
        if owner == sid or (owner is None and carried):
            if head is not None:
                records.append(start)
            else:
                conts.append(start)
    flags = dict.fromkeys(records, 1)
    flags.update(dict.fromkeys(conts, 0))
    ordered = sorted(flags)
    return ordered, bytearray(flags[s] for s in ordered)


@functools.lru_cache(maxsize=64)
def _session_record_re(sid: str) -> re.Pattern[bytes]:
    """A bracket record of ``sid`` after a newline."""
    raw = sid.encode("utf-8")
    return re.compile(rb"\n\[" + re.escape(raw) + rb"\] - (?:" + _LEVEL + rb" - |(?=" + _TS + rb"))")


def _walk_from_records(data: bytes, records: list[int], carried: bool) -> tuple[list[int], bytearray]:
    """The session's lines in a block without JSON records: each of its records and
    the lines after it up to the next record (of any session), plus, when
    ``carried``, the lines opening the block. Only the session's own lines are
    looked at, however many other sessions and continuation lines the block holds."""
    starts: list[int] = []
    flags = bytearray()
    size = len(data)
    is_record = _BRACKET_RE.match
    find = data.find

    def continuations(pos: int) -> None:
        while pos < size and is_record(data, pos) is None:
            starts.append(pos)
            flags.append(0)
            nl = find(b"\n", pos)
            if nl < 0:
                return
            pos = nl + 1

    if carried:
        continuations(0)
    for record in records:
        starts.append(record)
        flags.append(1)
        nl = find(b"\n", record)
        if nl >= 0:
            continuations(nl + 1)
    return starts, flags


def _session_starts_naive(data: bytes, sid: str, carried: bool) -> tuple[list[int], bytearray]:
    starts: list[int] = []
    flags = bytearray()
    owner = sid if carried else None
    for offset, content, _ending in iter_lines(data):
        head = parse_head(content)
        if head is not None:
            owner = head.session_id
        if owner == sid:
            starts.append(offset)
            flags.append(1 if head is not None else 0)
    return starts, flags


def read_block(fd: int, pos: int, end: int, block_size: int) -> bytes:
    """Whole lines from ``pos``: about ``block_size`` bytes, never past ``end``.

    The result ends at a line end (or at ``end``); a line longer than ``block_size``
    is read whole.
    """
    data, size = _read_lines(fd, pos, end, block_size)
    return data if size == len(data) else data[:size]


def _read_lines(fd: int, pos: int, end: int, block_size: int) -> tuple[bytes, int]:
    """:func:`read_block` without the copy: (bytes read, length of the whole lines)."""
    data = os.pread(fd, min(block_size, end - pos), pos)
    if pos + len(data) >= end or not data:
        return data, len(data)
    cut = data.rfind(b"\n") + 1
    if cut:
        return data, cut
    data = b"".join([data, *read_through_line_end(fd, pos + len(data), end, block_size)])
    return data, len(data)


def line_end_before(fd: int, size: int) -> int:
    """The offset just after the last newline in the first ``size`` bytes of ``fd``
    (0: none): where a file's complete lines end."""
    pos = size
    while pos > 0:
        start = max(0, pos - 65536)
        nl = os.pread(fd, pos - start, start).rfind(b"\n")
        if nl >= 0:
            return start + nl + 1
        pos = start
    return 0


def read_through_line_end(fd: int, pos: int, end: int | None = None, chunk: int = 4096) -> list[bytes]:
    """The bytes from ``pos`` through the next newline (or up to ``end`` or the end
    of the file), as parts; reads grow fourfold up to 16 MiB, for a long line."""
    parts: list[bytes] = []
    while end is None or pos < end:
        data = os.pread(fd, chunk if end is None else min(chunk, end - pos), pos)
        if not data:
            break
        nl = data.find(b"\n")
        if nl >= 0:
            parts.append(data[:nl + 1])
            break
        parts.append(data)
        pos += len(data)
        chunk = min(chunk * 4, 1 << 24)
    return parts


def scan_segment(fd: int, start: int, end: int, block_size: int) -> list[BlockScan]:
    """BlockScans of ``fd[start:end]`` (whole lines; a last line without newline counts).

    Each session's first and last record in the segment are located: the first while
    scanning, the last in the block that ends a run of blocks holding its records,
    while that block is still in memory (a later run overrides an earlier one).
    """
    def chunks() -> Iterator[tuple[bytes, int]]:
        pos = start
        while pos < end:
            data, size = _read_lines(fd, pos, end, block_size)
            if not size:
                return
            yield data, size
            pos += size

    return _scan_chunks(chunks(), start, end)


def scan_bytes(data: bytes, start: int, block_size: int) -> list[BlockScan]:
    """:func:`scan_segment` of lines already in memory: ``data`` (whole lines) sits at
    offset ``start`` of its file; blocks are cut at line ends near ``block_size``."""
    def chunks() -> Iterator[tuple[bytes, int]]:
        pos, size = 0, len(data)
        while pos < size:
            cut = size if size - pos <= block_size else data.rfind(b"\n", pos, pos + block_size) + 1
            if cut <= pos:  # one line longer than a block: whole
                cut = data.find(b"\n", pos + block_size) + 1 or size
            yield data[pos:cut], cut - pos
            pos = cut

    return _scan_chunks(chunks(), start, start + len(data))


def _scan_chunks(chunks: Iterator[tuple[bytes, int]], start: int, end: int) -> list[BlockScan]:
    scans: list[BlockScan] = []
    seen: set[str] = set()
    active: list[str] = []  # sessions with records in the previous block
    prev, prev_size = b"", 0
    pos = start
    for data, size in chunks:
        if data[size - 1] != 0x0A:
            data = data[:size] + b"\n"
            size += 1
        scan = scan_block(data, seen, size)
        scan.start, scan.end = pos, min(pos + size, end)
        pos = scan.end
        now = [sid for sid, c in scan.counts.items() if c.records]
        if active:
            ended = set(active).difference(now)
            if ended:
                record_lasts(prev, list(ended), scans[-1], prev_size)
        scans.append(scan)
        active, prev, prev_size = now, data, size
    if active:
        record_lasts(prev, active, scans[-1], prev_size)
    return scans


def scan_range(path: str, start: int, end: int, block_size: int) -> list[BlockScan]:
    """:func:`scan_segment` on a path (what a worker process runs)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return scan_segment(fd, start, end, block_size)
    finally:
        os.close(fd)
