"""A byte-offset index of one logical app log (a file and its rotations).

The text is never held in memory. The log is cut into blocks of ~1 MiB of whole
lines; per block the index keeps its byte range, first line number, line count, the
sessions that have lines in it, and the session that owns the continuation lines
opening it. Per session it keeps exact counts (lines, records, warnings, errors) and
where its first and last records are. A session's exact line offsets are computed
on demand from only its blocks and cached.

The build runs in a background thread (``start()``), in segments, optionally spread
over worker processes; readers see a consistent prefix at any time. Before the build
completes, :meth:`LogIndex.tail_lines` and :meth:`LogIndex.session_page` still answer:
see their docstrings for what is exact then.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import re
import threading
import time
import weakref
from array import array
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, overload

from session_explorer.core import threadcheck
from session_explorer.core.applog import blockio, records, session_starts
from session_explorer.core.applog.blocks import Block, BlockSpan, IndexProgress, IndexStale, SessionPage, SessionStats
from session_explorer.core.applog.records import parse_head, strip_ending
from session_explorer.core.applog.scanner import BlockScan, SessionCounts
from session_explorer.core.background import (
    background_workers,
    drop_shared_pool,
    live_core_kept,
    shared_pool,
    worker_processes_allowed,
)
from session_explorer.core.models import IN_PROGRESS, LogLine, RecordHead, session_id_time

BLOCK_SIZE = 1 << 20
SEGMENT_SIZE = 16 << 20
#: Below this many bytes the build stays in one thread (worker start-up costs more).
PARALLEL_MIN_BYTES = 96 << 20
LIVE_PARALLEL_MIN_BYTES = 8 << 20
#: Segments queued per worker process.
IN_FLIGHT = 2
PUBLISH_EVERY = 0.1  # seconds between progress reports
#: Scanning ahead of the index for a session (before the index reaches it) reads at
#: most this much to find its first record, and stops this far past its last line
#: found: a preview of a session far from the end is then partial (the index
#: completes it), not a read of the rest of the log.
SCAN_AHEAD_BUDGET = 32 << 20
SCAN_AHEAD_GAP = 8 << 20
_GAVE_UP = (-1, -1)
#: Live appends go into the last block while it stays this small (its bytes are kept
#: in memory for that), so a live log makes blocks of this size, not one per append.
LIVE_MERGE = 64 << 10


@dataclass(slots=True)
class _Acc:
    counts: SessionCounts
    first: int = -1  # logical offsets of the first and last records
    last: int = -1


@dataclass(slots=True)
class _Cursor:
    """A session's line offsets, computed block by block as far as needed."""

    offsets: array[int]
    heads: bytearray
    next_block: int = 0  # position in the session's block list


class _ScannedLines(Sequence[LogLine]):
    """Lines found ahead of the index, their heads parsed when they are read.

    Items of ``found``: (logical offset, content, ending, starts a record).
    """

    def __init__(self, source: str, sid: str, found: list[tuple[int, bytes, bytes, bool]],
                 covered_to: int = 0, *, complete: bool = True) -> None:
        self._source = source
        self._sid = sid
        self._found = found
        self._heads: dict[int, RecordHead | None] = {}
        #: Lines already read (from the index) that come before ``found``.
        self._before: Sequence[LogLine] = ()
        #: Logical offset where the scan stopped: no line at or after it is here.
        self.covered_to = covered_to
        #: Every line of the session before ``covered_to`` is here (False: the scan
        #: stopped short of the live file's end, or gave up).
        self.complete = complete

    def after(self, known: Sequence[LogLine]) -> _ScannedLines:
        """These lines behind ``known`` (lines read from the index), without those
        that ``known`` already holds; nothing is read or parsed here."""
        last = known[-1].offset if known else -1
        joined = _ScannedLines(self._source, self._sid, self._found[bisect.bisect_right(
            self._found, last, key=lambda item: item[0]):], self.covered_to, complete=self.complete)
        joined._before = known
        return joined

    def __len__(self) -> int:
        return len(self._before) + len(self._found)

    @overload
    def __getitem__(self, item: int) -> LogLine: ...

    @overload
    def __getitem__(self, item: slice) -> list[LogLine]: ...

    def __getitem__(self, item: int | slice) -> LogLine | list[LogLine]:
        size = len(self)
        if isinstance(item, slice):
            return [self[i] for i in range(*item.indices(size))]
        if item < 0:
            item += size
        if not 0 <= item < size:
            raise IndexError(item)
        before = len(self._before)
        return self._before[item] if item < before else self._line(item - before)

    def times(self) -> list[datetime | None]:
        """Each line's time, as :attr:`LogLine.timestamp` gives it (its record's for
        a continuation line), without making the lines."""
        out: list[datetime | None] = [line.timestamp for line in self._before]
        last: datetime | None = None
        heads = self._heads
        for i, (_offset, content, _ending, is_head) in enumerate(self._found):
            if is_head:
                head: RecordHead | Literal[False] | None = heads.get(i, False)
                last = records.record_time(content) if head is False else (head.timestamp if head else None)
            out.append(last)
        return out

    def _head(self, i: int) -> RecordHead | None:
        if i not in self._heads:
            _, content, _, is_head = self._found[i]
            self._heads[i] = parse_head(content) if is_head else None
        return self._heads[i]

    def _line(self, i: int) -> LogLine:
        offset, content, ending, _ = self._found[i]
        head = self._head(i)
        record_head = None
        if head is None:  # a continuation line: the head of the record before it
            j = i - 1
            while j >= 0 and not self._found[j][3]:
                j -= 1
            record_head = self._head(j) if j >= 0 else None
        return LogLine(self._source, -1, offset, content, ending, self._sid, head, record_head)


