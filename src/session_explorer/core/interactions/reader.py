"""Read a session's LLM-interaction JSONL file, line by line, losing nothing.

:class:`JsonlReader` reads a JSONL file incrementally (byte offset and line number
kept between calls), holds back a torn last line, and starts over when the file
is truncated or replaced. :func:`read_interactions` reads a whole file once.
:func:`parse_line` turns one line into an :class:`Interaction`: a line that is
not JSON, or not a JSON object, still becomes one, with ``parse_error`` set.
Each JSON object is normalised by :func:`session_explorer.core.interactions.payloads.normalise`
(re-exported here with the shape names, for callers of this module).

Pure standard library: the reading core never imports the UI.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from session_explorer.core.interactions.payloads import (
    ANTHROPIC,
    GEMINI,
    OPENAI_CHAT,
    OPENAI_RESPONSES,
    PLAIN,
    SHAPES,
    UNKNOWN,
    normalise,
    parse_timestamp,
)
from session_explorer.core.models import Interaction

CHUNK_SIZE = 1 << 20  # bytes per read; lines of any length are reassembled


class JsonlReader:
    """Read one JSONL file incrementally, complete lines only.

    Each :meth:`read_new` returns the interactions of the lines completed since the
    previous call. A last line without its ``\\n`` yet is held back (``offset`` stays
    at its start; ``pending_bytes`` says how long it is) until a later call sees it
    complete. Blank lines are skipped but counted in ``line_number``.

    The file is opened read-only for each call and closed again (never locked or
    written). When it shrinks below ``offset`` (or the byte before ``offset`` is no
    longer a newline: rewritten in place) the reader starts over from 0 and counts a
    truncation; when the path names another file (inode changed: rotation,
    replacement) it starts over too and counts a replacement. ``last_reset`` says
    which of the two happened during the latest call (``"truncated"``,
    ``"replaced"`` or None). A missing file reads as empty (``exists`` is False).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.offset = 0  # byte offset just after the last complete line read
        self.line_number = 0  # 1-based number of that line (0 before any)
        self.pending_bytes = 0  # size of the held-back torn last line
        self.truncations = 0
        self.replacements = 0
        self.last_reset: str | None = None
        self.exists = False
        self._identity: tuple[int, int] | None = None

    def read_new(self) -> list[Interaction]:
        """Return the interactions of the lines completed since the last call."""
        return list(self.iter_new())

    def iter_new(self, *, light: bool = False) -> Iterator[Interaction]:
        """Yield the interactions of the lines completed since the last call, one by one.

        What :meth:`read_new` does, without holding them all: for summarising a
        big file in constant memory. ``offset`` and ``line_number`` advance as each
        line is taken; stopping early leaves the rest for the next call.
        ``pending_bytes`` is set when the iteration reaches the end of the file.
        ``light`` skips the conversation of every line but the first (summaries).
        """
        for raw in self.iter_new_lines():
            interaction = parse_line(
                raw, line_number=self.line_number, offset=self.offset - len(raw) - 1,
                light=light and self.line_number > 1,
            )
            if interaction is not None:
                yield interaction

    def iter_new_lines(self) -> Iterator[bytes]:
        """Yield the lines completed since the last call, as bytes without their ``\\n``.

        The reading behind :meth:`iter_new`, for callers that decode lines their own
        way (the file summary): the same restarts, held-back torn line and
        bookkeeping, blank lines included. While a line is being handled,
        ``line_number`` is its number and ``offset`` the offset just after it.
        """
        self.last_reset = None
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            self.exists = False
            self.pending_bytes = 0
            return
        self.exists = True
        with handle:
            self._check_identity(handle)
            handle.seek(self.offset)
            yield from self._complete_lines(handle)

    def read_pending(self) -> Interaction | None:
        """Parse the held-back last line (no newline yet) without consuming it.

        Meant to be called right after :meth:`read_new`: it reads from ``offset`` to
        the next newline or the end of the file. None when there is nothing there.
        """
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                data = handle.read()
        except FileNotFoundError:
            return None
        line = data.split(b"\n", 1)[0]
        return parse_line(line, line_number=self.line_number + 1, offset=self.offset)

    def resume(self, offset: int, line_number: int, identity: tuple[int, int]) -> None:
        """Go on from where an earlier reader of the same file stopped (a cache
        entry checked by the caller): the next read starts at ``offset``."""
        self.offset, self.line_number, self._identity = offset, line_number, identity
        self.exists = True

    # ----------------------------------------------------------------- internals
    def _check_identity(self, handle: BinaryIO) -> None:
        status = os.fstat(handle.fileno())
        identity = (status.st_dev, status.st_ino)
        if self._identity is not None and identity != self._identity:
            self._restart("replaced")
        elif status.st_size < self.offset or not _follows_newline(handle, self.offset):
            self._restart("truncated")
        self._identity = identity

    def _restart(self, reason: str) -> None:
        self.offset = 0
        self.line_number = 0
        self.last_reset = reason
        if reason == "replaced":
            self.replacements += 1
        else:
            self.truncations += 1

    def _complete_lines(self, handle: BinaryIO) -> Iterator[bytes]:
        """The complete lines from the handle's position on, advancing the bookkeeping."""
        parts: list[bytes] = []  # the start of a line that no chunk has finished yet
        while chunk := handle.read(CHUNK_SIZE):
            start = 0
            while (end := chunk.find(b"\n", start)) != -1:
                if parts:
                    parts.append(chunk[start:end])
                    raw = b"".join(parts)
                    parts.clear()
                else:
                    raw = chunk[start:end]
                start = end + 1
                self.line_number += 1
                self.offset += len(raw) + 1
                yield raw
            if start < len(chunk):
                parts.append(chunk[start:] if start else chunk)
        self.pending_bytes = sum(map(len, parts))


