"""Which source line each row of a wrapping log view shows.

With wrapping on, the log view scrolls by *source line*: ``scroll_y`` is the line
at the top of the pane and the rows below are laid out from it, each line taking
as many rows as it wraps to. Only the lines around the viewport are ever measured
(a line that is not read yet counts as one row), so wrapping works at any log
size. The price: the scrollbar measures lines rather than rows, and a line taller
than the pane is cut to the pane's height (the detail view shows it whole).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable


class WrapLayout:
    """Rows of the viewport from a ``rows_of(line_number)`` measure."""

    def __init__(self, rows_of: Callable[[int], int]) -> None:
        self._rows_of = rows_of
        self._key: Hashable = None
        self._rows: list[tuple[int, int]] = []

    def viewport(
        self, top: int, height: int, line_count: int, key: Hashable
    ) -> list[tuple[int, int]]:
        """(line number, row within that line) for each row of the pane."""
        full_key = (top, height, line_count, key)
        if full_key != self._key:
            rows: list[tuple[int, int]] = []
            line = top
            while len(rows) < height and line < line_count:
                rows.extend((line, row) for row in range(self._rows_of(line)))
                line += 1
            self._rows = rows[:height]
            self._key = full_key
        return self._rows

    def shows_whole(self, line: int, top: int, height: int, line_count: int, key: Hashable) -> bool:
        """Whether the viewport from ``top`` shows every row of ``line``."""
        rows = self.viewport(top, height, line_count, key)
        if not rows or line < top:
            return False
        last_line, last_row = rows[-1]
        if last_line != line:
            return last_line > line
        return last_row == self._rows_of(line) - 1

    def top_for(self, line: int, height: int) -> int:
        """The lowest top line that still shows all of ``line`` at the bottom."""
        used = 0
        top = line
        while top >= 0:
            rows = self._rows_of(top)
            if used + rows > height and top != line:
                break
            used += rows
            top -= 1
        return top + 1

    def last_top(self, height: int, line_count: int) -> int:
        """The top line when the last line is at the bottom (the largest scroll)."""
        if line_count == 0 or height <= 0:
            return 0
        return self.top_for(line_count - 1, height)
