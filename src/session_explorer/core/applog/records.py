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

import json
import re
from collections.abc import Iterator
from datetime import datetime

from session_explorer.core.models import IN_PROGRESS, RecordHead

#: The id part: anything but "]" and newline, between brackets.
_ID = rb"\[([^\]\n]*)\] - "
LEVEL_PATTERN = rb"[A-Z][A-Z0-9_]*"
TIMESTAMP_PATTERN = rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
#: A bracket record start (at the start of a line). Group 1: id, group 2: simple level.
BRACKET_HEAD = _ID + rb"(?:(" + LEVEL_PATTERN + rb") - |(?=" + TIMESTAMP_PATTERN + rb"))"
#: A JSON record start. Group 1: the session id as written (JSON-escaped).
JSON_HEAD = rb'\{"timestamp": "[^"\n]*", "session_id": "((?:[^"\\\n]|\\.)*)"'
JSON_PREFIX = b'{"timestamp": "'

BRACKET_RE = re.compile(BRACKET_HEAD)
_JSON_RE = re.compile(JSON_HEAD)
_DETAILED_RE = re.compile(
    rb"(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:[,.](\d{1,6}))?", re.S
)
_LOGGER_LEVEL_RE = re.compile(rb" - (.*?) - (" + LEVEL_PATTERN + rb") - ", re.S)
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
    m = BRACKET_RE.match(data, pos)
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
    m = BRACKET_RE.match(line)
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
    m = BRACKET_RE.match(line)
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


