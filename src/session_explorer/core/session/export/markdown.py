"""The Markdown transcript of a session: header, warnings and errors, then the
interactions with the log lines logged around each."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from session_explorer.core.session.catalog import Catalog

from session_explorer.core.levels import is_error, severity
from session_explorer.core.models import Interaction, LogLine, Message, ToolCall
from session_explorer.core.reading.timeline import (
    effective_time,
)
from session_explorer.core.session.export.constants import ERROR_MARK, SNIPPET_CHARS, WARNING_MARK, ExportError
from session_explorer.core.session.export.gather import Notable, SessionData, app_log_names, relative, session_lines
from session_explorer.core.session.export.json_bundle import pretty_json
from session_explorer.core.text import make_visible

# --------------------------------------------------------------------------- Markdown


def markdown_bundle(catalog: Catalog, data: SessionData) -> Iterator[str]:
    with_date = _spans_days(data)
    yield from _md_header(catalog, data)
    yield from _md_notable(data, with_date)
    yield "## Timeline\n\n"
    if not data.items:
        yield "_Nothing was logged in this session._\n"
        return
    lines = session_lines(catalog, data)
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


def _md_header(catalog: Catalog, data: SessionData) -> Iterator[str]:
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
    files = app_log_names(catalog, data)
    if s.interactions_file is not None:
        files.append(relative(catalog, s.interactions_file) or "")
    out.append(f"- **Files:** {_code_list(files)}\n\n")
    yield "".join(out)


def _md_notable(data: SessionData, with_date: bool) -> Iterator[str]:
    found: list[Notable] = []
    for line, more in data.notable_lines:
        head = line.head
        assert head is not None
        mark = ERROR_MARK if is_error(head.level) else WARNING_MARK
        logger = f" {_code(head.logger)}" if head.logger else ""
        extra = f" (+{_plural(more, 'more line')})" if more else ""
        found.append(Notable(head.timestamp, mark, f"{_code(head.level)}{logger}:", head.message, extra))
    for index, interaction in enumerate(data.interactions):
        label = f"interaction {interaction.number}"
        if interaction.parse_error is not None:
            found.append(
                Notable(None, ERROR_MARK, f"{label}: malformed JSONL line {interaction.line_number}:",
                         interaction.parse_error)
            )
            continue
        if interaction.error:
            found.append(Notable(interaction.timestamp, ERROR_MARK, f"{label} failed:", interaction.error))
        for message in interaction.messages[data.shown_from.get(index, 0):]:
            if message.is_error:
                name = f" {_code(message.name)}" if message.name else ""
                role = "tool result" if message.role == "tool" else f"{message.role} message"
                found.append(Notable(interaction.timestamp, ERROR_MARK, f"{label}: {role}{name} is an error:",
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
    data: SessionData,
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


def _md_interaction(catalog: Catalog, data: SessionData, index: int, with_date: bool) -> Iterator[str]:
    interaction = data.interactions[index]
    when = f" · {_clock(interaction.timestamp, with_date)}" if interaction.timestamp else ""
    status = interaction.status
    mark = f"{ERROR_MARK} " if status != "ok" else ""
    yield f"### Interaction {interaction.number}{when} · {mark}{status}\n\n"
    where = f"{_code(relative(catalog, data.summary.interactions_file) or '?')} line {interaction.line_number}"
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
        yield _fence(make_visible(pretty_json(call.arguments)), "json")


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


def _spans_days(data: SessionData) -> bool:
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
