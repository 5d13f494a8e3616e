"""Pilot tests of the interactions pane."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding

from session_explorer.ui.widgets import InteractionsView
from tests.ui.helpers import interaction


class InteractionsApp(App[None]):
    CSS = "InteractionsView { height: 1fr; }"

    def __init__(self, *, follow: bool = True) -> None:
        super().__init__()
        self.follow = follow
        self.events: list[tuple[str, int]] = []

    def compose(self) -> ComposeResult:
        yield InteractionsView(follow=self.follow)

    def on_interactions_view_selected(self, message: InteractionsView.Selected) -> None:
        self.events.append(("selected", message.interaction.number))

    def on_interactions_view_opened(self, message: InteractionsView.Opened) -> None:
        self.events.append(("opened", message.interaction.number))

    def on_interactions_view_follow_changed(self, message: InteractionsView.FollowChanged) -> None:
        assert message.control is self.query_one(InteractionsView)
        self.events.append(("follow", int(message.follow)))


def row_text(view: InteractionsView, row: int) -> str:
    return " ".join(str(cell) for cell in view.get_row_at(row))


async def test_rows_and_totals() -> None:
    app = InteractionsApp()
    async with app.run_test(size=(120, 20)) as pilot:
        view = app.query_one(InteractionsView)
        view.set_interactions(
            [
                interaction(1, tokens=(40000, 5000)),
                interaction(2, prompt="[bold]hi[/bold]\x1b[2J\nnext", error="RateLimitError"),
                interaction(3, parse_error="Expecting value", tokens=(0, 0)),
                interaction(4, duration_ms=340, tokens=(100, 20)),
            ]
        )
        await pilot.pause()
        assert view.border_title == "Interactions 4 · 46.6k tok · 1 error · 1 malformed"
        first = row_text(view, 0)
        assert first.startswith("1 14:30:53 openai/gpt-4o-mini 40.0k 5.0k 1.2s ok What is")
        assert "error [bold]hi[/bold]␛[2J next" in row_text(view, 1)
        assert "malformed" in row_text(view, 2)
        assert "340ms" in row_text(view, 3)


async def test_live_rows_follow_and_keep_the_cursor() -> None:
    app = InteractionsApp()
    async with app.run_test(size=(120, 20)) as pilot:
        view = app.query_one(InteractionsView)
        view.focus()
        view.set_interactions([interaction(n) for n in range(1, 4)])
        await pilot.pause()
        assert view.cursor_row == 2
        view.add_interactions([interaction(4)])
        await pilot.pause()
        assert view.cursor_row == 3 and view.follow
        await pilot.press("k")
        assert not view.follow and view.cursor_row == 2
        view.add_interactions([interaction(5), interaction(6)])
        await pilot.pause()
        assert view.cursor_row == 2 and view.row_count == 6
        assert view.border_title.startswith("Interactions 6 ")
        view.add_interactions([interaction(6, error="late failure")])  # same line, re-read
        await pilot.pause()
        assert view.row_count == 6 and "1 error" in view.border_title
        await pilot.press("enter")
        await pilot.press("G")
        await pilot.pause()
        assert view.follow and view.cursor_row == 5
        assert ("opened", 3) in app.events and app.events[-1] == ("selected", 6)


async def test_not_following_starts_at_the_first_row() -> None:
    app = InteractionsApp(follow=False)
    async with app.run_test(size=(120, 20)) as pilot:
        view = app.query_one(InteractionsView)
        view.set_interactions([interaction(n) for n in range(1, 4)])
        await pilot.pause()
        assert view.cursor_row == 0
        assert view.highlighted_interaction is not None
        assert view.highlighted_interaction.number == 1


def follow_events(app: InteractionsApp) -> list[int]:
    return [value for kind, value in app.events if kind == "follow"]


async def test_paused_rows_are_counted_in_a_badge_and_G_resumes() -> None:
    app = InteractionsApp()
    async with app.run_test(size=(120, 20)) as pilot:
        view = app.query_one(InteractionsView)
        view.focus()
        view.set_interactions([interaction(n) for n in range(1, 4)])
        await pilot.pause()
        await pilot.press("k")
        assert not view.follow and not view.border_subtitle
        view.add_interactions([interaction(4), interaction(5)])
        view.add_interactions([interaction(5, error="re-read"), interaction(6)])  # 5 is not new
        await pilot.pause()
        assert view.new_rows == 3 and view.border_subtitle == "+3 new"
        assert view.cursor_row == 1
        await pilot.press("G")
        await pilot.pause()
        assert view.follow and view.cursor_row == 5 and not view.border_subtitle
        assert follow_events(app) == [0, 1]


async def test_f_toggles_follow_and_a_new_session_clears_the_badge() -> None:
    app = InteractionsApp()
    async with app.run_test(size=(120, 20)) as pilot:
        view = app.query_one(InteractionsView)
        view.focus()
        view.set_interactions([interaction(n) for n in range(1, 4)])
        await pilot.pause()
        await pilot.press("f")
        assert not view.follow and view.cursor_row == 2
        view.add_interactions([interaction(4)])
        await pilot.pause()
        assert view.cursor_row == 2 and view.border_subtitle == "+1 new"
        await pilot.press("f")
        await pilot.pause()
        assert view.follow and view.cursor_row == 3 and not view.border_subtitle
        await pilot.press("f")
        view.add_interactions([interaction(5)])
        assert view.border_subtitle == "+1 new"
        view.set_interactions([interaction(n) for n in range(1, 3)])  # another session
        await pilot.pause()
        assert not view.follow and not view.border_subtitle and view.cursor_row == 0
        assert follow_events(app) == [0, 1, 0]
        keys = {b.id: b.key for b in InteractionsView.BINDINGS if isinstance(b, Binding)}
        assert keys["interactions.follow"] == "f"
