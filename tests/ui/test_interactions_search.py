"""``/`` in the interactions pane: what an interaction matches by (the core helper),
and the pane's search in the explorer on sample_logs (Pilot)."""

from __future__ import annotations

import json
import threading
from array import array
from pathlib import Path

import pytest
from rich.text import Text

from session_explorer.core.interactions.search import interaction_texts, matching_interactions
from session_explorer.core.models import Interaction, Message, ToolCall
from session_explorer.core.query import compile_query
from tests.ui.app_helpers import copy_sample, explorer, poll, settle
from tests.ui.helpers import interaction

SIZE = (140, 40)
NEWEST = "20251113_082521"  # 3 interactions; "legs" is in #3's prompt and in #2's answer
REVIEW = "20251112_085805"  # 4 interactions: #1 failed (429), #2-#4 call get_ride_history


# --- what an interaction matches by ----------------------------------------------------


def agent_call() -> Interaction:
    return Interaction(
        number=7,
        line_number=7,
        offset=0,
        raw_text="{}",
        provider="anthropic",
        model="claude-sonnet-4-5",
        messages=(
            Message("system", "Be brief."),
            Message("user", "Weather in Paris?"),
            Message("assistant", "", tool_calls=(ToolCall("get_weather", {"city": "Paris\nFrance"}, "t1"),)),
            Message("tool", '{"temp_c": 14}', tool_call_id="t1", name="get_weather"),
        ),
        output_text="It is 14 °C.",
        output_tool_calls=(ToolCall("book_ride", '{"when": "tomorrow"}'),),
    )


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("anthropic", True),  # provider
        ("sonnet", True),  # model
        ("be brief", True),  # a message, smart case
        ("Be Brief", False),  # capitals: exact case
        ("get_weather", True),  # a tool call's name
        ('"city": "Paris', True),  # its arguments as JSON
        ("re:Paris$", True),  # ... and its strings as written (the line break)
        ("temp_c", True),  # a tool result
        ("14 °C", True),  # the output
        ("tomorrow", True),  # an output tool call's arguments (a string)
        ("re:brief.*Paris", False),  # never across two texts
        ("content", False),  # the payload's keys are not text of the interaction
    ],
)
def test_an_interaction_matches_by_its_content(query: str, found: bool) -> None:
    assert bool(matching_interactions(compile_query(query), [agent_call()])) is found


def test_errors_and_malformed_lines_are_searched() -> None:
    failed = interaction(1, error="RateLimitError: 429")
    broken = interaction(2, parse_error="Expecting value")  # raw_text "{not json"
    ok = interaction(3)
    calls = [failed, broken, ok]
    assert matching_interactions(compile_query("ratelimit"), calls) == [0]
    assert matching_interactions(compile_query("not json"), calls) == [1]
    assert "{}" not in list(interaction_texts(ok))  # a parsed line's raw text is not
    assert matching_interactions(compile_query("weather"), calls) == [0, 1, 2]
    # Texts of the row (what the table shows) are matched too.
    row = {failed: ("1.2k",)}
    assert matching_interactions(compile_query("1.2k"), calls, lambda x: row.get(x, ())) == [0]


def test_a_long_session_reports_progress_and_can_be_cancelled() -> None:
    calls = [interaction(n, prompt="x") for n in range(200)]
    seen: list[tuple[int, int]] = []
    found = matching_interactions(compile_query("x"), calls, progress=lambda d, t: seen.append((d, t)))
    assert len(found) == 200 and seen == [(64, 200), (128, 200), (192, 200)]
    cancel = threading.Event()
    cancel.set()
    assert len(matching_interactions(compile_query("x"), calls, cancel=cancel)) == 64


# --- the pane's search in the explorer ----------------------------------------------


def title(app) -> str:  # type: ignore[no-untyped-def]  # the explorer under test
    return str(app.interactions_pane.border_title)


