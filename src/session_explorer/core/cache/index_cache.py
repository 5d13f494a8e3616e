"""An app log's block index, kept between launches.

The entry of an app log (under its live file's device, inode and path) holds the
index's state (:meth:`LogIndex.export_state`) and a fingerprint of every file it
covers, rotations included. :func:`restore` takes it only when every file still
holds what was indexed (:func:`.fingerprint.holds`); the index then goes on from
there, so a reopened log costs only what was appended. A rotation, a truncation, a
replaced or rewritten file makes the entry unusable: the log is indexed afresh.
"""

from __future__ import annotations

from pathlib import Path

from session_explorer.core.applog.index import LogIndex
from session_explorer.core.cache.fingerprint import file_key, holds, mark
from session_explorer.core.cache.store import CacheStore

KIND = "applog"


def _key(paths: list[Path]) -> str | None:
    return file_key(str(paths[-1])) if paths else None


def restore(index: LogIndex, store: CacheStore) -> bool:
    """Load the index's saved state when its files still hold it (True if so)."""
    key = _key(index.paths)
    if key is None:
        return False
    entry = store.load(KIND, key)
    if not isinstance(entry, dict):
        return False
    marks = entry.get("files")
    paths = [str(p) for p in index.paths]
    if not isinstance(marks, list) or [m.get("path") for m in marks] != paths:
        return False
    if not all(holds(saved, path) for saved, path in zip(marks, paths, strict=True)):
        store.delete(KIND, key)
        return False
    try:
        index.import_state(entry["state"])
    except (KeyError, IndexError, TypeError, ValueError):
        index.reset()
        return False
    return True


def save(index: LogIndex, store: CacheStore) -> None:
    """Save the index's state with the fingerprints of what it covers."""
    key = _key(index.paths)
    if key is None:
        return
    state = index.export_state()
    indexed = state["indexed"]
    marks = [mark(str(path), covered) for path, covered in zip(index.paths, indexed, strict=False)]
    if any(m is None for m in marks):
        return
    store.save(KIND, key, {"files": marks, "state": state})