def _follows_newline(handle: BinaryIO, offset: int) -> bool:
    """True when ``offset`` is 0 or the byte just before it is a newline."""
    if offset == 0:
        return True
    handle.seek(offset - 1)
    return handle.read(1) == b"\n"


def read_interactions(
    path: str | os.PathLike[str], *, include_partial: bool = False
) -> list[Interaction]:
    """Read every complete line of a JSONL file.

    A last line without a trailing newline is treated as still being written and
    left out, exactly as :class:`JsonlReader` holds it back; pass
    ``include_partial=True`` to parse it too (for a finished file written by a tool
    that does not end its last line). Raises FileNotFoundError for a missing file.
    """
    reader = JsonlReader(path)
    found = reader.read_new()
    if not reader.exists:
        raise FileNotFoundError(path)
    if include_partial and reader.pending_bytes:
        tail = reader.read_pending()
        if tail is not None:
            found.append(tail)
    return found


def parse_line(raw: bytes, *, line_number: int, offset: int, light: bool = False) -> Interaction | None:
    """One JSONL line (without its ``\\n``) -> Interaction; None for a blank line.

    The bytes are decoded as UTF-8 with invalid bytes replaced; a trailing ``\\r``
    and a leading byte-order mark are ignored. JSON is parsed leniently about raw
    control characters inside strings (``strict=False``).
    """
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    text = raw.decode("utf-8", "replace").removeprefix("\ufeff")
    if not text.strip():
        return None
    try:
        value = json.loads(text, strict=False)
    except json.JSONDecodeError as exc:
        return _malformed(text, line_number, offset, f"{exc.msg}: line {exc.lineno} column {exc.colno}")
    except (ValueError, RecursionError) as exc:
        return _malformed(text, line_number, offset, f"invalid JSON: {exc}")
    if not isinstance(value, dict):
        problem = f"not a JSON object (a JSON {_json_kind(value)})"
        return _malformed(text, line_number, offset, problem, raw=value)
    return normalise(value, line_number=line_number, offset=offset, raw_text=text, light=light)


def _malformed(text: str, line_number: int, offset: int, problem: str, raw: Any = None) -> Interaction:
    return Interaction(
        number=line_number,
        line_number=line_number,
        offset=offset,
        raw_text=text,
        shape=UNKNOWN,
        raw=raw,
        parse_error=problem,
    )


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


__all__ = [
    "ANTHROPIC",
    "CHUNK_SIZE",
    "GEMINI",
    "OPENAI_CHAT",
    "OPENAI_RESPONSES",
    "PLAIN",
    "SHAPES",
    "UNKNOWN",
    "JsonlReader",
    "normalise",
    "parse_line",
    "parse_timestamp",
    "read_interactions",
]
