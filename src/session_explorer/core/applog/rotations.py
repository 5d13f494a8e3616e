"""The one rule for rotated app logs: which names are rotations of ``app.log``.

``app.log.1``, ``app.log.2`` ... (``RotatingFileHandler``: the higher, the older) and
``app.log.2025-11-04``, ``app.log.2025-11-04_14``, ``app.log.2025-11-04_14-00-00``
(``TimedRotatingFileHandler``; ``T`` is accepted for ``_``). Compressed rotations
(``.gz``, ``.bz2``, ``.xz``) are recognised but not read.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

_DATED = re.compile(r"^\d{4}-\d\d-\d\d(?:[_T]\d\d(?:-\d\d){0,2})?$")
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz")

RotationKind = Literal["numbered", "dated", "compressed"]


def rotation_kind(suffix: str) -> RotationKind | None:
    """What the part of a name after ``app.log.`` makes it, or None: not a rotation."""
    if suffix.endswith(COMPRESSED_SUFFIXES):
        inner = suffix.rsplit(".", 1)[0]
        return "compressed" if inner and rotation_kind(inner) in ("numbered", "dated") else None
    if suffix.isdigit():
        return "numbered"
    if _DATED.match(suffix):
        return "dated"
    return None


def discover_rotations(path: Path | str, skipped: list[Path] | None = None) -> list[Path]:
    """``path`` and its rotations, oldest first: dated ones by date, then numbered ones
    from the highest number, then ``path`` itself. Compressed rotations are appended
    to ``skipped`` when given."""
    path = Path(path)
    dated: list[tuple[str, Path]] = []
    numbered: list[tuple[int, Path]] = []
    prefix = path.name + "."
    for entry in path.parent.iterdir() if path.parent.is_dir() else ():
        if not entry.name.startswith(prefix) or not entry.is_file():
            continue
        suffix = entry.name[len(prefix):]
        kind = rotation_kind(suffix)
        if kind == "compressed":
            if skipped is not None:
                skipped.append(entry)
        elif kind == "numbered":
            numbered.append((int(suffix), entry))
        elif kind == "dated":
            dated.append((suffix.replace("T", "_"), entry))
    out = [p for _, p in sorted(dated)] + [p for _, p in sorted(numbered, reverse=True)]
    if path.is_file():
        out.append(path)
    return out


def live_log_of(name: str) -> str | None:
    """``app.log`` for a plain (uncompressed) rotation's name such as ``app.log.1``, else None."""
    stem, dot, suffix = name.partition(".log.")
    if dot and stem and rotation_kind(suffix) in ("numbered", "dated"):
        return stem + ".log"
    return None
