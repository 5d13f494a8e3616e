"""The interactions pane's rows and totals: tokens, latency, models, status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from rich.style import Style
from rich.text import Text

from session_explorer.core.interactions.oneline import (
    INTERACTION_RULE,
    format_latency,
    format_tokens,
    interaction_summary,
    model_name,
)
from session_explorer.core.models import (
    Interaction,
)
from session_explorer.ui.render.log_lines import (
    DATE_FORMAT,
    DEFAULT_LOG_STYLES,
    SHORT_DATE_FORMAT,
    SHORT_DATE_WIDTH,
    TIME_FORMAT,
    Highlighter,
    LogColumns,
    LogStyles,
    append_visible,
    format_time,
    highlight_range,
)
from session_explorer.ui.render.sessions import DIM, ERROR_STYLE, OK_STYLE, WARNING_STYLE

# --- interactions ----------------------------------------------------------------

STATUS_STYLES: dict[str, Style] = {
    "ok": OK_STYLE,
    "error": ERROR_STYLE,
    "malformed": WARNING_STYLE,
}


def one_line(value: str, limit: int = 120) -> Text:
    """The start of a text on one line: line breaks become spaces, controls visible."""
    flat = " ".join(value.split("\n")).strip()
    cut = len(flat) > limit
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    append_visible(text, flat[:limit], Style(), DEFAULT_LOG_STYLES.control)
    if cut:
        text.append("…", DIM)
    return text


def _tokens_cell(interaction: Interaction) -> Text:
    """``1.2k/701``: the input and output tokens in one cell."""
    usage = interaction.usage
    text = Text(justify="right", end="")
    text.append(format_tokens(usage.input_tokens))
    text.append("/", DIM)
    text.append(format_tokens(usage.output_tokens))
    return text


#: A column of the interactions table: (key, label).
Column = tuple[str, str]

#: The interactions table's layouts, widest first: (least pane width, columns).
#: Narrower panes merge the token counts, drop the provider from the model and
#: then the time; the status always shows, the prompt comes last.
INTERACTION_LAYOUTS: tuple[tuple[int, tuple[Column, ...]], ...] = (
    (90, (("number", "#"), ("time", "time"), ("model", "model"), ("in", "in"), ("out", "out"),
          ("latency", "latency"), ("status", "status"), ("prompt", "last user message"))),
    (64, (("number", "#"), ("time", "time"), ("model", "model"), ("tokens", "in/out"),
          ("latency", "latency"), ("status", "status"), ("prompt", "last user message"))),
    (0, (("number", "#"), ("model", "model"), ("tokens", "in/out"),
         ("latency", "latency"), ("status", "status"), ("prompt", "last user message"))),
)
WIDE_INTERACTION_COLUMNS = INTERACTION_LAYOUTS[0][1]

#: Column labels of the widest layout, in the order of ``interaction_cells``.
INTERACTION_COLUMNS: tuple[str, ...] = tuple(label for _, label in WIDE_INTERACTION_COLUMNS)


def interaction_columns(width: int) -> tuple[Column, ...]:
    """The columns of the interactions table for a pane ``width`` cells wide."""
    for least, columns in INTERACTION_LAYOUTS:
        if width >= least:
            return columns
    return INTERACTION_LAYOUTS[-1][1]


def interaction_cells(
    interaction: Interaction, columns: tuple[Column, ...] = WIDE_INTERACTION_COLUMNS
) -> tuple[Text, ...]:
    """The cells of one row of the interactions table, in the order of ``columns``."""
    wide = columns == WIDE_INTERACTION_COLUMNS
    usage = interaction.usage
    status = interaction.status

    def prompt_cell() -> Text:
        prompt = interaction.last_user_text
        if interaction.parse_error is not None and not prompt:
            text = one_line(interaction.raw_text, 80)
            text.stylize(DIM)
            return text
        return one_line(prompt)

    def time_cell() -> Text:
        moment = interaction.timestamp
        return Text(moment.strftime(TIME_FORMAT) if moment else "-", DIM)

    makers: dict[str, Callable[[], Text]] = {
        "number": lambda: Text(str(interaction.number), justify="right"),
        "time": time_cell,
        "model": lambda: one_line(model_name(interaction, provider=wide) or "-", 40 if wide else 20),
        "in": lambda: Text(format_tokens(usage.input_tokens), justify="right"),
        "out": lambda: Text(format_tokens(usage.output_tokens), justify="right"),
        "tokens": lambda: _tokens_cell(interaction),
        "latency": lambda: Text(format_latency(interaction.duration_ms), justify="right"),
        "status": lambda: Text(status, STATUS_STYLES.get(status, Style())),
        "prompt": prompt_cell,
    }
    return tuple(makers[key]() for key, _ in columns)


def interaction_row_texts(interaction: Interaction) -> tuple[str, ...]:
    """The texts of an interaction's row as the table shows them, for a search: the
    cells of the widest layout, and the token counts as the narrower ones merge them."""
    cells = interaction_cells(interaction, WIDE_INTERACTION_COLUMNS)
    return (*(cell.plain for cell in cells), _tokens_cell(interaction).plain)


def highlight_interaction_cells(
    cells: tuple[Text, ...],
    columns: tuple[Column, ...],
    highlight: Highlighter,
    match_style: Style,
) -> tuple[Text, ...]:
    """The cells of a row that matches a search: the spans ``highlight`` finds in each
    cell drawn in ``match_style``, and the number cell wholly in it, so that a row
    matched by what it does not show (a message, a tool call) is marked too."""
    for (key, _), cell in zip(columns, cells, strict=True):
        if key == "number":
            cell.stylize(match_style)
        else:
            highlight_range(cell, 0, None, highlight, match_style)
    return cells


@dataclass(slots=True)
class InteractionTotals:
    """Running totals shown in the interactions pane's border title."""

    count: int = 0
    tokens: int = 0
    errors: int = 0
    malformed: int = 0
    _seen: dict[int, tuple[int, str]] = field(default_factory=dict, repr=False)

    def add(self, interaction: Interaction) -> None:
        """Count an interaction; a line seen before replaces its earlier version."""
        previous = self._seen.pop(interaction.line_number, None)
        if previous is not None:
            self._discount(*previous)
        tokens = interaction.usage.total or 0
        self._seen[interaction.line_number] = (tokens, interaction.status)
        self.count += 1
        self.tokens += tokens
        self.errors += interaction.status == "error"
        self.malformed += interaction.status == "malformed"

    def _discount(self, tokens: int, status: str) -> None:
        self.count -= 1
        self.tokens -= tokens
        self.errors -= status == "error"
        self.malformed -= status == "malformed"

    def title(self, label: str = "Interactions") -> str:
        """``Interactions 12 · 45.1k tok · 2 errors · 1 malformed``."""
        parts = [f"{label} {self.count}"]
        if self.tokens:
            parts.append(f"{format_tokens(self.tokens)} tok")
        if self.errors:
            parts.append(f"{self.errors} error{'s' if self.errors != 1 else ''}")
        if self.malformed:
            parts.append(f"{self.malformed} malformed")
        return " · ".join(parts)


