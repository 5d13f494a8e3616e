"""One session written out as a readable bundle: a Markdown transcript or a JSON file.

This is the one place the tool writes. :func:`export` renders a session of a
:class:`~session_explorer.core.session.catalog.Catalog` and writes it to standard output or to a file the user
names; it refuses to write into the logs directory (the layout's root, its
interaction directory, any app-log directory, or over a log file, all compared as
resolved paths) and to replace an existing file unless asked to. A file is written
to a temporary name in its target directory first and then renamed over the target,
so a reader never sees half an export and a failed export leaves nothing behind.

**Markdown transcript** (:func:`markdown_chunks`). A header with the session's
summary, a list of its warnings and errors with their times, then the session as a
time-ordered story (:func:`.timeline.merge_timeline`): runs of app-log lines in
``text`` fences, each run labelled with the interaction it was logged during (see
:func:`.timeline.interaction_windows`), and each interaction as a chat (system, user,
assistant and tool messages under role headings, tool calls with their arguments as
pretty JSON, the output, usage, latency and status, its error called out). Messages
an interaction repeats from the one before it are named, not printed again. Lines
logged before the first interaction and after the last are there too, and a
malformed JSONL line shows its raw text and parse error.

Everything taken from the logs is data: it goes in fences (a fence is made longer
than any backtick run inside it) or code spans, and control, bidi and zero-width
characters are made visible (:func:`.text.make_visible`). The output depends only
on the logs: no export time, and file names relative to the logs directory.

**JSON bundle** (:func:`json_chunks`). One UTF-8 object, keys in a fixed order::

    {"format": "session-explorer-export", "version": 1,
     "session": {...the summary of ``list --json``, plus "app_logs"...},
     "app_log": [{"source", "line_number", "session_id", "timestamp", "level",
                  "logger", "text", "continuation"}, ...],
     "interactions": [{"number", "line_number", "timestamp", "provider", "model",
                       "shape", "status", "usage", "duration_ms", "error",
                       "parse_error", "messages", "output_text",
                       "output_tool_calls", "raw", "raw_text"}, ...]}

The session and each interaction are written one key a line, each app-log line as
one line of JSON. ``line_number`` is 1-based in both lists (an app-log line's number
counts in its source's logical log, rotations included). Times are ISO 8601 without
a zone, as the logs have them. Non-finite numbers in a record become null and unpaired surrogates
are written as ``\\uXXXX`` escapes, so the file is always valid JSON and valid UTF-8.

Both renderers are generators of text pieces: a long session streams to its target
instead of being built in memory (past :data:`KEEP_LINES` app-log lines, the lines
are read twice, once for their times and once to write them, rather than kept).

Pure standard library.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from session_explorer.core.levels import is_error, severity
from session_explorer.core.models import Interaction, LogLine, Message, SessionSummary, ToolCall, iso_time
from session_explorer.core.session.timeline import (
    TimelineItem,
    Window,
    effective_time,
    interaction_at,
    interaction_windows,
    is_time_ordered,
    lines_in_window,
    merge_timeline,
)
from session_explorer.core.text import make_visible

if TYPE_CHECKING:
    from session_explorer.core.session.catalog import Catalog

__all__ = ["FORMATS", "ExportError", "export", "json_chunks", "markdown_chunks", "render"]

Format = Literal["md", "json"]
FORMATS: tuple[str, ...] = ("md", "json")
JSON_FORMAT_NAME = "session-explorer-export"
JSON_FORMAT_VERSION = 1

ERROR_MARK = "\u2716"  # ✖
WARNING_MARK = "\u26a0"  # ⚠
#: How much of a message the list of warnings and errors quotes (the timeline has all).
SNIPPET_CHARS = 200
#: Sessions up to this many app-log lines are read once and kept while writing; longer
#: ones are read a second time instead of being held in memory.
KEEP_LINES = 200_000


class ExportError(Exception):
    """The export cannot be written where it was asked to go (one line for the user)."""


# --------------------------------------------------------------------------- entry point


def export(
    catalog: Catalog,
    session_id: str,
    *,
    fmt: Format = "md",
    output: Path | None = None,
    force: bool = False,
) -> Path | None:
    """Write session ``session_id`` of ``catalog`` as ``fmt`` ("md" or "json").

    With ``output`` None (or ``-``) the bundle goes to standard output and None is
    returned; otherwise it is written to ``output``, which is returned. Raises
    :class:`ExportError` for an unknown format or session, a target inside the logs
    directory, an existing target without ``force``, or a write that failed; the
    target is checked before anything is read.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    if output is not None and str(output) == "-":
        output = None
    if output is not None:
        check_target(catalog, output, force=force)
    chunks = render(catalog, session_id, fmt)
    if output is None:
        _write_stdout(chunks)
        return None
    _write_file(Path(output), chunks, force=force)
    return Path(output)


