"""Pilot tests of the app-log pane over an in-memory LineSource."""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult

from session_explorer.ui.render import PLACEHOLDER, TRUNCATED_MARKER
from session_explorer.ui.widgets import LogView
from tests.ui.helpers import (
    GatedSource,
    ListLineSource,
    continuation_line,
    head_line,
    numbered_lines,
)

SIZE = (100, 20)


class LogApp(App[None]):
    """A screen with only the log view (18 rows inside its border)."""

    CSS = "LogView { border: round $border; height: 1fr; }"

    def __init__(self, source: ListLineSource, *, follow: bool = True, **options: object) -> None:
        super().__init__()
        self.source = source
        self.follow = follow
        self.options = options
        self.messages: list[object] = []

    def compose(self) -> ComposeResult:
        yield LogView(self.source, follow=self.follow, **self.options)  # type: ignore[arg-type]  # the test's options

    def on_log_view_cursor_moved(self, message: LogView.CursorMoved) -> None:
        self.messages.append(message)

    def on_log_view_follow_changed(self, message: LogView.FollowChanged) -> None:
        self.messages.append(message)


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]  # a Textual pilot
    """Let page loads finish and the screen repaint."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def rows(view: LogView) -> list[str]:
    return [view.render_line(y).text for y in range(view.scrollable_content_region.height)]


async def test_keys_move_the_cursor() -> None:
    app = LogApp(ListLineSource(numbered_lines(100)), follow=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.focus()
        await settle(pilot)
        assert view.cursor_line == 0
        await pilot.press("j", "j", "down")
        assert view.cursor_line == 3
        await pilot.press("k")
        assert view.cursor_line == 2
        await pilot.press("pagedown")
        page = view.scrollable_content_region.height
        assert view.cursor_line == 2 + page
        assert view.scroll_offset.y <= view.cursor_line < view.scroll_offset.y + page
        await pilot.press("G")
        assert view.cursor_line == 99 and view.follow
        await pilot.press("g")
        assert view.cursor_line == 0 and view.scroll_offset.y == 0 and not view.follow
        await settle(pilot)
        moved = [m for m in app.messages if isinstance(m, LogView.CursorMoved)]
        assert moved[-1].line_number == 0 and moved[-1].line is not None
        assert moved[-1].line.head.message == "message 0"


async def test_following_keeps_the_newest_line_in_view() -> None:
    source = ListLineSource(numbered_lines(50))
    app = LogApp(source)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        await settle(pilot)
        assert view.cursor_line == 49
        assert "message 49" in rows(view)[-1]
        for _ in range(3):
            source.append(7)
            view.source_grew()
            await settle(pilot)
        assert view.cursor_line == 70
        assert view.scroll_offset.y == view.max_scroll_y
        assert "message 70" in rows(view)[-1]
        assert not view.border_subtitle


async def test_scrolling_up_pauses_follow_and_counts_new_lines() -> None:
    source = ListLineSource(numbered_lines(50))
    app = LogApp(source)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.focus()
        await settle(pilot)
        await pilot.press("k")
        assert not view.follow
        top = view.scroll_offset.y
        source.append(5)
        view.source_grew()
        await settle(pilot)
        assert view.scroll_offset.y == top
        assert view.cursor_line == 48
        assert view.new_lines == 5 and view.border_subtitle == "+5 new"
        source.append(2)
        view.source_grew()
        assert view.border_subtitle == "+7 new"
        await pilot.press("G")
        await settle(pilot)
        assert view.follow and view.cursor_line == 56
        assert not view.border_subtitle and "message 56" in rows(view)[-1]
        changes = [m.follow for m in app.messages if isinstance(m, LogView.FollowChanged)]
        assert changes == [False, True]


async def test_wheel_up_pauses_follow_and_f_resumes() -> None:
    app = LogApp(ListLineSource(numbered_lines(80)))
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.focus()
        await settle(pilot)
        view.post_message(events.MouseScrollUp(view, 5, 5, 0, -1, 0, False, False, False))
        await settle(pilot)
        assert not view.follow
        assert view.scroll_offset.y < view.max_scroll_y
        await pilot.press("f")
        assert view.follow and view.cursor_line == 79
        assert view.scroll_offset.y == view.max_scroll_y


async def test_click_selects_the_clicked_line() -> None:
    app = LogApp(ListLineSource(numbered_lines(10)))
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        await settle(pilot)
        await pilot.click(LogView, offset=(5, 1 + 3))  # border row, then line 3
        assert view.cursor_line == 3
        assert not view.follow


async def test_markup_and_escapes_are_shown_literally() -> None:
    lines = [
        head_line(0, "[bold]not bold[/bold] \x1b[31mred\x1b[0m\ttab\x00nul", level="WARNING"),
        head_line(1, "y" * 400, level="DEBUG"),
    ]
    error = head_line(2, "failed", level="ERROR")
    lines += [error, continuation_line(3, b"  bad bytes \xff\xfe end", error)]
    app = LogApp(ListLineSource(lines), follow=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        await settle(pilot)
        first, long, _, continuation = rows(view)[:4]
        assert "[bold]not bold[/bold] ␛[31mred␛[0m" in first
        assert "\x1b" not in first and "\x00" not in first and "\t" not in first
        assert "tab␀nul" in first
        assert long.endswith(TRUNCATED_MARKER)
        assert "WARNING" in first and "…ai.tools.weather" in first
        assert continuation.startswith(" " * 13) and "\ufffd\ufffd end" in continuation
        await pilot.press("right")
        assert view.scroll_offset.x == 8


async def test_wrap_toggle_shows_long_lines_on_several_rows() -> None:
    long = "word " * 60  # 300 cells: four rows in a 98-cell pane
    lines = [*numbered_lines(3), head_line(3, long), *numbered_lines(2, start=4)]
    app = LogApp(ListLineSource(lines), follow=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.focus()
        await settle(pilot)
        assert rows(view)[4].startswith("14:30:56.123")  # one row per line
        await pilot.press("w")
        await settle(pilot)
        assert view.wrap and view.scroll_offset.x == 0
        wrapped = rows(view)
        assert wrapped[3].startswith("14:30:55.123")
        assert wrapped[9].startswith("14:30:56.123")  # 11 words a row: six rows
        indent = " " * 43  # wrapped rows start under the message column
        assert all(row.startswith(indent + "word") for row in wrapped[4:9])
        assert "".join(wrapped[3:9]).count("word") == 60
        await pilot.press("w")
        await settle(pilot)
        assert not view.wrap and rows(view)[4].startswith("14:30:56.123")


async def test_following_while_wrapping_keeps_the_last_line_at_the_bottom() -> None:
    source = ListLineSource(numbered_lines(30))
    source.lines += [head_line(30, "long " * 100), head_line(31, "last line")]
    app = LogApp(source)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.focus()
        await pilot.press("w")
        await settle(pilot)
        shown = rows(view)
        assert "last line" in shown[-1]
        assert sum("long" in row for row in shown) == 10
        assert shown[0].startswith("14:31:15.123")  # line 23: 7 lines + 10 rows + 1
        assert view.max_scroll_y == view.scroll_offset.y == 23
        source.lines.append(head_line(32, "newer"))
        view.source_grew()
        await settle(pilot)
        assert "newer" in rows(view)[-1] and "last line" in rows(view)[-2]
        await pilot.press("g")
        assert view.scroll_offset.y == 0 and rows(view)[0].startswith("14:30:52.123")
        await pilot.press("G")
        assert "newer" in rows(view)[-1]


async def test_placeholder_until_the_page_is_read() -> None:
    source = GatedSource(numbered_lines(20))
    app = LogApp(source, follow=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        await pilot.pause()
        assert rows(view)[0].strip() == PLACEHOLDER
        assert view.cursor_log_line is None
        source.gate.set()
        await settle(pilot)
        assert rows(view)[0].startswith("14:30:52.123 INFO")
        assert source.reads == [(0, 20)]  # one read for the page, no duplicates
        moved = [m for m in app.messages if isinstance(m, LogView.CursorMoved)]
        assert [m.line is None for m in moved][-2:] == [True, False]


async def test_set_source_and_truncation() -> None:
    app = LogApp(ListLineSource(numbered_lines(40)))
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        await settle(pilot)
        other = ListLineSource(numbered_lines(5))
        view.set_source(other, follow=False, session_tags=True)
        await settle(pilot)
        assert view.cursor_line == 0 and not view.follow and view.line_count == 5
        assert rows(view)[0].startswith("143052 14:30:52.123")
        del other.lines[2:]
        view.source_grew()
        await settle(pilot)
        assert view.line_count == 2 and rows(view)[2].strip() == ""


def reworded(count: int, word: str) -> ListLineSource:
    """The same line numbers, other (wide) messages: a re-read that changed the lines."""
    return ListLineSource([head_line(n, f"{word} {n} " + "=" * 120) for n in range(count)])


async def test_replace_source_keeps_a_paused_position_and_the_badge() -> None:
    source = reworded(100, "message")
    app = LogApp(source, follow=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.focus()
        await settle(pilot)
        await pilot.press("pagedown", "pagedown", "j", "right")
        await settle(pilot)
        cursor, (x, y) = view.cursor_line, view.scroll_offset
        assert y > 0 and x == 8
        source.append(4)
        view.source_grew()
        assert view.border_subtitle == "+4 new"
        follow_messages = len([m for m in app.messages if isinstance(m, LogView.FollowChanged)])
        view.replace_source(reworded(150, "re-read"))  # the index completed: more lines
        await settle(pilot)
        assert not view.follow and view.line_count == 150
        assert view.cursor_line == cursor and view.scroll_offset == (x, y)
        assert view.border_subtitle == "+4 new"
        view.scroll_to(x=0, animate=False, force=True)
        await settle(pilot)
        assert f"re-read {y} " in rows(view)[0]  # the cached pages were dropped
        assert view.cursor_log_line is not None
        assert view.cursor_log_line.head.message.startswith(f"re-read {cursor} ")
        assert len([m for m in app.messages if isinstance(m, LogView.FollowChanged)]) == follow_messages
        view.replace_source(reworded(10, "rotated"))  # shrank: clamped, badge reset
        await settle(pilot)
        assert view.cursor_line == 9 and not view.follow and not view.border_subtitle
        assert view.scroll_offset.y == view.max_scroll_y == 0
        assert any("rotated 9 " in row for row in rows(view))


async def test_replace_source_while_following_goes_to_the_new_end() -> None:
    old = GatedSource(numbered_lines(60))  # its reads are still in flight when replaced
    app = LogApp(old)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        await pilot.pause()
        view.replace_source(reworded(80, "fresh"))
        old.gate.set()
        await settle(pilot)
        assert view.follow and view.cursor_line == 79
        assert view.scroll_offset.y == view.max_scroll_y
        shown = rows(view)
        assert "fresh 79 " in shown[-1] and not any("message" in row for row in shown)


async def test_replace_source_while_wrapping_keeps_the_top_line() -> None:
    lines = [head_line(n, ("long " * 40) if n % 3 == 0 else f"short {n}") for n in range(60)]
    app = LogApp(ListLineSource(lines), follow=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.focus()
        await pilot.press("w")
        await settle(pilot)
        view.scroll_to(y=20, animate=False, force=True)
        await settle(pilot)
        longer = ListLineSource([*lines, head_line(60, "appended")])
        view.replace_source(longer)
        await settle(pilot)
        assert view.wrap and view.scroll_offset.y == 20
        assert rows(view)[0].startswith("14:31:12.123")  # line 20 still at the top


async def test_only_matching_lines_are_highlighted() -> None:
    app = LogApp(ListLineSource(numbered_lines(5)), follow=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        await settle(pilot)
        match = view.get_visual_style("log-view--match").rich_style

        def marked(line_number: int) -> list[str]:
            strip = view._line_strips(line_number, view._pages.get(line_number), 98)[0]
            return [s.text for s in strip if s.style and s.style.bgcolor == match.bgcolor]

        def spans(text: str) -> list[tuple[int, int]]:
            return [(i, i + 4) for i in range(len(text)) if text.startswith("INFO", i)]

        view.set_highlight(spans)
        assert marked(1) == ["INFO"] and marked(3) == ["INFO"]
        # Only the lines the search found are highlighted.
        view.set_highlight(spans, None, lambda raw: raw.endswith(b"message 3"))
        assert marked(1) == [] and marked(3) == ["INFO"]


async def test_reveal_while_wrapping_scrolls_the_lines_into_view() -> None:
    source = ListLineSource(numbered_lines(40))
    source.lines[10] = head_line(10, "long " * 100)  # ten rows
    app = LogApp(source, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.focus()
        await pilot.press("w")
        await settle(pilot)
        assert view.scroll_offset.y == view.max_scroll_y > 11
        view.reveal(11, 12)
        await settle(pilot)
        # Line 10 wraps: no line of context above, the marked lines start the pane.
        assert view.scroll_offset.y == 11 and not view.follow
        assert rows(view)[0].startswith("14:31:03.123") and "message 12" in rows(view)[1]
        view.reveal(9, 10)  # line 9 above the top: one line of context (8) then 9 and 10
        await settle(pilot)
        assert view.scroll_offset.y == 8
        assert sum("long" in row for row in rows(view)) == 10
        top = view.scroll_offset.y
        view.reveal(10, 10)  # all of it in view already
        assert view.scroll_offset.y == top
        view.reveal(16, 17)  # 17 is below the pane (line 10 takes ten of its 18 rows)
        await settle(pilot)
        assert view.scroll_offset.y == 15