def render_interaction_row(
    interaction: Interaction,
    *,
    columns: LogColumns,
    styles: LogStyles = DEFAULT_LOG_STYLES,
    reference_day: date | None = None,
    highlight: Highlighter | None = None,
    match_style: Style | None = None,
) -> Text:
    """An interaction as one row of the merged timeline: its time in the time column,
    then ``── #3 model · tokens · latency · status · "prompt"`` from the level column,
    in the interaction style (the status in its own colour)."""
    text = Text(no_wrap=True, end="")
    if columns.tag:
        text.append(" " * (columns.tag + 1))
    if columns.date:
        moment = interaction.timestamp
        day = ""
        if moment is not None:
            day = moment.strftime(SHORT_DATE_FORMAT if columns.date == SHORT_DATE_WIDTH else DATE_FORMAT)
        text.append(day.ljust(columns.date) + " ", styles.date)
    if interaction.timestamp is not None:
        stamp = format_time(interaction.timestamp, None if columns.date else reference_day)
        text.append(stamp[-columns.time:].ljust(columns.time) + " ", styles.time)
    else:
        text.append(" " * (columns.time + 1))
    text.append(INTERACTION_RULE + " ", styles.interaction)
    start = len(text)
    append_visible(text, interaction_summary(interaction), styles.interaction, styles.control)
    status = interaction.status
    status_style = STATUS_STYLES.get(status)
    if status_style is not None:
        plain = text.plain
        at = plain.find(f" · {status}", start)
        if at >= 0:  # the blank after it goes with it (no part starts with a blank)
            text.stylize(Style(color=status_style.color), at + 3, at + 4 + len(status))
    highlight_range(text, start, None, highlight, match_style)
    return text
