"""Builders for UI tests: hand-made lines, sources, sessions and interactions."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from session_explorer.core.models import (
    Interaction,
    LogLine,
    Message,
    RecordHead,
    SessionSummary,
    Usage,
)

T0 = datetime(2025, 11, 5, 14, 30, 52, 123000)
SESSION = "20251105_143052"
OTHER = "20251105_150101"


def head_line(
    number: int,
    message: str,
    *,
    level: str = "INFO",
    logger: str = "myapp.ai.tools.weather",
    session_id: str = SESSION,
    at: datetime | None = None,
    kind: str = "detailed",
) -> LogLine:
    """The first line of a record."""
    moment = at if at is not None else T0 + timedelta(seconds=number)
    head = RecordHead(session_id, level, message, moment, logger, kind)
    raw = f"[{session_id}] - {moment} - {logger} - {level} - {message}".encode()
    return LogLine("app.log", number, number * 100, raw, b"\n", session_id, head, head)


def continuation_line(number: int, text: str | bytes, record: LogLine) -> LogLine:
    """A line of a traceback or multi-line message under ``record``."""
    raw = text if isinstance(text, bytes) else text.encode()
    return LogLine(
        "app.log", number, number * 100, raw, b"\n", record.session_id, None, record.head
    )


def numbered_lines(count: int, *, start: int = 0) -> list[LogLine]:
    return [head_line(n, f"message {n}") for n in range(start, start + count)]


class ListLineSource:
    """A LineSource over a list that tests append to; counts the reads."""

    def __init__(self, lines: list[LogLine] | None = None) -> None:
        self.lines: list[LogLine] = list(lines or [])
        self.reads: list[tuple[int, int]] = []

    def __len__(self) -> int:
        return len(self.lines)

    def read(self, start: int, stop: int) -> list[LogLine]:
        self.reads.append((start, stop))
        return self.lines[start:stop]

    def append(self, count: int) -> None:
        self.lines.extend(numbered_lines(count, start=len(self.lines)))


class GatedSource(ListLineSource):
    """A source whose reads wait until the test opens the gate."""

    def __init__(self, lines: list[LogLine]) -> None:
        super().__init__(lines)
        self.gate = threading.Event()

    def read(self, start: int, stop: int) -> list[LogLine]:
        self.gate.wait(5)
        return super().read(start, stop)


def summary(
    session_id: str,
    minutes: int = 0,
    **fields: object,
) -> SessionSummary:
    values: dict[str, object] = {
        "start": T0 + timedelta(minutes=minutes),
        "interactions": 3,
        "models": ("gpt-4o-mini",),
        "interactions_file": f"session_{session_id}.jsonl",
        "in_app_log": True,
    }
    values.update(fields)
    return SessionSummary(session_id, **values)  # type: ignore[arg-type]  # the test's fields


def interaction(
    number: int,
    *,
    prompt: str = "What is the weather in Paris?",
    tokens: tuple[int, int] = (1200, 300),
    error: str | None = None,
    parse_error: str | None = None,
    duration_ms: float = 1234.0,
) -> Interaction:
    return Interaction(
        number=number,
        line_number=number,
        offset=number * 500,
        raw_text="{not json" if parse_error else "{}",
        timestamp=T0 + timedelta(seconds=number),
        provider="openai",
        model="gpt-4o-mini",
        messages=(Message("system", "Be brief."), Message("user", prompt)),
        usage=Usage(*tokens),
        duration_ms=duration_ms,
        error=error,
        shape="openai-chat",
        parse_error=parse_error,
    )


def mixed_lines() -> list[LogLine]:
    """Two sessions, every level, a traceback, hostile text and an overlong line."""
    lines = [
        head_line(0, "Session started", logger="myapp"),
        head_line(1, "Calling provider openai model=gpt-4o-mini", level="DEBUG",
                  logger="myapp.ai.client"),
        head_line(2, "Other run is [bold]alive[/bold]", session_id=OTHER, logger="myapp"),
        head_line(3, "Tool said \x1b[31mred\x1b[0m\tand a NUL\x00 here", level="WARNING"),
        head_line(4, "Weather lookup failed for 'Paris'", level="ERROR",
                  logger="myapp.ai.tools.weather"),
    ]
    error = lines[-1]
    lines += [
        continuation_line(5, "Traceback (most recent call last):", error),
        continuation_line(6, '  File "weather.py", line 42, in lookup', error),
        continuation_line(7, b"ValueError: bad bytes \xff\xfe in reply", error),
        head_line(8, "payload=" + "abcdefghij" * 30, level="DEBUG", logger="myapp.ai.client"),
        head_line(9, "custom level line", level="TRACE", logger="myapp"),
        head_line(10, "Session finished in 3.2s", logger="myapp"),
    ]
    return lines
