"""The explorer's few uses of Textual's private API still do what they did: this
fails loudly when an upgrade of Textual changes them (see
``ui/widgets/textual_private.py``)."""

from __future__ import annotations

import inspect

import textual
from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import DataTable

from session_explorer.ui.widgets.textual_private import set_virtual_size, settle_new_rows


def test_the_pinned_textual_is_installed() -> None:
    from importlib.metadata import version

    assert version("textual") == "8.2.8", "textual_private.py is checked against textual 8.2.8 only"
    assert textual.__name__ == "textual"


def test_the_private_names_exist() -> None:
    assert callable(getattr(Widget, "_scroll_update", None))
    assert list(inspect.signature(Widget._scroll_update).parameters) == ["self", "virtual_size"]
    assert callable(getattr(DataTable, "_update_dimensions", None))
    table = DataTable()
    assert hasattr(table, "_require_update_dimensions") and hasattr(table, "_new_rows")


class _Table(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()


async def test_new_rows_are_measured_at_once() -> None:
    app = _Table()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(DataTable)
        table.add_column("n")
        await pilot.pause()
        for n in range(30):
            table.add_row(str(n))
        assert table.virtual_size.height < 30
        settle_new_rows(table)
        assert table.virtual_size.height >= 30  # rows and header, before any idle
        table.move_cursor(row=29)
        assert table.scroll_y > 0


class _Scroll(App[None]):
    def compose(self) -> ComposeResult:
        from textual.scroll_view import ScrollView

        yield ScrollView()


async def test_virtual_size_is_set_without_a_layout() -> None:
    app = _Scroll()
    async with app.run_test(size=(40, 8)) as pilot:
        from textual.scroll_view import ScrollView

        view = app.query_one(ScrollView)
        await pilot.pause()
        set_virtual_size(view, Size(100, 500))
        assert view.virtual_size == Size(100, 500)
        assert view.max_scroll_y > 0
