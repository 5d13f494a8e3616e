"""The interactions pane: one table row per line of a session's JSONL file.

A ``DataTable`` rather than a Line-API view: a session's interactions are already
parsed objects in memory (tens to a few thousand per session, not millions of
lines), and the table brings column sizing, zebra rows, the row cursor, mouse
support and its own Line-API rendering for free.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.scrollbar import ScrollTo, ScrollUp
from textual.widgets import DataTable

from session_explorer.core.models import Interaction
from session_explorer.ui import render
from session_explorer.ui.widgets.follow import FollowChanged

class InteractionsView(DataTable):
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

    Component classes are DataTable's (`datatable--cursor`, `datatable--even-row`, ...).
    The last column (the start of the last user message) is cut at the pane's edge.
    A narrow pane gets fewer columns (see ``render.INTERACTION_LAYOUTS``): the token
    counts merge into one, then the time goes; the status always shows.
    """

    DEFAULT_CSS = """
    InteractionsView {
        overflow-x: hidden;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="interactions.cursor_down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="interactions.cursor_up"),
        Binding("g,home", "first", "First", show=False, id="interactions.first"),
        Binding("G,end", "last", "Last", show=False, id="interactions.last"),
        Binding("f", "toggle_follow", "Follow", id="interactions.follow"),
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
            cells = render.interaction_cells(interaction, self._columns)
            row = self._rows.get(interaction.line_number)
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
        self.border_title = self._totals.title()
        return added

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
            self._rows[interaction.line_number] = len(self._interactions)
            self._interactions.append(interaction)
            cells = render.interaction_cells(interaction, columns)
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
