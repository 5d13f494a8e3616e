"""The sessions pane's rows: badges, live markers, the prompt line, cut to the width
they are drawn at."""

from __future__ import annotations

from datetime import date, datetime

from rich.style import Style
from rich.text import Text

from session_explorer.core.models import (
    IN_PROGRESS,
    SessionSummary,
)
from session_explorer.ui.render.log_lines import DATE_FORMAT, TIME_FORMAT, append_visible, session_color

# --- sessions -------------------------------------------------------------------

LIVE_MARKER = "●"
ERROR_BADGE = "✖"
WARNING_BADGE = "▲"
ALL_LINES_LABEL = "All lines"

DIM = Style(dim=True)
ERROR_STYLE = Style(color="red", bold=True)
WARNING_STYLE = Style(color="yellow", bold=True)
LIVE_STYLE = Style(color="green", bold=True)
OK_STYLE = Style(color="green")


def badges(errors: int, warnings: int, *, compact: bool = False) -> Text:
    """``✖ 2 ▲ 3`` (compact: ``✖2 ▲3``): errors in red, warnings in yellow; empty when both are zero."""
    gap = "" if compact else " "
    text = Text(end="")
    if errors:
        text.append(f"{ERROR_BADGE}{gap}{errors}", ERROR_STYLE)
    if warnings:
        if errors:
            text.append(" ", ERROR_STYLE)
        text.append(f"{WARNING_BADGE}{gap}{warnings}", WARNING_STYLE)
    return text


#: The smallest room worth showing a cut optional part in (``cl…``).
_MIN_CUT = 4
_sep_style = DIM


def _cut(text: Text, width: int) -> Text:
    """``text`` in at most ``width`` cells, ending in ``…`` when cut."""
    if text.cell_len <= width:
        return text
    cut = text.copy()
    cut.truncate(max(0, width), overflow="ellipsis")
    return cut


def _cut_left(text: Text, width: int) -> Text:
    """``text`` in at most ``width`` cells, keeping its end (``…085959_2``)."""
    if text.cell_len <= width or width <= 1:
        return _cut(text, width)
    plain = text.plain
    start = len(plain)
    while start > 0 and Text(plain[start - 1 :]).cell_len <= width - 1:
        start -= 1
    cut = Text("…", style=text.spans[0].style if text.spans else "", end="")
    cut.append_text(text[start:])
    return cut


def _join_parts(row: Text, parts: list[tuple[Text, bool]], width: int | None) -> None:
    """Append ``parts`` to ``row`` separated by `` · ``, as many as fit in ``width``.

    A part is ``(text, required)``; an optional part that does not fit is cut (or
    left out, with the parts after it, when there is not room for a few cells of it).
    """
    first = True
    previous = Text()
    used = Text(row.plain.rsplit("\n", 1)[-1]).cell_len  # cells of the row's last line
    for text, required in parts:
        if not text:
            continue
        separator = 0 if first else 3
        if width is not None:
            room = width - used - separator
            if text.cell_len > room:
                if room < (1 if required else _MIN_CUT):
                    break
                text = _cut(text, room)
        if not first:
            # The blank before the dot goes with the part before it.
            row.append(" ", previous.spans[-1].style if previous.spans else previous.style)
            row.append("· ", _sep_style)
        row.append_text(text)
        used += separator + text.cell_len
        first, previous = False, text
        if width is not None and used >= width:
            break


def _when(moment: datetime, newest_day: date | None) -> str:
    """``08:25:21`` on the newest session's day, else ``11-12 08:59`` (``2024-11-12``)."""
    if newest_day is None or moment.date() == newest_day:
        return moment.strftime(TIME_FORMAT)
    if moment.year == newest_day.year:
        return moment.strftime("%m-%d %H:%M")
    return moment.strftime(DATE_FORMAT)


def session_prompt(
    summary: SessionSummary, *, newest_day: date | None, width: int | None = None
) -> Text:
    """The two rows of a session in the session list, laid out for ``width`` cells.

    Row 1: the live marker, the id and the error/warning badges (right-aligned).
    Row 2: when it started · how many LLM calls · flags · the main model.
    The id and the badges are never cut while there is room for them: the model
    goes first, then the flags; badges that do not fit beside the id start row 2.
    ``width`` None lays the rows out without a limit (and without right-aligning).
    """
    in_progress = summary.id == IN_PROGRESS
    text = Text(no_wrap=True, overflow="crop", end="")
    text.append(f"{LIVE_MARKER} " if summary.growing else "  ", LIVE_STYLE)
    # Lines outside any session: no colour of their own.
    id_style = DIM + Style(italic=True) if in_progress else Style(color=session_color(summary.id))
    ident = Text(end="")
    append_visible(ident, summary.id, id_style, DIM + Style(reverse=True))
    marks = badges(summary.errors, summary.warnings)
    carried: Text | None = None
    if width is None:
        text.append_text(ident)
        if marks:
            text.append("  ")
            text.append_text(marks)
    else:
        room = width - text.cell_len
        compact = badges(summary.errors, summary.warnings, compact=True)
        if not marks or ident.cell_len + 2 + marks.cell_len <= room:
            shown, gap = marks, 2
        elif ident.cell_len + 1 + compact.cell_len <= room:
            shown, gap = compact, 1
        else:
            shown, gap, carried = Text(), 0, compact
        ident = _cut_left(ident, room)
        text.append_text(ident)
        if shown:
            text.append(" " * max(gap, room - ident.cell_len - shown.cell_len))
            text.append_text(shown)
    text.append("\n  ")
    parts: list[tuple[Text, bool]] = []
    if carried is not None:
        parts.append((carried, True))
    when = Text(_when(summary.start, newest_day), end="") if summary.start is not None else Text()
    italic = DIM + Style(italic=True)
    if in_progress:  # what it is says more than when it started
        parts.append((Text("outside any session", italic, end=""), True))
        parts.append((when, False))
    elif summary.in_app_log and summary.interactions_file is None:
        parts += [(when, True), (Text("log only", italic, end=""), True)]
    else:
        count = summary.interactions
        parts += [(when, True), (Text(f"{count} call{'s' if count != 1 else ''}", DIM, end=""), True)]
    if summary.malformed:
        parts.append((Text(f"{summary.malformed} malformed", WARNING_STYLE, end=""), False))
    if summary.interactions_file is not None and not summary.in_app_log:
        parts.append((Text("no log", italic, end=""), False))
    if summary.main_model and not in_progress:
        model = Text(end="")
        append_visible(model, summary.main_model, Style(), DIM)
        parts.append((model, False))
    _join_parts(text, parts, None if width is None else width)
    return text


def all_lines_prompt(line_count: int | None = None, *, width: int | None = None) -> Text:
    """The first row of the session list: the whole app log."""
    text = Text(no_wrap=True, overflow="crop", end="")
    text.append("≡ ", DIM)
    text.append(ALL_LINES_LABEL, Style(bold=True))
    text.append("\n  ")
    parts = [(Text("the whole app log", DIM, end=""), False)]
    if line_count is not None:
        count = Text(f"{line_count:,} line{'s' if line_count != 1 else ''}", DIM, end="")
        if width is not None and 2 + 20 + count.cell_len > width:
            parts = []  # too narrow for both: the count says more
        parts.append((count, True))
    _join_parts(text, parts, width)
    return text
