"""One session's app-log lines found by a direct byte search, without an index.

``show DIR SESSION`` needs one session, not the catalog. Its records are found by
searching each chunk of the log for the bytes ``\\n[SESSION]`` (C speed, the cost
of ``grep``), each hit checked against the record grammar of :mod:`session_explorer.core.applog.records`. A run
goes from there to the next line that starts a record of another session (one
regular-expression search, usually answered by the next line): continuation lines
(tracebacks, ``[1, 2, 3]``, ``[note] - text``) go with the record before them,
the lines after another session's record do not, and consecutive records of the
session are one slice. JSON records (no bracket prefix) are searched for only in
chunks with a line starting ``{"timestamp": "`` (a ``memchr`` for ``{`` tells),
the id matched as written plainly or, when it holds an escape, decoded. An id the
byte search cannot name exactly (U+FFFD for bytes that were not UTF-8) is read
line by line instead.

One flag crosses chunk and file boundaries, "inside a record of the session", so a
record cut by a chunk or a rotation goes on in the next one; lines before a log's
first record belong to :data:`~session_explorer.core.models.IN_PROGRESS`. Files are read up to their
size at opening, the live file up to its last newline (a line still being written
is not shown, as in the explorer). Several app logs are merged in time by
:func:`~session_explorer.core.applog.merge.merge_by_time`, record by record.

:func:`session_ids` (the ids starting with a prefix) and :func:`newest_heads` (the
sessions of the newest records, read backwards) serve the headless commands'
session resolution.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from session_explorer.core.applog.blockio import line_end_before, read_through_line_end
from session_explorer.core.applog.merge import merge_by_time
from session_explorer.core.applog.records import (
    BRACKET_HEAD,
    BRACKET_RE,
    JSON_HEAD,
    JSON_PREFIX,
    head_session,
    parse_head,
)
from session_explorer.core.applog.rotations import discover_rotations
from session_explorer.core.models import IN_PROGRESS

#: Bytes read at a time (whole lines: a longer line is read whole).
CHUNK_SIZE = 1 << 20

#: The newline before the next line that starts a record (any session, any format).
_NEXT_HEAD = re.compile(rb"\n(?:" + BRACKET_HEAD + rb"|" + JSON_HEAD + rb")")
#: A JSON record head up to its session id's first character (the grammar's own
#: pattern up to the id's group).
_JSON_ID_AT = JSON_HEAD[:JSON_HEAD.index(b"(")]
#: ``{`` seen this many times in a chunk without a JSON record: search the rest at once.
_BRACE_TRIES = 16

Run = tuple[bool, bytes]  # (starts with a record head, the lines with their endings)


class AppLogFiles:
    """One app log, its rotations oldest first, opened for reading.

    ``ends``: how far each file is read, its size at opening, except that the last
    file stops after its last newline.
    """

    def __init__(self, live: Path) -> None:
        self.name = live.name
        self.skipped: list[Path] = []
        self.paths = discover_rotations(live, self.skipped)
        self.fds: list[int] = []
        try:
            for path in self.paths:
                self.fds.append(os.open(path, os.O_RDONLY))
            self.ends = [os.fstat(fd).st_size for fd in self.fds]
            if self.fds:
                self.ends[-1] = line_end_before(self.fds[-1], self.ends[-1])
        except OSError:
            self.close()
            raise

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)
        self.fds = []

    def files(self) -> list[tuple[int, int]]:
        """(fd, end) per file, oldest first."""
        return list(zip(self.fds, self.ends, strict=True))


def _chunks(fd: int, end: int, size: int) -> Iterator[tuple[bytes, int]]:
    """(data, n) for ``fd[0:end]``: ``data[:n]`` holds whole lines (past ``n``,
    ``data`` may hold the start of the next line)."""
    pos = 0
    while pos < end:
        data = os.pread(fd, min(size, end - pos), pos)
        if not data:
            return  # the file shrank
        n = len(data)
        if pos + n < end:
            cut = data.rfind(b"\n") + 1
            if cut:
                n = cut
            else:  # one line longer than a chunk
                data = b"".join([data, *read_through_line_end(fd, pos + n, end, size)])
                n = len(data)
        yield data, n
        pos += n


def _next_head(data: bytes, pos: int, n: int) -> int:
    """The start of the first record line after the line at ``pos``, else ``n``."""
    m = _NEXT_HEAD.search(data, pos, n)
    return m.start() + 1 if m else n


def _json_line(data: bytes, n: int) -> int:
    """The start of the first line of ``data[:n]`` beginning like a JSON record, or -1."""
    find = data.find
    i = find(b"{", 0, n)
    tries = 0
    while i >= 0:
        if (i == 0 or data[i - 1] == 0x0A) and data.startswith(JSON_PREFIX, i, n):
            return i
        tries += 1
        if tries == _BRACE_TRIES:
            j = find(b"\n" + JSON_PREFIX, i, n)
            return j + 1 if j >= 0 else -1
        i = find(b"{", i + 1, n)
    return -1


def _plain(text: str) -> bytes | None:
    """``text`` as the bytes an id is written with, or None when the byte search
    cannot name it exactly (U+FFFD stands for bytes that were not UTF-8)."""
    if "\ufffd" in text:
        return None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: no written id decodes to them
        return None


# ------------------------------------------------------------------ the session
class _Finder:
    """The runs of one session in a chunk: from a record of the session to the next
    record of another session (its consecutive records are one run)."""

    def __init__(self, sid: str) -> None:
        self.sid = sid
        plain = _plain(sid)
        self.naive = plain is None
        plain = plain or b""
        raw = re.escape(plain)
        self.needle = b"\n[" + plain + b"]"
        self.bracket = b"]" not in plain and b"\n" not in plain  # can be a bracket id
        # A JSON id decodes to ``sid`` when written plainly (group 1: a record of
        # the session when the id needs no escape) or with an escape (decoded to tell).
        self.plain_json = not re.search(rb'["\\\n]', plain)
        self.json_rx = re.compile(rb"\n(?=" + _JSON_ID_AT + rb"(?:(" + raw + rb'")|[^"\n]*\\))')
        # A record of another session: any record but the session's bracket records
        # and its plainly written JSON ones.
        mine = [rb"\[" + raw + rb"\] - "] if self.bracket else []
        if self.plain_json:
            mine.append(_JSON_ID_AT + raw + rb'"')
        self.other_rx = re.compile(rb"\n" + (rb"(?!" + b"|".join(mine) + rb")" if mine else b"")
                                   + rb"(?:" + BRACKET_HEAD + rb"|" + JSON_HEAD + rb")")

    def chunk(self, data: bytes, n: int, inside: bool) -> tuple[list[Run], bool]:
        """The session's runs in ``data[:n]``; ``inside``: the line before the chunk
        belongs to the session (returned for the line after it)."""
        first = head_session(data, 0)
        heads = _Heads(self, data, n)
        if inside and first is None:  # a record goes on from before the chunk
            start, is_head = 0, False
        else:
            start, is_head = (0 if first == self.sid else heads.at_or_after(1)), True
        runs: list[Run] = []
        while start >= 0:
            stop = self._run_end(data, start, n)
            runs.append((is_head, data[start:stop]))
            if stop >= n:
                return runs, True
            start, is_head = heads.at_or_after(stop), True
        return runs, False

    def _run_end(self, data: bytes, start: int, n: int) -> int:
        """The first record of another session after the line at ``start``, else ``n``."""
        pos = start
        while m := self.other_rx.search(data, pos, n):
            pos = m.start() + 1
            json_id = m.group(3)  # the id of a JSON record, as written
            if json_id is None or (self.plain_json and b"\\" not in json_id):
                return pos
            if head_session(data, pos) != self.sid:
                return pos
        return n

    def chunk_by_line(self, data: bytes, n: int, inside: bool) -> tuple[list[Run], bool]:
        """:meth:`chunk` read one line at a time (for ids the search cannot name)."""
        runs: list[Run] = []
        pos = 0
        while pos < n:
            stop = data.find(b"\n", pos, n) + 1 or n
            owner = head_session(data, pos)
            if owner is not None:
                inside = owner == self.sid
            if inside:
                runs.append((owner is not None, data[pos:stop]))
            pos = stop
        return runs, inside


class _Heads:
    """The session's records in a chunk, searched for from a position on: the next
    bracket hit and the next JSON hit are kept until passed, so that each part of
    the chunk is searched once."""

    def __init__(self, finder: _Finder, data: bytes, n: int) -> None:
        self.finder, self.data, self.n = finder, data, n
        self.json_from = _json_line(data, n)  # -1: no line looks like a JSON record
        self.bracket = -1 if finder.bracket else n  # n: none left
        self.json = -1 if self.json_from >= 0 else n

    def at_or_after(self, pos: int) -> int:
        """The first record of the session starting at or after the line start ``pos``
        (not 0), or -1."""
        data, n, finder = self.data, self.n, self.finder
        if self.bracket < pos:
            i = data.find(finder.needle, pos - 1, n)
            while i >= 0 and not BRACKET_RE.match(data, i + 1, n):
                i = data.find(finder.needle, i + 2, n)
            self.bracket = i + 1 if i >= 0 else n
        if self.json < pos:
            m = finder.json_rx.search(data, max(pos, self.json_from) - 1, n)
            while m and not ((m.group(1) and finder.plain_json) or head_session(data, m.start() + 1) == finder.sid):
                m = finder.json_rx.search(data, m.end() + 1, n)
            self.json = m.start() + 1 if m else n
        found = min(self.bracket, self.json)
        return found if found < n else -1


def session_runs(log: AppLogFiles, sid: str, chunk_size: int = CHUNK_SIZE) -> Iterator[list[Run]]:
    """The lines of session ``sid`` in ``log``, in file order, a chunk read at a time:
    each run is records of the session with their continuation lines (the first of
    a chunk may go on with a record begun before it)."""
    finder = _Finder(sid)
    read = finder.chunk_by_line if finder.naive else finder.chunk
    inside = sid == IN_PROGRESS
    for fd, end in log.files():
        for data, n in _chunks(fd, end, chunk_size):
            runs, inside = read(data, n, inside)
            if runs:
                yield runs


class _Timed(NamedTuple):
    """A run with the time :func:`~session_explorer.core.applog.merge.merge_by_time` orders it by."""

    timestamp: datetime | None
    data: bytes


def _timed(runs: Iterator[list[Run]]) -> Iterator[_Timed]:
    """Runs cut into records (each record line in a run is one of the session's)."""
    for chunk in runs:
        for is_record, data in chunk:
            starts = [m.start() + 1 for m in _NEXT_HEAD.finditer(data)]
            for i, start in enumerate([0, *starts]):
                stop = starts[i] if i < len(starts) else len(data)
                head = parse_head(data[start:data.find(b"\n", start) + 1 or stop]) if i or is_record else None
                yield _Timed(head.timestamp if head else None, data[start:stop])


def session_bytes(logs: list[AppLogFiles], sid: str, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The session's lines exactly as stored: for one log in file order (a piece per
    chunk read), for several merged in time (a piece per record)."""
    if len(logs) == 1:
        for runs in session_runs(logs[0], sid, chunk_size):
            yield b"".join([data for _, data in runs])
        return
    streams = [_timed(session_runs(log, sid, chunk_size)) for log in logs]
    for run in merge_by_time(streams):
        yield run.data


# ---------------------------------------------------------------- resolution
def session_ids(log: AppLogFiles, prefix: str, chunk_size: int = CHUNK_SIZE) -> dict[str, datetime | None]:
    """The sessions of ``log`` whose id starts with ``prefix``, each with the time of
    its first record (None without one); ``in-progress`` when lines precede the
    first record and it matches."""
    raw = _plain(prefix)
    found: dict[str, datetime | None] = {}
    if IN_PROGRESS.startswith(prefix) and _has_lead_lines(log):
        found[IN_PROGRESS] = None
    if raw is None:
        for fd, end in log.files():
            for data, n in _chunks(fd, end, chunk_size):
                pos = 0
                while pos < n:
                    sid = head_session(data, pos)
                    if sid is not None and sid.startswith(prefix) and sid not in found:
                        found[sid] = _head_time(data, pos)
                    pos = data.find(b"\n", pos, n) + 1 or n
        return found
    # Ids as written after "[" (one list per chunk, C speed), each checked once.
    bracket = re.compile(rb"\n\[(" + re.escape(raw) + rb"[^\]\n]*)\] - ") if b"]" not in raw else None
    json_rx = re.compile(rb"\n(?=" + _JSON_ID_AT + rb"(?:" + re.escape(raw) + rb'|[^"\n]*\\))')
    for fd, end in log.files():
        for data, n in _chunks(fd, end, chunk_size):
            heads: dict[str, int] = {}  # new ids: their first record in the chunk
            first = head_session(data, 0)
            if first is not None and first.startswith(prefix) and first not in found:
                heads[first] = 0
            if bracket is not None and data.find(b"\n[" + raw, 0, n) >= 0:
                for raw_id in set(bracket.findall(data, 0, n)):
                    sid = raw_id.decode("utf-8", "replace")
                    if sid not in found:
                        pos = _first_bracket_head(data, raw_id, n)
                        if pos >= 0 and pos < heads.get(sid, n):
                            heads[sid] = pos
            j = _json_line(data, n)
            if j >= 0:
                for m in json_rx.finditer(data, max(j - 1, 0), n):
                    sid = head_session(data, m.start() + 1)
                    if sid is not None and sid.startswith(prefix) and sid not in found:
                        heads[sid] = min(heads.get(sid, n), m.start() + 1)
            for sid, pos in sorted(heads.items(), key=lambda item: item[1]):
                found[sid] = _head_time(data, pos)
    return found


def _first_bracket_head(data: bytes, raw_id: bytes, n: int) -> int:
    """The first record of the raw id in ``data[:n]`` past the first line (which the
    caller reads itself), or -1."""
    needle = b"\n[" + raw_id + b"] - "
    i = data.find(needle, 0, n)
    while i >= 0 and not BRACKET_RE.match(data, i + 1, n):
        i = data.find(needle, i + 1, n)
    return i + 1 if i >= 0 else -1


def _head_time(data: bytes, pos: int) -> datetime | None:
    end = data.find(b"\n", pos) + 1 or len(data)
    head = parse_head(data[pos:end])
    return head.timestamp if head else None


def _has_lead_lines(log: AppLogFiles) -> bool:
    """Whether the log opens with lines before any record (``in-progress``'s)."""
    for fd, end in log.files():
        if end:
            line = b"".join(read_through_line_end(fd, 0, end))
            return head_session(line) is None
    return False


def newest_heads(log: AppLogFiles, block_size: int = CHUNK_SIZE) -> Iterator[dict[str, datetime | None]]:
    """Going back from the end of ``log`` a block of whole lines at a time: the
    sessions with a record in the block, each with the time of its first record
    there (None without a time)."""
    for fd, end in reversed(log.files()):
        for data in _blocks_backward(fd, end, block_size):
            firsts: dict[str, int] = {}
            first = head_session(data, 0)
            if first is not None:
                firsts[first] = 0
            for m in _NEXT_HEAD.finditer(data):
                sid = head_session(data, m.start() + 1)
                if sid is not None and sid not in firsts:
                    firsts[sid] = m.start() + 1
            if firsts:
                yield {sid: _head_time(data, pos) for sid, pos in firsts.items()}


def _blocks_backward(fd: int, end: int, size: int) -> Iterator[bytes]:
    """Whole lines of ``fd[0:end]``, the last ``size`` bytes or so first."""
    while end > 0:
        start = max(0, end - size)
        data = os.pread(fd, end - start, start)
        if start > 0:
            cut = data.find(b"\n") + 1
            if not cut or cut == len(data):  # no line starts here: read further back
                size *= 2
                continue
            data = data[cut:]
            start += cut
        yield data
        end = start
