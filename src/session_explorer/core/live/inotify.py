"""File-system events on Linux, straight from inotify (through ``ctypes``).

:class:`~.wakeup.Wakeup` uses this on Linux instead of ``watchfiles``: the thread
that waits here blocks on the inotify descriptor, so it costs nothing while the
files are quiet and wakes the moment one changes. ``watchfiles`` checks for events
every *step* milliseconds instead; with a step short enough for the live goals it
used as much CPU as the whole idle Textual app (see ``bench/RESULTS.md``).

Only the directories named (and directories created in them later) are watched:
the logs directory, its interactions directory and the app logs' directory.
Errors are raised as :class:`OSError` (no inotify, the watch limit reached): the
caller falls back to ``watchfiles`` or to polling and says why.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import select
import struct
import sys
from collections.abc import Iterable

IN_MODIFY = 0x00000002
IN_ATTRIB = 0x00000004
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_FROM = 0x00000040
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_DELETE_SELF = 0x00000400
IN_MOVE_SELF = 0x00000800
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000
IN_ISDIR = 0x40000000
IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = os.O_CLOEXEC

#: What a follower needs to hear about: appends, truncation, files created,
#: deleted, renamed over (rotation), and the directory itself going away.
WATCH_MASK = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE
              | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF)
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len (then the name, NUL-padded)


def available() -> bool:
    return sys.platform.startswith("linux") and _libc() is not None


_LIBC: ctypes.CDLL | bool | None = False


def _libc() -> ctypes.CDLL | None:
    global _LIBC
    if _LIBC is False:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.inotify_init1.argtypes = [ctypes.c_int]
            libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
            _LIBC = libc
        except (OSError, AttributeError):
            _LIBC = None
    return _LIBC  # type: ignore[return-value]  # no longer False once looked up


class Inotify:
    """Watches directories; :meth:`wait` returns the paths that changed in them."""

    def __init__(self, directories: Iterable[str]) -> None:
        libc = _libc()
        if libc is None:
            raise OSError(errno.ENOSYS, "inotify is not available")
        self._libc = libc
        fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:
            err = ctypes.get_errno()
            raise OSError(err, f"inotify_init1: {os.strerror(err)}")
        self._fd = fd
        self._dirs: dict[int, str] = {}  # watch descriptor -> directory
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        try:
            for directory in directories:
                self.add(directory)
        except OSError:
            self.close()
            raise

    def add(self, directory: str) -> None:
        wd = self._libc.inotify_add_watch(self._fd, os.fsencode(directory), WATCH_MASK)
        if wd < 0:
            err = ctypes.get_errno()
            reason = "the inotify watch limit is reached" if err == errno.ENOSPC else os.strerror(err)
            raise OSError(err, f"watching {directory}: {reason}")
        self._dirs[wd] = directory

    def wait(self, timeout: float | None) -> set[str] | None:
        """Block until something changes (or ``timeout`` seconds, or :meth:`interrupt`);
        the paths that changed (empty: none). None: events were lost (the queue
        overflowed), look at everything."""
        ready, _, _ = select.select([self._fd, self._wake_r], [], [], timeout)
        if self._wake_r in ready:
            try:
                while os.read(self._wake_r, 512):
                    pass
            except BlockingIOError:
                pass
        if self._fd not in ready:
            return set()
        return self._read()

    def interrupt(self) -> None:
        """Make a :meth:`wait` in another thread return now."""
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    def _read(self) -> set[str] | None:
        changed: set[str] = set()
        lost = False
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                break
            pos = 0
            while pos + _EVENT.size <= len(data):
                wd, mask, _cookie, length = _EVENT.unpack_from(data, pos)
                name = data[pos + _EVENT.size:pos + _EVENT.size + length].rstrip(b"\0")
                pos += _EVENT.size + length
                if mask & IN_Q_OVERFLOW:
                    lost = True
                    continue
                directory = self._dirs.get(wd)
                if directory is None:
                    continue
                if mask & IN_IGNORED:
                    del self._dirs[wd]  # the directory went away
                    changed.add(directory)
                    continue
                path = os.path.join(directory, os.fsdecode(name)) if name else directory
                changed.add(path)
                if mask & IN_ISDIR and mask & (IN_CREATE | IN_MOVED_TO):
                    # e.g. llm_interactions/ made by the app's first run: files may
                    # be in it before it is watched, so everything is looked at
                    lost = True
                    with contextlib.suppress(OSError):
                        self.add(path)
        return None if lost else changed

    def close(self) -> None:
        for fd in (self._fd, self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._dirs.clear()
