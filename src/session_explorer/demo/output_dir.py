"""Where a demo run writes: the application's file names, and the output directory
(made ready, marked as a demo output, and cleaned of demo files only)."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

APP_NAME = "cycling-ai"
APP_LOG = f"{APP_NAME}.log"
INTERACTIONS_DIR = "llm_interactions"
MARKER = ".session-explorer-demo"
MARKER_TEXT = (
    "Written by `session-explorer demo`. The command may overwrite the demo files\n"
    "of this directory (cycling-ai.log*, llm_interactions/session_*.jsonl).\n"
)

_APP_LOG_FILE = re.compile(re.escape(APP_LOG) + r"(\.\d+)?")


class DemoDirectoryError(Exception):
    """The output directory cannot be used (not empty and not a demo output...)."""


def prepare_output_dir(out_dir: Path) -> Path:
    """Make ``out_dir`` ready for a demo run and mark it as a demo output.

    A missing or empty directory is fine; so is a previous demo output (one with
    the marker file), whose demo files are removed (and nothing else). Anything
    else raises :class:`DemoDirectoryError`.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise DemoDirectoryError(f"{out_dir}: exists and is not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not (out_dir / MARKER).is_file():
            raise DemoDirectoryError(
                f"{out_dir}: directory is not empty and is not a previous demo output; "
                "choose a new or empty directory"
            )
        remove_demo_files(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    return out_dir


def remove_demo_files(out_dir: Path) -> None:
    """Remove what a demo run writes in ``out_dir``, and only that."""
    for path in out_dir.iterdir():
        if path.is_file() and (path.name == MARKER or _APP_LOG_FILE.fullmatch(path.name)):
            path.unlink()
    interactions = out_dir / INTERACTIONS_DIR
    if interactions.is_dir():
        for path in interactions.glob("session_*.jsonl"):
            path.unlink()
        with contextlib.suppress(OSError):  # someone else's files live there too
            interactions.rmdir()


def demo_files(out_dir: Path) -> list[Path]:
    """The files a demo run wrote in ``out_dir``, sorted (for comparisons)."""
    found = [p for p in out_dir.iterdir() if p.is_file() and (p.name == MARKER or _APP_LOG_FILE.fullmatch(p.name))]
    interactions = out_dir / INTERACTIONS_DIR
    if interactions.is_dir():
        found += interactions.glob("session_*.jsonl")
    return sorted(found)