def render(catalog: Catalog, session_id: str, fmt: Format = "md") -> Iterator[str]:
    """The export of a session as text pieces (see the module docstring)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    data = _gather(catalog, session_id)
    return _one_final_newline(_markdown(catalog, data)) if fmt == "md" else _json(catalog, data)


def _one_final_newline(chunks: Iterator[str]) -> Iterator[str]:
    """``chunks`` ending in exactly one newline (the blocks each end with a blank line)."""
    held = ""
    for chunk in chunks:
        if chunk:
            if held:
                yield held
            held = chunk
    yield held.rstrip("\n") + "\n"


def markdown_chunks(catalog: Catalog, session_id: str) -> Iterator[str]:
    """The Markdown transcript of a session, piece by piece."""
    return render(catalog, session_id, "md")


def json_chunks(catalog: Catalog, session_id: str) -> Iterator[str]:
    """The JSON bundle of a session, piece by piece."""
    return render(catalog, session_id, "json")


# --------------------------------------------------------------------------- where to write


def check_target(catalog: Catalog, output: Path, *, force: bool) -> None:
    """Raise :class:`ExportError` unless ``output`` is a file the export may write."""
    output = Path(output)
    try:
        target = output.resolve()
    except (OSError, RuntimeError) as error:  # a symlink loop
        raise ExportError(f"{output}: {_reason(error)}") from None
    parent = target.parent
    if not parent.is_dir():
        raise ExportError(f"{output}: no such directory {str(output.parent)!r}")
    if target.is_dir():
        raise ExportError(f"{output}: is a directory")

    layout = catalog.layout
    guarded = {_resolved(layout.root), _resolved(layout.interactions_dir)}
    if layout.app_log_dir is not None:
        guarded.add(_resolved(layout.app_log_dir))
    log_files: set[Path] = set()
    for path in layout.app_logs:
        guarded.add(_resolved(path.parent))
        log_files.add(_resolved(path))
    for source in catalog.sources:
        guarded.add(_resolved(source.path.parent))
        log_files.add(_resolved(source.path))
    log_files.update(_resolved(path) for path in layout.session_files().values())
    inside_interactions = _resolved(layout.interactions_dir) in (parent, *parent.parents)
    if parent in guarded or inside_interactions or target in log_files:
        raise ExportError(
            f"{output}: refusing to write into the logs directory {str(layout.root)!r}; choose a file elsewhere"
        )
    if (output.exists() or output.is_symlink()) and not force:
        raise ExportError(f"{output}: file exists (use --force to overwrite it)")


def _resolved(path: Path) -> Path:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower() if error.strerror[:1].isupper() else error.strerror
    return str(error) or type(error).__name__


def _write_stdout(chunks: Iterable[str]) -> None:
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        sys.stdout.flush()
        return
    sys.stdout.flush()
    for chunk in chunks:
        buffer.write(_encode(chunk))
    buffer.flush()


def _write_file(output: Path, chunks: Iterable[str], *, force: bool) -> None:
    """Write to a temporary file next to ``output``, then move it into place."""
    directory = output.parent
    try:
        handle, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{output.name}.", suffix=".tmp")
    except OSError as error:
        raise ExportError(f"{output}: cannot write in {str(directory)!r}: {_reason(error)}") from None
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            for chunk in chunks:
                stream.write(_encode(chunk))
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, _new_file_mode(output))
        if force:
            os.replace(temp, output)
        else:
            _move_without_replacing(temp, output)
    except BaseException as error:
        temp.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise ExportError(f"{output}: {_reason(error)}") from None
        raise


def _move_without_replacing(temp: Path, output: Path) -> None:
    """Rename ``temp`` to ``output`` unless ``output`` appeared meanwhile."""
    try:
        os.link(temp, output)  # fails when output exists: no window for a race
    except FileExistsError:
        raise ExportError(f"{output}: file exists (use --force to overwrite it)") from None
    except OSError:  # no hard links on this file system
        if output.exists():
            raise ExportError(f"{output}: file exists (use --force to overwrite it)") from None
        os.replace(temp, output)
    else:
        temp.unlink()


def _new_file_mode(output: Path) -> int:
    try:
        return output.stat().st_mode & 0o777  # overwriting: keep the file's mode
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _encode(chunk: str) -> bytes:
    return chunk.encode("utf-8", "backslashreplace")  # an unpaired surrogate shows as \udXXX


# --------------------------------------------------------------------------- reading a session


@dataclass(slots=True)
class _Notable:
    """A warning or error of the session, for the list at the top of the transcript."""

    moment: datetime | None
    mark: str
    what: str  # our words (already Markdown)
    snippet: str  # data, shown as a code span
    extra: str = ""  # our words after the snippet


@dataclass(slots=True)
class _Session:
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


def _gather(catalog: Catalog, session_id: str) -> _Session:
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
    data = _Session(
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


def _find_repeats(data: _Session) -> None:
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


def _session_lines(catalog: Catalog, data: _Session) -> Iterator[LogLine]:
    if data.kept is not None:
        return iter(data.kept)
    return islice(catalog.iter_session_lines(data.id), data.count)


def _relative(catalog: Catalog, path: str | os.PathLike[str] | None) -> str | None:
    """A path as the user sees it from the logs directory."""
    if path is None:
        return None
    return _relative_path(catalog, path)


def _relative_path(catalog: Catalog, path: str | os.PathLike[str]) -> str:
    return Path(os.path.relpath(_resolved(Path(path)), _resolved(catalog.layout.root))).as_posix()


def _app_log_names(catalog: Catalog, data: _Session) -> list[str]:
    paths = {source.name: source.path for source in catalog.sources}
    return [_relative_path(catalog, paths[name]) if name in paths else name for name in data.sources]


# --------------------------------------------------------------------------- Markdown


def _markdown(catalog: Catalog, data: _Session) -> Iterator[str]:
    with_date = _spans_days(data)
    yield from _md_header(catalog, data)
    yield from _md_notable(data, with_date)
    yield "## Timeline\n\n"
    if not data.items:
        yield "_Nothing was logged in this session._\n"
        return
    lines = _session_lines(catalog, data)
    multi_source = len(data.sources) > 1
    width = max((len(make_visible(s, keep="")) for s in data.sources), default=0)
    stamped = [data.interactions[item.index] for item in data.items
               if item.kind == "interaction" and data.interactions[item.index].timestamp is not None]
    seen = 0  # stamped interactions shown so far
    run: list[int] = []

    def flush() -> Iterator[str]:
        start = 0
        while start < len(run):
            owner = data.owners[run[start]]
            end = start
            while end < len(run) and data.owners[run[end]] == owner:
                end += 1
            group = list(islice(lines, end - start))
            if len(group) < end - start:
                raise ExportError(f"session {data.id!r} changed while it was being exported; try again")
            before = stamped[seen - 1] if seen else None
            after = stamped[seen] if seen < len(stamped) else None
            yield from _md_log_group(data, group, run[start:end], owner, before, after, with_date,
                                     multi_source, width)
            start = end
        run.clear()

    for item in data.items:
        if item.kind == "line":
            run.append(item.index)
            continue
        yield from flush()
        interaction = data.interactions[item.index]
        yield from _md_interaction(catalog, data, item.index, with_date)
        if interaction.timestamp is not None:
            seen += 1
    yield from flush()


def _md_header(catalog: Catalog, data: _Session) -> Iterator[str]:
    s = data.summary
    interactions = data.interactions
    parsed = [i for i in interactions if i.parse_error is None]
    failed = sum(1 for i in parsed if i.error)
    tool_calls = sum(len(i.output_tool_calls) for i in parsed)
    tokens_in = sum(i.usage.input_tokens or 0 for i in parsed)
    tokens_out = sum(i.usage.output_tokens or 0 for i in parsed)
    tokens = sum(i.usage.total or 0 for i in parsed)
    providers = list(dict.fromkeys(i.provider for i in parsed if i.provider))
    models = list(dict.fromkeys(i.model for i in parsed if i.model))
    out = [f"# Session {_code(data.id)}\n\n"]
    out.append(f"- **Start:** {_full_time(s.start)}\n")
    end = _full_time(s.end)
    if s.start is not None and s.end is not None and s.end >= s.start:
        end += f" ({_seconds((s.end - s.start).total_seconds())})"
    out.append(f"- **End:** {end}\n")
    details = [f"{_plural(tool_calls, 'tool call')}", f"{failed} failed",
               f"{len(interactions) - len(parsed)} malformed"]
    out.append(f"- **Interactions:** {len(interactions)} ({', '.join(details)})\n")
    out.append(f"- **Tokens:** {tokens} ({tokens_in} in, {tokens_out} out)\n")
    out.append(f"- **Models:** {_code_list(models)}\n")
    out.append(f"- **Providers:** {_code_list(providers)}\n")
    warnings, errors = data.level_counts["warning"], data.level_counts["error"]
    out.append(
        f"- **App-log lines:** {data.count} ({_plural(warnings, 'warning')}, {_plural(errors, 'error')})\n"
    )
    files = _app_log_names(catalog, data)
    if s.interactions_file is not None:
        files.append(_relative(catalog, s.interactions_file) or "")
    out.append(f"- **Files:** {_code_list(files)}\n\n")
    yield "".join(out)


def _md_notable(data: _Session, with_date: bool) -> Iterator[str]:
    found: list[_Notable] = []
    for line, more in data.notable_lines:
        head = line.head
        assert head is not None
        mark = ERROR_MARK if is_error(head.level) else WARNING_MARK
        logger = f" {_code(head.logger)}" if head.logger else ""
        extra = f" (+{_plural(more, 'more line')})" if more else ""
        found.append(_Notable(head.timestamp, mark, f"{_code(head.level)}{logger}:", head.message, extra))
    for index, interaction in enumerate(data.interactions):
        label = f"interaction {interaction.number}"
        if interaction.parse_error is not None:
            found.append(
                _Notable(None, ERROR_MARK, f"{label}: malformed JSONL line {interaction.line_number}:",
                         interaction.parse_error)
            )
            continue
        if interaction.error:
            found.append(_Notable(interaction.timestamp, ERROR_MARK, f"{label} failed:", interaction.error))
        for message in interaction.messages[data.shown_from.get(index, 0):]:
            if message.is_error:
                name = f" {_code(message.name)}" if message.name else ""
                role = "tool result" if message.role == "tool" else f"{message.role} message"
                found.append(_Notable(interaction.timestamp, ERROR_MARK, f"{label}: {role}{name} is an error:",
                                      message.text))
    yield "## Warnings and errors\n\n"
    if not found:
        yield "_None._\n\n"
        return
    order = sorted(range(len(found)), key=lambda k: (found[k].moment is None, found[k].moment or datetime.min, k))
    out = []
    for k in order:
        n = found[k]
        when = _code(_clock(n.moment, with_date)) if n.moment is not None else "(no time)"
        out.append(f"- {n.mark} {when} {n.what} {_code(_snippet(n.snippet))}{n.extra}\n")
    out.append("\n")
    yield "".join(out)


def _md_log_group(
    data: _Session,
    lines: list[LogLine],
    indices: list[int],
    owner: int | None,
    before: Interaction | None,
    after: Interaction | None,
    with_date: bool,
    multi_source: bool,
    width: int,
) -> Iterator[str]:
    known = [t for t in (effective_time(data.times, i) for i in indices) if t is not None]
    span = ""
    if known:
        first, last = min(known), max(known)
        span = f" · {_clock(first, with_date)}" + (f" – {_clock(last, with_date)}" if last != first else "")
    yield f"### App log{span} · {_plural(len(lines), 'line')}\n\n"
    if owner is not None:
        yield f"_Logged while interaction {data.interactions[owner].number} ran._\n\n"
    elif before is None and after is not None:
        yield "_Logged before the first interaction._\n\n"
    elif before is not None and after is None:
        yield "_Logged after the last interaction._\n\n"
    elif before is not None and after is not None:
        yield f"_Logged between interactions {before.number} and {after.number}._\n\n"
    body = []
    for line in lines:
        kind = severity(line.level)
        mark = ERROR_MARK if kind == "error" else WARNING_MARK if kind == "warning" else " "
        source = f"{make_visible(line.source, keep='').ljust(width)} \u2502 " if multi_source else ""
        body.append(f"{mark} {source}{make_visible(line.text, keep=chr(9))}")
    yield _fence("\n".join(body), "text")


def _md_interaction(catalog: Catalog, data: _Session, index: int, with_date: bool) -> Iterator[str]:
    interaction = data.interactions[index]
    when = f" · {_clock(interaction.timestamp, with_date)}" if interaction.timestamp else ""
    status = interaction.status
    mark = f"{ERROR_MARK} " if status != "ok" else ""
    yield f"### Interaction {interaction.number}{when} · {mark}{status}\n\n"
    where = f"{_code(_relative(catalog, data.summary.interactions_file) or '?')} line {interaction.line_number}"
    if interaction.parse_error is not None:
        yield f"{where}\n\n"
        yield f"> **{ERROR_MARK} Malformed JSONL line:** {_code(interaction.parse_error)}\n\n"
        yield _fence(make_visible(interaction.raw_text), "text")
        return
    facts = [_code(x) for x in (interaction.provider, interaction.model) if x]
    facts.append(f"shape {_code(interaction.shape)}")
    facts.append(_usage_text(interaction))
    if interaction.duration_ms is not None and math.isfinite(interaction.duration_ms):
        facts.append(_seconds(interaction.duration_ms / 1000))
    facts.append(where)
    yield " · ".join(facts) + "\n\n"
    if interaction.error:
        yield from _md_error(interaction.error)

    start = data.shown_from.get(index, 0)
    if index in data.repeats and start:
        previous, with_output = data.repeats[index]
        what = f"interaction {data.interactions[previous].number}" + (" and its output" if with_output else "")
        which = "Message 1 repeats" if start == 1 else f"Messages 1–{start} repeat"
        yield f"_{which} {what}._\n\n"
    for message in interaction.messages[start:]:
        yield from _md_message(message)

    yield "#### Output\n\n"
    if interaction.output_text:
        yield _fence(make_visible(interaction.output_text), "text")
    for call in interaction.output_tool_calls:
        yield from _md_tool_call(call)
    if not interaction.output_text and not interaction.output_tool_calls:
        yield "_No output._\n\n"


def _md_error(error: str) -> Iterator[str]:
    first, newline, _ = error.partition("\n")
    if not newline:
        yield f"> **{ERROR_MARK} Error:** {_code(error)}\n\n"
        return
    yield f"> **{ERROR_MARK} Error:** {_code(first)} (the whole error follows)\n\n"
    yield _fence(make_visible(error), "text")


_ROLES = {"system": "System", "user": "User", "assistant": "Assistant", "tool": "Tool result"}


def _md_message(message: Message) -> Iterator[str]:
    title = _ROLES.get(message.role) or _code(message.role)
    facts = []
    if message.name:
        facts.append(_code(message.name))
    if message.tool_call_id:
        facts.append(f"id {_code(message.tool_call_id)}")
    if message.is_error:
        facts.append(f"{ERROR_MARK} error")
    yield f"#### {' · '.join([title, *facts])}\n\n"
    if message.text:
        yield _fence(make_visible(message.text), "text")
    elif not message.tool_calls:
        yield "_(empty)_\n\n"
    for call in message.tool_calls:
        yield from _md_tool_call(call)


def _md_tool_call(call: ToolCall) -> Iterator[str]:
    ident = f" · id {_code(call.id)}" if call.id else ""
    yield f"**Tool call** {_code(call.name or '?')}{ident}\n\n"
    if isinstance(call.arguments, str):
        yield "_Arguments (not JSON):_\n\n"
        yield _fence(make_visible(call.arguments), "text")
    else:
        yield _fence(make_visible(_pretty_json(call.arguments)), "json")


def _usage_text(interaction: Interaction) -> str:
    usage = interaction.usage
    total = usage.total
    if total is None:
        return "tokens unknown"
    parts = [f"{usage.input_tokens} in" if usage.input_tokens is not None else None,
             f"{usage.output_tokens} out" if usage.output_tokens is not None else None]
    shown = ", ".join(p for p in parts if p)
    return f"{total} tokens" + (f" ({shown})" if shown else "")


# --------------------------------------------------------------------------- Markdown pieces


def _fence(body: str, info: str = "") -> str:
    """``body`` in a fenced block no line of it can close."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}\n\n"


