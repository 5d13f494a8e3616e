"""A session's row in the list, made from what the app logs and its interaction file
say; the list's order; and resolving an id, a unique prefix or ``latest``."""

from __future__ import annotations

from session_explorer.core.applog.blocks import SessionStats
from session_explorer.core.applog.index import LogIndex
from session_explorer.core.interactions.stats import InteractionStats
from session_explorer.core.models import IN_PROGRESS, SessionSummary, session_id_time
from session_explorer.core.session.session_file import SessionFile


class SessionNotFound(LookupError):
    """No session, or several, match what the user asked for."""

    def __str__(self) -> str:
        return str(self.args[0])


def make_summary(
    sid: str, file: SessionFile | None, jsonl: InteractionStats | None, log: SessionStats | None,
    growing: bool, indexed: bool,
) -> SessionSummary:
    """One row of the session list, from what the index and the interaction file say."""
    # A seed-style id is the moment the session started; otherwise its first record.
    starts = [t for t in (jsonl and jsonl.first_ts, log and log.first_ts) if t]
    ends = [t for t in (jsonl and jsonl.last_ts, log and log.last_ts) if t]
    return SessionSummary(
        id=sid,
        start=session_id_time(sid) or (min(starts) if starts else None),
        end=max(ends) if ends else None,
        interactions=jsonl.count if jsonl else 0,
        malformed=jsonl.malformed if jsonl else 0,
        lines=log.lines if log else 0,
        warnings=log.warnings if log else 0,
        errors=(log.errors if log else 0),
        models=jsonl.models if jsonl else (),
        tokens=jsonl.tokens if jsonl else 0,
        interactions_file=file.name if file is not None else None,
        growing=growing,
        # Until the logs are indexed, a session not met yet may still be there.
        in_app_log=log is not None or not indexed,
        prompt=jsonl.first_user_text if jsonl else "",
    )


def newest_first(summary: SessionSummary) -> tuple[int, float]:
    if summary.id == IN_PROGRESS:
        return (1, 0.0)
    start = summary.start.timestamp() if summary.start else float("-inf")
    return (0, -start)


def add_stats(a: SessionStats, b: SessionStats) -> SessionStats:
    firsts = [t for t in (a.first_ts, b.first_ts) if t]
    lasts = [t for t in (a.last_ts, b.last_ts) if t]
    return SessionStats(
        lines=a.lines + b.lines,
        records=a.records + b.records,
        warnings=a.warnings + b.warnings,
        errors=a.errors + b.errors,
        first_ts=min(firsts) if firsts else None,
        last_ts=max(lasts) if lasts else None,
    )


def resolve_session(sessions: list[str], query: str) -> str:
    """A session id from an id, a unique prefix, or ``latest`` (``sessions`` newest first)."""
    if query == "latest":
        for sid in sessions:
            if sid != IN_PROGRESS:
                return sid
        raise SessionNotFound("no sessions found")
    if query in sessions:
        return query
    matches = [sid for sid in sessions if sid.startswith(query)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise SessionNotFound(f"unknown session {query!r}")
    shown = ", ".join(matches[:5]) + (", ..." if len(matches) > 5 else "")
    raise SessionNotFound(f"{query!r} matches {len(matches)} sessions: {shown}")


def newest_sessions(index: LogIndex, limit: int) -> dict[str, SessionStats]:
    """The sessions of a log's ``limit`` newest lines, with those lines' times (their
    counts come with the index): what the list shows before the index reaches them."""
    found: dict[str, SessionStats] = {}
    try:
        lines = index.tail_lines(limit)
    except OSError:
        lines = []
    for line in lines:
        ts = line.timestamp
        old = found.get(line.session_id)
        first = old.first_ts if old is not None and old.first_ts is not None else ts
        found[line.session_id] = SessionStats(0, 0, 0, 0, first, ts or (old.last_ts if old is not None else None))
    return found
