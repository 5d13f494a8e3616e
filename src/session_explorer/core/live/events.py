"""What following a file or a directory finds: small frozen events, one union.

:class:`~session_explorer.core.live.follower.FileFollower` (one growing file) and
:class:`~session_explorer.core.live.directory.DirectoryWatcher` (files appearing in a
directory) report what changed as these events, so that every consumer matches on
one :data:`TailEvent` union. Their guarantees are in :mod:`.follower`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TypeAlias

StrPath: TypeAlias = "str | os.PathLike[str]"


@dataclass(frozen=True, slots=True)
class Appended:
    """Complete lines appended to ``path``: ``data`` is the bytes ``[start, end)`` of
    file generation ``generation``. ``data`` ends with ``b"\\n"`` unless
    ``unterminated`` is true (the last line of a finished file, which will never end)."""

    path: str
    generation: int
    start: int
    end: int
    data: bytes
    unterminated: bool = False


@dataclass(frozen=True, slots=True)
class Truncated:
    """The same file shrank (or was rewritten) under us: ``generation`` is the new
    generation, read again from offset 0. ``new_size`` is its size when noticed."""

    path: str
    generation: int
    new_size: int


@dataclass(frozen=True, slots=True)
class Rotated:
    """The name now points at another file (rename rotation, or delete and recreate
    between two polls). The old file was drained first; the new one, generation
    ``generation``, is read from offset 0."""

    path: str
    generation: int
    old_inode: int
    new_inode: int


@dataclass(frozen=True, slots=True)
class Deleted:
    """The name is gone. The old file, if it still has a name elsewhere (renamed away),
    keeps being drained until the name reappears."""

    path: str
    generation: int


@dataclass(frozen=True, slots=True)
class Created:
    """The name (re)appeared after it was missing: generation ``generation`` starts at
    offset 0. Not reported for a file that already existed at the first poll."""

    path: str
    generation: int
    inode: int


@dataclass(frozen=True, slots=True)
class Error:
    """The path could not be read (permission, not a regular file, I/O error). Reported
    once per distinct message; the watcher retries on every poll."""

    path: str
    message: str


@dataclass(frozen=True, slots=True)
class NewFile:
    """A file matching a :class:`~session_explorer.core.live.directory.DirectoryWatcher`'s pattern appeared."""

    path: str


@dataclass(frozen=True, slots=True)
class RemovedFile:
    """A file matching a :class:`~session_explorer.core.live.directory.DirectoryWatcher`'s pattern disappeared."""

    path: str


TailEvent: TypeAlias = (
    Appended | Truncated | Rotated | Deleted | Created | Error | NewFile | RemovedFile
)


class ErrorOnce:
    """Turns problems into :class:`Error` events, a persistent one only once.

    Shared by :class:`FileFollower` and :class:`~session_explorer.core.live.directory.DirectoryWatcher`: ``report``
    adds an event only when the problem differs from the last one reported; ``clear``
    (called once the path reads fine again) re-arms it.
    """

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: str | None = None

    def report(self, events: list[TailEvent], path: str, problem: OSError | str) -> None:
        """Append an :class:`Error` for ``problem`` unless it was the last one reported."""
        if isinstance(problem, OSError):
            message = f"{type(problem).__name__}: {problem.strerror or problem}"
        else:
            message = problem
        if message != self._last:
            events.append(Error(path, message))
            self._last = message

    def clear(self) -> None:
        self._last = None
