"""Shared helpers for the demo tests."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from session_explorer.demo.output_dir import APP_LOG, INTERACTIONS_DIR

REPO = Path(__file__).resolve().parents[2]
SAMPLE_LOGS = REPO / "sample_logs"
HEAD = re.compile(rb"^\[([^\]]+)\] - (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) - ([\w.]+) - (\w+) - ")


def tree(directory: Path) -> dict[str, bytes]:
    """Every file below ``directory`` (hidden ones too), by relative path."""
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def app_log_bytes(directory: Path) -> bytes:
    """The logical app log: rotated files oldest first, then the current one."""
    rotated = sorted(
        directory.glob(f"{APP_LOG}.*"), key=lambda p: int(p.suffix[1:]), reverse=True
    )
    return b"".join(p.read_bytes() for p in [*rotated, directory / APP_LOG])


def app_log_lines(directory: Path) -> list[bytes]:
    data = app_log_bytes(directory)
    assert data.endswith(b"\n")
    return data[:-1].split(b"\n")


def records(directory: Path) -> list[tuple[str, str, str, str, list[bytes]]]:
    """(session, logger, level, first line, continuation lines) of each app-log record."""
    out: list[tuple[str, str, str, str, list[bytes]]] = []
    for line in app_log_lines(directory):
        match = HEAD.match(line)
        if match:
            out.append(
                (match[1].decode(), match[3].decode(), match[4].decode(), line.decode(), [])
            )
        else:
            assert out, f"continuation line before any record: {line!r}"
            out[-1][4].append(line)
    return out


def session_files(directory: Path) -> dict[str, Path]:
    return {
        p.name[len("session_") : -len(".jsonl")]: p
        for p in sorted((directory / INTERACTIONS_DIR).glob("session_*.jsonl"))
    }


def logging_state() -> tuple[object, ...]:
    root = logging.getLogger()
    return (tuple(root.handlers), root.level, logging.getLogRecordFactory())
