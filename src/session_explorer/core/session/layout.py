"""Where the logs of a directory are: the interaction directory and the app logs."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from session_explorer.core.applog.rotations import live_log_of

INTERACTIONS_DIRNAME = "llm_interactions"
SESSION_FILE = re.compile(r"^session_(?P<id>.+)\.jsonl$")


class LayoutError(Exception):
    """The directory cannot be read as a logs directory (one line for the user)."""


@dataclass(frozen=True, slots=True)
class Layout:
    """What a logs directory holds.

    ``app_logs`` are the live app-log paths (``app.log``; their rotations are found by
    the index); ``interactions_dir`` is where ``session_<id>.jsonl`` files are or will
    appear (it may not exist yet: a new application has not started a session).
    """

    root: Path
    interactions_dir: Path
    app_logs: tuple[Path, ...]
    app_log_dir: Path | None  # watched for new *.log files; None when given explicitly

    def session_files(self) -> dict[str, Path]:
        """The JSONL file of every session, by id."""
        files: dict[str, Path] = {}
        try:
            entries = sorted(self.interactions_dir.iterdir())
        except OSError:
            return files
        for path in entries:
            match = SESSION_FILE.match(path.name)
            if match and path.is_file():
                files[match["id"]] = path
        return files


def session_id_of(path: str | os.PathLike[str]) -> str | None:
    """The session id a ``session_<id>.jsonl`` path names, else None."""
    match = SESSION_FILE.match(os.path.basename(os.fspath(path)))
    return match["id"] if match else None


def is_app_log(path: Path) -> bool:
    """``*.log`` files (not their rotations)."""
    return path.suffix == ".log" and path.is_file()


def find_app_logs(directory: Path) -> tuple[Path, ...]:
    """The app logs of a directory: every ``*.log``, plus rotated logs whose live file
    is gone (``app.log.1`` alone still counts as the log ``app.log``)."""
    try:
        names = sorted(p.name for p in directory.iterdir() if p.is_file())
    except OSError:
        return ()
    logs = {name for name in names if name.endswith(".log")}
    for name in names:
        live = live_log_of(name)
        if live is not None:
            logs.add(live)
    return tuple(directory / name for name in sorted(logs))


def discover(
    directory: Path,
    app_logs: list[Path] | None = None,
    interactions: Path | None = None,
) -> Layout:
    """Read the layout of ``directory``.

    ``directory`` may be the logs directory (``DIR/llm_interactions`` and
    ``DIR/*.log``) or the interaction directory itself (its app logs are then looked
    for in its parent). ``app_logs`` and ``interactions`` override what is found.
    """
    if not directory.exists():
        raise LayoutError(f"{directory}: no such directory")
    if not directory.is_dir():
        raise LayoutError(f"{directory}: not a directory")
    try:
        next(iter(directory.iterdir()), None)
    except OSError as error:
        raise LayoutError(f"{directory}: {error.strerror or error}") from None

    log_dir = directory
    if interactions is not None:
        inter_dir = interactions
    elif (directory / INTERACTIONS_DIRNAME).is_dir() or not _holds_session_files(directory):
        inter_dir = directory / INTERACTIONS_DIRNAME
    else:
        inter_dir = directory
        log_dir = directory.parent
    if app_logs:
        for path in app_logs:
            if not path.exists() and not _has_rotations(path):
                raise LayoutError(f"{path}: no such file")
        return Layout(directory, inter_dir, tuple(app_logs), None)
    return Layout(directory, inter_dir, find_app_logs(log_dir), log_dir)


def _holds_session_files(directory: Path) -> bool:
    try:
        return any(SESSION_FILE.match(p.name) for p in directory.iterdir())
    except OSError:
        return False


def _has_rotations(path: Path) -> bool:
    try:
        return any(p.name.startswith(path.name + ".") for p in path.parent.iterdir())
    except OSError:
        return False
