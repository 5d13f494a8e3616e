"""Reading app-log bytes in blocks of whole lines, and scanning files and segments
with :mod:`.scanner` (in worker processes during the first index)."""

from __future__ import annotations

import os
from collections.abc import Iterator

from session_explorer.core.applog.scanner import BlockScan, scan_block
from session_explorer.core.applog.session_starts import record_lasts


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
