"""The small, frozen data model that the reading core hands to its callers."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

IN_PROGRESS = "in-progress"
#: A session written within this many seconds is live (its ● marker, "growing").
GROWING_SECONDS = 30.0

#: A seed-style session id: the moment it started, ``_N`` for a second one that second.
_ID_TIME = re.compile(r"^(\d{8})_(\d{6})(?:_\d+)?$")


@functools.lru_cache(maxsize=16384)
def session_id_time(session_id: str) -> datetime | None:
    """The start time a seed-style id names (``20251105_143052``, ``20251105_143052_2``),
    else None. The one reading of ids as times (listing, ``latest``, previews)."""
    match = _ID_TIME.match(session_id)
    if not match:
        return None
    day, moment = match[1], match[2]
    try:
        return datetime(int(day[:4]), int(day[4:6]), int(day[6:]),
                        int(moment[:2]), int(moment[2:4]), int(moment[4:]))
    except ValueError:
        return None



@dataclass(frozen=True, slots=True)
class RecordHead:
    """What the first line of an app-log record says (see :mod:`session_explorer.core.applog.records`)."""

    session_id: str
    level: str
    message: str
    timestamp: datetime | None = None
    logger: str | None = None
    kind: str = "detailed"  # "detailed" | "simple" | "json"


@dataclass(frozen=True, slots=True)
class LogLine:
    """One physical line of an app log, exactly as stored.

    ``raw`` holds the bytes without the line ending; ``ending`` is ``b"\\n"``,
    ``b"\\r\\n"`` or ``b""`` (a last line still being written). ``head`` is the
    parsed record start, or None for a continuation line (traceback, multi-line
    message), which belongs to the record before it: ``session_id`` says which
    session that is, ``record_head`` the head of that record.
    """

    source: str
    line_number: int  # 0-based, in the source's logical log (across rotations)
    offset: int  # byte offset in the logical log
    raw: bytes
    ending: bytes
    session_id: str
    head: RecordHead | None = None
    record_head: RecordHead | None = None

    @property
    def text(self) -> str:
        """The line decoded for display (invalid UTF-8 replaced, nothing dropped)."""
        return self.raw.decode("utf-8", "replace")

    @property
    def is_continuation(self) -> bool:
        return self.head is None

    @property
    def level(self) -> str | None:
        head = self.head or self.record_head
        return head.level if head else None

    @property
    def timestamp(self) -> datetime | None:
        head = self.head or self.record_head
        return head.timestamp if head else None


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool (function) call requested by the model."""

    name: str
    arguments: Any  # parsed JSON when it parses, else the raw string
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """One message of a conversation, in any provider's shape.

    ``role`` is one of system, user, assistant, tool (providers' ``model`` and
    ``developer`` are mapped to assistant and system); a tool result carries
    ``tool_call_id``/``name`` and its text in ``text``.
    """

    role: str
    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None
    is_error: bool = False


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None

    @property
    def total(self) -> int | None:
        if self.total_tokens is not None:
            return self.total_tokens
        if self.input_tokens is None and self.output_tokens is None:
            return None
        return (self.input_tokens or 0) + (self.output_tokens or 0)


@dataclass(frozen=True, slots=True, eq=False)
class Interaction:
    """One line of a session's JSONL file, normalised.

    A malformed line is kept as an Interaction with ``parse_error`` set and ``raw_text``
    holding the line; nothing is dropped. ``shape`` names the payload shape that was
    recognised: "openai-chat", "openai-responses", "anthropic", "gemini", "plain" or
    "unknown".
    """

    number: int  # interaction_id when present, else the line number
    line_number: int  # 1-based line in the JSONL file
    offset: int  # byte offset of the line in the file
    raw_text: str
    timestamp: datetime | None = None
    provider: str | None = None
    model: str | None = None
    messages: tuple[Message, ...] = ()
    output_text: str = ""
    output_tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage = field(default_factory=Usage)
    duration_ms: float | None = None
    error: str | None = None
    shape: str = "unknown"
    raw: Any = None  # the parsed JSON object
    parse_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.parse_error is None and self.error is None

    @property
    def status(self) -> str:
        if self.parse_error is not None:
            return "malformed"
        return "error" if self.error else "ok"

    @property
    def last_user_text(self) -> str:
        for message in reversed(self.messages):
            if message.role == "user" and message.text:
                return message.text
        return ""


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One row of the catalog. Fields that need parsing fill in progressively."""

    id: str
    start: datetime | None = None
    end: datetime | None = None
    interactions: int = 0
    malformed: int = 0
    lines: int = 0
    warnings: int = 0
    errors: int = 0
    models: tuple[str, ...] = ()
    tokens: int = 0
    interactions_file: str | None = None
    growing: bool = False
    in_app_log: bool = False
    prompt: str = ""  # the first user message of the session, for search

    @property
    def has_interactions_file(self) -> bool:
        return self.interactions_file is not None

    @property
    def main_model(self) -> str | None:
        return self.models[0] if self.models else None

    def to_json(self) -> dict[str, object]:
        """The session as ``list --json`` and the JSON export write it."""
        return {
            "id": self.id,
            "start": iso_time(self.start),
            "end": iso_time(self.end),
            "interactions": self.interactions,
            "malformed": self.malformed,
            "lines": self.lines,
            "warnings": self.warnings,
            "errors": self.errors,
            "models": list(self.models),
            "tokens": self.tokens,
            "interactions_file": self.interactions_file,
        }


def iso_time(moment: datetime | None) -> str | None:
    """An instant as every output writes it: ISO 8601 with milliseconds
    (``2025-11-05T14:30:52.120``), the same string for the same instant."""
    return moment.isoformat(timespec="milliseconds") if moment is not None else None
