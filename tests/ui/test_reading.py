"""Reading a session in the explorer: search, level and logger filters, jumps to
warnings and errors, correlation marks, the merged timeline and export (Pilot)."""

from __future__ import annotations

import json
from array import array
from pathlib import Path

from session_explorer.core.reading.filters import LevelStep
from session_explorer.ui.screens.detail import InteractionDetail
from session_explorer.ui.screens.export import ExportScreen
from tests.hostile import rec
from tests.ui.app_helpers import copy_sample, explorer, poll, settle

SESSION = "20251112_085857"  # 17 records: 2 warnings, 1 error with a 5-line traceback
SIZE = (140, 40)


def shown_texts(app) -> list[str]:  # type: ignore[no-untyped-def]  # the explorer under test
    source = app.log_pane.source
    return [line.text for line in source.read(0, len(source))]


# --- search -----------------------------------------------------------------------


async def test_search_highlights_counts_and_steps(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=SESSION)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        log = app.log_pane
        await pilot.press("2", "g", "slash")
        assert app.search_bar.is_open and app.focused is app.search_bar.input
        await pilot.press(*"export", "enter")
        await settle(app, pilot)
        # "export" is in six messages (smart case: "exports/" and "export" alike).
        matches = list(app.log_matches)
        assert len(matches) == 6
        texts = shown_texts(app)
        assert all("export" in texts[n].lower() for n in matches)
        assert not app.search_bar.is_open and app.focused is log
        assert log.border_title.endswith("1/6 matches")
        assert log.cursor_line == matches[0]
        # The visible rows draw each match in the match style, the current in its own.
        current = log.get_visual_style("log-view--match-current").rich_style
        other = log.get_visual_style("log-view--match").rich_style
        first = log._line_strips(matches[0], log._pages.get(matches[0]), 120)[0]
        second = log._line_strips(matches[1], log._pages.get(matches[1]), 120)[0]
        assert [s.text for s in first if s.style and s.style.bgcolor == current.bgcolor] == ["export"]
        # "Reading ride export exports/…": both occurrences.
        assert [s.text for s in second if s.style and s.style.bgcolor == other.bgcolor] == ["export"] * 2
        await pilot.press("n")
        assert log.cursor_line == matches[1] and log.border_title.endswith("2/6 matches")
        await pilot.press("N", "N")  # wraps back to the last match
        assert log.cursor_line == matches[-1] and log.border_title.endswith("6/6 matches")
        await pilot.press("escape")  # clears the search
        assert app.log_matches is None and "matches" not in log.border_title
        assert log._highlight is None


def highlighted(log, line_number: int, name: str = "log-view--match") -> list[str]:  # type: ignore[no-untyped-def]  # the log view under test
    """The texts of a line's row drawn in the match style ``name``."""
    style = log.get_visual_style(name).rich_style
    strips = log._line_strips(line_number, log._pages.get(line_number), 120)
    return [s.text for strip in strips for s in strip if s.style and s.style.bgcolor == style.bgcolor]


async def test_matches_are_highlighted_in_every_column(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=SESSION)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        log = app.log_pane
        # The level column: the two warnings (exact case).
        await pilot.press("2", "g", "slash", *"WARNING", "enter")
        await settle(app, pilot)
        first, second = app.log_matches
        assert highlighted(log, first, "log-view--match-current") == ["WARNING"]
        assert highlighted(log, second) == ["WARNING"]
        # The time column: the raw line says 08:59:28,863, the column 08:59:28.863.
        await pilot.press("slash")
        app.search_bar.input.value = "08:59:28"
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(app.log_matches) == 9
        current = app.log_matches[app.current_match]
        other = next(n for n in app.log_matches if n != current and shown_texts(app)[n].startswith("["))
        assert highlighted(log, current, "log-view--match-current") == ["08:59:28"]
        assert highlighted(log, other) == ["08:59:28"]
        # The logger column (and the message where it says it too).
        await pilot.press("slash")
        app.search_bar.input.value = "storage"
        await pilot.press("enter")
        await settle(app, pilot)
        texts = shown_texts(app)
        current = app.log_matches[app.current_match]
        reading = next(n for n in app.log_matches if "Reading ride export" in texts[n] and n != current)
        assert highlighted(log, reading) == ["storage"]  # "cycling_ai.storage"


