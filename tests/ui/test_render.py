"""The styling decisions of render.py, the page cache and the wrap layout, without an app."""

from __future__ import annotations

from datetime import date

import pytest
from rich.style import Style
from rich.text import Text

from session_explorer.core.models import LogLine, RecordHead
from session_explorer.core.query import compile_query
from session_explorer.ui import render
from session_explorer.ui.render import LogColumns
from session_explorer.ui.widgets.line_pages import LinePages
from session_explorer.ui.widgets.wrap_layout import WrapLayout
from tests.ui.helpers import SESSION, T0, continuation_line, head_line, interaction, numbered_lines, summary

COLUMNS = LogColumns(logger=16)


def styled_parts(text: Text) -> dict[str, str]:
    """Each span's text by its style, to check what a part looks like."""
    return {text.plain[span.start : span.end]: str(span.style) for span in text.spans}


@pytest.mark.parametrize(
    ("name", "width", "expected"),
    [
        ("myapp.ai.tools.weather", 30, "myapp.ai.tools.weather"),
        ("myapp.ai.tools.weather", 18, "…ai.tools.weather"),
        ("myapp.ai.tools.weather", 10, "…weather"),
        ("myapp.ai.tools.weather", 5, "…ther"),
        ("averyveryverylongname", 8, "…ongname"),
        ("x", 0, ""),
    ],
)
def test_logger_names_shorten_from_the_left(name: str, width: int, expected: str) -> None:
    assert render.shorten_left(name, width) == expected


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("[bold]x[/bold]", "[bold]x[/bold]"),
        ("\x1b[31mred\x1b[0m", "␛[31mred␛[0m"),
        ("a\x00b\x07c\x7fd", "a␀b␇c␡d"),
        ("\x9b2J", "\\x9b2J"),
        ("abc\u202eevil", "abc<U+202E>evil"),
        ("zero\u200bwidth\ufeff", "zero<U+200B>width<U+FEFF>"),
        ("two\nrows", "two␊rows"),
        ("a\tb", "a   b"),
        (":smile: $x {y}", ":smile: $x {y}"),
    ],
)
def test_text_is_shown_literally(raw: str, shown: str) -> None:
    text = Text()
    render.append_visible(text, raw, render.DEFAULT_LOG_STYLES.message, render.DEFAULT_LOG_STYLES.control)
    assert text.plain == shown


def test_a_detailed_line_in_columns() -> None:
    line = head_line(0, "Processing [user] message", level="WARNING")
    text = render.render_log_line(line, columns=COLUMNS, reference_day=T0.date())
    assert text.plain == "14:30:52.123 WARNING  …tools.weather   Processing [user] message"
    parts = styled_parts(text)
    assert parts["WARNING  "] == "bold yellow"  # each column with the blank after it
    assert parts["14:30:52.123 "] == "dim"


def test_date_shown_only_off_the_reference_day() -> None:
    line = head_line(0, "m")
    other_day = render.render_log_line(line, columns=COLUMNS, reference_day=date(2025, 11, 4))
    assert other_day.plain.startswith("2025-11-05 14:30:52.123 INFO")


def test_levels_and_errors() -> None:
    assert [render.level_class(n) for n in ("DEBUG", "info", "WARN", "CRITICAL", "TRACE", "severe", "AUDIT", None)] == [
        "debug", "info", "warning", "error", "debug", "error", "other", "other",
    ]
    error = head_line(0, "boom", level="ERROR")
    parts = styled_parts(render.render_log_line(error, columns=COLUMNS))
    assert parts["ERROR    "] == "bold red" and parts["boom"] == "red"
    trace = continuation_line(1, "  File x", error)
    text = render.render_log_line(trace, columns=COLUMNS)
    assert text.plain == " " * COLUMNS.continuation_indent + "  File x"
    assert styled_parts(text)["  File x"] == "dim red"


def test_session_tags_are_stable_and_short() -> None:
    line = head_line(0, "m", session_id=SESSION)
    text = render.render_log_line(line, columns=LogColumns(tag=6, logger=0))
    assert text.plain.startswith("143052 14:30:52.123 INFO     m")
    assert render.session_color(SESSION) == "#b5bd68"  # a checksum, the same in every run


