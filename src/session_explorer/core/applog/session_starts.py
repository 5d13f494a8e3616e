"""Where one session's lines are in a block: its record starts and continuation
lines (for the index's cursors, previews and the live feed), and its first and last
records."""

from __future__ import annotations

import functools
import re

from session_explorer.core.applog.records import (
    BRACKET_RE,
    JSON_PREFIX,
    LEVEL_PATTERN,
    TIMESTAMP_PATTERN,
    decode_id,
    iter_lines,
    parse_head,
)
from session_explorer.core.applog.scanner import (
    BlockScan,
    _first_record,
    other_line_starts,
    walk_others,
)


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
    while j >= 0 and not BRACKET_RE.match(data, j + 1, end):
        j = data.rfind(needle, 0, j + len(needle) - 1)
    if j >= 0:
        return -2, j + 1
    m = BRACKET_RE.match(data, 0, end)
    first = 0 if m is not None and decode_id(m.group(1)) == sid else -1
    return first, first


def session_starts_in_block(data: bytes, sid: str, carried: bool, others: int) -> tuple[list[int], bytearray]:
    """Starts of the lines of ``sid`` in a block, and a flag per line (1: record start).

    ``carried``: the continuation lines opening the block belong to ``sid``;
    ``others`` (lines that are not bracket records, -1: unknown) comes from the block's
    :class:`BlockScan`.
    """
    if "\ufffd" in sid or others < 0:
        return _session_starts_naive(data, sid, carried)
    records = [m.start() + 1 for m in _session_record_re(sid).finditer(data)]
    m0 = BRACKET_RE.match(data)
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
    return re.compile(rb"\n\[" + re.escape(raw) + rb"\] - (?:"
                      + LEVEL_PATTERN + rb" - |(?=" + TIMESTAMP_PATTERN + rb"))")


def _walk_from_records(data: bytes, records: list[int], carried: bool) -> tuple[list[int], bytearray]:
    """The session's lines in a block without JSON records: each of its records and
    the lines after it up to the next record (of any session), plus, when
    ``carried``, the lines opening the block. Only the session's own lines are
    looked at, however many other sessions and continuation lines the block holds."""
    starts: list[int] = []
    flags = bytearray()
    size = len(data)
    is_record = BRACKET_RE.match
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
