"""A naive reference reader, line by line, to check the fast core against.

Deliberately simple and independent of ``session_explorer.core``: its own regular
expressions, no blocks, no index.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

DETAILED = re.compile(
    rb"^\[([^\]\n]*)\] - \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:[,.]\d+)? - .*? - ([A-Z][A-Z0-9_]*) - "
)
SIMPLE = re.compile(rb"^\[([^\]\n]*)\] - ([A-Z][A-Z0-9_]*) - ")
JSON_START = b'{"timestamp": "'


@dataclass
class NaiveSession:
    lines: list[bytes] = field(default_factory=list)  # with their endings
    warnings: int = 0
    errors: int = 0


def record_of(line: bytes) -> tuple[str, str] | None:
    """(session id, level) when ``line`` (without ending) starts a record."""
    for pattern in (DETAILED, SIMPLE):
        m = pattern.match(line)
        if m:
            return m.group(1).decode("utf-8", "replace"), m.group(2).decode()
    if line.startswith(JSON_START):
        try:
            doc = json.loads(line)
        except ValueError:
            return None
        if isinstance(doc, dict) and "session_id" in doc:
            return str(doc["session_id"]), str(doc.get("level", ""))
    return None


def split_lines(data: bytes) -> list[bytes]:
    """Lines with their endings; a last line without newline is kept."""
    return data.splitlines(keepends=True) if b"\r" not in data else _split_lf(data)


def _split_lf(data: bytes) -> list[bytes]:
    parts = data.split(b"\n")
    lines = [p + b"\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


#: The level rule as the issue states it, written apart from the core's.
NAIVE_WARNINGS = frozenset({"WARNING", "WARN"})
NAIVE_ERRORS = frozenset({"ERROR", "CRITICAL", "FATAL", "SEVERE", "CRIT", "ALERT", "EMERG", "EMERGENCY",
                          "EXCEPTION"})

def naive_sessions(paths: list[Path]) -> dict[str, NaiveSession]:
    """Every session's lines, in order, over ``paths`` read one after the other."""
    sessions: dict[str, NaiveSession] = defaultdict(NaiveSession)
    current = "in-progress"
    for path in paths:
        for line in _split_lf(path.read_bytes()):
            body = line[:-1] if line.endswith(b"\n") else line
            body = body[:-1] if body.endswith(b"\r") else body
            rec = record_of(body)
            if rec is not None:
                current, level = rec
                if level and level.upper() in NAIVE_WARNINGS:
                    sessions[current].warnings += 1
                elif level and level.upper() in NAIVE_ERRORS:
                    sessions[current].errors += 1
            sessions[current].lines.append(line)
    return dict(sessions)


def naive_interactions(path: Path) -> tuple[int, int]:
    """(interactions, malformed) of a JSONL file: one per non-blank complete line."""
    count = malformed = 0
    for line in path.read_bytes().split(b"\n")[:-1]:
        if not line.strip():
            continue
        count += 1
        try:
            ok = isinstance(json.loads(line.decode("utf-8", "replace")), dict)
        except ValueError:
            ok = False
        malformed += not ok
    return count, malformed
