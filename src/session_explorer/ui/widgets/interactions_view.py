"""The interactions pane: one table row per line of a session's JSONL file.

A ``DataTable`` rather than a Line-API view: a session's interactions are already
parsed objects in memory (tens to a few thousand per session, not millions of
lines), and the table brings column sizing, zebra rows, the row cursor, mouse
support and its own Line-API rendering for free.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.scrollbar import ScrollTo, ScrollUp
from textual.widgets import DataTable

from session_explorer.core.interactions.search import interaction_matches, matching_interactions
from session_explorer.core.models import Interaction
from session_explorer.core.query import Query
from session_explorer.ui import render
from session_explorer.ui.widgets.follow import FollowChanged
from session_explorer.ui.widgets.textual_private import QuietVirtualSize, settle_new_rows


def find_interactions(
    query: Query,
    interactions: Sequence[Interaction],
    *,
    cancel: threading.Event | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[int]:
    """The interactions ``query`` matches, by their row in the pane and their
    content, as the pane's search finds them (for a thread worker)."""
    return matching_interactions(
        query, interactions, render.interaction_row_texts, cancel=cancel, progress=progress
    )


class InteractionsView(QuietVirtualSize, DataTable):
    """The interactions of one session, with totals in the border title.

    | Key(s) | Id | Description |
    | :- | :- | :- |
    | j, down | `interactions.cursor_down` | Next interaction. |
    | k, up | `interactions.cursor_up` | Previous interaction (pauses follow). |
    | pagedown, pageup | | Move a page (DataTable; pageup pauses follow). |
    | g, home | `interactions.first` | First interaction (pauses follow). |
    | G, end | `interactions.last` | Last interaction and follow. |
    | f | `interactions.follow` | Toggle follow. |
    | enter | | Open the highlighted interaction (`Opened`). |

    As in the log pane, rows that arrive while follow is paused are counted in a
    ``+N new`` badge (the border subtitle), and turning follow on or off posts
    :class:`FollowChanged`.

    A search (:meth:`set_search`, the app's ``/``) matches an interaction by its row
    and its content (see :mod:`session_explorer.core.interactions.search`): each
    matching row has its number and the matched text in its cells highlighted, the
    border title counts the matches (``· 2/5 matches``), :meth:`step_match` moves
    the cursor from match to match, and interactions that arrive later are matched
    as they come.

    | Class | Description |
    | :- | :- |
    | `interactions-view--match` | A search match (and the number of a matching row). |
    | `interactions-view--match-current` | The current match's row. |

    The other component classes are DataTable's (`datatable--cursor`, `datatable--even-row`, ...).
    The last column (the start of the last user message) is cut at the pane's edge.
    A narrow pane gets fewer columns (see ``render.INTERACTION_LAYOUTS``): the token
    counts merge into one, then the time goes; the status always shows.
    """

    DEFAULT_CSS = """
    InteractionsView {
        overflow-x: hidden;
        & > .interactions-view--match { background: $warning 35%; color: $foreground; }
        & > .interactions-view--match-current { background: $warning; color: $background; text-style: bold; }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = DataTable.COMPONENT_CLASSES | {
        "interactions-view--match",
        "interactions-view--match-current",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="interactions.cursor_down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="interactions.cursor_up"),
        Binding("g,home", "first", "First", show=False, id="interactions.first"),
        Binding("G,end", "last", "Last", show=False, id="interactions.last"),
        Binding("f", "toggle_follow", "Follow", id="interactions.follow"),
        Binding("pagedown", "page_down", "Page down", show=False, id="interactions.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="interactions.page_up"),
        Binding("enter", "select_cursor", "Open", show=False, id="interactions.open"),
    ]

    follow: reactive[bool] = reactive(True, init=False)
    """Keep the cursor on the newest interaction as interactions arrive."""
    new_rows: reactive[int] = reactive(0, init=False)
    """Interactions that arrived while follow was paused (the badge)."""

    class Selected(Message):
        """The highlighted interaction changed."""

        def __init__(self, view: InteractionsView, interaction: Interaction) -> None:
            super().__init__()
            self.view = view
            self.interaction = interaction

        @property
        def control(self) -> InteractionsView:
            return self.view

    class FollowChanged(FollowChanged):
        """Follow was turned on or off in this pane."""

    class Opened(Selected):
        """Enter (or a second click) on an interaction."""

    def __init__(
        self,
        *,
        follow: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(
            name=name,
            id=id,
            classes=classes,
            disabled=disabled,
            cursor_type="row",
            zebra_stripes=True,
            cursor_foreground_priority="renderable",
        )
        self._interactions: list[Interaction] = []
        self._rows: dict[int, int] = {}  # JSONL line number -> row index
        self._totals = render.InteractionTotals()
        self._unfinished = 0  # bytes of a last JSONL line without its line end
        # The search: its query, the matching rows (ascending) and the current one.
        self._query: Query | None = None
        self._matches: list[int] = []
        self._matched: set[int] = set()
        self._current: int | None = None
        self._match_styles: tuple[Style, Style] | None = None
        self.set_reactive(InteractionsView.follow, follow)
        self._columns = render.WIDE_INTERACTION_COLUMNS
        for key, label in self._columns:
            self.add_column(label, key=key)
        self.border_title = self._totals.title()

    # --- public API ---------------------------------------------------------

    @property
    def interactions(self) -> Sequence[Interaction]:
        return self._interactions

    @property
    def highlighted_interaction(self) -> Interaction | None:
        if not self._interactions:
            return None
        return self._interactions[min(self.cursor_row, len(self._interactions) - 1)]

    def set_interactions(self, interactions: Iterable[Interaction]) -> None:
        """Show another session's interactions (cursor on the last when following)."""
        # Columns are made anew too, so that their widths fit this session's rows.
        self.clear(columns=True)
        for key, label in self._columns:
            self.add_column(label, key=key)
        self._interactions = []
        self._rows = {}
        self._totals = render.InteractionTotals()
        self.new_rows = 0
        self._matches, self._matched, self._current = [], set(), None
        self._append(interactions)
        if self.follow:
            self._go_to_end()
        elif self._interactions:
            self.move_cursor(row=0)

    def add_interactions(self, interactions: Iterable[Interaction]) -> None:
        """Append new interactions; one already shown (same JSONL line) is updated.

        The cursor stays on its interaction, or goes to the newest when following;
        not following, the new rows are counted in the badge.
        """
        added = self._append(interactions)
        if self.follow:
            self._go_to_end()
        elif added:
            self.new_rows += added

    # --- search -------------------------------------------------------------

    @property
    def search_query(self) -> Query | None:
        """The query of the search shown, or None."""
        return self._query

    @property
    def matches(self) -> list[int]:
        """The rows that match the search, ascending."""
        return list(self._matches)

    @property
    def match_count(self) -> int:
        return len(self._matches)

    @property
    def current_match(self) -> int | None:
        """The row of the current match (the one the count's position names)."""
        return self._current

    def find_matches(self, query: Query, *, known: list[int] | None = None, searched: int = 0) -> list[int]:
        """The rows that ``query`` matches (nothing is shown): ``known``, the matches
        among the first ``searched`` rows (found by :func:`find_interactions`), and
        those of the rows after them."""
        rest = matching_interactions(query, self._interactions[searched:], render.interaction_row_texts)
        return [*(known or ()), *(searched + n for n in rest)]

    def set_search(self, query: Query, matches: list[int] | None = None, *, move: bool = True) -> None:
        """Show the search for ``query`` (``matches``: its rows, when already found) and
        (with ``move``) go to its first match: the last when following, else the first
        from the cursor."""
        shown = self._matches
        self._query = query
        self._matches = sorted(self.find_matches(query) if matches is None else matches)
        self._matched = set(self._matches)
        self._current = None
        self._restyle_rows(sorted({*shown, *self._matches}))
        if self._matches and move:
            if self.follow:
                row = self._matches[-1]
            else:
                row = next((n for n in self._matches if n >= self.cursor_row), self._matches[0])
            self._go_to_match(row)
        self._update_title()

    def step_match(self, step: int) -> None:
        """Go to the next (``step`` 1) or previous (-1) match from the cursor, wrapping."""
        if not self._matches:
            return
        row = self.cursor_row
        if step > 0:
            target = next((n for n in self._matches if n > row), self._matches[0])
        else:
            target = next((n for n in reversed(self._matches) if n < row), self._matches[-1])
        self._go_to_match(target)
        self._update_title()

    def clear_search(self) -> None:
        """Stop showing the search."""
        if self._query is None:
            return
        shown = self._matches
        self._query, self._matches, self._matched, self._current = None, [], set(), None
        self._restyle_rows(shown)
        self._update_title()

    def _go_to_match(self, row: int) -> None:
        previous, self._current = self._current, row
        self._restyle_rows([r for r in (previous, row) if r is not None])
        if row < len(self._interactions) - 1:
            self.follow = False  # a move to an earlier row, as with k or g
        self.move_cursor(row=row)

    # --- actions ------------------------------------------------------------

    def action_cursor_up(self) -> None:
        self.follow = False
        super().action_cursor_up()

    def action_page_up(self) -> None:
        self.follow = False
        super().action_page_up()

    def action_first(self) -> None:
        self.follow = False
        self.move_cursor(row=0)

    def action_last(self) -> None:
        if self.follow:
            self._go_to_end()
        else:
            self.follow = True

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow

    def watch_follow(self, follow: bool) -> None:
        if follow:
            self.new_rows = 0
            self._go_to_end()
        self.post_message(self.FollowChanged(self, follow))

    def watch_new_rows(self, count: int) -> None:
        self.border_subtitle = f"+{count} new" if count else ""

    # --- events -------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._fit_columns()

    def on_mount(self) -> None:
        self._fit_columns()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if self._query is not None and self._match_styles is not None:
            self.call_later(self._restyle_matches)

    def _restyle_matches(self) -> None:
        """The theme or the stylesheet changed: draw the matches in the new styles."""
        before = self._match_styles
        if self._query is not None and self._styles_of_matches() != before:
            self._restyle_rows(self._matches)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if not (event.ctrl or event.shift) and self.max_scroll_y > 0:
            self.follow = False

    def on_scroll_up(self, event: ScrollUp) -> None:
        self.follow = False  # the scrollbar's arrow or track, above the thumb

    def on_scroll_to(self, event: ScrollTo) -> None:
        if event.y is not None and event.y < self.scroll_y:  # the thumb dragged up
            self.follow = False

    def on_click(self, event: events.Click) -> None:
        row = event.style.meta.get("row")
        if isinstance(row, int) and 0 <= row < len(self._interactions) - 1:
            self.follow = False

    def _on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is not self:
            return
        if 0 <= event.cursor_row < len(self._interactions):
            self.post_message(self.Selected(self, self._interactions[event.cursor_row]))

    def _on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table is self and 0 <= event.cursor_row < len(self._interactions):
            self.post_message(self.Opened(self, self._interactions[event.cursor_row]))

    # --- internals ----------------------------------------------------------

    def _append(self, interactions: Iterable[Interaction]) -> int:
        """Add or update rows; the number of rows added."""
        added = 0
        for interaction in interactions:
            self._totals.add(interaction)
            row = self._rows.get(interaction.line_number)
            cells = self._cells(interaction, len(self._interactions) if row is None else row, match=True)
            if row is None:
                self._rows[interaction.line_number] = len(self._interactions)
                self._interactions.append(interaction)
                self.add_row(*cells, key=str(interaction.line_number))
                self._widen_columns(cells)
                added += 1
            else:
                self._interactions[row] = interaction
                for (key, _), cell in zip(self._columns, cells, strict=True):
                    self.update_cell(str(interaction.line_number), key, cell, update_width=True)
        if added:
            settle_new_rows(self)  # scrolled to at once, not when the app is next idle
        self._update_title()
        return added

    def _cells(self, interaction: Interaction, row: int, *, match: bool = False) -> tuple[Text, ...]:
        """The cells of ``row`` (``interaction``), highlighted when it matches the search.

        ``match``: a new or updated row, matched here (that is how interactions
        arriving during a search are counted); other rows keep what the search found.
        """
        cells = render.interaction_cells(interaction, self._columns)
        query = self._query
        if query is None:
            return cells
        if match:
            self._note_match(row, interaction_matches(query, interaction, render.interaction_row_texts(interaction)))
        if row not in self._matched:
            return cells
        match_style, current = self._styles_of_matches()
        return render.highlight_interaction_cells(
            cells, self._columns, query.spans, current if row == self._current else match_style
        )

    def _note_match(self, row: int, matches: bool) -> None:
        if matches and row not in self._matched:
            self._matched.add(row)
            bisect.insort(self._matches, row)
        elif not matches and row in self._matched:
            self._matched.discard(row)
            self._matches.remove(row)
            if self._current == row:
                self._current = None

    def _styles_of_matches(self) -> tuple[Style, Style]:
        styles = (
            self.get_component_rich_style("interactions-view--match"),
            self.get_component_rich_style("interactions-view--match-current"),
        )
        self._match_styles = styles
        return styles

    def _restyle_rows(self, rows: Iterable[int]) -> None:
        """Draw ``rows`` again (their highlights changed)."""
        for row in list(rows):
            if 0 <= row < len(self._interactions):
                interaction = self._interactions[row]
                cells = self._cells(interaction, row)
                for (key, _), cell in zip(self._columns, cells, strict=True):
                    self.update_cell(str(interaction.line_number), key, cell)

    def set_unfinished(self, nbytes: int) -> None:
        """Say that the file ends in a line without its line end (``nbytes`` long;
        0: it does not)."""
        if nbytes != self._unfinished:
            self._unfinished = nbytes
            self._update_title()

    def _update_title(self) -> None:
        title = self._totals.title()
        if self._unfinished:
            title += f" · last line unfinished ({self._unfinished:,} bytes, no line end)"
        if self._query is not None:
            count = len(self._matches)
            if not count:
                title += " · no matches"
            elif self._current in self._matched:
                title += f" · {self._matches.index(self._current) + 1}/{count} matches"
            else:
                title += f" · {count} matches"
        self.border_title = title

    def _widen_columns(self, cells: tuple[Text, ...]) -> None:
        """Size the columns for a new row now, not when the table is next idle, so
        that the table never shows cut cells in between (nor in a screenshot)."""
        for column, cell in zip(self.columns.values(), cells, strict=False):
            if column.auto_width and cell.cell_len > column.content_width:
                column.content_width = cell.cell_len

    def _fit_columns(self) -> None:
        """Show the columns that suit the pane's width (rows are rebuilt on a change)."""
        width = self.scrollable_content_region.width
        columns = render.interaction_columns(width) if width else self._columns
        if columns == self._columns:
            return
        self._columns = columns
        interactions, cursor = self._interactions, self.cursor_row
        self.clear(columns=True)
        for key, label in columns:
            self.add_column(label, key=key)
        self._interactions, self._rows = [], {}
        for interaction in interactions:
            row = len(self._interactions)
            self._rows[interaction.line_number] = row
            self._interactions.append(interaction)
            cells = self._cells(interaction, row)
            self.add_row(*cells, key=str(interaction.line_number))
            self._widen_columns(cells)
        if self._interactions:
            if self.follow:
                self._go_to_end()
            else:
                self.move_cursor(row=min(cursor, len(self._interactions) - 1))

    def _go_to_end(self) -> None:
        if self._interactions:
            self.move_cursor(row=len(self._interactions) - 1)