def test_lines_outside_any_session_get_a_neutral_tag() -> None:
    orphan = head_line(1, "m", session_id="in-progress")
    text = render.render_log_line(orphan, columns=LogColumns(tag=6))
    assert text.plain.startswith("······ 14:30:53.123 INFO")
    tag_style = text.spans[0].style
    assert text.plain[text.spans[0].start : text.spans[0].end] == "······ "
    assert tag_style == render.DEFAULT_LOG_STYLES.time  # dim, no session colour
    tagged = render.render_log_line(head_line(2, "m"), columns=LogColumns(tag=6))
    assert tagged.spans[0].style.color is not None  # a real session keeps its colour
    untagged = head_line(3, "m", session_id="")
    assert render.render_log_line(untagged, columns=LogColumns(tag=6)).plain.startswith(" " * 7 + "14:")
    # ... and the same neutral look in the session list.
    prompt = render.session_prompt(summary("in-progress"), newest_day=None)
    id_span = next(span for span in prompt.spans if prompt.plain[span.start : span.end] == "in-progress")
    assert id_span.style.color is None and id_span.style.dim


def test_summaries_with_a_first_prompt_render_as_before() -> None:
    plain = summary(SESSION)
    with_prompt = summary(SESSION, prompt="What is the weather\x1b[2J in Paris?")
    assert render.session_prompt(with_prompt, newest_day=None).plain == (
        render.session_prompt(plain, newest_day=None).plain
    )


def test_simple_and_json_records_leave_missing_fields_blank() -> None:
    head = RecordHead(SESSION, "INFO", "plain record", None, None, "simple")
    line = LogLine("app.log", 0, 0, b"[x] - INFO - plain record", b"\n", SESSION, head, head)
    assert render.render_log_line(line, columns=COLUMNS).plain == (
        " " * 12 + " INFO     " + " " * 16 + " plain record"
    )


def test_overlong_messages_are_cut_with_a_count() -> None:
    line = head_line(0, "x" * (render.MAX_MESSAGE_CHARS + 50))
    assert render.render_log_line(line, columns=COLUMNS).plain.endswith("x … +50 chars")


def test_wrap_rows_breaks_at_spaces_and_caps_rows() -> None:
    rows = render.wrap_rows(Text("aaaa bbbb cccc"), 10, indent=2)
    assert [row.plain for row in rows] == ["aaaa bbbb ", "  cccc"]
    rows = render.wrap_rows(Text("a bcdefghijkl"), 6)  # no space near the end: cut
    assert [row.plain for row in rows] == ["a bcde", "fghijk", "l"]
    capped = render.wrap_rows(Text("x" * 50), 10, max_rows=2)
    assert [row.plain for row in capped] == ["x" * 10, "x" * 9 + render.TRUNCATED_MARKER]
    wide = render.wrap_rows(Text("日本語テキスト"), 5)
    assert all(row.cell_len <= 5 for row in wide) and "".join(r.plain for r in wide) == "日本語テキスト"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "-"), (812, "812"), (45100, "45.1k"), (3_200_000, "3.2M")],
)
def test_token_counts(value: int | None, expected: str) -> None:
    assert render.format_tokens(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "-"), (340.4, "340ms"), (1234, "1.2s"), (125_000, "2m05s")],
)
def test_latencies(value: float | None, expected: str) -> None:
    assert render.format_latency(value) == expected


def test_pages_drop_stale_generations_and_reload_grown_pages() -> None:
    pages = LinePages(page_size=4)
    pages.want(5, 10)
    requests = pages.take_requests(10)
    assert [(r.page, r.start, r.stop) for r in requests] == [(1, 4, 8), (2, 8, 10), (0, 0, 4)]
    pages.want(5, 10)
    assert pages.take_requests(10) == []  # in flight: not asked twice
    lines = numbered_lines(10)
    for request in requests:
        assert pages.store(request, lines[request.start : request.stop])
    assert pages.get(9) is lines[9] and pages.is_loaded(2)
    pages.refresh_from(9)  # the last line may have grown
    assert pages.get(9) is lines[9] and not pages.is_loaded(2)  # shown while re-read
    pages.want(9, 12, neighbours=False)
    (reread,) = pages.take_requests(12)
    pages.clear()  # the source was swapped meanwhile
    assert not pages.store(reread, lines[8:10])
    assert pages.get(9) is None