async def test_search_smart_case_regex_and_invalid_regex(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=SESSION)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("2", "slash", *"Export", "enter")
        await settle(app, pilot)
        assert app.search_bar.status == "no matches"  # capitals: exact case
        assert app.search_bar.is_open
        app.search_bar.input.value = "re:(unclosed"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.search_bar.status.startswith("invalid regular expression: missing )")
        assert app.log_matches is None
        app.search_bar.input.value = r"re:\d+ input / \d+ output"
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(app.log_matches) == 2
        await pilot.press("slash", "escape")  # escape in the bar: closes it, clears the search
        assert not app.search_bar.is_open and app.log_matches is None
        assert app.focused is app.log_pane


async def test_a_long_search_shows_progress_and_can_be_cancelled(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # pytest fixture
    from session_explorer.ui import app as app_module

    def slow_search(source, query, *, cancel, progress):  # type: ignore[no-untyped-def]  # a stand-in for the search
        progress(42, 100)
        cancel.wait(10)  # until cancelled
        return array("Q")

    monkeypatch.setattr(app_module, "search", slow_search)
    app = explorer(copy_sample(tmp_path), session=SESSION)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("2", "slash", *"export", "enter")
        for _ in range(100):
            if app.search_bar.status == "searching… 42%":
                break
            await pilot.pause(0.02)
        assert app.search_bar.status == "searching… 42%"
        await pilot.press("escape")
        assert app.search_bar.status == "search cancelled" and app.search_bar.is_open
        await settle(app, pilot)  # the worker ends
        assert app.log_matches is None
        await pilot.press("escape")
        assert not app.search_bar.is_open


async def test_search_follows_the_level_filter(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=SESSION)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("2", "slash", *"export", "enter")
        await settle(app, pilot)
        assert len(app.log_matches) == 6
        await pilot.press("l", "l")  # warnings and above: the search runs again
        await settle(app, pilot)
        # The error, the traceback line in "_read_export" and the warning about it.
        assert len(app.log_matches) == 3
        assert app.log_pane.border_title.endswith("/3 matches")


# --- level and logger filters -------------------------------------------------------


async def test_level_filter_cycles_and_keeps_the_cursor_line(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=SESSION)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        log = app.log_pane
        assert log.line_count == 22
        await pilot.press("2", "g", "e", "e")  # on the ERROR record
        error_text = log.cursor_log_line.text
        assert " - ERROR - " in error_text
        counts = []
        for _ in range(4):
            await pilot.press("l")
            await settle(app, pilot)
            counts.append((app.log_filters.level, log.line_count))
            # The cursor stays on the same line of the log.
            assert log.cursor_log_line.text == error_text
        assert counts == [
            (LevelStep.INFO, 22),
            (LevelStep.WARNING, 8),  # 2 warnings, the error and its 5 traceback lines
            (LevelStep.ERROR, 6),  # the error and its traceback
            (LevelStep.ALL, 22),
        ]
        await pilot.press("l", "l", "l")
        await settle(app, pilot)
        texts = shown_texts(app)
        assert texts[0].endswith(error_text[-40:]) and texts[1] == "Traceback (most recent call last):"
        assert texts[-1].startswith("ValueError")
        assert log.border_title == f"App log · {SESSION} · errors only"


async def test_logger_filter_from_the_palette(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=SESSION)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.action_filter_logger()
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CommandPalette"
        await pilot.press(*"cycling_ai.storage")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        texts = shown_texts(app)
        # The storage records and the traceback that continues the error.
        assert len(texts) == 8
        assert all("cycling_ai.storage" in t for t in texts if t.startswith("["))
        assert app.log_pane.border_title.endswith("logger cycling_ai.storage")
        app.clear_filters()
        await settle(app, pilot)
        assert app.log_pane.line_count == 22


async def test_filtered_view_follows_new_lines(tmp_path: Path) -> None:
    logs = copy_sample(tmp_path)
    app = explorer(logs, session="20251113_082521")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("2", "l", "l")  # warnings and above
        await settle(app, pilot)
        before = app.log_pane.line_count
        with open(logs / "cycling-ai.log", "ab") as fh:
            fh.write(rec("20251113_082521", 57, "WARNING", "a new warning"))
            fh.write(rec("20251113_082521", 58, "INFO", "a new info line"))
        await poll(app, pilot)
        await settle(app, pilot)
        assert app.log_pane.line_count == before + 1
        assert shown_texts(app)[-1].endswith("a new warning")


# --- jumps --------------------------------------------------------------------------


async def test_e_and_shift_e_jump_between_warnings_and_errors(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=SESSION)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        log = app.log_pane
        await pilot.press("2", "g")
        seen = []
        for _ in range(4):
            await pilot.press("e")
            await settle(app, pilot)
            seen.append(log.cursor_line)
        # The warning, the error (not its traceback lines), the second warning; then
        # nothing further: the cursor stays.
        assert seen == [5, 11, 17, 17]
        await pilot.press("E")
        assert log.cursor_line == 11
        await pilot.press("E", "E")
        assert log.cursor_line == 5


async def test_e_in_the_interactions_pane_jumps_to_failed_interactions(tmp_path: Path) -> None:
    logs = copy_sample(tmp_path)
    jsonl = logs / "llm_interactions" / "session_20251112_085805.jsonl"
    with open(jsonl, "a", encoding="utf-8") as fh:
        fh.write("{not json\n")  # a fifth, malformed interaction
    app = explorer(logs, session="20251112_085805")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pane = app.interactions_pane
        assert [i.status for i in pane.interactions] == ["error", "ok", "ok", "ok", "malformed"]
        await pilot.press("3", "g", "e")
        assert pane.cursor_row == 4
        await pilot.press("E")
        assert pane.cursor_row == 0
        assert not pane.follow
        await pilot.press("E")  # nothing before the first: the cursor stays
        assert pane.cursor_row == 0
        assert app.focused is pane


# --- correlation --------------------------------------------------------------------


async def test_selecting_an_interaction_marks_its_lines(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=SESSION)
    async with app.run_test(size=(140, 24)) as pilot:  # the log pane shows ~10 lines
        await settle(app, pilot)
        log = app.log_pane
        # Following: the last interaction is highlighted, nothing is marked yet.
        assert app.interactions_pane.cursor_row == 1
        assert not log.marks
        await pilot.press("3", "k")
        await settle(app, pilot)
        # #1 ran 31.68 s, from 08:58:57.177: the call and nothing else was logged.
        assert list(log.marks) == [3]
        assert "turns=1" in shown_texts(app)[3]
        # Scrolled into view (which pauses following).
        assert not log.follow
        assert log.scroll_offset.y <= 3 < log.scroll_offset.y + log.scrollable_content_region.height
        await pilot.press("j")
        await settle(app, pilot)
        # #2 ran 2.19 s up to 08:59:31.373: its call was logged at 08:59:29.187.
        assert list(log.marks) == [18]
        assert "Calling Anthropic API: model=claude-sonnet-4-5, turns=3" in shown_texts(app)[18]


async def test_selecting_an_interaction_reveals_its_lines_while_wrapping(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=SESSION)
    async with app.run_test(size=(100, 24)) as pilot:  # ~10 rows, long lines wrap
        await settle(app, pilot)
        log = app.log_pane
        await pilot.press("w")
        await settle(app, pilot)
        assert log.wrap and log.follow and log.scroll_offset.y > 3
        await pilot.press("3", "k")
        await settle(app, pilot)
        assert list(log.marks) == [3]
        # Scrolled to the marked line (wrapping, the view scrolls by line): its rows
        # are on screen, and following pauses.
        assert not log.follow
        shown = [log._locate(y)[0] for y in range(log.scrollable_content_region.height)]
        assert 3 in shown and shown[-1] > 3
        assert "turns=1" in "".join(log.render_line(y).text for y, n in enumerate(shown) if n == 3)
        # A line already in view is not scrolled to again.
        top = log.scroll_offset.y
        log.reveal(3, 3)
        assert log.scroll_offset.y == top


async def test_moving_in_the_log_selects_the_interaction_of_the_line(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=SESSION)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pane = app.interactions_pane
        await pilot.press("2", "g", "j", "j", "j")  # 08:58:57.177: during #1
        await settle(app, pilot)
        assert pane.cursor_row == 0
        assert app.focused is app.log_pane  # focus stays in the log
        assert list(app.log_pane.marks) == [3]
        await pilot.press("G", "k", "k", "k")  # 08:59:29.187: during #2
        await settle(app, pilot)
        assert app.log_pane.cursor_line == 18
        assert pane.cursor_row == 1


# --- merged timeline ------------------------------------------------------------------


async def test_merged_timeline_places_interactions_after_earlier_lines(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=SESSION)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("2", "t")
        await settle(app, pilot)
        log = app.log_pane
        assert log.line_count == 24 and log.border_title == f"App log · {SESSION} · timeline"
        rows = log.source.read(0, 24)
        kinds = ["interaction" if hasattr(r, "interaction") else "line" for r in rows]
        assert [n for n, kind in enumerate(kinds) if kind == "interaction"] == [4, 20]
        # #1 (08:59:28.860) after the last line logged before it (08:58:57.177) and
        # before the first one after it (08:59:28.862); the same for #2.
        assert "08:58:57,177" in rows[3].text and "08:59:28,862" in rows[5].text
        assert rows[4].text.startswith("── #1 anthropic/claude-sonnet-4-5 · 375/28 tok · 31.7s · ok")
        assert "08:59:29,187" in rows[19].text and "08:59:31,377" in rows[21].text
        # Enter on an interaction's row opens it.
        log.go_to_line(20)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, InteractionDetail)
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        assert log.line_count == 22 and log.border_title == f"App log · {SESSION}"


