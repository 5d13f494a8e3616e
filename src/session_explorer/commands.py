"""The headless commands: ``list``, ``show`` and ``export`` (stdlib only).

``list`` and ``export`` open the catalog: every interaction file summarised, every
app log indexed. ``show`` reads only what it prints: the session's app-log lines by
a direct scan of the app logs (:mod:`.core.direct_scan`, printed as they are
found), or its one JSONL file. A session named on the command line (an id, a
unique prefix or ``latest``) is resolved for ``show`` and ``export`` from the
interaction file names and, for sessions found only in app logs, by the same
direct scan (:func:`resolve_query`), never by a full index.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from session_explorer.core.applog import direct_scan
from session_explorer.core.applog.direct_scan import AppLogFiles
from session_explorer.core.models import IN_PROGRESS, SessionSummary, session_id_time
from session_explorer.core.session.layout import Layout, LayoutError, discover
from session_explorer.core.text import make_visible
from session_explorer.errors import PROG, CliError

if TYPE_CHECKING:
    from session_explorer.core.session.catalog import Catalog

#: A seed-style id names the moment its session started (as in the catalog).
#: Seconds between two flushes of ``show``'s output while lines are found.
FLUSH_EVERY = 0.05


def open_layout(args: argparse.Namespace) -> Layout:
    """The layout of the logs directory, or a one-line error when it holds no logs."""
    try:
        layout = discover(args.directory, args.app_log, args.interactions)
    except LayoutError as error:
        raise CliError(f"{PROG}: {error}") from None
    if not layout.app_logs and not layout.session_files():
        raise CliError(
            f"{PROG}: {args.directory}: no logs found "
            f"(looked for *.log and {layout.interactions_dir.name}/session_*.jsonl)"
        )
    return layout


def open_catalog(args: argparse.Namespace, layout: Layout | None = None,
                 warned: Iterable[str] = ()) -> Catalog:
    """Discover the layout, index it completely, and return the catalog (warnings
    already given in ``warned`` are not repeated)."""
    from session_explorer.core.session.catalog import Catalog

    catalog = Catalog(layout or open_layout(args))
    catalog.open(wait=True)
    for problem in catalog.problems():
        if problem not in warned:
            print(f"{PROG}: warning: {problem}", file=sys.stderr)
    return catalog


def open_app_logs(layout: Layout) -> tuple[list[AppLogFiles], list[str]]:
    """The app logs opened for a direct scan, and the warnings given (as the catalog
    words them: a log that cannot be opened is left out)."""
    logs: list[AppLogFiles] = []
    problems: list[str] = []
    for path in layout.app_logs:
        try:
            log = AppLogFiles(path)
        except OSError as error:
            problems.append(f"{path}: {error.strerror or error}")
            continue
        problems.extend(f"{skipped}: compressed rotation not read" for skipped in log.skipped)
        logs.append(log)
    for problem in problems:
        print(f"{PROG}: warning: {problem}", file=sys.stderr)
    return logs, problems


def close_app_logs(logs: list[AppLogFiles]) -> None:
    for log in logs:
        log.close()


# ------------------------------------------------------------------ resolution
def resolve_query(layout: Layout, logs: list[AppLogFiles], query: str,
                  names: dict[str, Path] | None = None) -> str:
    """A session id from an id, a unique prefix, or ``latest``, as the catalog would
    answer, from the interaction file names and direct scans of the app logs.

    ``latest`` is the session that started last (see :func:`latest_session`). A
    prefix is looked up in the names and in the record heads of every app log; the
    error for an ambiguous one lists the matches newest first.
    """
    names = layout.session_files() if names is None else names
    if query == "latest":
        latest = latest_session(names, logs)
        return latest if latest is not None else _resolve_or_fail([], query)
    if query in names:
        return query
    firsts: dict[str, datetime | None] = {}
    for log in logs:
        for sid, first in direct_scan.session_ids(log, query).items():
            firsts[sid] = _earliest(firsts.get(sid), first) if sid in firsts else first
    if query in firsts:
        return query
    matches = {sid: None for sid in names if sid.startswith(query)} | firsts
    if len(matches) == 1:
        return next(iter(matches))
    starts = {sid: _start(sid, first, names.get(sid)) for sid, first in matches.items()}
    return _resolve_or_fail(_newest_first(starts), query)


def _resolve_or_fail(ordered: list[str], query: str) -> str:
    from session_explorer.core.session.summaries import SessionNotFound, resolve_session

    try:
        return resolve_session(ordered, query)
    except SessionNotFound as error:
        raise CliError(f"{PROG}: {error}", code=1) from None


def latest_session(names: dict[str, Path], logs: list[AppLogFiles]) -> str | None:
    """The session that started last (``in-progress`` aside), None without any.

    A session starts at the time its seed-style id names, else at its first record
    or its first interaction. The app logs are read backwards from their end only
    until their records are older than the newest start found: app logs are written
    in time order, so a session that started later has its records there. (An id
    that names no time and wrote records before that stretch is dated by the ones
    in it.)
    """
    starts: dict[str, float | None] = {}
    for sid, path in names.items():
        starts[sid] = _id_start(sid)
        if starts[sid] is None:
            starts[sid] = _stamp(_jsonl_first_time(path))
    seen: dict[str, float | None] = {}  # ids without a time: their earliest record seen
    for log in logs:
        for block in direct_scan.newest_heads(log):
            oldest = min((t for t in map(_stamp, block.values()) if t is not None), default=None)
            for sid, ts in block.items():
                if sid != IN_PROGRESS and _id_start(sid) is None:
                    seen[sid] = _min_or(seen.get(sid), _stamp(ts))
                elif sid != IN_PROGRESS:
                    starts[sid] = _id_start(sid)
            best = max((t for t in [*starts.values(), *seen.values()] if t is not None), default=None)
            if oldest is not None and best is not None and oldest < best:
                break
    for sid, first in seen.items():
        starts[sid] = _min_or(starts.get(sid), first)
    starts.pop(IN_PROGRESS, None)
    if not starts:
        return None
    return max(starts, key=lambda sid: (_or_inf(starts[sid]), sid))


def _start(sid: str, first_record: datetime | None, path: Path | None) -> float | None:
    start = _id_start(sid)
    if start is not None:
        return start
    jsonl = _stamp(_jsonl_first_time(path)) if path is not None else None
    return _min_or(_stamp(first_record), jsonl)


def _newest_first(starts: dict[str, float | None]) -> list[str]:
    """Newest first, ``in-progress`` last (the catalog's order)."""
    ordered = sorted(starts, reverse=True)
    ordered.sort(key=lambda sid: (sid == IN_PROGRESS, -_or_inf(starts[sid])))
    return ordered


def _id_start(sid: str) -> float | None:
    moment = session_id_time(sid)
    if moment is None:
        return None
    try:
        return moment.timestamp()
    except (ValueError, OverflowError, OSError):
        return None


def _jsonl_first_time(path: Path) -> datetime | None:
    """The time of the first interaction of a JSONL file (one line read)."""
    from session_explorer.core.interactions.reader import parse_line

    try:
        with open(path, "rb") as handle:
            for number, line in enumerate(handle, 1):
                if not line.endswith(b"\n"):
                    return None
                interaction = parse_line(line[:-1], line_number=number, offset=0, light=True)
                if interaction is not None:
                    return interaction.timestamp
    except OSError:
        return None
    return None


def _stamp(moment: datetime | None) -> float | None:
    try:
        return moment.timestamp() if moment is not None else None
    except (ValueError, OverflowError, OSError):
        return None


def _min_or(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return a if _or_inf(_stamp(a)) <= _or_inf(_stamp(b)) else b


def _or_inf(value: float | None) -> float:
    return -math.inf if value is None else value


# ------------------------------------------------------------------------ list
def list_sessions(args: argparse.Namespace) -> int:
    with open_catalog(args) as catalog:
        sessions = catalog.sessions()
    if args.json:
        sys.stdout.write(json.dumps([s.to_json() for s in sessions], indent=2))  # one write, not thousands
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_table(sessions, visible=sys.stdout.isatty()))
    return 0


COLUMNS = ("SESSION", "START", "END", "CALLS", "BAD", "LINES", "WARN", "ERR", "TOKENS", "MODELS")


def format_table(sessions: Sequence[SessionSummary], *, visible: bool = True) -> str:
    rows: list[tuple[str, ...]] = [COLUMNS]
    for s in sessions:
        rows.append(
            (
                s.id,
                _short_time(s.start),
                _short_time(s.end),
                str(s.interactions),
                str(s.malformed or ""),
                str(s.lines),
                str(s.warnings or ""),
                str(s.errors or ""),
                str(s.tokens or ""),
                ", ".join(s.models),
            )
        )
    if visible:
        rows = [tuple(make_visible(cell) for cell in row) for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    numeric = {3, 4, 5, 6, 7, 8}
    lines = []
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def _short_time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


# ------------------------------------------------------------------------ show
def show_session(args: argparse.Namespace) -> int:
    layout = open_layout(args)
    logs, _ = open_app_logs(layout)
    try:
        out = sys.stdout.buffer
        visible = sys.stdout.isatty()
        names = layout.session_files()
        query = args.session
        if args.show_interactions:
            path = names.get(resolve_query(layout, logs, query, names))
            if path is not None:
                write_lines(out, _file_chunks(path), visible=visible)
            return 0
        tried = None
        if query != "latest" and query not in names:
            # Most often an id of the app logs: its lines print as they are found.
            # When none is found, the query is looked up as a prefix.
            if print_session(out, logs, query, visible=visible):
                return 0
            tried = query
        session_id = resolve_query(layout, logs, query, names)
        if session_id != tried:
            print_session(out, logs, session_id, visible=visible)
    finally:
        close_app_logs(logs)
    return 0


def print_session(out: BinaryIO, logs: list[AppLogFiles], session_id: str, *, visible: bool) -> bool:
    """Print the session's app-log lines as they are found; whether there were any."""
    found = False

    def pieces() -> Iterator[bytes]:
        nonlocal found
        for piece in direct_scan.session_bytes(logs, session_id):
            found = True
            yield piece

    write_lines(out, _lines(pieces()) if visible else pieces(), visible=visible)
    return found


def _lines(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """Pieces of whole lines cut into lines (each with its ending)."""
    for piece in pieces:
        start = 0
        while start < len(piece):
            stop = piece.find(b"\n", start) + 1 or len(piece)
            yield piece[start:stop]
            start = stop


def _file_chunks(path: Path) -> Iterator[bytes]:
    """A file, byte for byte, in chunks."""
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            yield chunk


def write_lines(out: BinaryIO, chunks: Iterable[bytes], *, visible: bool) -> None:
    """Bytes exactly as stored to a pipe; to a terminal, controls made visible.

    What is written is flushed every :data:`FLUSH_EVERY` seconds, so lines found
    while a long log is read show at once."""
    flushed = time.monotonic()
    for chunk in chunks:
        if visible:
            body, newline = (chunk[:-1], b"\n") if chunk.endswith(b"\n") else (chunk, b"")
            text = make_visible(body.decode("utf-8", "replace"))
            out.write(text.encode("utf-8") + newline)
        else:
            out.write(chunk)
        now = time.monotonic()
        if now - flushed >= FLUSH_EVERY:
            out.flush()
            flushed = now
    out.flush()


# ---------------------------------------------------------------------- export
def export_session(args: argparse.Namespace) -> int:
    from session_explorer.core.session.export import ExportError, export

    layout = open_layout(args)
    logs, warned = open_app_logs(layout)
    try:
        session_id = resolve_query(layout, logs, args.session)
    finally:
        close_app_logs(logs)
    with open_catalog(args, layout, warned) as catalog:
        try:
            target = export(catalog, session_id, fmt=args.format, output=args.output, force=args.force)
        except ExportError as error:
            raise CliError(f"{PROG}: {error}") from None
    if target is not None:
        print(f"wrote {target}", file=sys.stderr)
    return 0
