"""A session read for its export: lines, interactions, notable lines, repeats, read once."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from session_explorer.core.session.catalog import Catalog

from session_explorer.core.levels import severity
from session_explorer.core.models import Interaction, LogLine, Message, SessionSummary
from session_explorer.core.reading.timeline import (
    TimelineItem,
    Window,
    interaction_at,
    interaction_windows,
    is_time_ordered,
    lines_in_window,
    merge_timeline,
)
from session_explorer.core.session.export.constants import KEEP_LINES, ExportError

# --------------------------------------------------------------------------- reading a session


@dataclass(slots=True)
class Notable:
    """A warning or error of the session, for the list at the top of the transcript."""

    moment: datetime | None
    mark: str
    what: str  # our words (already Markdown)
    snippet: str  # data, shown as a code span
    extra: str = ""  # our words after the snippet


@dataclass(slots=True)
class SessionData:
    """What the renderers need, read once. The app-log lines are kept when there are
    at most :data:`KEEP_LINES` of them (``kept``); otherwise they are read again while
    writing (``count`` of them), so a long session is never held in memory."""

    id: str
    summary: SessionSummary
    count: int
    times: list[datetime | None]
    interactions: list[Interaction]
    items: list[TimelineItem]
    windows: list[Window | None]
    owners: list[int | None]  # per line: the interaction it was logged during
    sources: list[str]  # app-log sources holding lines of the session, in order seen
    level_counts: dict[str, int]
    notable_lines: list[tuple[LogLine, int]]  # warning/error record heads, continuation count
    kept: list[LogLine] | None
    shown_from: dict[int, int] = field(default_factory=dict)  # interaction -> first new message
    repeats: dict[int, tuple[int, bool]] = field(default_factory=dict)  # -> (previous, output too)


def gather(catalog: Catalog, session_id: str) -> SessionData:
    summary = next((s for s in catalog.sessions() if s.id == session_id), None)
    if summary is None:
        raise ExportError(f"unknown session {session_id!r}")
    times: list[datetime | None] = []
    sources: list[str] = []
    notable: list[tuple[LogLine, int]] = []
    levels = {"warning": 0, "error": 0}
    current_notable: int | None = None
    kept: list[LogLine] | None = []
    for line in catalog.iter_session_lines(session_id):
        if kept is not None:
            kept.append(line)
            if len(kept) > KEEP_LINES:
                kept = None
        head = line.head
        times.append(head.timestamp if head is not None else None)
        if line.source not in sources:
            sources.append(line.source)
        if head is not None:
            current_notable = None
            kind = severity(head.level)
            if kind is not None:
                levels[kind] += 1
                current_notable = len(notable)
                notable.append((line, 0))
        elif current_notable is not None:
            first, more = notable[current_notable]
            notable[current_notable] = (first, more + 1)
    interactions = catalog.interactions(session_id)
    windows = interaction_windows(interactions, summary.start)
    items = merge_timeline(times, interactions)
    data = SessionData(
        id=session_id,
        summary=summary,
        count=len(times),
        times=times,
        interactions=interactions,
        items=items,
        windows=windows,
        owners=_owners(times, windows),
        sources=sources,
        level_counts=levels,
        notable_lines=notable,
        kept=kept,
    )
    _find_repeats(data)
    return data


def _owners(times: Sequence[datetime | None], windows: Sequence[Window | None]) -> list[int | None]:
    """The interaction each line was logged during (:func:`.timeline.interaction_at`)."""
    owners: list[int | None] = [None] * len(times)
    if not any(windows):
        return owners
    contested: set[int] = set()
    ordered = is_time_ordered(times)
    for index, window in enumerate(windows):
        for line in lines_in_window(times, window, ordered=ordered):
            if owners[line] is None:
                owners[line] = index
            elif owners[line] != index:
                contested.add(line)
    if contested:
        current: datetime | None = None
        effective: dict[int, datetime | None] = {}
        for line, moment in enumerate(times):
            current = moment if moment is not None else current
            if line in contested:
                effective[line] = current
        for line, moment in effective.items():
            owners[line] = interaction_at(moment, windows)
    return owners


def _find_repeats(data: SessionData) -> None:
    """For each interaction, the messages it repeats from the one shown before it."""
    previous: Interaction | None = None
    previous_index = -1
    for item in data.items:
        if item.kind != "interaction":
            continue
        interaction = data.interactions[item.index]
        if interaction.parse_error is not None:
            continue
        start = 0
        with_output = False
        if previous is not None:
            mine, theirs = interaction.messages, previous.messages
            while start < min(len(mine), len(theirs)) and mine[start] == theirs[start]:
                start += 1
            if start == len(theirs) and start < len(mine) and _is_output_of(mine[start], previous):
                start += 1
                with_output = True
            if start:
                data.repeats[item.index] = (previous_index, with_output)
        data.shown_from[item.index] = start
        previous, previous_index = interaction, item.index


def _is_output_of(message: Message, interaction: Interaction) -> bool:
    if not (interaction.output_text or interaction.output_tool_calls):
        return False
    return (
        message.role == "assistant"
        and message.text == interaction.output_text
        and message.tool_calls == interaction.output_tool_calls
    )


def session_lines(catalog: Catalog, data: SessionData) -> Iterator[LogLine]:
    if data.kept is not None:
        return iter(data.kept)
    return islice(catalog.iter_session_lines(data.id), data.count)


def relative(catalog: Catalog, path: str | os.PathLike[str] | None) -> str | None:
    """A path as the user sees it from the logs directory."""
    if path is None:
        return None
    return relative_path(catalog, path)


def relative_path(catalog: Catalog, path: str | os.PathLike[str]) -> str:
    return Path(os.path.relpath(resolved(Path(path)), resolved(catalog.layout.root))).as_posix()


def app_log_names(catalog: Catalog, data: SessionData) -> list[str]:
    paths = {source.name: source.path for source in catalog.sources}
    return [relative_path(catalog, paths[name]) if name in paths else name for name in data.sources]


def resolved(path: Path) -> Path:
    """``path`` made absolute with its links resolved (as written when it cannot be)."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))
