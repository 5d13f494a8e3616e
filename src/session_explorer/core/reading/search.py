"""Search: a query (:mod:`session_explorer.core.query`) run over lines, line sources and whole logs.

:func:`search_index` finds the matching lines in a whole indexed log at C speed: it
reads the raw files in chunks of whole lines, finds candidates with ``bytes.find`` or
a compiled bytes pattern over the whole chunk, and checks a candidate against its
own line only when it runs into the line ending. :func:`search_lines` reads any
:class:`~session_explorer.core.reading.sources.LineSource` in batches. Both can be cancelled and report progress.
"""

from __future__ import annotations

import bisect
import threading
import time
from array import array
from collections.abc import Callable, Iterator

from session_explorer.core.applog.blocks import BlockSpan
from session_explorer.core.applog.index import LogIndex
from session_explorer.core.query import Query, compile_query
from session_explorer.core.reading.sources import AllLines, ConcatLines, LineSource

Progress = Callable[[int, int], None]
#: Bytes read per chunk by :func:`search_index` (whole blocks, so a little more).
CHUNK_SIZE = 4 << 20
#: Lines read per batch by :func:`search_lines`.
BATCH_LINES = 4096
#: Seconds between progress reports.
PROGRESS_EVERY = 0.05


def _ensure(query: Query | str) -> Query:
    return query if isinstance(query, Query) else compile_query(query)


class _Reporter:
    """Calls ``progress(done, total)`` at most every PROGRESS_EVERY seconds, and at the end."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.last = time.monotonic()

    def __call__(self, done: int, final: bool = False) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if final or now - self.last >= PROGRESS_EVERY:
            self.last = now
            self.progress(done, self.total)


def search_lines(source: LineSource, query: Query | str, *, cancel: threading.Event | None = None,
                 progress: Progress | None = None, batch: int = BATCH_LINES) -> array[int]:
    """Positions (in ``source``) of the lines that match, ascending.

    Reads the source in batches of ``batch`` lines; ``progress(lines_done, total)``.
    When ``cancel`` is set the lines found so far are returned (the caller knows it
    cancelled).
    """
    query = _ensure(query)
    total = len(source)
    report = _Reporter(progress, total)
    out = array("Q")
    matches = query.matches_raw
    pos = 0
    while pos < total:
        if cancel is not None and cancel.is_set():
            return out
        lines = source.read(pos, min(pos + batch, total))
        if not lines:
            break
        out.extend(pos + i for i, line in enumerate(lines) if matches(line.raw))
        pos += len(lines)
        report(pos)
    report(pos, final=True)
    return out


def _chunks(blocks: list[BlockSpan], size: int) -> Iterator[tuple[int, int, int, int]]:
    """(first_line, file, start, end): runs of adjacent blocks of one file, ~``size`` bytes."""
    i = 0
    while i < len(blocks):
        first = blocks[i]
        end = first.end
        j = i + 1
        while j < len(blocks) and blocks[j].file == first.file and blocks[j].start == end \
                and blocks[j].end - first.start <= size:
            end = blocks[j].end
            j += 1
        yield first.first_line, first.file, first.start, end
        i = j


def search_index(index: LogIndex, query: Query | str, *, cancel: threading.Event | None = None,
                 progress: Progress | None = None, chunk_size: int = CHUNK_SIZE) -> array[int]:
    """Line numbers (of the whole log) of the lines that match, ascending.

    Scans the raw bytes of the part indexed when called, a chunk of whole blocks at a
    time; ``progress(bytes_done, bytes_total)``. When ``cancel`` is set the lines found
    so far are returned. Same result as :func:`search_lines` over ``AllLines(index)``.
    """
    query = _ensure(query)
    blocks = index.block_spans()
    total = sum(b.end - b.start for b in blocks)
    report = _Reporter(progress, total)
    out = array("Q")
    buffer = bytearray(chunk_size)
    done = 0
    for first_line, file, start, end in _chunks(blocks, chunk_size):
        if cancel is not None and cancel.is_set():
            return out
        size = end - start
        if len(buffer) < size:
            buffer = bytearray(size)
        view = memoryview(buffer)[:size]
        got = index.read_into(file, start, view)
        view.release()
        out.extend(first_line + n for n in query.line_hits(buffer, got))
        done += size
        report(done)
    report(done, final=True)
    return out


def search(source: LineSource, query: Query | str, *, cancel: threading.Event | None = None,
           progress: Progress | None = None) -> array[int]:
    """Positions of matching lines in any source, by the fastest way it allows.

    A complete :class:`~session_explorer.core.reading.sources.AllLines` is scanned as raw bytes
    (:func:`search_index`), a :class:`~session_explorer.core.reading.sources.ConcatLines` part by part; other
    sources line by line. ``progress(done, total)`` counts bytes or lines, by part.
    """
    query = _ensure(query)
    if isinstance(source, AllLines) and not source.partial:
        found = search_index(source.index, query, cancel=cancel, progress=progress)
        limit = len(source)  # lines the source shows (the index may have grown since)
        return found[:bisect.bisect_left(found, limit)]
    if isinstance(source, ConcatLines):
        out, base = array("Q"), 0
        for part in source.parts:
            size = len(part)
            out.extend(base + n for n in search(part, query, cancel=cancel, progress=progress) if n < size)
            base += size
        return out
    return search_lines(source, query, cancel=cancel, progress=progress)
