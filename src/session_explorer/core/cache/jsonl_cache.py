"""The summaries of interaction files, kept between launches.

Each ``session_<id>.jsonl`` has an entry (under its device, inode and path) with
its summary's totals and where its reader stopped, plus a fingerprint of the part
read. A file that still holds that part is summarised from there on: a reopened
directory reads only what was appended to its files.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from session_explorer.core.cache.fingerprint import file_key, holds, mark
from session_explorer.core.cache.store import CacheStore
from session_explorer.core.interactions.reader import JsonlReader
from session_explorer.core.interactions.stats import JsonlSummary

KIND = "jsonl"


def restore(files: Iterable[Any], store: CacheStore) -> int:
    """Give each :class:`~session_explorer.core.session.session_files.SessionFile` its saved state when its file
    still holds it; how many were restored."""
    keyed = {key: file for file in files if (key := file_key(file.name)) is not None}
    entries = store.load_many(KIND, list(keyed))
    restored = 0
    for key, entry in entries.items():
        file = keyed[key]
        try:
            if holds(entry["mark"], file.name) and file.resume(entry):
                restored += 1
        except (KeyError, TypeError, ValueError):
            continue
    return restored


def save(files: Iterable[Any], store: CacheStore) -> None:
    """Save the state of every file read so far (those whose reading moved)."""
    values: dict[str, Any] = {}
    for file in files:
        state = file.cache_state()
        if state is None:
            continue
        key = file_key(file.name)
        if key is None:
            continue
        found = mark(file.name, state["offset"])
        if found is None:
            continue
        state["mark"] = found
        values[key] = state
    store.save_many(KIND, values)


__all__ = ["KIND", "restore", "save"]


def summarise_files(paths: list[str]) -> list[dict[str, Any] | None]:
    """The summary of each JSONL file as a persistent-index entry (see
    this module): what a :class:`~session_explorer.core.session.session_files.SessionFile` resumes
    from. None for a file that could not be read. Runs in a worker process."""
    out: list[dict[str, Any] | None] = []
    for path in paths:
        reader = JsonlReader(path)
        summary = JsonlSummary()
        try:
            summary.add_new(reader)
            found = mark(path, reader.offset) if reader.exists else None
        except OSError:
            found = None
        if found is None:
            out.append(None)
            continue
        out.append({"offset": reader.offset, "line_number": reader.line_number,
                    "summary": summary.state(), "mark": found})
    return out
