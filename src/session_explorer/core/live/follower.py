"""Follow one growing log file: appended lines, torn lines, truncation, rotation.

The reading core never waits on the file system: a :class:`FileFollower` has a
``poll()`` that looks at the disk once and returns what changed as a list of small,
frozen events (:mod:`.events`, shared with the directory watcher of :mod:`.directory`).
The live feed (:mod:`.feed`) polls both from its thread.

Guarantees (per followed name), which the tests check fault by fault:

* **Complete lines only.** An :class:`Appended` event carries whole lines ending in
  ``b"\\n"`` (a CRLF line keeps its ``b"\\r"``). A torn last line waits for its newline.
  The one exception is a file that is *finished* (rotated away, deleted, truncated)
  while it ends in a torn line: that line can never complete, so it is delivered with
  ``unterminated=True`` rather than lost.
* **Nothing lost or read twice.** Offsets (``start``/``end``) are byte offsets in one
  *generation* of the file; ``generation`` increments each time the name gets new
  content (rotation, truncation, delete and recreate). Within a generation the
  ``Appended`` ranges are contiguous and never overlap.
* **``tail -F`` semantics.** The name is followed, not the inode. When the name points
  at another file, the old open file is drained to its end first, then
  :class:`Rotated` is reported and the new file is read from offset 0. When the name
  disappears, :class:`Deleted` is reported and the old file is still drained on later
  polls (an application may write to it between a rename and the creation of the new
  file) until the name reappears (:class:`Created`) or the old file has no name left
  anywhere (then it is closed, so a deleted log does not keep its disk space).
* **Truncation** (logrotate's ``copytruncate``): the same inode with a size below our
  offset, or with bytes before our offset that changed (truncated and refilled
  between two polls), is reported as :class:`Truncated` and re-read from 0.
* **Read-only and non-raising.** Files are opened read-only in binary mode and never
  written, truncated or locked. A missing, unreadable or non-regular path never raises
  out of ``poll()``: it becomes an :class:`Error` event (reported once per distinct
  problem) and is retried on the next poll. (POSIX semantics: on Windows an open
  handle without ``FILE_SHARE_DELETE`` would block the application's rename rotation.)
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from session_explorer.core.live.events import (
    Appended,
    Created,
    Deleted,
    ErrorOnce,
    Rotated,
    StrPath,
    TailEvent,
    Truncated,
)

__all__ = ["DEFAULT_MAX_READ", "FileFollower"]

#: At most this many bytes are read per file per poll; the rest comes on the next poll
#: (``has_more`` is then true and the driver polls again at once).
DEFAULT_MAX_READ = 8 * 1024 * 1024
#: How many bytes before our offset are re-checked on each read to notice a file that
#: was truncated and refilled past our offset between two polls.
_CHECK_BYTES = 64

# --------------------------------------------------------------------------- one file


class FileFollower:
    """Follow one path by name, like ``tail -F``, from ``start_offset``.

    ``start_offset`` is where a consumer that already read the file stopped: the end of
    the last complete line it took (just after a ``b"\\n"``), or 0. It applies to the
    file found at the first successful open; later generations start at 0. If that
    file is smaller than ``start_offset`` it is reported as :class:`Truncated`; if
    ``inode`` (the ``st_ino`` the consumer read) is given and the name now points at
    another file, that file is reported as :class:`Rotated` and read from 0.

    ``poll()`` costs one ``os.stat`` when nothing changed. It is not thread-safe: call
    it from one thread at a time.
    """

    def __init__(
        self,
        path: StrPath,
        start_offset: int = 0,
        *,
        inode: int | None = None,
        max_read: int = DEFAULT_MAX_READ,
    ) -> None:
        if start_offset < 0:
            raise ValueError("start_offset must be >= 0")
        if max_read < 1:
            raise ValueError("max_read must be >= 1")
        self.path = os.fspath(path)
        self.max_read = max_read
        #: The generation that the offsets of the next events refer to.
        self.generation = 0
        #: True when the last poll stopped at ``max_read`` with more data waiting.
        self.has_more = False
        self._start_offset = start_offset
        self._start_inode = inode
        self._file: BinaryIO | None = None
        self._ident: tuple[int, int] = (0, 0)  # (st_dev, st_ino) of the open file
        self._mtime_ns = 0
        self._pos = 0  # bytes of the open file consumed (delivered + pending)
        self._pending = bytearray()  # a torn last line, waiting for its newline
        self._tail = b""  # the last bytes before _pos, to notice a rewritten file
        self._budget = 0
        self._opened_before = False
        # How the next successful open is announced: None, "created" or "rotated".
        self._announce: str | None = None
        self._old_inode = 0
        self._deleted_reported = False
        self._errors = ErrorOnce()

    # -- public

    @property
    def offset(self) -> int:
        """End of the last delivered byte in the current generation."""
        return self._pos - len(self._pending)

    @property
    def is_open(self) -> bool:
        """True while a file generation is open (being followed or drained)."""
        return self._file is not None

    def poll(self) -> list[TailEvent]:
        """Look at the file once and return what changed since the last poll."""
        events: list[TailEvent] = []
        self.has_more = False
        self._budget = self.max_read
        try:
            self._step(events)
        except OSError as exc:
            self._errors.report(events, self.path, exc)
        return events

    def finish(self) -> list[TailEvent]:
        """Read the open file to its end (a torn last line included), then close it."""
        events: list[TailEvent] = []
        try:
            while self._file is not None:
                self._budget = self.max_read
                self.has_more = False
                self._drain_open_file(events)
                if not self.has_more:
                    self._finish_file(events)
        except OSError as exc:
            self._errors.report(events, self.path, exc)
            self.close()
        return events

    def close(self) -> None:
        """Close the open file, if any. Polling again reopens the name."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> FileFollower:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the state machine

    def _step(self, events: list[TailEvent]) -> None:
        name = self._stat_name()
        if self._file is None:
            if name is None:
                self._announce = "created"
                self._errors.clear()
            else:
                self._open(events, name)
            return
        if name is not None and (name.st_dev, name.st_ino) == self._ident:
            self._follow_same_file(events, name)
            self._errors.clear()
            return
        # The name is gone or points elsewhere: finish the old file first.
        if not self._drain_open_file(events):
            return  # more of the old file waits; the switch happens on a later poll
        if name is None:
            self._on_name_missing(events)
        else:
            self._switch_to(events, name)

    def _stat_name(self) -> os.stat_result | None:
        try:
            return os.stat(self.path)
        except (FileNotFoundError, NotADirectoryError):
            return None

    def _open(self, events: list[TailEvent], name: os.stat_result) -> None:
        if not stat.S_ISREG(name.st_mode):
            # Never open a FIFO or a device: opening or reading it could block.
            self._errors.report(events, self.path, "not a regular file")
            return
        handle = _open_read_only(self.path)
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode):  # replaced between the stat and the open
            handle.close()
            self._errors.report(events, self.path, "not a regular file")
            return
        self._file = handle
        self._ident = (st.st_dev, st.st_ino)
        self._mtime_ns = st.st_mtime_ns
        self._tail = b""
        self._pending.clear()
        self._deleted_reported = False
        self._errors.clear()
        if self._opened_before:
            self.generation += 1
            self._pos = 0
        else:
            self._open_first(st)
        self._opened_before = True
        self._announce_open(events, st.st_ino)
        if st.st_size < self._pos:
            self._restart(events, st.st_size)
        self._read_to(events, st.st_size)

    def _open_first(self, st: os.stat_result) -> None:
        if self._start_inode is None or self._start_inode == st.st_ino:
            self._pos = self._start_offset
            return
        # The consumer read another file under this name: this one is new, from 0.
        self.generation = 1
        self._pos = 0
        self._announce = "rotated"
        self._old_inode = self._start_inode

    def _announce_open(self, events: list[TailEvent], inode: int) -> None:
        if self._announce == "rotated":
            events.append(Rotated(self.path, self.generation, self._old_inode, inode))
        elif self._announce == "created":
            events.append(Created(self.path, self.generation, inode))
        self._announce = None

    def _follow_same_file(self, events: list[TailEvent], name: os.stat_result) -> None:
        changed = name.st_mtime_ns != self._mtime_ns
        self._mtime_ns = name.st_mtime_ns
        if name.st_size < self._pos:
            self._restart(events, name.st_size)
            self._read_to(events, name.st_size)
        elif name.st_size > self._pos:
            self._read_to(events, name.st_size)
        elif changed and self._tail and self._read_checked(0) is None:
            # Same size but modified, and not what was read: truncated and refilled.
            self._rewritten(events)

    def _drain_open_file(self, events: list[TailEvent]) -> bool:
        """Read the open (old) file towards its end; False if the budget ran out."""
        assert self._file is not None
        self._read_to(events, os.fstat(self._file.fileno()).st_size)
        return not self.has_more

    def _on_name_missing(self, events: list[TailEvent]) -> None:
        assert self._file is not None
        generation = self.generation
        if os.fstat(self._file.fileno()).st_nlink == 0:
            # Unlinked for good: nobody else can read it, let its disk space go.
            self._finish_file(events)
        if not self._deleted_reported:
            events.append(Deleted(self.path, generation))
            self._deleted_reported = True
        self._announce = "created"

    def _switch_to(self, events: list[TailEvent], name: os.stat_result) -> None:
        self._announce = "created" if self._deleted_reported else "rotated"
        self._old_inode = self._ident[1]
        self._finish_file(events)
        self._open(events, name)

    def _finish_file(self, events: list[TailEvent]) -> None:
        """Deliver a torn last line that can no longer complete, and close the file."""
        self._flush_unterminated(events)
        self.close()

    def _restart(self, events: list[TailEvent], size: int) -> None:
        """The open file was truncated or rewritten: start a new generation at 0."""
        self._flush_unterminated(events)
        self.generation += 1
        self._pos = 0
        self._tail = b""
        events.append(Truncated(self.path, self.generation, size))

    # -- reading

    def _read_to(self, events: list[TailEvent], size: int) -> None:
        """Read from our offset towards ``size`` within this poll's budget."""
        want = min(size - self._pos, self._budget)
        if want <= 0:
            self.has_more = self.has_more or size > self._pos
            return
        chunk = self._read_checked(want)
        if chunk is None:
            self._rewritten(events)
            return
        self._budget -= len(chunk)
        self._consume(events, chunk)
        if self._pos < size:
            self.has_more = True

    def _read_checked(self, want: int) -> bytes | None:
        """Read ``want`` bytes at our offset, after re-reading the bytes just before it.

        Returns None when those bytes changed: the file was rewritten under us.
        """
        assert self._file is not None
        check = len(self._tail)
        self._file.seek(self._pos - check)
        data = _read_up_to(self._file, check + want)
        if data[:check] != self._tail:
            return None
        return data[check:]

    def _rewritten(self, events: list[TailEvent]) -> None:
        assert self._file is not None
        size = os.fstat(self._file.fileno()).st_size
        self._restart(events, size)
        self._read_to(events, size)

    def _consume(self, events: list[TailEvent], chunk: bytes) -> None:
        """Split off complete lines; keep a torn last line pending."""
        start = self.offset
        self._pos += len(chunk)
        self._tail = (self._tail + chunk[-_CHECK_BYTES:])[-_CHECK_BYTES:]
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:
            self._pending += chunk
            return
        if self._pending:
            data = b"".join((self._pending, memoryview(chunk)[:cut]))
        else:
            data = chunk if cut == len(chunk) else chunk[:cut]
        self._pending = bytearray(memoryview(chunk)[cut:])
        events.append(Appended(self.path, self.generation, start, start + len(data), data))

    def _flush_unterminated(self, events: list[TailEvent]) -> None:
        if not self._pending:
            return
        start = self.offset
        data = bytes(self._pending)
        self._pending.clear()
        events.append(
            Appended(self.path, self.generation, start, start + len(data), data, True)
        )


def _open_read_only(path: str) -> BinaryIO:
    """Open for reading only, unbuffered; never blocks (O_NONBLOCK, in case the name
    became a FIFO) and is not inherited by child processes."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        return open(fd, "rb", buffering=0)  # kept open by the follower
    except BaseException:
        os.close(fd)
        raise


def _read_up_to(handle: BinaryIO, size: int) -> bytes:
    """Read up to ``size`` bytes, fewer only at end of file."""
    first = handle.read(size) or b""
    if len(first) >= size or not first:
        return first
    parts = [first]
    got = len(first)
    while got < size:
        more = handle.read(size - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)