def test_a_page_read_before_growth_stays_stale() -> None:
    pages = LinePages(page_size=4)
    pages.want(0, 2, neighbours=False)
    (early,) = pages.take_requests(2)
    pages.refresh_from(1)  # grew while the read was in flight
    pages.store(early, numbered_lines(2))
    assert not pages.is_loaded(0)


def test_lines_put_by_a_tail_complete_their_pages_and_outlive_older_reads() -> None:
    pages = LinePages(page_size=4)
    lines = numbered_lines(7)
    pages.want(0, 3, neighbours=False)
    (first,) = pages.take_requests(3)
    pages.store(first, lines[:3])
    pages.refresh_from(2)  # the log grew once: page 0 is read again ...
    pages.want(2, 3, neighbours=False)
    (in_flight,) = pages.take_requests(3)
    pages.refresh_from(2)  # ... and again, and the tail worker read lines 2 to 6
    pages.put(2, lines[2:7])
    assert [pages.get(n) for n in range(7)] == lines
    assert pages.is_loaded(0) and pages.is_loaded(1)
    assert pages.store(in_flight, lines[:3])  # read before: not kept over newer lines
    assert pages.get(3) is lines[3]
    pages.put(9, numbered_lines(10)[9:])  # page 2 not loaded up to line 9: not taken
    assert pages.get(9) is None and not pages.is_loaded(2)


def test_wrap_layout_lays_out_rows_from_the_top_line() -> None:
    heights = {0: 1, 1: 3, 2: 1, 3: 2}
    layout = WrapLayout(lambda line: heights[line])
    assert layout.viewport(0, 4, 4, None) == [(0, 0), (1, 0), (1, 1), (1, 2)]
    assert layout.viewport(2, 4, 4, None) == [(2, 0), (3, 0), (3, 1)]
    assert layout.last_top(4, 4) == 2
    assert layout.top_for(1, 4) == 0 and layout.top_for(3, 2) == 3


def test_wrap_layout_says_whether_a_line_is_wholly_shown() -> None:
    heights = {0: 1, 1: 3, 2: 1, 3: 2}
    layout = WrapLayout(lambda line: heights[line])
    assert layout.shows_whole(0, 0, 4, 4, None)
    assert layout.shows_whole(1, 0, 4, 4, None)  # rows 1-3 of the pane
    assert not layout.shows_whole(2, 0, 4, 4, None)  # below the pane
    assert not layout.shows_whole(3, 2, 2, 4, None)  # only its first row
    assert layout.shows_whole(3, 2, 3, 4, None)
    assert not layout.shows_whole(0, 1, 4, 4, None)  # above the top


def _marked(text: Text, style: Style) -> list[str]:
    return [text.plain[span.start : span.end] for span in text.spans if span.style == style]


MATCH = Style(bgcolor="yellow")


def test_a_search_highlights_every_column_of_a_line() -> None:
    line = head_line(3, "tools said ok", level="WARNING", logger="myapp.tools")
    columns = LogColumns(tag=render.SESSION_TAG_LENGTH, logger=16)

    def shown(query: str) -> list[str]:
        spans = compile_query(query).spans
        text = render.render_log_line(line, columns=columns, highlight=spans, match_style=MATCH)
        return _marked(text, MATCH)

    assert shown("tools") == ["tools", "tools"]  # the logger column and the message
    assert shown("WARN") == ["WARN"]  # the level
    assert shown("30:55") == ["30:55"]  # the time (14:30:55.123)
    assert shown(SESSION[-4:]) == [SESSION[-4:]]  # the session tag
    assert shown("re:[a-z]+ +14") == []  # never across columns
    assert shown(" ") == [" ", " "]  # the message's blanks, not the columns' padding


def test_a_matching_interaction_row_is_marked_and_its_matches_highlighted() -> None:
    columns = render.WIDE_INTERACTION_COLUMNS
    cells = render.interaction_cells(interaction(4, prompt="Weather in Paris?"), columns)
    marked = render.highlight_interaction_cells(cells, columns, compile_query("paris").spans, MATCH)
    keys = [key for key, _ in columns]
    assert _marked(marked[keys.index("number")], MATCH) == ["4"]  # the row is marked
    assert _marked(marked[keys.index("prompt")], MATCH) == ["Paris"]
    assert not _marked(marked[keys.index("model")], MATCH)
    texts = render.interaction_row_texts(interaction(4, tokens=(1200, 300)))
    assert "1.2k/300" in texts and "1.2k" in texts and "openai/gpt-4o-mini" in texts
