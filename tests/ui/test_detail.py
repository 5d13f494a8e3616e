"""The interaction detail: Pilot tests of every provider shape and key, and snapshots."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot

from session_explorer.core.interactions.reader import parse_line, read_interactions
from session_explorer.core.models import Interaction, Message, ToolCall, Usage
from session_explorer.ui import detail as dr
from session_explorer.ui.screens.detail import InteractionDetail, MessageBlock
from tests.ui.helpers import T0

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "interactions"
SIZE = (120, 36)


def load(name: str) -> list[Interaction]:
    return read_interactions(FIXTURES / f"{name}.jsonl")


class DetailApp(App[None]):
    """An empty app that opens the detail on one interaction, as the explorer does."""

    def __init__(self, interactions: Sequence[Interaction], index: int = 0) -> None:
        super().__init__()
        self.interactions = interactions
        self.index = index
        self.moves: list[int] = []
        self.copied: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(InteractionDetail(self.interactions, self.index))

    def on_interaction_detail_moved(self, message: InteractionDetail.Moved) -> None:
        self.moves.append(message.index)

    @property
    def detail(self) -> InteractionDetail:
        screen = self.screen
        assert isinstance(screen, InteractionDetail)
        return screen


def made(number: int = 1, **fields: object) -> Interaction:
    values: dict[str, object] = {
        "number": number,
        "line_number": number,
        "offset": 0,
        "raw_text": "{}",
        "timestamp": T0,
        "provider": "openai",
        "model": "gpt-4o-mini",
        "shape": "openai-chat",
        "raw": {},
    }
    values.update(fields)
    return Interaction(**values)  # type: ignore[arg-type]  # the test's fields


def malformed_line() -> Interaction:
    raw = b'{"interaction_id": 7, "provider": "openai", "model": [bold]gpt\x1b[31m'
    found = parse_line(raw, line_number=7, offset=2_431)
    assert found is not None and found.parse_error is not None
    return found


# --- each provider shape ----------------------------------------------------------

PROVIDERS = [
    (
        "openai_chat", 1, "Interaction 2/4 · openai/gpt-4o-mini · ok",
        ["system\nYou are a cycling coach.", "user\nWhat was my average power",
         "assistant\n→ get_ride_summary  call_8fK2mQ1xZ",
         '  {\n    "date": "2025-11-04",\n    "metrics": ["avg_power", "np"]\n  }',
         'tool · get_ride_summary · call_8fK2mQ1xZ\n{\n  "avg_power": 212,',
         "assistant · response\nYesterday you averaged 212 W",
         "tokens     498 in · 27 out · 525 total", "latency    640ms", "shape      openai-chat"],
    ),
    (
        "openai_responses", 1, "Interaction 2/3 · openai/gpt-4.1-mini · ok",
        ["system\nYou are a cycling coach.", "→ get_fatigue  call_Q1wE", '"window_days": 7',
         'tool · get_fatigue · call_Q1wE\n{\n  "tsb": -12,', "Take an easy 60-minute endurance ride",
         "tokens     356 in · 18 out · 374 total", "latency    870ms"],
    ),
    (
        "anthropic", 1, "Interaction 2/3 · anthropic/claude-sonnet-4-5 · ok",
        ["system\nYou are a cycling coach.", "assistant\nLet me look at your rides.\n→ get_ftp_history  toolu_01A9xQk",
         '"days": 30', 'tool · get_ftp_history · toolu_01A9xQk\n[\n  {\n    "date": "2025-10-06",',
         "user\nKeep it short.", "tokens     702 in · 24 out · 726 total", "latency    980ms"],
    ),
    (
        "gemini", 1, "Interaction 2/3 · gemini/gemini-1.5-pro · ok",
        ["system\nYou are a cycling coach.", "→ analyze_performance", '"ride_id": "r_1029"',
         'tool · analyze_performance\n{\n  "avg_power": 212,\n  "tss": 87\n}',
         "Solid endurance ride", "tokens     260 in · 31 out · 291 total", "latency    1.9s"],
    ),
    (
        "plain", 0, "Interaction 1/2 · local/tiny-echo · ok",
        ["user\nName one recovery food.", "assistant · response\nChocolate milk.",
         "tokens     not recorded", "shape      plain"],
    ),
]


@pytest.mark.parametrize(("name", "index", "title", "expected"), PROVIDERS,
                         ids=[case[0] for case in PROVIDERS])
async def test_each_provider_shape_reads_as_a_chat(
    name: str, index: int, title: str, expected: list[str]
) -> None:
    app = DetailApp(load(name), index)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        detail = app.detail
        assert detail.title_text == title
        text = detail.visible_text
        for part in expected:
            assert part in text
        classes = [block.classes for block in detail.blocks]
        assert any("-role-user" in found for found in classes)
        assert "-summary" in classes[-1]


async def test_an_error_and_a_failed_tool_result_are_marked() -> None:
    app = DetailApp(load("openai_chat"), 3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        detail = app.detail
        assert detail.title_text == "Interaction 4/4 · openai/gpt-4o-mini · error"
        summary = detail.blocks[-1]
        assert summary.has_class("-error")
        assert "error      RateLimitError: Rate limit reached for gpt-4o-mini" in summary.plain
        assert "(no response: the call failed" in detail.visible_text

    app = DetailApp(load("anthropic"), 2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tool = [block for block in app.detail.blocks if block.has_class("-role-tool")]
        assert len(tool) == 1 and tool[0].has_class("-error")
        assert tool[0].plain == "tool · get_ftp_history · toolu_01B7  ✖ error\nStrava API timeout after 30 s"


async def test_text_is_shown_literally() -> None:
    hostile = made(
        model="[red]gpt[/red]\x1b[2J",
        messages=(Message("user", "Say [bold]hi[/bold]\x1b[31m red\x00 \u202eevil\tend"),),
        output_tool_calls=(ToolCall("[b]tool", {"k": "v\x9b[1m"}, id="call\x07"),),
    )
    app = DetailApp([hostile])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        detail = app.detail
        assert detail.title_text == "Interaction 1/1 · openai/[red]gpt[/red]␛[2J · ok"
        text = detail.visible_text
        assert "Say [bold]hi[/bold]␛[31m red␀ <U+202E>evil end" in text  # the tab as spaces
        assert "→ [b]tool  call␇" in text
        assert '"k": "v\\x9b[1m"' in text
        assert not any(char in text for char in "\x1b\x00\x07\x9b\u202e\t")


async def test_an_unknown_shape_shows_its_json() -> None:
    record = {"foo": "bar", "nested": [1, {"a": None}]}
    app = DetailApp([made(shape="unknown", provider=None, model=None, raw=record)])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        detail = app.detail
        assert detail.title_text == "Interaction 1/1 · no model · ok"
        assert 'unrecognised payload · the record\'s JSON\n{\n  "foo": "bar",' in detail.visible_text
        assert '"a": null' in detail.visible_text


async def test_a_malformed_line_shows_its_raw_text_error_and_line_number() -> None:
    app = DetailApp([*load("plain"), malformed_line()], 2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        detail = app.detail
        assert detail.title_text == "Interaction 3/3 · line 7 · malformed"
        (block,) = detail.blocks
        assert block.plain.splitlines()[:3] == [
            "malformed line · line 7 · byte 2,431",
            "error      Expecting value: line 1 column 55",
            'near       …id": 7, "provider": "openai", "model": [bold]gpt␛[31m',
        ]
        assert '{"interaction_id": 7, "provider": "openai", "model": [bold]gpt␛[31m' in block.plain


# --- keys ---------------------------------------------------------------------------


async def test_r_toggles_the_raw_json() -> None:
    long_value = "w" * 1_000
    interactions = load("openai_chat")
    app = DetailApp(interactions, 1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        detail = app.detail
        chat_blocks = len(detail.blocks)
        await pilot.press("r")
        assert detail.raw
        (block,) = detail.blocks
        assert block.plain.startswith("raw record · line 2 · 1,430 characters\n{\n  \"interaction_id\": 2,")
        assert '"arguments": "{\\"date\\": \\"2025-11-04\\"' in block.plain
        assert str(detail.body.border_subtitle).startswith("raw JSON · openai-chat · line 2")
        await pilot.press("r")
        assert not detail.raw
        assert len(detail.blocks) == chat_blocks

    folded = made(raw={"input": {"prompt": long_value}}, raw_text="{...}")
    app = DetailApp([folded])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        assert f'"prompt": "{"w" * 400}…" (+600 chars)' in app.detail.visible_text
        await pilot.press("e")
        assert f'"prompt": "{long_value}"' in app.detail.visible_text
        await pilot.press("plus")
        assert "(+600 chars)" in app.detail.visible_text


async def test_n_and_p_move_in_place() -> None:
    app = DetailApp(load("openai_chat"), 0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        detail = app.detail
        await pilot.press("n", "n")
        assert app.screen is detail
        assert detail.index == 2
        assert detail.title_text == "Interaction 3/4 · ollama/llama3.1:8b · ok"
        assert "What does this power curve say?\n[image]" in detail.visible_text
        await pilot.press("p")
        assert detail.title_text.startswith("Interaction 2/4")
        await pilot.press("p", "p")
        assert detail.index == 0
        assert app.moves == [1, 2, 1, 0]
        assert any("first interaction" in str(n.message) for n in app._notifications)
        await pilot.press("r", "n")
        assert detail.raw and '"interaction_id": 2' in detail.visible_text


async def test_escape_and_q_close() -> None:
    app = DetailApp(load("plain"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        assert not isinstance(app.screen, InteractionDetail)
        app.push_screen(InteractionDetail(app.interactions, 1))
        await pilot.pause()
        await pilot.press("q")
        assert not isinstance(app.screen, InteractionDetail)
        assert app.is_running


async def test_y_copies_the_record_or_the_focused_message(monkeypatch: pytest.MonkeyPatch) -> None:
    interactions = load("openai_chat")
    app = DetailApp(interactions, 1)
    monkeypatch.setattr(app, "copy_to_clipboard", app.copied.append)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("y")
        assert app.copied == [interactions[1].raw_text]
        assert "Copied the record (line 2): 1,430 characters." in [
            str(n.message) for n in app._notifications
        ]
        await pilot.press("tab", "tab")  # the user message
        assert isinstance(app.focused, MessageBlock)
        await pilot.press("y")
        assert app.copied[-1] == "What was my average power on yesterday's ride?"
        await pilot.press("tab")  # the assistant's tool call
        await pilot.press("y")
        assert app.copied[-1] == (
            'get_ride_summary [call_8fK2mQ1xZ]\n{\n  "date": "2025-11-04",\n'
            '  "metrics": [\n    "avg_power",\n    "np"\n  ]\n}'
        )
        app.detail.blocks[-1].focus()  # the summary
        await pilot.press("y")
        assert app.copied[-1].startswith("summary\nstatus     ok\nprovider   openai\n")
        await pilot.press("r", "y")  # the raw view copies the record
        assert app.copied[-1] == interactions[1].raw_text


async def test_an_empty_session_shows_a_note() -> None:
    app = DetailApp([])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.detail.title_text == "No interactions"
        assert app.detail.visible_text == "No interaction to show."
        await pilot.press("n", "r", "y", "escape")
        assert not isinstance(app.screen, InteractionDetail)


async def test_keys_scroll_the_detail() -> None:
    messages = tuple(Message("user" if n % 2 else "assistant", f"message {n}") for n in range(40))
    app = DetailApp([made(messages=messages)])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        body = app.detail.body
        assert body.scroll_y == 0
        await pilot.press("j", "j")
        assert body.scroll_y == 2
        await pilot.press("G")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y > 100
        await pilot.press("g")
        await pilot.pause()
        assert body.scroll_y == 0


# --- long content -------------------------------------------------------------------


async def test_a_10_mb_field_opens_fast_folded_and_expands_bounded() -> None:
    line = "a line of a very long tool result " + "x" * 60 + "\n"
    huge = line * (10_000_000 // len(line))
    assert len(huge) > 9_900_000
    interaction = made(
        messages=(Message("user", "Read the file."),
                  Message("tool", huge, tool_call_id="call_1", name="read_file")),
        output_text="y" * 10_000_000,
    )
    app = DetailApp([interaction])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        started = time.perf_counter()
        await app.push_screen(InteractionDetail([interaction], 0))
        await pilot.pause()
        opened = time.perf_counter() - started
        assert opened < 1.0, f"opening took {opened:.2f}s"
        detail = app.detail
        tool = detail.blocks[1]
        started = time.perf_counter()
        dr.message_pieces(interaction.messages[1], dr.FOLDED, expanded=False)
        dr.output_pieces(interaction, dr.FOLDED, expanded=False)
        assert time.perf_counter() - started < 0.05  # the content: a slice, not 10 MB
        hidden = dr.clip(huge, dr.FOLDED)[1]
        assert hidden == len(huge) - (dr.FOLDED.chars // len(line)) * len(line) + 1
        assert f"… {hidden:,} more characters (press e to expand)" in tool.plain
        assert len(tool.plain) < 5_000
        assert "… 9,998,000 more characters (press e to expand)" in detail.blocks[2].plain

        # No block focused: e expands every cut field, up to the bound.
        started = time.perf_counter()
        await pilot.press("e")
        await pilot.pause()
        expanded = time.perf_counter() - started
        assert expanded < 2.0, f"expanding took {expanded:.2f}s"
        assert tool.expanded and detail.blocks[2].expanded
        hidden = dr.clip(huge, dr.EXPANDED)[1]
        assert len(huge) - dr.EXPANDED.chars < hidden < len(huge) - dr.EXPANDED.chars + len(line)
        assert f"… {hidden:,} more characters not shown" in tool.plain
        assert dr.EXPANDED.chars - len(line) < len(tool.plain) < dr.EXPANDED.chars + 1_000
        assert len(tool.query("Static")) > 10  # laid out in pieces
        await pilot.press("e")
        assert not tool.expanded
        assert len(tool.plain) < 5_000

        # A focused block: e expands that block only.
        tool.focus()
        await pilot.press("e")
        assert tool.expanded and not detail.blocks[2].expanded


async def test_nothing_to_expand_says_so() -> None:
    app = DetailApp(load("plain"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        assert "Nothing is cut here." in [str(n.message) for n in app._notifications]


# --- rendering rules ----------------------------------------------------------------


def test_clip_counts_what_it_leaves_out() -> None:
    limits = dr.Limits(chars=10, lines=2, fold=5)
    assert dr.clip("short", limits) == ("short", 0)
    assert dr.clip("0123456789abc", limits) == ("0123456789", 3)
    assert dr.clip("a\nb\nc\nd", limits) == ("a\nb", 4)
    assert dr.clip("01234567\n9abc", limits) == ("01234567", 5)  # back to the line break
    assert dr.clip("0123456\n89abc", limits) == ("0123456\n89", 3)  # too far back


def test_json_lines_fold_long_strings_and_deep_nesting() -> None:
    out = dr.Pieces()
    dr.add_json_field(out, {"s": "x" * 50, "n": 1.5, "t": True, "z": None, "e": {}, "l": []},
                      dr.Limits(chars=1_000, lines=0, fold=10), expanded=False)
    plain = "\n".join(piece.plain for piece in out.finish())
    assert plain == (
        '{\n  "s": "xxxxxxxxxx…" (+40 chars),\n  "n": 1.5,\n  "t": true,\n'
        '  "z": null,\n  "e": {},\n  "l": []\n}'
    )
    deep: object = 1
    for _ in range(dr.MAX_JSON_DEPTH + 5):
        deep = {"d": deep}
    lines = ["".join(text for text, _ in runs) for runs in dr.json_lines(deep, 10)]
    assert any(line.strip() == '"d": {…}' for line in lines)


def test_json_past_its_line_limit_counts_the_rest() -> None:
    out = dr.Pieces()
    dr.add_json_field(out, list(range(100)), dr.FOLDED, expanded=False)
    plain = "\n".join(piece.plain for piece in out.finish())
    assert out.truncated
    assert plain.endswith("… 62 more lines (press e to expand)")


# --- snapshots ------------------------------------------------------------------------


async def _opened(pilot: Pilot[None]) -> None:
    await pilot.pause()


def test_snapshot_openai_tool_call(snap_compare) -> None:  # type: ignore[no-untyped-def]  # pytest fixture
    app = DetailApp(load("openai_chat"), 1)
    assert snap_compare(app, terminal_size=SIZE, run_before=_opened)


def test_snapshot_raw_json(snap_compare) -> None:  # type: ignore[no-untyped-def]  # pytest fixture
    app = DetailApp(load("anthropic"), 0)
    assert snap_compare(app, terminal_size=SIZE, press=["r"], run_before=_opened)


def test_snapshot_malformed_line(snap_compare) -> None:  # type: ignore[no-untyped-def]  # pytest fixture
    app = DetailApp([*load("plain"), malformed_line()], 2)
    assert snap_compare(app, terminal_size=SIZE, run_before=_opened)


def test_usage_block_for_partial_counts() -> None:
    interaction = made(usage=Usage(input_tokens=1_234))
    pieces, _ = dr.summary_pieces(interaction, dr.FOLDED, expanded=False)
    assert "tokens     1,234 in · - out · 1,234 total" in "\n".join(p.plain for p in pieces)
