"""The few places where the explorer goes past Textual's public API, in one file.

Each works around a cost or a delay that the public API has for a live view, and
is pinned to the Textual version in ``pyproject.toml``; ``tests/ui/test_textual_private.py``
fails loudly when an upgrade changes what these rely on.

* :func:`set_virtual_size` sets a scroll view's virtual size without laying the
  whole screen out again (a live log grows by a line many times a second).
* :func:`settle_new_rows` makes a ``DataTable`` measure its new rows now rather
  than when its app is next idle, so that a new row can be scrolled to at once (a
  busy app is rarely idle: the interactions pane would show a new interaction late,
  or not scroll to it).
* :class:`QuietVirtualSize` gives a widget (the interactions table) a virtual size
  whose changes update its scrollbars and repaint it, without a layout of the
  screen (some 30 ms with the panes the explorer shows, for every new row).
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import DataTable


def set_virtual_size(widget: Widget, size: Size) -> None:
    """``widget.virtual_size = size`` without a layout of the screen."""
    widget.set_reactive(Widget.virtual_size, size)
    widget._scroll_update(size)  # see the module docstring


def settle_new_rows(table: DataTable) -> None:
    """Measure rows added since the table was last idle (see the module docstring)."""
    if table._require_update_dimensions:
        table._require_update_dimensions = False
        new_rows = table._new_rows.copy()
        table._new_rows.clear()
        table._update_dimensions(new_rows)


class QuietVirtualSize:
    """Mixin (before the widget class): see the module docstring."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def watch_virtual_size(self, size: Size) -> None:
        self._scroll_update(size)  # type: ignore[attr-defined]  # the widget class mixed with has it
