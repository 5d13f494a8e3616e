"""The headless commands: ``list``, ``show`` and ``export`` (stdlib only)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import BinaryIO

from session_explorer.cli import PROG, CliError
from session_explorer.core.catalog import Catalog, SessionNotFound
from session_explorer.core.layout import LayoutError, discover
from session_explorer.core.models import SessionSummary
from session_explorer.core.text import make_visible


def open_catalog(args: argparse.Namespace) -> Catalog:
    """Discover the layout, index it completely, and return the catalog."""
    try:
        layout = discover(args.directory, args.app_log, args.interactions)
    except LayoutError as error:
        raise CliError(f"{PROG}: {error}") from None
    if not layout.app_logs and not layout.session_files():
        raise CliError(
            f"{PROG}: {args.directory}: no logs found "
            f"(looked for *.log and {layout.interactions_dir.name}/session_*.jsonl)"
        )
    catalog = Catalog(layout)
    catalog.open(wait=True)
    for problem in catalog.problems():
        print(f"{PROG}: warning: {problem}", file=sys.stderr)
    return catalog


def resolve(catalog: Catalog, query: str) -> str:
    try:
        return catalog.resolve(query)
    except SessionNotFound as error:
        raise CliError(f"{PROG}: {error}", code=1) from None


# ------------------------------------------------------------------------ list
def list_sessions(args: argparse.Namespace) -> int:
    with open_catalog(args) as catalog:
        sessions = catalog.sessions()
    if args.json:
        json.dump([summary_json(s) for s in sessions], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_table(sessions, visible=sys.stdout.isatty()))
    return 0


def summary_json(summary: SessionSummary) -> dict[str, object]:
    return {
        "id": summary.id,
        "start": _iso(summary.start),
        "end": _iso(summary.end),
        "interactions": summary.interactions,
        "malformed": summary.malformed,
        "lines": summary.lines,
        "warnings": summary.warnings,
        "errors": summary.errors,
        "models": list(summary.models),
        "tokens": summary.tokens,
        "interactions_file": summary.interactions_file,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="milliseconds") if moment else None


COLUMNS = ("SESSION", "START", "END", "CALLS", "BAD", "LINES", "WARN", "ERR", "TOKENS", "MODELS")


def format_table(sessions: Sequence[SessionSummary], *, visible: bool = True) -> str:
    rows = [COLUMNS]
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
    with open_catalog(args) as catalog:
        session_id = resolve(catalog, args.session)
        out = sys.stdout.buffer
        visible = sys.stdout.isatty()
        if args.show_interactions:
            chunks = catalog.interaction_lines(session_id)
        else:
            chunks = (line.raw + line.ending for line in catalog.iter_session_lines(session_id))
        write_lines(out, chunks, visible=visible)
    return 0


def write_lines(out: BinaryIO, chunks: Iterable[bytes], *, visible: bool) -> None:
    """Bytes exactly as stored to a pipe; to a terminal, controls made visible."""
    for chunk in chunks:
        if visible:
            body, newline = (chunk[:-1], b"\n") if chunk.endswith(b"\n") else (chunk, b"")
            text = make_visible(body.decode("utf-8", "replace"))
            out.write(text.encode("utf-8") + newline)
        else:
            out.write(chunk)
    out.flush()


# ---------------------------------------------------------------------- export
def export_session(args: argparse.Namespace) -> int:
    from session_explorer.core.export import ExportError, export

    with open_catalog(args) as catalog:
        session_id = resolve(catalog, args.session)
        try:
            target = export(catalog, session_id, fmt=args.format, output=args.output, force=args.force)
        except ExportError as error:
            raise CliError(f"{PROG}: {error}") from None
    if target is not None:
        print(f"wrote {target}", file=sys.stderr)
    return 0