class LogIndex:
    """The index of one logical app log; see the module docstring.

    ``follow``: the last file may still grow, so a last line without newline is held
    back until it completes. ``workers``: processes used by the build (None: up to 2
    for big logs, 0: build in the calling thread).
    """

    def __init__(self, paths: list[Path], source: str, *, block_size: int = BLOCK_SIZE,
                 segment_size: int = SEGMENT_SIZE, follow: bool = True,
                 workers: int | None = None) -> None:
        self.paths = [Path(p) for p in paths]
        self.source = source
        self.block_size = block_size
        self.segment_size = max(segment_size, block_size)
        self.follow = follow
        self.workers = workers
        self._lock = threadcheck.lock("LogIndex", reentrant=True)
        self._cursor_lock = threadcheck.lock("LogIndex.cursors")
        self._listeners: list[Callable[[IndexProgress], None]] = []
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._fds: list[int] = []
        self._open()

    # -- state -------------------------------------------------------------------

    def _open(self) -> None:
        self._fds = [os.open(p, os.O_RDONLY) for p in self.paths]
        sizes = [os.fstat(fd).st_size for fd in self._fds]
        self._bases = [sum(sizes[:i]) for i in range(len(sizes))]
        self._sizes = sizes
        self._open_state()

    def _open_state(self) -> None:
        """Nothing indexed yet (over the files opened)."""
        sizes = self._sizes
        self._blocks: list[Block] = []
        self._block_lines: list[int] = []  # first line numbers, for bisect
        self._block_offsets: list[int] = []  # logical start offsets, for bisect
        self._line_count = 0
        self._acc: dict[str, _Acc] = {}
        self._session_blocks: dict[str, list[int]] = {}
        self._carry = IN_PROGRESS
        self._indexed = [0] * len(sizes)  # per file: bytes indexed from its start
        self._done = 0
        self._total = sum(self._indexable_end(i) for i in range(len(sizes)))
        self._complete = False
        self._cursors: OrderedDict[str, _Cursor] = OrderedDict()
        self._rewinds: dict[str, tuple[int, int]] = {}  # see _rewind_cursor
        self._starts_cache: OrderedDict[int, array[int]] = OrderedDict()
        self._ts_cache: dict[int, datetime | None] = {}
        self._new_sessions: list[str] = []

    def close(self) -> None:
        self.cancel()
        for fd in self._fds:
            os.close(fd)
        self._fds = []

    def retire(self) -> None:
        """Stop building; the files stay open for readers still holding this index
        (a view's snapshot, until its session is read again) and are closed when
        the index is no longer referenced."""
        self.cancel()
        weakref.finalize(self, _close_all, list(self._fds))

    def __enter__(self) -> LogIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reset(self, paths: list[Path] | None = None) -> None:
        """Forget everything and reopen the files (after truncation or rotation)."""
        self.cancel()
        for fd in self._fds:
            os.close(fd)
        if paths is not None:
            self.paths = [Path(p) for p in paths]
        self._cancel = threading.Event()
        with self._lock:
            self._open()

    @property
    def complete(self) -> bool:
        return self._complete

    @property
    def progress(self) -> tuple[int, int]:
        return self._done, self._total

    @property
    def line_count(self) -> int:
        return self._line_count

    def live_position(self) -> tuple[int, int]:
        """(Byte offset where indexing stops in the last file, that file's inode).

        The offset is the end of the last complete line when following; a follower
        starts there so that nothing is read twice or lost.
        """
        if not self._fds:
            return 0, 0
        last = len(self._fds) - 1
        return self._indexable_end(last), os.fstat(self._fds[last]).st_ino

    def sessions(self) -> list[str]:
        with self._lock:
            return list(self._acc)

    def add_listener(self, callback: Callable[[IndexProgress], None]) -> None:
        """Call ``callback(IndexProgress)`` from the build thread every ~100 ms and at the end."""
        self._listeners.append(callback)

    # -- building ------------------------------------------------------------------

    def start(self) -> threading.Thread:
        """Build in a background thread (returns it; ``join()`` to wait)."""
        self._thread = threading.Thread(target=self.build, args=(self._cancel,),
                                        name=f"log-index-{self.source}", daemon=True)
        self._thread.start()
        return self._thread

    def cancel(self) -> None:
        self._cancel.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._thread = None

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self._complete

    def build(self, cancel: threading.Event | None = None) -> bool:
        """Index every file; returns False when cancelled."""
        cancel = cancel or self._cancel
        plan = self._plan()
        workers = self._worker_count()
        last_publish = time.monotonic()
        results = self._run_parallel(plan, workers, cancel) if workers else self._run_inline(plan, cancel)
        for (file_idx, _start, _end), scans in results:
            if cancel.is_set():
                return False
            with self._lock:
                for scan in scans:
                    self._add_scan(file_idx, scan)
            if time.monotonic() - last_publish >= PUBLISH_EVERY:
                last_publish = time.monotonic()
                self._publish(False)
        if cancel.is_set():
            return False
        with self._lock:
            self._complete = True
        self._publish(True)
        return True

    def _worker_count(self) -> int:
        """Processes for this build (0: in this thread)."""
        if self.workers is not None:
            return self.workers
        # Under the explorer even a middling log goes to a worker process: scanned in
        # the explorer's own process it would hold the interpreter the screen needs.
        least = LIVE_PARALLEL_MIN_BYTES if live_core_kept() else PARALLEL_MIN_BYTES
        if self._total < least or not worker_processes_allowed():
            return 0
        return background_workers()

    def _indexable_end(self, file_idx: int) -> int:
        """Where indexing of a file stops: its size, or its last newline when followed."""
        size = self._sizes[file_idx]
        if not self.follow or file_idx < len(self._sizes) - 1 or size == 0:
            return size
        return blockio.line_end_before(self._fds[file_idx], size)

    def _live_end_now(self) -> int:
        """The end of the last complete line of the live (last) file as it is now:
        what a preview reads up to. (The build stops where the file ended when the
        index was opened; what follows is the live feed's, which hands it over.)"""
        last = len(self._fds) - 1
        if not self.follow:
            return self._sizes[last]
        return blockio.line_end_before(self._fds[last], os.fstat(self._fds[last]).st_size)

    def _plan(self) -> list[tuple[int, int, int]]:
        """(file, start, end) segments cut at line starts."""
        plan = []
        for i, fd in enumerate(self._fds):
            end = self._indexable_end(i)
            pos = self._indexed[i]
            while pos < end:
                cut = self._line_start_after(fd, pos + self.segment_size, end)
                plan.append((i, pos, cut))
                pos = cut
        return plan

    @staticmethod
    def _line_start_after(fd: int, pos: int, end: int) -> int:
        while pos < end:
            chunk = os.pread(fd, min(65536, end - pos), pos - 1)
            nl = chunk.find(b"\n")
            if nl >= 0:
                return pos + nl
            pos += len(chunk) - 1
        return end

    def _run_inline(self, plan: list[tuple[int, int, int]],
                    cancel: threading.Event) -> Iterator[tuple[tuple[int, int, int], list[BlockScan]]]:
        for seg in plan:
            if cancel.is_set():
                return
            file_idx, start, end = seg
            yield seg, blockio.scan_segment(self._fds[file_idx], start, end, self.block_size)

    def _run_parallel(self, plan: list[tuple[int, int, int]], workers: int,
                      cancel: threading.Event) -> Iterator[tuple[tuple[int, int, int], list[BlockScan]]]:
        """Segments scanned by worker processes, yielded in order.

        Workers are spawned (safe in a threaded process); while they start, this
        thread scans the first segment itself (not under the explorer: its process
        keeps the interpreter for the screen and the live feed). ``IN_FLIGHT``
        segments per worker are queued at a time: enough to keep every worker busy,
        few enough to stop soon.
        """
        here_first = not live_core_kept()
        try:
            pool = shared_pool(workers)
        except (OSError, ValueError, RuntimeError):
            # No worker processes here (e.g. stderr is not a real file for the
            # process tracker): the build thread does the work.
            yield from self._run_inline(plan, cancel)
            return
        pending: deque[tuple[tuple[int, int, int], Future[list[BlockScan]] | None]] = deque()
        queue = iter(plan[1:] if here_first else plan)
        broken = False  # workers could not start (e.g. no __main__ guard): scan here

        def scan_here(seg: tuple[int, int, int]) -> list[BlockScan]:
            f, s, e = seg
            return blockio.scan_segment(self._fds[f], s, e, self.block_size)

        def submit_next() -> None:
            nonlocal broken
            seg = next(queue, None)
            if seg is None:
                return
            if broken:
                pending.append((seg, None))
                return
            f, s, e = seg
            try:
                fut = pool.submit(blockio.scan_range, str(self.paths[f]), s, e, self.block_size)
            except (RuntimeError, OSError, ValueError, BrokenProcessPool):
                broken = True
                fut = None
            pending.append((seg, fut))

        try:
            for _ in range(workers * IN_FLIGHT):
                submit_next()
            if plan and here_first:
                yield plan[0], scan_here(plan[0])
            while pending:
                seg, fut = pending.popleft()
                scans = None
                while fut is not None and scans is None:
                    try:
                        scans = fut.result(timeout=0.05)
                    except FutureTimeout:
                        if cancel.is_set():
                            return
                    except (RuntimeError, OSError, ValueError, BrokenProcessPool):
                        broken = True
                        fut = None
                if scans is None:
                    if cancel.is_set():
                        return
                    scans = scan_here(seg)
                submit_next()
                yield seg, scans
        finally:
            for _seg, fut in pending:
                if fut is not None:
                    fut.cancel()
            if broken:
                drop_shared_pool(pool)

    def _add_scan(self, file_idx: int, scan: BlockScan) -> None:
        """Append one block (under the lock)."""
        base = self._bases[file_idx]
        sids = set(scan.counts)
        carry_in = self._carry
        if scan.lead:
            sids.add(carry_in)
            self._acc_for(carry_in).counts.lines += scan.lead
        index = len(self._blocks)
        for sid, c in scan.counts.items():
            acc = self._acc_for(sid)
            acc.counts.lines += c.lines
            acc.counts.records += c.records
            acc.counts.warnings += c.warnings
            acc.counts.errors += c.errors
            if sid in scan.first and acc.first < 0:
                acc.first = base + scan.start + scan.first[sid]
            if sid in scan.last:
                acc.last = base + scan.start + scan.last[sid]
        for sid in sids:
            self._session_blocks.setdefault(sid, []).append(index)
        if self._blocks and self._blocks[-1].scan is not None:
            self._blocks[-1].scan = None
        self._blocks.append(Block(file_idx, scan.start, scan.end, self._line_count, scan.lines,
                                  frozenset(sids), carry_in, scan.others, scan))
        self._block_lines.append(self._line_count)
        self._block_offsets.append(base + scan.start)
        self._line_count += scan.lines
        self._carry = scan.tail_owner or carry_in
        self._indexed[file_idx] = scan.end
        self._done += scan.end - scan.start

    def _acc_for(self, sid: str) -> _Acc:
        acc = self._acc.get(sid)
        if acc is None:
            acc = self._acc[sid] = _Acc(SessionCounts())
            self._new_sessions.append(sid)
        return acc

    def _publish(self, complete: bool) -> None:
        with self._lock:
            report = IndexProgress(self._done, self._total, self._line_count,
                                   tuple(self._new_sessions), complete)
            self._new_sessions = []
        for callback in list(self._listeners):
            callback(report)

    # -- persistence ---------------------------------------------------------------

    def export_state(self) -> dict[str, Any]:
        """What a later process needs to go on from here (see :mod:`.cache`): the
        blocks, the sessions' counts and where each file is indexed to. Plain
        values (JSON)."""
        with self._lock:
            sids = list(self._acc)
            number = {sid: i for i, sid in enumerate(sids)}
            for block in self._blocks:
                for sid in (*block.sids, block.carry_in):
                    if sid not in number:
                        number[sid] = len(sids)
                        sids.append(sid)
            if self._carry not in number:
                number[self._carry] = len(sids)
                sids.append(self._carry)
            return {
                "sessions": sids,
                "counts": [[number[sid], a.counts.lines, a.counts.records, a.counts.warnings,
                            a.counts.errors, a.first, a.last] for sid, a in self._acc.items()],
                "blocks": [[b.file, b.start, b.end, b.first_line, b.lines, sorted(number[x] for x in b.sids),
                            number[b.carry_in], b.others] for b in self._blocks],
                "indexed": list(self._indexed),
                "lines": self._line_count,
                "carry": number[self._carry],
            }

    def import_state(self, state: dict[str, Any]) -> None:
        """Take a state :meth:`export_state` made over the same files (the caller
        checked that they are): building then goes on from where it stopped."""
        sids: list[str] = state["sessions"]
        with self._lock:
            self._open_state()
            for number, lines, records, warnings, errors, first, last in state["counts"]:
                counts = SessionCounts(lines, records, warnings, errors)
                self._acc[sids[number]] = _Acc(counts, first, last)
            for f, start, end, first_line, lines, members, carry_in, others in state["blocks"]:
                index = len(self._blocks)
                block_sids = frozenset(sids[m] for m in members)
                for sid in block_sids:
                    self._session_blocks.setdefault(sid, []).append(index)
                self._blocks.append(Block(f, start, end, first_line, lines, block_sids, sids[carry_in],
                                          others))
                self._block_lines.append(first_line)
                self._block_offsets.append(self._bases[f] + start)
            self._indexed = list(state["indexed"])
            self._line_count = int(state["lines"])
            self._carry = sids[int(state["carry"])]
            self._done = sum(self._indexed)
            self._new_sessions = list(self._acc)

    # -- live growth ---------------------------------------------------------------

    def extend(self, new_size: int | None = None) -> int:
        """Index bytes appended to the last file (after the build); returns new lines.

        Call it after the follower reports an append. A torn last line waits. Raises
        :class:`IndexStale` when the file shrank (truncation): ``reset()`` then.
        """
        if not self._complete or not self._fds:
            return 0
        last = len(self._fds) - 1
        fd = self._fds[last]
        size = os.fstat(fd).st_size if new_size is None else new_size
        with self._lock:
            if size < self._indexed[last]:
                raise IndexStale(f"{self.paths[last]} shrank to {size} bytes")
            self._sizes[last] = max(self._sizes[last], size)
            end = self._indexable_end(last)
            start = self._indexed[last]
            if end <= start:
                return 0
            before = self._line_count
            tail = self._blocks[-1] if self._blocks else None
            if tail is not None and tail.file == last and tail.scan is not None \
                    and tail.end == start and tail.end - tail.start < self.block_size // 2:
                start = self._drop_last_block()
            for scan in blockio.scan_segment(fd, start, end, self.block_size):
                self._add_scan(last, scan)
            self._total = self._done
            added = self._line_count - before
        self._publish(True)
        return added

    def extend_data(self, start: int, data: bytes) -> tuple[int, int]:
        """Index whole lines appended to the last file, handed over by whoever read
        them (the live feed): nothing is read again. ``start`` is their offset in the
        last file and must be where indexing stopped (else :class:`IndexStale`).

        Returns (line number of the first new line, lines added). A small last
        block made this way takes the next appends (see ``LIVE_MERGE``).
        """
        if not self._complete or not self._fds or not data:
            return self._line_count, 0
        last = len(self._fds) - 1
        with self._lock:
            if start != self._indexed[last]:
                raise IndexStale(f"{self.paths[last]}: appended at {start}, indexed to {self._indexed[last]}")
            first = self._line_count
            end = start + len(data)
            tail = self._blocks[-1] if self._blocks else None
            if tail is not None and tail.file == last and tail.data is not None and tail.scan is not None \
                    and tail.end == start and len(tail.data) + len(data) <= LIVE_MERGE:
                data = tail.data + data
                start = self._drop_last_block()
            for scan in blockio.scan_bytes(data, start, self.block_size):
                self._add_scan(last, scan)
            block = self._blocks[-1]
            if block.end - block.start <= LIVE_MERGE:
                block.data = data[block.start - start:]
            self._sizes[last] = max(self._sizes[last], end)
            self._total = self._done
            added = self._line_count - first
        self._publish(True)
        return first, added

    def extent(self, sid: str | None = None) -> tuple[int, int]:
        """(lines indexed, of ``sid`` or of the whole log; the logical offset where
        the index ends), read together: what a snapshot of a complete index covers."""
        with self._lock:
            if sid is None:
                count = self._line_count
            else:
                acc = self._acc.get(sid)
                count = acc.counts.lines if acc else 0
            end = self._bases[-1] + self._indexed[-1] if self._fds else 0
            return count, end

    @property
    def live_base(self) -> int:
        """Logical offset where the last (live) file starts."""
        return self._bases[-1] if self._bases else 0

    def carry_at_end(self) -> str:
        """The session that a continuation line appended after the index belongs to."""
        with self._lock:
            return self._carry

    def block_spans(self) -> list[BlockSpan]:
        """The blocks indexed so far, in log order (a copy, for a block-wise scan)."""
        with self._lock:
            return [BlockSpan(b.first_line, b.file, b.start, b.end) for b in self._blocks]

    def read_into(self, file: int, start: int, buffer: bytearray | memoryview) -> int:
        """Fill ``buffer`` from byte ``start`` of the index's file number ``file``; the
        bytes read. The descriptor opened when indexing is read, so a file renamed by
        rotation since then is still the one read."""
        return os.preadv(self._fds[file], [buffer], start)

    def owner_before(self, offset: int) -> str:
        """The session of the record before a logical offset (reads backwards)."""
        return self._owner_of_offset(offset)[0]

    def _drop_last_block(self) -> int:
        """Undo the last (small) block so it can be rescanned with the new bytes."""
        block = self._blocks.pop()
        scan = block.scan
        assert scan is not None
        self._block_lines.pop()
        block_start = self._block_offsets.pop()
        index = len(self._blocks)
        if scan.lead:
            self._acc[block.carry_in].counts.lines -= scan.lead
        for sid, c in scan.counts.items():
            acc = self._acc[sid].counts
            acc.lines -= c.lines
            acc.records -= c.records
            acc.warnings -= c.warnings
            acc.errors -= c.errors
        for sid in block.sids:
            blocks = self._session_blocks[sid]
            if blocks and blocks[-1] == index:
                blocks.pop()
                self._rewind_cursor(sid, len(blocks), block_start)
        self._starts_cache.pop(index, None)
        self._line_count -= block.lines
        self._carry = block.carry_in
        self._indexed[block.file] = block.start
        self._done -= block.end - block.start
        return block.start

    # -- low-level reading ---------------------------------------------------------

    def _locate(self, offset: int) -> tuple[int, int]:
        """(file index, offset in file) of a logical offset."""
        i = bisect.bisect_right(self._bases, offset) - 1
        return i, offset - self._bases[i]

    def _read_block(self, block: Block) -> bytes:
        data = os.pread(self._fds[block.file], block.end - block.start, block.start)
        return data if data.endswith(b"\n") else data + b"\n"

    def _read_line(self, offset: int) -> tuple[bytes, bytes]:
        """(content, ending) of the line starting at a logical offset."""
        file_idx, pos = self._locate(offset)
        return strip_ending(b"".join(blockio.read_through_line_end(self._fds[file_idx], pos)))

    def _block_starts(self, index: int) -> array[int]:
        """Line starts (offsets in the block) of a block, cached in a small LRU."""
        cached = self._starts_cache.get(index)
        if cached is not None:
            self._starts_cache.move_to_end(index)
            return cached
        with self._lock:
            block = self._blocks[index]
        data = self._read_block(block)
        starts = array("Q", [0])
        starts.extend(m.end() for m in re.finditer(b"\n", data))
        starts.pop()
        self._starts_cache[index] = starts
        if len(self._starts_cache) > 16:
            self._starts_cache.popitem(last=False)
        return starts

    def _line_number_at(self, offset: int) -> int:
        with self._lock:
            bi = bisect.bisect_right(self._block_offsets, offset) - 1
            if bi < 0:
                return -1
            block = self._blocks[bi]
        starts = self._block_starts(bi)
        rel = offset - self._block_offsets[bi]
        return block.first_line + bisect.bisect_right(starts, rel) - 1

    # -- the whole log -------------------------------------------------------------

    def read_lines(self, start: int, stop: int) -> list[LogLine]:
        """Lines ``start`` to ``stop`` (0-based) of the indexed log."""
        start, stop = max(start, 0), min(stop, self._line_count)
        out: list[LogLine] = []
        record_head: RecordHead | None = None
        owner: str | None = None
        n = start
        while n < stop:
            with self._lock:
                bi = bisect.bisect_right(self._block_lines, n) - 1
                block = self._blocks[bi]
                base = self._block_offsets[bi]
            starts = self._block_starts(bi)
            first, last = n - block.first_line, min(stop - block.first_line, block.lines)
            lo = starts[first]
            hi = starts[last] if last < len(starts) else block.end - block.start
            data = os.pread(self._fds[block.file], hi - lo, block.start + lo)
            for k in range(first, last):
                s = starts[k] - lo
                e = (starts[k + 1] - lo) if k + 1 < len(starts) and k + 1 < last else len(data)
                content, ending = strip_ending(data[s:e])
                head = parse_head(content)
                if head is not None:
                    owner, record_head = head.session_id, head
                elif owner is None:
                    owner, record_head = self._owner_before(bi, k)
                out.append(LogLine(self.source, n, base + starts[k], content, ending,
                                   head.session_id if head else owner, head,
                                   None if head else record_head))
                n += 1
        return out

    def _owner_before(self, bi: int, k: int, limit: int = 100_000) -> tuple[str, RecordHead | None]:
        """Session and head of the record that line ``k`` of block ``bi`` continues."""
        for _ in range(limit):
            if k == 0:
                if bi == 0:
                    return IN_PROGRESS, None
                with self._lock:
                    bi -= 1
                    k = self._blocks[bi].lines
            k -= 1
            starts = self._block_starts(bi)
            content, _ = self._read_line(self._block_offsets[bi] + starts[k])
            head = parse_head(content)
            if head is not None:
                return head.session_id, head
        with self._lock:
            return self._blocks[bi].carry_in, None

    def tail_lines(self, n: int) -> list[LogLine]:
        """The newest ``n`` complete lines, read backwards from the end of the last file.

        Answerable before the build. ``line_number`` is exact once the index has reached
        the end, else -1.
        """
        return self.tail_snapshot(n)[0]

    def tail_snapshot(self, n: int) -> tuple[list[LogLine], int]:
        """:meth:`tail_lines`, and the logical offset they reach (every line before
        it from the first one returned is there)."""
        if not self._fds:
            return [], 0
        live_end = self._live_end_now()
        chunks: list[tuple[int, bytes]] = []
        found = 0
        for file_idx in range(len(self._fds) - 1, -1, -1):
            end = live_end if file_idx == len(self._fds) - 1 else self._sizes[file_idx]
            pos = end
            data = b""
            while pos > 0 and data.count(b"\n") <= n:
                start = max(0, pos - 65536)
                data = os.pread(self._fds[file_idx], pos - start, start) + data
                pos = start
            if pos > 0:
                cut = data.find(b"\n") + 1
                data, pos = data[cut:], pos + cut
            chunks.append((self._bases[file_idx] + pos, data))
            found += data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
            if found > n or pos > 0:
                break
        lines: list[tuple[int, bytes, bytes]] = []
        for base, data in reversed(chunks):
            lines.extend((base + off, c, e) for off, c, e in records.iter_lines(data))
        lines = lines[-n:] if n else []
        return self._annotate_free(lines), self._bases[-1] + live_end

    def _annotate_free(self, lines: list[tuple[int, bytes, bytes]]) -> list[LogLine]:
        """LogLines for lines read outside the block index (line numbers if known)."""
        out: list[LogLine] = []
        owner: str | None = None
        record_head: RecordHead | None = None
        for offset, content, ending in lines:
            head = parse_head(content)
            if head is not None:
                owner, record_head = head.session_id, head
            elif owner is None:
                owner, record_head = self._owner_of_offset(offset)
            number = self._line_number_at(offset) if offset < self._indexed_logical_end() else -1
            out.append(LogLine(self.source, number, offset, content, ending,
                               head.session_id if head else owner, head,
                               None if head else record_head))
        return out

    def _indexed_logical_end(self) -> int:
        with self._lock:
            if not self._blocks:
                return 0
            block = self._blocks[-1]
            return self._bases[block.file] + block.end

    def _owner_of_offset(self, offset: int, budget: int = 4 << 20) -> tuple[str, RecordHead | None]:
        """The record a continuation line at ``offset`` belongs to, reading backwards."""
        file_idx, pos = self._locate(offset)
        while budget > 0:
            if pos == 0:
                if file_idx == 0:
                    break
                file_idx -= 1
                pos = self._sizes[file_idx]
                continue
            start = max(0, pos - 65536)
            data = os.pread(self._fds[file_idx], pos - start, start)
            budget -= len(data)
            end = len(data)
            floor = 0 if start == 0 else data.find(b"\n") + 1
            if floor == 0 and start > 0:
                floor = len(data)  # one line longer than the chunk: read further back
            while end > floor:
                nl = data.rfind(b"\n", floor, end - 1)
                head = parse_head(data[nl + 1:end])
                if head is not None:
                    return head.session_id, head
                end = nl + 1 if nl >= 0 else floor
            pos = start + floor if floor < len(data) else start
        return IN_PROGRESS, None

    # -- sessions ------------------------------------------------------------------

    def session_stats(self) -> dict[str, SessionStats]:
        """Exact counts per session (of the indexed part), with first/last record times."""
        with self._lock:
            items = [(sid, acc.counts.lines, acc.counts.records, acc.counts.warnings,
                      acc.counts.errors, acc.first, acc.last) for sid, acc in self._acc.items()]
        return {sid: SessionStats(lines, records, warnings, errors, self._ts_at(first), self._ts_at(last))
                for sid, lines, records, warnings, errors, first, last in items}

    def _ts_at(self, offset: int) -> datetime | None:
        if offset < 0:
            return None
        if offset not in self._ts_cache:
            head = parse_head(self._read_line(offset)[0])
            self._ts_cache[offset] = head.timestamp if head else None
        return self._ts_cache[offset]

    def session_line_offsets(self, sid: str) -> array[int]:
        """Exact logical byte offsets of every line of ``sid`` in the indexed part."""
        with self._cursor_lock:
            cursor = self._advance(sid, None)
            return array("Q", cursor.offsets)

    def session_line_count(self, sid: str) -> int:
        with self._lock:
            acc = self._acc.get(sid)
            return acc.counts.lines if acc else 0

    def session_lines(self, sid: str, start: int, stop: int) -> list[LogLine]:
        """Lines ``start`` to ``stop`` of a session (see :meth:`session_page`)."""
        return list(self.session_page(sid, start, stop).lines)

    def session_page(self, sid: str, start: int, stop: int) -> SessionPage:
        """Lines ``start`` to ``stop`` of a session, in log order.

        From the index when it covers the session far enough (``exact``). Otherwise,
        during the build, the file is scanned ahead of the index for the session's first
        record and read forward from there: the page holds the session's first lines but
        is not ``exact`` (line numbers -1, the page may stop short).
        """
        with self._cursor_lock:
            known = sid in self._session_blocks
            cursor = self._advance(sid, stop) if known else None
            if cursor is not None and (len(cursor.offsets) >= stop or self._complete):
                return SessionPage(self._session_lines_at(sid, cursor, start, stop), True)
        if self._complete:
            return SessionPage([], True)
        return SessionPage(self._scan_ahead(sid, start, stop), False)

    def session_preview(self, sid: str, limit: int) -> tuple[Sequence[LogLine], int, bool]:
        """A session's lines while the index is built: those it has indexed, then
        those found by scanning ahead of it (at most ``limit`` in all); the logical
        offset where the preview stops (no line at or after it is in the result, so
        a line appended there joins it); and whether the result holds every line of
        the session before that offset (False: it stopped short, a gap may follow
        the lines found). Line numbers are -1 ahead.
        """
        with self._lock:
            front = [(i, self._indexed[i]) for i in range(len(self._fds))]
        with self._cursor_lock:
            cursor = self._advance(sid, limit)
            known = self._session_lines_at(sid, cursor, 0, limit)
        if len(known) >= limit:
            last = known[-1]
            return known, last.offset + len(last.raw) + len(last.ending), False
        ahead = self._scan_ahead(sid, 0, limit - len(known), front=front)
        return ahead.after(known), ahead.covered_to, ahead.complete

    def _rewind_cursor(self, sid: str, kept_blocks: int, block_start: int) -> None:
        """Note (under the index lock) that a session's cursor must forget what it took
        from a dropped last block; :meth:`_advance` applies it under the cursor lock,
        so the rest of its offsets stay and a live session is not re-read."""
        earlier = self._rewinds.get(sid)
        if earlier is None or earlier[0] > kept_blocks:
            self._rewinds[sid] = (kept_blocks, block_start)

    def _apply_rewind(self, sid: str, cursor: _Cursor) -> None:
        with self._lock:
            rewind = self._rewinds.pop(sid, None)
        if rewind is None or cursor.next_block <= rewind[0]:
            return
        kept_blocks, block_start = rewind
        keep = bisect.bisect_left(cursor.offsets, block_start)
        del cursor.offsets[keep:]
        del cursor.heads[keep:]
        cursor.next_block = kept_blocks

    def _advance(self, sid: str, need: int | None) -> _Cursor:
        """The session's cursor, advanced until it holds ``need`` lines (None: all)."""
        cursor = self._cursors.get(sid)
        if cursor is None:
            cursor = self._cursors[sid] = _Cursor(array("Q"), bytearray())
            if len(self._cursors) > 64:
                self._cursors.popitem(last=False)
        else:
            self._cursors.move_to_end(sid)
            self._apply_rewind(sid, cursor)
        with self._lock:
            block_ids = list(self._session_blocks.get(sid, ()))
        while cursor.next_block < len(block_ids) and (need is None or len(cursor.offsets) < need):
            with self._lock:
                bi = block_ids[cursor.next_block]
                block = self._blocks[bi]
                base = self._block_offsets[bi]
            data = self._read_block(block)
            starts, heads = session_starts.session_starts_in_block(
                data, sid, block.carry_in == sid, block.others)
            cursor.offsets.extend(base + s for s in starts)
            cursor.heads.extend(heads)
            cursor.next_block += 1
        return cursor

    def _session_lines_at(self, sid: str, cursor: _Cursor, start: int, stop: int) -> list[LogLine]:
        out: list[LogLine] = []
        record_head: RecordHead | None = None
        for i in range(max(start, 0), min(stop, len(cursor.offsets))):
            offset = cursor.offsets[i]
            content, ending = self._read_line(offset)
            head = parse_head(content) if cursor.heads[i] else None
            if head is not None:
                record_head = head
            elif record_head is None:
                prev = cursor.heads.rfind(b"\x01", 0, i)
                if prev >= 0:
                    record_head = parse_head(self._read_line(cursor.offsets[prev])[0])
            out.append(LogLine(self.source, self._line_number_at(offset), offset, content, ending,
                               sid, head, None if head else record_head))
        return out

    # -- before the index reaches a session ----------------------------------------

    def _scan_ahead(self, sid: str, start: int, stop: int, chunk: int = 4 << 20,
                    front: list[tuple[int, int]] | None = None) -> _ScannedLines:
        """A session's first lines found by scanning the files ahead of the index
        (from ``front``, (file, offset) pairs, by default where the index stands)."""
        # The live end before the search: a line appended while it runs comes after
        # this point, so the live feed brings it (taken after the search, it could
        # fall before the point without being in the result).
        last = len(self._fds) - 1
        live_end = self._bases[last] + self._live_end_now()
        position = self._find_first_record(sid, chunk, front)
        if position is None:  # none ahead: nothing is missing up to the live end
            return _ScannedLines(self.source, sid, [], live_end)
        if position == _GAVE_UP:  # not found within the budget: lines may be missing
            return _ScannedLines(self.source, sid, [], live_end, complete=False)
        file_idx, pos = position
        fd = self._fds[file_idx]
        end = self._live_end_now() if file_idx == len(self._fds) - 1 else self._sizes[file_idx]
        found: list[tuple[int, bytes, bytes, bool]] = []
        carried = False
        live = file_idx == len(self._fds) - 1
        last_found = pos
        while pos < end and len(found) < stop and pos - last_found <= SCAN_AHEAD_GAP:
            data = blockio.read_block(fd, pos, end, self.block_size)
            if not data:
                break
            block = data if data.endswith(b"\n") else data + b"\n"
            starts, heads = session_starts.session_starts_in_block(block, sid, carried, 1)
            for s, h in zip(starts, heads, strict=True):
                e = block.find(b"\n", s)
                content, ending = strip_ending(data[s:e + 1] if e < len(data) else data[s:])
                found.append((self._bases[file_idx] + pos + s, content, ending, bool(h)))
            if starts:
                last_found = pos + starts[-1]
            tail = block.rfind(b"\n", 0, len(block) - 1) + 1
            carried = bool(starts) and starts[-1] == tail
            pos += len(data)
        complete = live and pos >= end and len(found) <= stop
        # Where the result stops: after the last block read, or at the first line
        # found but left out.
        stopped = found[stop][0] if len(found) > stop else self._bases[file_idx] + pos
        return _ScannedLines(self.source, sid, found[start:stop], stopped, complete=complete)

    def _find_first_record(self, sid: str, chunk: int,
                           front: list[tuple[int, int]] | None = None) -> tuple[int, int] | None:
        """(file, offset) of the session's first record beyond the indexed part;
        None when there is none; ``_GAVE_UP`` after SCAN_AHEAD_BUDGET bytes without it."""
        budget = SCAN_AHEAD_BUDGET
        needle = b"\n[" + sid.encode("utf-8") + b"] - "
        if front is None:
            with self._lock:
                front = [(i, self._indexed[i]) for i in range(len(self._fds))]
        files = front
        begin = self._time_hint(sid)
        for file_idx, pos in files:
            end = self._live_end_now() if file_idx == len(self._fds) - 1 else self._sizes[file_idx]
            if begin is not None and begin[0] > file_idx:
                continue
            if begin is not None and begin[0] == file_idx:
                pos = max(pos, begin[1])
            fd = self._fds[file_idx]
            if pos == 0:
                first = os.pread(fd, 4096, 0)
                if records.head_session(first, 0) == sid:
                    return file_idx, 0
            while pos < end:
                if budget <= 0:
                    return _GAVE_UP
                data = os.pread(fd, min(chunk + len(needle), end - pos + 1), max(pos - 1, 0))
                budget -= len(data)
                i = data.find(needle)
                while i >= 0:
                    if records.head_session(data[i + 1:i + 1 + len(needle) + 64] + b"\n") == sid:
                        return file_idx, max(pos - 1, 0) + i + 1
                    i = data.find(needle, i + 1)
                pos += chunk
        return None

    def _time_hint(self, sid: str) -> tuple[int, int] | None:
        """Where records older than a timestamp id (``YYYYMMDD_HHMMSS``) minus a minute end.

        Such a session cannot have records before its id's moment, so the scan for
        its first record may start there. Found by bisecting record times.
        """
        started = session_id_time(sid)
        if started is None:
            return None
        moment = started - timedelta(minutes=1)
        lo, hi = 0, sum(self._sizes)
        while hi - lo > 65536:
            mid = (lo + hi) // 2
            ts = self._time_near(mid)
            if ts is None or ts >= moment:
                hi = mid
            else:
                lo = mid
        return self._locate(lo) if lo else None

    def _time_near(self, offset: int) -> datetime | None:
        file_idx, pos = self._locate(offset)
        data = os.pread(self._fds[file_idx], 32768, pos)
        for _off, content, _e in records.iter_lines(data[data.find(b"\n") + 1:], final=False):
            head = parse_head(content)
            if head is not None and head.timestamp is not None:
                return head.timestamp
        return None



def _close_all(fds: list[int]) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)

