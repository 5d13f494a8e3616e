"""Is a file still the one a cache entry was made from, up to where it was read?

A :func:`mark` notes a file's device, inode, modification time and the hashes of
the first and the last block of the part that was read (``covered`` bytes).
:func:`holds` checks a mark against the file as it is now: the same file (device
and inode), not shorter than what was read, the same bytes at both ends of that
part; a file that did not grow must also keep its modification time (a rewrite of
the same size changes it). What cannot be verified is not trusted.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

#: Bytes hashed at each end of the part read.
BLOCK = 4096


def _digest(fd: int, start: int, size: int) -> str:
    return hashlib.blake2b(os.pread(fd, size, start), digest_size=16).hexdigest()


def mark(path: str, covered: int) -> dict[str, Any] | None:
    """The fingerprint of ``path``'s first ``covered`` bytes (None: unreadable)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        status = os.fstat(fd)
        covered = min(covered, status.st_size)
        return {
            "path": path, "dev": status.st_dev, "ino": status.st_ino, "covered": covered,
            "size": status.st_size, "mtime": status.st_mtime_ns,
            "head": _digest(fd, 0, min(BLOCK, covered)),
            "tail": _digest(fd, max(0, covered - BLOCK), min(BLOCK, covered)),
        }
    except OSError:
        return None
    finally:
        os.close(fd)


def holds(saved: dict[str, Any], path: str) -> bool:
    """``path`` still starts with the bytes ``saved`` was made from."""
    try:
        covered = int(saved["covered"])
        now = mark(path, covered)
        if now is None or now["covered"] < covered:  # unreadable, or shorter now
            return False
        if (now["dev"], now["ino"]) != (saved["dev"], saved["ino"]):
            return False
        if now["size"] == saved["size"] and now["mtime"] != saved["mtime"]:
            return False  # rewritten in place
        return (now["head"], now["tail"]) == (saved["head"], saved["tail"])
    except (KeyError, TypeError, ValueError):
        return False


def file_key(path: str) -> str | None:
    """The cache key of a file: device, inode and path."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return f"{status.st_dev}:{status.st_ino}:{os.path.abspath(path)}"