def _code(text: str) -> str:
    """``text`` as one code span, on one line, controls made visible."""
    text = make_visible(text, keep="")
    if not text:
        return "_(empty)_"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _code_list(items: Sequence[str]) -> str:
    return ", ".join(_code(item) for item in items) if items else "none"


def _snippet(text: str) -> str:
    text = text.strip()
    if len(text) <= SNIPPET_CHARS:
        return text
    return f"{text[:SNIPPET_CHARS]}… ({len(text) - SNIPPET_CHARS} more characters)"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 100 else f"{value:.1f} s"


def _spans_days(data: _Session) -> bool:
    days = {t.date() for t in data.times if t is not None}
    days.update(i.timestamp.date() for i in data.interactions if i.timestamp is not None)
    return len(days) > 1


def _clock(moment: datetime | None, with_date: bool = False) -> str:
    if moment is None:
        return "-"
    text = moment.strftime("%H:%M:%S") + f".{moment.microsecond // 1000:03d}"
    return f"{moment:%Y-%m-%d} {text}" if with_date else text


def _full_time(moment: datetime | None) -> str:
    return _clock(moment, True) if moment is not None else "unknown"


# --------------------------------------------------------------------------- JSON


def _json(catalog: Catalog, data: _Session) -> Iterator[str]:
    yield "{\n"
    yield f'  "format": {_dumps(JSON_FORMAT_NAME)},\n  "version": {JSON_FORMAT_VERSION},\n'
    yield f'  "session": {_object(_session_json(catalog, data), 1)},\n'
    yield '  "app_log": ['
    separator = "\n"
    for line in _session_lines(catalog, data):
        yield f"{separator}    {_dumps(_line_json(line))}"
        separator = ",\n"
    yield "\n  ],\n" if separator != "\n" else "],\n"
    yield '  "interactions": ['
    separator = "\n"
    for interaction in data.interactions:
        yield f"{separator}    {_object(_interaction_json(interaction), 2)}"
        separator = ",\n"
    yield "\n  ]\n}\n" if separator != "\n" else "]\n}\n"