async def test_slash_in_the_interactions_pane_searches_the_interactions(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=REVIEW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pane = app.interactions_pane
        await pilot.press("3", "slash")
        bar = app.search_bar
        assert bar.is_open and bar.pane == "interactions"
        assert "search the interactions" in bar.input.placeholder
        await pilot.press(*"ride_history", "enter")
        await settle(app, pilot)
        # #2-#4 call get_ride_history: found by their content, not their rows.
        assert pane.matches == [1, 2, 3]
        assert not bar.is_open and app.focused is pane
        assert app.log_matches is None  # the log is not searched
        # Following: the newest match, and the pane keeps following.
        assert pane.cursor_row == 3 and pane.follow
        assert title(app).endswith("· 3/3 matches")
        await pilot.press("N")
        assert pane.cursor_row == 2 and title(app).endswith("· 2/3 matches")
        assert not pane.follow  # a move up pauses following, as k does
        await pilot.press("N", "N")  # wraps round to the last
        assert pane.cursor_row == 3 and title(app).endswith("· 3/3 matches")
        await pilot.press("n")  # and forward to the first
        assert pane.cursor_row == 1 and title(app).endswith("· 1/3 matches")
        await pilot.press("k", "n")  # from the cursor (row 0): the next match is row 1
        assert pane.cursor_row == 1
        # The matching rows are marked: their number in the match style.
        match = pane.get_component_rich_style("interactions-view--match")
        current = pane.get_component_rich_style("interactions-view--match-current")
        number = pane.get_cell_at((2, 0))
        assert [span.style for span in number.spans] == [match]
        assert [span.style for span in pane.get_cell_at((1, 0)).spans] == [current]
        assert not pane.get_cell_at((0, 0)).spans
        # Rows shown after the worker took its copy are matched when it is done.
        assert pane.find_matches(compile_query("ride_history"), known=[1], searched=2) == [1, 2, 3]
        # escape ends the search.
        await pilot.press("escape")
        assert pane.search_query is None and pane.matches == []
        assert "matches" not in title(app)
        assert not pane.get_cell_at((2, 0)).spans


async def test_matches_are_highlighted_in_the_cells(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=REVIEW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pane = app.interactions_pane
        await pilot.press("3", "slash", *"re:443ms|weeks", "enter")
        await settle(app, pilot)
        assert pane.matches == [0, 1, 2, 3]
        match = pane.get_component_rich_style("interactions-view--match")
        columns = [key.value for key in pane.columns]
        latency = pane.get_cell_at((0, columns.index("latency")))
        prompt = pane.get_cell_at((2, columns.index("prompt")))

        def highlighted(cell: Text) -> list[str]:
            return [cell.plain[s.start:s.end] for s in cell.spans if s.style == match]

        assert highlighted(latency) == ["443ms"]
        assert highlighted(prompt) == ["weeks"]


async def test_an_invalid_expression_and_no_matches_keep_the_bar_open(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=REVIEW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pane = app.interactions_pane
        await pilot.press("3", "slash", *"re:(unclosed", "enter")
        await settle(app, pilot)
        bar = app.search_bar
        assert bar.is_open and bar.status.startswith("invalid regular expression: missing )")
        assert pane.search_query is None
        bar.input.value = "no such text anywhere"
        await pilot.press("enter")
        await settle(app, pilot)
        assert bar.is_open and bar.status == "no matches"
        assert pane.search_query is None
        bar.input.value = "429"
        await pilot.press("enter")
        await settle(app, pilot)
        assert pane.matches == [0] and title(app).endswith("· 1/1 matches")
        assert not bar.is_open
        # escape in the bar ends the search and gives the focus back to the pane.
        await pilot.press("slash", "escape")
        assert not bar.is_open and pane.search_query is None
        assert app.focused is pane


async def test_one_search_at_a_time(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=REVIEW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pane = app.interactions_pane
        await pilot.press("3", "slash", *"ride_history", "enter")
        await settle(app, pilot)
        assert pane.search_query is not None
        # The log's search ends the interactions' one (n and N then move in the log).
        await pilot.press("2", "slash")
        assert app.search_bar.pane == "log"
        assert "search the app log" in app.search_bar.input.placeholder
        app.search_bar.input.value = "ride"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.log_matches and pane.search_query is None
        assert "matches" not in title(app)
        # And the other way round.
        await pilot.press("3", "slash")
        app.search_bar.input.value = "429"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.log_matches is None and pane.matches == [0]
        assert "matches" not in str(app.log_pane.border_title)


async def test_a_hidden_pane_falls_back_to_the_other(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=REVIEW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        # The log maximised: the interactions pane is hidden, even focused.
        await pilot.press("2", "z", "3")
        assert app.screen.maximized is app.log_pane
        await pilot.press("slash")
        assert app.search_bar.pane == "log" and app.search_bar.is_open
        assert app.search_bar.display  # a maximised pane keeps the bar
        await pilot.press("escape")
        await pilot.press("escape")  # restores the panes
        await settle(app, pilot)
        # The interactions maximised, the log focused: the interactions are searched.
        await pilot.press("3", "z", "2")
        assert app.screen.maximized is app.interactions_pane
        await pilot.press("slash")
        assert app.search_bar.pane == "interactions"


async def test_interactions_arriving_during_a_search_are_matched(tmp_path: Path) -> None:
    logs = copy_sample(tmp_path)
    path = logs / "llm_interactions" / f"session_{NEWEST}.jsonl"
    app = explorer(logs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pane = app.interactions_pane
        await pilot.press("3", "slash", *"legs", "enter")
        await settle(app, pilot)
        assert pane.matches == [1, 2] and title(app).endswith("· 2/2 matches")
        lines = path.read_bytes().splitlines()
        record = json.loads(lines[-1])
        record["interaction_id"] = 4
        with open(path, "ab") as fh:
            fh.write(json.dumps(record).encode() + b"\n")  # matches: the same prompt
            record["interaction_id"] = 5
            record["input"]["messages"] = record["input"]["messages"][:1]  # no prompt
            record["output"] = {}
            fh.write(json.dumps(record).encode() + b"\n")
        await poll(app, pilot)
        assert len(pane.interactions) == 5
        assert pane.matches == [1, 2, 3]
        assert title(app).endswith("· 2/3 matches")  # the current match is still #3
        assert pane.cursor_row == 4  # following: on the newest
        await pilot.press("N")
        assert pane.cursor_row == 3 and title(app).endswith("· 3/3 matches")


async def test_a_long_search_of_the_interactions_can_be_cancelled(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # pytest fixture
    from session_explorer.ui import app as app_module

    def slow_search(query, interactions, *, cancel, progress):  # type: ignore[no-untyped-def]  # a stand-in for the search
        progress(1, 4)
        cancel.wait(10)  # until cancelled
        return []

    monkeypatch.setattr(app_module, "find_interactions", slow_search)
    app = explorer(copy_sample(tmp_path), session=REVIEW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("2", "slash", *"ride", "enter")  # a search of the log first
        await settle(app, pilot)
        log_matches = array("Q", app.log_matches)
        await pilot.press("3", "slash")
        app.search_bar.input.value = "ride_history"
        await pilot.press("enter")
        for _ in range(100):
            if app.search_bar.status == "searching… 25%":
                break
            await pilot.pause(0.02)
        assert app.search_bar.status == "searching… 25%"
        await pilot.press("escape")
        assert app.search_bar.status == "search cancelled" and app.search_bar.is_open
        await settle(app, pilot)
        # Nothing changed: the log's search stays, the interactions are not searched.
        assert app.interactions_pane.search_query is None
        assert app.log_matches == log_matches


async def test_a_search_goes_on_over_interactions_read_again(tmp_path: Path) -> None:
    app = explorer(copy_sample(tmp_path), session=REVIEW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pane = app.interactions_pane
        await pilot.press("3", "slash", *"ride_history", "enter")
        await settle(app, pilot)
        found = list(pane.matches)
        assert found
        pane.follow = False
        pane.move_cursor(row=0)
        await pilot.pause()
        app.load_session(app.current_session, keep_position=True)  # as after indexing
        await settle(app, pilot)
        assert pane.search_query is not None and pane.matches == found
        assert pane.cursor_row == 0  # matched again in the worker: nobody moved
