"""Pilot tests of the sessions pane."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import Button

from session_explorer.ui.widgets import SessionList
from session_explorer.ui.widgets.session_list import ALL_LINES_ID
from tests.ui.helpers import OTHER, SESSION, summary

NEWEST = "20251105_160000"
OLDEST = "20251104_090000"


class SessionsApp(App[None]):
    CSS = "SessionList { height: 1fr; }"

    def __init__(self) -> None:
        super().__init__()
        self.selected: list[str | None] = []

    def compose(self) -> ComposeResult:
        yield SessionList()

    def on_session_list_session_selected(self, message: SessionList.SessionSelected) -> None:
        self.selected.append(message.session_id)


def sessions() -> list:
    return [
        summary(NEWEST, 90, growing=True, errors=2, warnings=3),
        summary(OTHER, 30, interactions_file=None, interactions=0, models=()),
        summary(SESSION, 0, in_app_log=False),
        summary(OLDEST, -24 * 60),
    ]


def option_text(view: SessionList, index: int) -> str:
    return view.entry_text(index).plain


async def test_rows_show_badges_markers_and_dates() -> None:
    app = SessionsApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(SessionList)
        view.update_sessions(sessions(), all_lines_count=1234)
        await pilot.pause()
        assert "All lines" in option_text(view, 0) and "1,234 lines" in option_text(view, 0)
        newest = option_text(view, 1)
        assert newest.startswith("● 20251105_160000  ✖ 2 ▲ 3\n  16:00:52 · 3 calls · gpt-4o-mini")
        assert "log only" in option_text(view, 2)
        assert "no log" in option_text(view, 3)
        assert "11-04 14:30" in option_text(view, 4)  # not the newest session's day
        assert "●" not in option_text(view, 4)
        assert view.border_title == "Sessions 4"


async def test_keys_move_and_announce_the_selection() -> None:
    app = SessionsApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(SessionList)
        view.update_sessions(sessions())
        view.focus()
        await pilot.press("j")
        await pilot.press("j")
        await pilot.pause()
        assert view.selected_session_id == OTHER and view.border_title == "Sessions 2/4"
        await pilot.press("G")
        await pilot.press("k")
        await pilot.press("g")
        await pilot.pause()
        assert app.selected == [NEWEST, OTHER, OLDEST, SESSION, None]
        assert view.selected_session_id is None


async def test_updates_keep_the_selected_session() -> None:
    app = SessionsApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(SessionList)
        view.update_sessions(sessions()[1:])
        view.select_session(SESSION)
        await pilot.pause()
        assert app.selected == [SESSION]
        view.update_sessions(sessions())  # a newer session arrives on top
        await pilot.pause()
        assert view.selected_session_id == SESSION and view.highlighted == 3
        assert view.border_title == "Sessions 3/4"
        changed = [summary(s.id, 0, errors=7) if s.id == SESSION else s for s in sessions()]
        view.update_sessions(changed)  # same rows, new numbers: drawn again
        await pilot.pause()
        assert "✖ 7" in option_text(view, 3) and view.highlighted == 3
        view.update_sessions([s for s in sessions() if s.id != SESSION])  # it disappears
        await pilot.pause()
        assert view.highlighted == 3 and view.selected_session_id == OLDEST
        assert app.selected == [SESSION, OLDEST]


async def test_follow_newest_moves_a_user_who_was_on_the_newest() -> None:
    app = SessionsApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(SessionList)
        view.update_sessions(sessions()[1:])
        view.select_session(OTHER)
        assert view.is_on_newest
        view.update_sessions(sessions(), follow_newest=True)
        await pilot.pause()
        assert view.selected_session_id == NEWEST
        view.select_session(SESSION)
        view.update_sessions([summary("20251105_170000", 120), *sessions()], follow_newest=True)
        await pilot.pause()
        assert view.selected_session_id == SESSION
        assert view.entry_id(0) == ALL_LINES_ID


class StepApp(SessionsApp):
    """``[`` and ``]`` bound on the app, as in the explorer; another pane has focus."""

    BINDINGS: ClassVar[list[BindingType]] = [
        ("left_square_bracket", "step(-1)", "Newer"),
        ("right_square_bracket", "step(1)", "Older"),
    ]

    def compose(self) -> ComposeResult:
        yield SessionList()
        yield Button("elsewhere")

    def action_step(self, delta: int) -> None:
        self.query_one(SessionList).step(delta)


async def test_step_moves_from_any_pane_and_stops_at_the_ends() -> None:
    app = StepApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(SessionList)
        view.update_sessions(sessions())
        app.query_one(Button).focus()
        await pilot.pause()
        await pilot.press("[")  # already on "All lines": nothing to do
        await pilot.press("]", "]")
        await pilot.pause()
        assert not view.has_focus and view.selected_session_id == OTHER
        assert app.selected == [NEWEST, OTHER]
        view.step(10)
        await pilot.pause()
        assert view.selected_session_id == OLDEST and view.border_title == "Sessions 4/4"
        await pilot.press("]")  # clamped: no new message
        view.step(-2)
        await pilot.press("[")
        await pilot.pause()
        assert view.selected_session_id == NEWEST
        assert app.selected == [NEWEST, OTHER, OLDEST, OTHER, NEWEST]
        view.step(-5)
        await pilot.pause()
        assert view.selected_session_id is None and app.selected[-1] is None


async def test_a_click_selects_the_row_under_it_after_rows_moved() -> None:
    app = SessionsApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(SessionList)
        view.update_sessions(sessions()[1:])
        await pilot.pause()  # rows drawn (and cached) at their old places
        view.update_sessions(sessions())  # a new session on top: every row moves down
        await pilot.pause()
        # Entry 2 (OTHER) is drawn on screen rows 4-5, below the border row.
        await pilot.click(SessionList, offset=(5, 1 + 2 * 2))
        await pilot.pause()
        assert view.selected_session_id == OTHER


async def test_a_refresh_leaves_the_list_where_it_was_scrolled() -> None:
    app = SessionsApp()
    many = [summary(f"20251105_{100000 + n:06d}", -n) for n in range(60)]
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(SessionList)
        view.update_sessions(many)
        await pilot.pause()
        view.scroll_to(y=40, animate=False)
        await pilot.pause()
        view.update_sessions(many)  # new numbers, same rows: the view stays put
        await pilot.pause()
        assert view.scroll_y == 40 and view.highlighted == 0