def _session_json(catalog: Catalog, data: _Session) -> dict[str, Any]:
    s = data.summary
    return {**s.to_json(), "interactions_file": _relative(catalog, s.interactions_file),
            "app_logs": _app_log_names(catalog, data)}


def _line_json(line: LogLine) -> dict[str, Any]:
    head = line.head or line.record_head
    return {
        "source": line.source,
        "line_number": line.line_number + 1,
        "session_id": line.session_id,
        "timestamp": iso_time(line.timestamp),
        "level": head.level if head else None,
        "logger": head.logger if head else None,
        "text": line.text,
        "continuation": line.is_continuation,
    }


def _interaction_json(interaction: Interaction) -> dict[str, Any]:
    usage = interaction.usage
    return {
        "number": interaction.number,
        "line_number": interaction.line_number,
        "timestamp": iso_time(interaction.timestamp),
        "provider": interaction.provider,
        "model": interaction.model,
        "shape": interaction.shape,
        "status": interaction.status,
        "usage": {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "total_tokens": usage.total,
        },
        "duration_ms": interaction.duration_ms,
        "error": interaction.error,
        "parse_error": interaction.parse_error,
        "messages": [_message_json(m) for m in interaction.messages],
        "output_text": interaction.output_text,
        "output_tool_calls": [_tool_call_json(c) for c in interaction.output_tool_calls],
        "raw": interaction.raw,
        "raw_text": interaction.raw_text if interaction.parse_error is not None else None,
    }