async def test_timeline_with_a_filter(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=SESSION)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("2", "l", "l", "l", "t")  # errors only, merged
        await settle(app, pilot)
        rows = app.log_pane.source.read(0, app.log_pane.line_count)
        kinds = ["i" if hasattr(r, "interaction") else "l" for r in rows]
        assert kinds == ["i", "l", "l", "l", "l", "l", "l", "i"]


# --- export ---------------------------------------------------------------------------


async def test_export_writes_a_file_and_confirms_overwrite(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=SESSION)
    target = tmp_path / "out" / "bundle.json"
    target.parent.mkdir()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("x")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        assert screen.query_one("Input").value == f"{SESSION}.md"
        screen.query_one("Input").value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, ExportScreen)
        assert json.loads(target.read_text())["session"]["id"] == SESSION
        # Again: the file exists, a second enter replaces it.
        target.write_text("old")
        await pilot.press("x")
        await settle(app, pilot)
        app.screen.query_one("Input").value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ExportScreen)
        assert "exists" in app.screen.status_text and target.read_text() == "old"
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, ExportScreen)
        assert json.loads(target.read_text())["format"] == "session-explorer-export"


async def test_export_refuses_the_logs_directory(tmp_path: Path) -> None:
    logs = copy_sample(tmp_path)
    app = explorer(logs, session=SESSION)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("x")
        await settle(app, pilot)
        app.screen.query_one("Input").value = str(logs / "mine.md")
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        assert "refusing to write into the logs directory" in screen.status_text
        assert not (logs / "mine.md").exists()
        await pilot.press("escape")
        assert not isinstance(app.screen, ExportScreen)


async def test_the_palette_offers_filters_timeline_and_export_by_name(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=SESSION)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*"Filter by level: errors only")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.log_pane.line_count == 6
        await pilot.press("ctrl+p", *"Toggle merged timeline")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.log_pane.border_title == f"App log · {SESSION} · timeline · errors only"
        await pilot.press("ctrl+p", *"Clear filters")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.log_pane.line_count == 24  # 22 lines and 2 interactions
        await pilot.press("ctrl+p", *"Export session")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ExportScreen)
