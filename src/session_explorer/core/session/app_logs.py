"""One application log (a file and its rotations) kept indexed while it is written.

:class:`AppLogSource` owns a :class:`LogIndex` and a :class:`FileFollower` on the
live file, started where the index stopped, so that every byte is read once: the
follower's appended lines are attributed to sessions here (the one record grammar
of :mod:`session_explorer.core.applog.records`), handed to the index (``LogIndex.extend_data``; bytes appended
while the index is built wait for its end), and returned to the caller (the live
feed) for the session it shows. A truncation, a rotation, a deletion or a
re-creation of the file starts a new index and a new follower over the new set of
files (the index reads the old generation from its rotated name).

Thread: :meth:`AppLogSource.poll` runs on the live feed's thread only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from session_explorer.core import threadcheck
from session_explorer.core.applog import blockio, records, scanner, session_starts
from session_explorer.core.applog.blocks import IndexProgress, IndexStale
from session_explorer.core.applog.index import LogIndex
from session_explorer.core.applog.rotations import discover_rotations
from session_explorer.core.cache import index_cache
from session_explorer.core.cache.store import CacheStore
from session_explorer.core.live.events import Appended, Error
from session_explorer.core.live.follower import FileFollower
from session_explorer.core.models import LogLine, RecordHead

#: A restored index indexes what was appended since, up to this many bytes, when
#: it is opened (more goes to the background build).
INLINE_REST = 16 << 20
#: Bytes appended while the index is built that are kept to index afterwards;
#: beyond this they are read again from the file then.
PENDING_MAX = 64 << 20


@dataclass(frozen=True, slots=True)
class SourceEvent:
    """What one poll of a source found."""

    appended_sessions: frozenset[str] = frozenset()
    reset: bool = False
    problem: str | None = None
    #: The appended lines of the session asked for (every line when it was None).
    lines: tuple[LogLine, ...] = ()


class AppLogSource:
    """An app log and its rotations, indexed in the background and followed."""

    def __init__(
        self,
        path: Path,
        *,
        block_size: int | None = None,
        on_progress: Callable[[IndexProgress], None] | None = None,
        cache: CacheStore | None = None,
    ) -> None:
        self.path = path
        self._cache = cache
        #: The index was taken from the cache (at the last opening).
        self.restored = False
        self.name = path.name
        self._block_size = block_size
        self._on_progress = on_progress
        self._lock = threadcheck.lock("AppLogSource")
        self.skipped: list[Path] = []
        self.index: LogIndex | None = None
        self.follower: FileFollower | None = None
        self._carry: str | None = None  # the session of the last record followed
        self._heads: dict[str | None, RecordHead] = {}  # the shown lines' last record head
        self._pending: list[tuple[int, bytes]] = []
        self._pending_bytes = 0
        self._pending_any = False
        self._pending_overflow = False
        self._building = False

    # ---------------------------------------------------------------- lifecycle
    def start(self, *, build: bool = True) -> None:
        """Open the index over the current files and build it in a background thread
        (with ``build`` False, not before :meth:`start_build`)."""
        with self._lock:
            self._open(build=build)

    def start_build(self) -> None:
        """Start building the index opened by ``start(build=False)``."""
        with self._lock:
            if self.index is not None and not self._building:
                self._building = True
                self.index.start()

    def _open(self, *, build: bool = True) -> None:
        if self.index is not None:
            self.index.retire()  # snapshots may still read it
        if self.follower is not None:
            self.follower.close()
        self.skipped = []
        paths = discover_rotations(self.path, self.skipped)
        if self._block_size is None:
            index = LogIndex(paths, self.name)
        else:
            index = LogIndex(paths, self.name, block_size=self._block_size)
        self.restored = self._cache is not None and index_cache.restore(index, self._cache)
        if self.restored and index.progress[1] - index.progress[0] <= INLINE_REST:
            index.build()  # only what was appended since: here and now
        if self._cache is not None:
            index.add_listener(self._save_when_built(index, self._cache))
        if self._on_progress is not None:
            index.add_listener(self._on_progress)
        start, inode = 0, None
        if paths and paths[-1] == self.path:
            start, inode = _live_position(index)
        self.index = index
        self.follower = FileFollower(self.path, start_offset=start, inode=inode)
        self._carry = None
        self._heads = {}
        self._pending, self._pending_bytes = [], 0
        self._pending_any = self._pending_overflow = False
        self._building = build
        if build:
            index.start()

    @staticmethod
    def _save_when_built(index: LogIndex, cache: CacheStore) -> Callable[[IndexProgress], None]:
        saved = [False]

        def on_progress(progress: IndexProgress) -> None:
            if progress.complete and not saved[0]:
                saved[0] = True
                index_cache.save(index, cache)
        return on_progress

    def close(self) -> None:
        with self._lock:
            if self.index is not None:
                if self._cache is not None and self.index.complete:
                    index_cache.save(self.index, self._cache)  # what was appended since
                self.index.close()
            if self.follower is not None:
                self.follower.close()

    # -------------------------------------------------------------------- state
    @property
    def complete(self) -> bool:
        """Indexed, and what was appended during the build indexed too: until the
        live feed's next poll has handed those bytes over, a view read "after the
        index" would miss the lines it already had from the feed."""
        return self.index is not None and self.index.complete and not self._pending_any

    def wait(self, timeout: float | None = None) -> bool:
        return self.index is not None and self.index.wait(timeout)

    # ------------------------------------------------------------------ polling
    def poll(self, session_id: str | None = None, *, want_lines: bool = False) -> SourceEvent:
        """Follow the live file once. Each appended byte is read here once: its
        lines are attributed to sessions, handed to the index (now, or when its
        build ends), and returned for ``session_id`` (every line when None) when
        ``want_lines``. A truncation, rotation or re-creation starts over."""
        with self._lock:
            if self.follower is None or self.index is None:
                return SourceEvent()
            index = self.index
            sessions: set[str] = set()
            lines: list[LogLine] = []
            problem = None
            for event in self.follower.poll():
                if isinstance(event, Appended):
                    if not index.paths or index.paths[-1] != self.path:
                        # The file (re)appeared before the follower's first look, so
                        # no Created came: the index, made while it was missing, does
                        # not hold it. A new generation takes it from its start.
                        self._open()
                        return SourceEvent(reset=True, problem=problem)
                    sessions |= self._take(index, event.start, event.data,
                                           session_id if want_lines else _NOBODY, lines)
                elif isinstance(event, Error):
                    problem = f"{self.path}: {event.message}"
                else:  # truncated, rotated, deleted, created: a new generation
                    self._open()
                    return SourceEvent(reset=True, problem=problem)
            try:
                self._index_pending(index)
            except IndexStale:
                self._open()
                return SourceEvent(reset=True, problem=problem)
            return SourceEvent(frozenset(sessions), problem=problem, lines=tuple(lines))

    def _take(self, index: LogIndex, start: int, data: bytes, shown: str | None,
              out: list[LogLine]) -> set[str]:
        """Attribute appended lines (whole lines at ``start`` of the live file)."""
        carry = self._carry
        if carry is None:
            carry = index.carry_at_end() if index.complete else index.owner_before(index.live_base + start)
        first_line = -1
        if index.complete and not self._pending_any:
            first_line, _ = index.extend_data(start, data)
        else:
            self._keep(start, data)
        found: set[str] = set()
        for scan in blockio.scan_bytes(data, 0, index.block_size):
            found.update(scan.counts)
            if scan.lead:
                found.add(carry)
            if shown is not _NOBODY:
                self._lines_of(index, data, scan, carry, shown, start, first_line, out)
            carry = scan.tail_owner or carry
        self._carry = carry
        return found

    def _lines_of(self, index: LogIndex, data: bytes, scan: scanner.BlockScan, carry: str,
                  shown: str | None, start: int, first_line: int, out: list[LogLine]) -> None:
        """The lines of ``shown`` (every line when None) in one scanned block, with
        their line numbers when the index has them (-1 while it is built)."""
        block = data[scan.start:scan.end]
        base = index.live_base + start + scan.start
        number = -1 if first_line < 0 else first_line + data.count(b"\n", 0, scan.start)
        record = self._heads.get(shown)
        if shown is None:
            found: Iterable[tuple[int, bytes, bytes, str, RecordHead | None]] = \
                records.attribute_lines(block, carry)
        else:
            found = self._session_lines(block, shown, carry == shown, scan)
        at = 0
        for pos, content, ending, sid, head in found:
            if number >= 0:
                number += block.count(b"\n", at, pos)
                at = pos
            record = head or record
            out.append(LogLine(self.name, number, base + pos, content, ending, sid, head,
                               None if head else record))
        self._heads = {shown: record} if record is not None else {}

    @staticmethod
    def _session_lines(block: bytes, sid: str, carried: bool, scan: scanner.BlockScan,
                       ) -> Iterator[tuple[int, bytes, bytes, str, RecordHead | None]]:
        starts, flags = session_starts.session_starts_in_block(block, sid, carried, scan.others)
        for pos, flag in zip(starts, flags, strict=True):
            end = block.find(b"\n", pos)
            content, ending = records.strip_ending(block[pos:end + 1])
            yield pos, content, ending, sid, records.parse_head(content) if flag else None

    def _keep(self, start: int, data: bytes) -> None:
        """Hold appended bytes until the index's build ends (then :meth:`_index_pending`)."""
        if self._pending_bytes + len(data) > PENDING_MAX:
            self._pending_overflow = True
            self._pending = []
            self._pending_bytes = 0
        if not self._pending_overflow:
            self._pending.append((start, data))
            self._pending_bytes += len(data)
        self._pending_any = True

    def _index_pending(self, index: LogIndex) -> None:
        """Index what was appended during the build, once the build has ended."""
        if not self._pending_any or not index.complete:
            return
        if self._pending_overflow:
            index.extend(self.follower.offset if self.follower is not None else None)
        else:
            for start, data in self._pending:
                index.extend_data(start, data)
        self._pending, self._pending_bytes = [], 0
        self._pending_any = self._pending_overflow = False

    # ------------------------------------------------------------------ reading
    def read_lines(self, start: int, stop: int) -> list[LogLine]:
        index = self.index
        return index.read_lines(start, stop) if index is not None else []


_NOBODY = "\x00nobody"  # no lines wanted


def _live_position(index: LogIndex) -> tuple[int, int]:
    """Where the index stops in the live (last) file, and that file's inode."""
    return index.live_position()