def _message_json(message: Message) -> dict[str, Any]:
    return {
        "role": message.role,
        "name": message.name,
        "tool_call_id": message.tool_call_id,
        "text": message.text,
        "tool_calls": [_tool_call_json(c) for c in message.tool_calls],
        "is_error": message.is_error,
    }


def _tool_call_json(call: ToolCall) -> dict[str, Any]:
    return {"id": call.id, "name": call.name, "arguments": call.arguments}


# Outside strings, json.dumps writes non-finite numbers as bare NaN/Infinity tokens.
_NON_FINITE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|(-?Infinity|NaN)')
_SURROGATE = re.compile("[\ud800-\udfff]")


def _object(value: dict[str, Any], level: int) -> str:
    """A JSON object with one key per line, each value on one line (the fast encoder)."""
    inner = "  " * (level + 1)
    items = ",\n".join(f"{inner}{_dumps(key)}: {_dumps(item)}" for key, item in value.items())
    return "{\n" + items + "\n" + "  " * level + "}"


def _dumps(value: Any, *, indent: int | None = None) -> str:
    """``value`` as JSON text: always valid JSON, and encodable as UTF-8."""
    try:
        text = json.dumps(value, ensure_ascii=False, indent=indent, allow_nan=False)
    except ValueError:  # a NaN or an infinity somewhere
        text = _dumps_with_nan(value, indent)
    except RecursionError:  # too deep for the indenting encoder: the flat one copes
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        except ValueError:
            text = _dumps_with_nan(value, None)
    if _SURROGATE.search(text):
        text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text


def _dumps_with_nan(value: Any, indent: int | None) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, indent=indent)
    except RecursionError:
        text = json.dumps(value, ensure_ascii=False)
    return _NON_FINITE.sub(lambda m: "null" if m.group(1) else m.group(0), text)


def _pretty_json(value: Any) -> str:
    return _dumps(value, indent=2)
