"""What an app log's index hands out: its blocks and their spans, progress reports,
per-session statistics, pages of a session's lines, and the error of a stale index."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from session_explorer.core.applog.scanner import BlockScan
from session_explorer.core.models import LogLine


@dataclass(frozen=True, slots=True)
class BlockSpan:
    """One block of an index: its first line number and byte range in one file."""

    first_line: int
    file: int
    start: int
    end: int


class IndexStale(Exception):
    """The last file shrank (truncation) or was replaced: build a new index."""


@dataclass(frozen=True, slots=True)
class SessionStats:
    lines: int
    records: int
    warnings: int
    errors: int
    first_ts: datetime | None
    last_ts: datetime | None


@dataclass(frozen=True, slots=True)
class IndexProgress:
    """One progress report: published on a time budget while building, and at the end."""

    bytes_done: int
    bytes_total: int
    lines: int
    new_sessions: tuple[str, ...]
    complete: bool


@dataclass(frozen=True, slots=True)
class SessionPage:
    """Lines of a session; ``exact`` is False when they come from a scan ahead of the
    index (then ``line_number`` is -1 and later lines may be missing)."""

    lines: Sequence[LogLine]
    exact: bool


@dataclass(slots=True)
class Block:
    file: int
    start: int  # byte offsets in the file
    end: int
    first_line: int
    lines: int
    sids: frozenset[str]
    carry_in: str
    others: int
    scan: BlockScan | None = None  # kept for the last block only (see extend)
    data: bytes | None = None  # the bytes of a small last block made by extend_data
