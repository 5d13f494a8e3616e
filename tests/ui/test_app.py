"""The explorer as a user drives it: Pilot tests on sample_logs and on live files."""

from __future__ import annotations

import shutil

import pytest

from session_explorer.core.session.layout import discover
from session_explorer.ui.app import make_app
from session_explorer.ui.widgets.empty_state import EmptyState
from tests.hostile import rec
from tests.ui.app_helpers import SAMPLE, copy_sample, poll, settle

NEWEST = "20251113_082521"
SIZE = (160, 45)


async def test_first_screen_selects_the_newest_session() -> None:
    app = make_app(discover(SAMPLE), poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.sessions_pane.selected_session_id == NEWEST
        assert app.current_session == NEWEST
        assert app.log_pane.line_count == 24
        assert len(app.interactions_pane.interactions) == 3
        assert app.log_pane.follow


async def test_session_option_opens_that_session() -> None:
    app = make_app(discover(SAMPLE), session="20251112_085857", poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.current_session == "20251112_085857"
        assert app.sessions_pane.summaries[0].id == NEWEST


async def test_navigation_between_sessions_and_panes() -> None:
    app = make_app(discover(SAMPLE), poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert app.current_session == "20251112_085959_2"
        await pilot.press("2", "right_square_bracket")  # from the log pane too
        await settle(app, pilot)
        assert app.current_session == "20251112_085959"
        assert app.focused is app.log_pane
        await pilot.press("left_square_bracket", "left_square_bracket", "left_square_bracket")
        await settle(app, pilot)
        assert app.current_session is None  # "All lines"
        assert app.log_pane.line_count == app.catalog.total_lines()
        assert not app.interactions_pane.display
        await pilot.press("1", "j")
        await settle(app, pilot)
        assert app.current_session == NEWEST
        await pilot.press("3")
        assert app.focused is app.interactions_pane
        await pilot.press("tab")
        assert app.focused is app.sessions_pane


async def test_maximise_and_help() -> None:
    app = make_app(discover(SAMPLE), poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("2", "z")
        assert app.screen.maximized is app.log_pane
        await pilot.press("z")
        assert app.screen.maximized is None
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        assert type(app.screen).__name__ != "HelpScreen"


async def test_follow_pauses_on_scroll_up_and_counts_new_lines(tmp_path) -> None:
    logs = copy_sample(tmp_path)
    app = make_app(discover(logs), poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("2", "k")
        assert not app.log_pane.follow
        with open(logs / "cycling-ai.log", "ab") as fh:
            for i in range(3):
                fh.write(rec(NEWEST, 57, "INFO", f"late line {i}"))
        await poll(app, pilot)
        assert app.log_pane.line_count == 27
        assert app.log_pane.new_lines == 3
        assert "+3 new" in str(app.log_pane.border_subtitle)
        await pilot.press("G")
        assert app.log_pane.follow
        assert app.log_pane.new_lines == 0
        assert app.log_pane.cursor_line == 26


async def test_following_keeps_the_newest_line_in_view(tmp_path) -> None:
    logs = copy_sample(tmp_path)
    app = make_app(discover(logs), poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        with open(logs / "cycling-ai.log", "ab") as fh:
            for i in range(40):
                fh.write(rec(NEWEST, 58, "INFO", f"more {i}"))
        await poll(app, pilot)
        log = app.log_pane
        assert log.line_count == 64
        assert log.cursor_line == 63
        assert log.scroll_offset.y + log.scrollable_content_region.height >= 64


@pytest.mark.parametrize("on_newest", [True, False])
async def test_a_new_session_arrives(tmp_path, on_newest: bool) -> None:
    logs = copy_sample(tmp_path)
    app = make_app(discover(logs), poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        if not on_newest:
            await pilot.press("right_square_bracket")
            await settle(app, pilot)
        before = app.current_session
        new_id = "20251114_090000"
        (logs / "llm_interactions" / f"session_{new_id}.jsonl").write_text("")
        with open(logs / "cycling-ai.log", "ab") as fh:
            fh.write(rec(new_id, 1, "INFO", "a new run"))
        await poll(app, pilot)
        assert app.sessions_pane.summaries[0].id == new_id
        if on_newest:
            assert app.current_session == new_id
            assert app.log_pane.line_count == 1
        else:
            assert app.current_session == before
            assert app.sessions_pane.selected_session_id == before


async def test_new_interactions_appear_live(tmp_path) -> None:
    logs = copy_sample(tmp_path)
    path = logs / "llm_interactions" / f"session_{NEWEST}.jsonl"
    app = make_app(discover(logs), poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        first = path.read_bytes().splitlines(keepends=True)[0]
        with open(path, "ab") as fh:
            fh.write(first[:40])  # torn: waits, and the pane says so
            fh.flush()
            await poll(app, pilot)
            assert len(app.interactions_pane.interactions) == 3
            assert "last line unfinished (40 bytes" in str(app.interactions_pane.border_title)
            fh.write(first[40:])
        await poll(app, pilot)
        assert len(app.interactions_pane.interactions) == 4
        assert "unfinished" not in str(app.interactions_pane.border_title)


async def test_a_file_left_with_an_unfinished_line_says_so(tmp_path) -> None:
    logs = copy_sample(tmp_path)
    path = logs / "llm_interactions" / f"session_{NEWEST}.jsonl"
    with open(path, "ab") as fh:
        fh.write(b'{"interaction_number": 4, "model": "gpt-4o-mi')  # the app crashed here
    app = make_app(discover(logs), poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert len(app.interactions_pane.interactions) == 3
        assert "last line unfinished (45 bytes, no line end)" in str(app.interactions_pane.border_title)


async def test_empty_directory_then_first_session(tmp_path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    app = make_app(discover(logs), poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        empty = app.query_one(EmptyState)
        assert empty.display and not app.log_pane.display
        (logs / "llm_interactions").mkdir()
        (logs / "llm_interactions" / "session_20251114_090000.jsonl").write_text("")
        (logs / "app.log").write_bytes(rec("20251114_090000", 1, "INFO", "hello"))
        await poll(app, pilot)
        await poll(app, pilot)
        assert not empty.display
        assert app.sessions_pane.summaries[0].id == "20251114_090000"
        # Nothing was shown before: the first session to appear is shown.
        await settle(app, pilot)
        assert app.current_session == "20251114_090000"


async def test_truncate_and_rotate_under_a_running_app(tmp_path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "app.log"
    sid = "20251114_090000"
    log.write_bytes(b"".join(rec(sid, i, "INFO", f"line {i}") for i in range(5)))
    app = make_app(discover(logs), poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.current_session == sid and app.log_pane.line_count == 5
        # copytruncate: the old lines move to app.log.1, app.log starts empty.
        shutil.copy(log, logs / "app.log.1")
        log.write_bytes(b"")
        await poll(app, pilot)
        with open(log, "ab") as fh:
            fh.write(rec(sid, 10, "INFO", "after truncate"))
        await poll(app, pilot)
        assert app.log_pane.line_count == 6
        # rename rotation: app.log -> app.log.2 style shift, a new app.log.
        (logs / "app.log.1").rename(logs / "app.log.2")
        log.rename(logs / "app.log.1")
        log.write_bytes(rec(sid, 20, "INFO", "after rotate"))
        await poll(app, pilot)
        await poll(app, pilot)
        assert app.log_pane.line_count == 7
        lines = app.catalog.session_lines(sid).read(0, 7)
        assert [ln.text.rsplit(" - ", 1)[1] for ln in lines] == [
            "line 0", "line 1", "line 2", "line 3", "line 4", "after truncate", "after rotate"
        ]


async def test_enter_opens_the_interaction_detail() -> None:
    app = make_app(discover(SAMPLE), poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("3", "g", "enter")
        await settle(app, pilot)
        detail = app.screen
        assert type(detail).__name__ == "InteractionDetail"
        assert detail.title_text.startswith("Interaction 1/3")
        await pilot.press("n")
        await settle(app, pilot)
        assert detail.title_text.startswith("Interaction 2/3")
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is not detail
        assert app.interactions_pane.cursor_row == 1


async def test_a_session_of_the_app_log_only_asked_for_at_start_is_shown(tmp_path) -> None:
    # No JSONL files: the older session is known only once the index reaches it.
    logs = tmp_path / "logs"
    logs.mkdir()
    older, newer = "20251105_100000", "20251105_110000"
    (logs / "app.log").write_bytes(
        b"".join(rec(older, i % 60, "INFO", f"older {i}") for i in range(300))
        + b"".join(rec(newer, i % 60, "INFO", f"newer {i}") for i in range(300))
    )
    app = make_app(discover(logs), session=older, poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await poll(app, pilot)
        await settle(app, pilot)
        assert app.current_session == older and app.log_pane.line_count == 300


async def test_logs_are_indexed_even_when_the_first_session_cannot_be_read(tmp_path, monkeypatch) -> None:
    from session_explorer.core.session.catalog import Catalog

    def unreadable(self, session_id):
        raise PermissionError(13, "Permission denied", f"session_{session_id}.jsonl")

    monkeypatch.setattr(Catalog, "interactions", unreadable)
    app = make_app(discover(copy_sample(tmp_path)), poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)  # the catalog settles: indexing and summaries ran
        assert app.catalog.settled and app.sessions_pane.summaries[0].interactions == 3


async def test_the_palette_lists_each_command_once() -> None:
    app = make_app(discover(SAMPLE), poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Theme" in titles and "Quit" in titles
        assert not {"Keys", "Maximize", "Minimize"} & set(titles)  # ours: "Show keys", "Maximise pane"
