"""What one look at the files found: the changes a poll returns to the live feed.

:meth:`~session_explorer.core.session.catalog.Catalog.poll` makes them; the live feed
(:mod:`.feed`) turns them into batches for the view. They live here, with the feed,
so that the feed depends on nothing above it.
"""

from __future__ import annotations

from dataclasses import dataclass

from session_explorer.core.models import Interaction, LogLine


@dataclass(frozen=True, slots=True)
class SessionsChanged:
    """Sessions appeared, or their summaries changed."""


@dataclass(frozen=True, slots=True)
class LinesAppended:
    """App-log lines were appended to these sessions (and to "All lines").

    ``lines``: those of the session the poll was asked to show (every line for
    "All lines"), in time order across app logs.
    """

    session_ids: frozenset[str]
    lines: tuple[LogLine, ...] = ()


@dataclass(frozen=True, slots=True)
class InteractionsAppended:
    """New interactions of a session someone has loaded."""

    session_id: str
    interactions: tuple[Interaction, ...]
    pending: int = 0  # bytes of an unfinished last line after them


@dataclass(frozen=True, slots=True)
class InteractionsReset:
    """A session's interaction file was truncated or replaced: read it again."""

    session_id: str


@dataclass(frozen=True, slots=True)
class LogReset:
    """An app log was truncated, rotated or re-created: line sources are new."""

    source: str


@dataclass(frozen=True, slots=True)
class IndexProgress:
    """How far the app logs are indexed (bytes)."""

    done: int
    total: int
    complete: bool


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the user should know (an unreadable file...); the rest goes on."""

    message: str


Change = SessionsChanged | LinesAppended | InteractionsAppended | InteractionsReset | LogReset | IndexProgress | Problem
