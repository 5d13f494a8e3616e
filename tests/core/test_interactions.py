"""Tests for the interactions JSONL reader and the payload normaliser."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from session_explorer.core.interactions import payloads
from session_explorer.core.interactions import reader as mod
from session_explorer.core.interactions.reader import (
    SHAPES,
    JsonlReader,
    normalise,
    parse_line,
    parse_timestamp,
    read_interactions,
)
from session_explorer.core.models import Interaction, Message, Usage

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "interactions"
SYSTEM = "You are a cycling coach. Answer briefly and use the tools for ride data."


def record(**fields: Any) -> Interaction:
    """Normalise a record given as keyword arguments."""
    return normalise(fields, line_number=7, offset=123, raw_text=json.dumps(fields))


def line(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode() + b"\n"


def calls_of(interaction: Interaction) -> list[tuple[str, Any, str | None]]:
    return [(call.name, call.arguments, call.id) for call in interaction.output_tool_calls]


def conversation(interaction: Interaction) -> list[tuple[Any, ...]]:
    """Messages as compact tuples: (role, text, [(call name, args)], tool_call_id, name, is_error)."""
    return [
        (m.role, m.text, [(c.name, c.arguments) for c in m.tool_calls], m.tool_call_id, m.name, m.is_error)
        for m in interaction.messages
    ]


def local(moment: datetime) -> datetime:
    """An aware datetime as naive local time."""
    return moment.astimezone().replace(tzinfo=None)


# ===================================================================== fixtures
FIXTURE_CASES = [
    # file, index, shape, provider, model, roles, output_text, output calls, usage (in, out, total), duration, error
    ("openai_chat.jsonl", 0, "openai-chat", "openai", "gpt-4o-mini", ("system", "user"), "",
     [("get_ride_summary", {"date": "2025-11-04", "metrics": ["avg_power", "np"]}, "call_8fK2mQ1xZ")],
     (412, 38, 450), 812.4, None),
    ("openai_chat.jsonl", 1, "openai-chat", "openai", "gpt-4o-mini", ("system", "user", "assistant", "tool"),
     "Yesterday you averaged 212 W (normalized power 231 W).", [], (498, 27, 525), 640.0, None),
    ("openai_chat.jsonl", 2, "openai-chat", "ollama", "llama3.1:8b", ("system", "user"),
     "Your sprint is strong but you fade after five minutes.", [], (61, 12, None), 2310.5, None),
    ("openai_chat.jsonl", 3, "openai-chat", "openai", "gpt-4o-mini", ("user",), "", [], (None, None, None), 95.0,
     "RateLimitError: Rate limit reached for gpt-4o-mini"),
    ("anthropic.jsonl", 0, "anthropic", "anthropic", "claude-sonnet-4-5", ("system", "user"),
     "[thinking] The user wants the FTP trend; fetch 30 days.\nLet me look at your rides.",
     [("get_ftp_history", {"days": 30}, "toolu_01A9xQk")], (523, 91, None), 1520.7, None),
    ("anthropic.jsonl", 1, "anthropic", "anthropic", "claude-sonnet-4-5",
     ("system", "user", "assistant", "tool", "user"), "Your FTP rose from 248 W to 256 W (+3%).", [],
     (702, 24, None), 980.2, None),
    ("anthropic.jsonl", 2, "anthropic", "anthropic", "claude-haiku-4-5", ("user", "assistant", "tool"),
     "I could not reach your ride history; please try again later.", [], (388, 19, None), 612.0, None),
    ("openai_responses.jsonl", 0, "openai-responses", "openai", "gpt-4.1-mini", ("system", "user"), "",
     [("get_fatigue", {"window_days": 7}, "call_Q1wE")], (301, 24, 325), 1104.9, None),
    ("openai_responses.jsonl", 1, "openai-responses", "openai", "gpt-4.1-mini",
     ("system", "user", "assistant", "tool"), "Take an easy 60-minute endurance ride (TSB is -12).", [],
     (356, 18, 374), 870.3, None),
    ("openai_responses.jsonl", 2, "openai-responses", "openai", "gpt-4.1-mini", ("user",),
     "Four rides, 9 h, one solid threshold session.", [], (14, 12, 26), 402.0, None),
    ("gemini.jsonl", 0, "gemini", "gemini", "gemini-1.5-pro", ("system", "user"), "",
     [("analyze_performance", {"ride_id": "r_1029"}, None)], (210, 18, 228), 1333.0, None),
    ("gemini.jsonl", 1, "gemini", "gemini", "gemini-1.5-pro", ("system", "user", "assistant", "tool"),
     "Solid endurance ride: 212 W average, TSS 87.", [], (260, 31, 291), 1876.0, None),
    ("gemini.jsonl", 2, "gemini", "gemini", "gemini-2.5-flash", ("user",),
     "[thinking] TSS 87 for a 2 h ride is moderate.\nIt is a moderate load; recover with an easy day.", [],
     (12, 14, 66), 2205.0, None),
    ("plain.jsonl", 0, "plain", "local", "tiny-echo", ("user",), "Chocolate milk.", [], (None, None, None), 12.5, None),
    ("plain.jsonl", 1, "plain", "local", "tiny-echo", ("user",), "Hello.", [], (None, None, None), 3.0, None),
]


@pytest.mark.parametrize(
    ("name", "index", "shape", "provider", "model", "roles", "output_text", "calls", "usage", "duration", "error"),
    FIXTURE_CASES,
    ids=[f"{case[0]}:{case[1] + 1}" for case in FIXTURE_CASES],
)
def test_fixture_lines_normalise(
    name: str,
    index: int,
    shape: str,
    provider: str,
    model: str,
    roles: tuple[str, ...],
    output_text: str,
    calls: list[Any],
    usage: tuple[int | None, int | None, int | None],
    duration: float,
    error: str | None,
) -> None:
    interaction = read_interactions(FIXTURES / name)[index]
    assert interaction.parse_error is None
    assert interaction.number == interaction.line_number == index + 1
    assert (interaction.shape, interaction.provider, interaction.model) == (shape, provider, model)
    assert tuple(m.role for m in interaction.messages) == roles
    assert interaction.output_text == output_text
    assert calls_of(interaction) == calls
    got = interaction.usage
    assert (got.input_tokens, got.output_tokens, got.total_tokens) == usage
    assert interaction.duration_ms == duration
    assert interaction.error == error
    assert interaction.status == ("error" if error else "ok")
    assert isinstance(interaction.raw, dict) and interaction.raw["interaction_id"] == index + 1


CONVERSATION_CASES = [
    ("openai_chat.jsonl", 1, [
        ("system", SYSTEM, [], None, None, False),
        ("user", "What was my average power on yesterday's ride?", [], None, None, False),
        ("assistant", "", [("get_ride_summary", {"date": "2025-11-04", "metrics": ["avg_power", "np"]})],
         None, None, False),
        ("tool", '{"avg_power": 212, "np": 231}', [], "call_8fK2mQ1xZ", "get_ride_summary", False),
    ]),
    ("openai_chat.jsonl", 2, [
        ("system", "Reply in one sentence.", [], None, None, False),
        ("user", "What does this power curve say?\n[image]", [], None, None, False),
    ]),
    ("anthropic.jsonl", 1, [
        ("system", SYSTEM, [], None, None, False),
        ("user", "How did my FTP change this month?", [], None, None, False),
        ("assistant", "Let me look at your rides.", [("get_ftp_history", {"days": 30})], None, None, False),
        ("tool", '[{"date": "2025-10-06", "ftp": 248}, {"date": "2025-11-03", "ftp": 256}]', [],
         "toolu_01A9xQk", "get_ftp_history", False),
        ("user", "Keep it short.", [], None, None, False),
    ]),
    ("anthropic.jsonl", 2, [
        ("user", "Compare with last year.", [], None, None, False),
        ("assistant", "", [("get_ftp_history", {"days": 365})], None, None, False),
        ("tool", "Strava API timeout after 30 s", [], "toolu_01B7", "get_ftp_history", True),
    ]),
    ("openai_responses.jsonl", 1, [
        ("system", SYSTEM, [], None, None, False),
        ("user", "Plan tomorrow's workout.", [], None, None, False),
        ("assistant", "", [("get_fatigue", {"window_days": 7})], None, None, False),
        ("tool", '{"tsb": -12, "ctl": 64}', [], "call_Q1wE", "get_fatigue", False),
    ]),
    ("gemini.jsonl", 1, [  # snake_case function_call / function_response, system_instruction
        ("system", SYSTEM, [], None, None, False),
        ("user", "Analyse my last ride.", [], None, None, False),
        ("assistant", "", [("analyze_performance", {"ride_id": "r_1029"})], None, None, False),
        ("tool", '{"avg_power": 212, "tss": 87}', [], None, "analyze_performance", False),
    ]),
]


@pytest.mark.parametrize(("name", "index", "expected"), CONVERSATION_CASES, ids=lambda v: str(v)[:24])
def test_fixture_conversations(name: str, index: int, expected: list[tuple[Any, ...]]) -> None:
    assert conversation(read_interactions(FIXTURES / name)[index]) == expected


def test_fixture_timestamps_are_naive_local() -> None:
    first = read_interactions(FIXTURES / "openai_chat.jsonl")[0]
    assert first.timestamp == datetime(2025, 11, 5, 14, 30, 55, 120000)
    assert first.last_user_text == "What was my average power on yesterday's ride?"


# ================================================================ line parsing
MALFORMED_CASES = [
    # raw line, expected parse_error start (None: parses), expected raw_text
    (b'{"interaction_id": 1 "model": "x"}', "Expecting ',' delimiter: line 1 column 22", None),
    (b'{"interaction_id": 1, "input": ', "Expecting value: line 1 column 32", None),
    (b"[1, 2]", "not a JSON object (a JSON array)", None),
    (b'"x"', "not a JSON object (a JSON string)", None),
    (b"42", "not a JSON object (a JSON number)", None),
    (b"null", "not a JSON object (a JSON null)", None),
    (b"\xff\xfe{oops", "Expecting value: line 1 column 1", "\ufffd\ufffd{oops"),
    (b'{"a": \x00 1}', "Expecting value: line 1 column 7", '{"a": \x00 1}'),
    (b"[" * 200_000, "invalid JSON", None),
]


@pytest.mark.parametrize(("raw", "problem", "text"), MALFORMED_CASES, ids=lambda v: repr(v)[:30])
def test_malformed_lines_are_kept(raw: bytes, problem: str, text: str | None) -> None:
    interaction = parse_line(raw, line_number=5, offset=40)
    assert interaction is not None
    assert interaction.parse_error is not None and interaction.parse_error.startswith(problem)
    assert (interaction.number, interaction.line_number, interaction.offset) == (5, 5, 40)
    assert interaction.raw_text == (text if text is not None else raw.decode("utf-8", "replace"))
    assert interaction.shape == "unknown"
    assert interaction.status == "malformed"


def test_non_object_json_keeps_the_value() -> None:
    interaction = parse_line(b"[1, 2]", line_number=1, offset=0)
    assert interaction is not None and interaction.raw == [1, 2]


HOSTILE_TEXT_CASES = [
    # JSON line, expected user text, expected output text
    (line({"input": "caf\u00e9 \u2603", "output": "ok"})[:-1], "caf\u00e9 \u2603", "ok"),
    (b'{"input": "caf\xe9", "output": "x"}', "caf\ufffd", "x"),  # invalid UTF-8 inside a string
    (b'{"input": "a\x00b", "output": "x"}', "a\x00b", "x"),  # raw NUL inside a string (lenient)
    (b'{"input": "tab\there", "output": "x"}', "tab\there", "x"),  # raw control character
    (line({"input": "\x1b[31mred\x1b[0m \x1b]0;title\x07", "output": "[bold red]not markup[/]"})[:-1],
     "\x1b[31mred\x1b[0m \x1b]0;title\x07", "[bold red]not markup[/]"),
    (b'{"input": "\x1b[2J", "output": "[link=http://x]y[/link]"}', "\x1b[2J", "[link=http://x]y[/link]"),
]


@pytest.mark.parametrize(("raw", "user", "output"), HOSTILE_TEXT_CASES, ids=lambda v: repr(v)[:30])
def test_hostile_text_is_kept_literally(raw: bytes, user: str, output: str) -> None:
    interaction = parse_line(raw, line_number=1, offset=0)
    assert interaction is not None and interaction.parse_error is None
    assert interaction.last_user_text == user
    assert interaction.output_text == output


def test_escapes_and_markup_in_tool_arguments_are_kept() -> None:
    arguments = json.dumps({"path": "\x1b[31m[red]x[/red]"})
    interaction = record(
        input={"messages": [{"role": "user", "content": "go"}]},
        output={"choices": [{"message": {"role": "assistant", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "read", "arguments": arguments}}]}}]},
    )
    assert calls_of(interaction) == [("read", {"path": "\x1b[31m[red]x[/red]"}, "c1")]


@pytest.mark.parametrize("raw", [b"", b"   ", b"\r", b" \t \r"])
def test_blank_lines_give_nothing(raw: bytes) -> None:
    assert parse_line(raw, line_number=1, offset=0) is None


def test_crlf_and_bom_are_ignored() -> None:
    interaction = parse_line(b'\xef\xbb\xbf{"interaction_id": 3}\r', line_number=1, offset=0)
    assert interaction is not None and interaction.parse_error is None
    assert interaction.number == 3 and interaction.raw_text == '{"interaction_id": 3}'


# ======================================================================= reader
def test_reader_reads_only_new_complete_lines(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    path.write_bytes(line({"interaction_id": 1}))
    reader = JsonlReader(path)
    assert [i.number for i in reader.read_new()] == [1]
    assert reader.read_new() == []
    with path.open("ab") as handle:
        handle.write(line({"interaction_id": 2}) + line({"interaction_id": 3}))
    found = reader.read_new()
    assert [(i.number, i.line_number) for i in found] == [(2, 2), (3, 3)]
    assert reader.offset == path.stat().st_size and reader.line_number == 3


def test_reader_holds_back_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    first = line({"interaction_id": 1})
    second = line({"interaction_id": 2, "input": "snow \u2603 man", "output": "ok"})
    cut = second.index("\u2603".encode()) + 1  # inside a multi-byte character
    path.write_bytes(first + second[:cut])
    reader = JsonlReader(path)
    assert [i.number for i in reader.read_new()] == [1]
    assert (reader.offset, reader.line_number, reader.pending_bytes) == (len(first), 1, cut)
    assert reader.read_new() == []  # still torn: held back again
    with path.open("ab") as handle:
        handle.write(second[cut:])
    [completed] = reader.read_new()
    assert (completed.number, completed.line_number, completed.offset) == (2, 2, len(first))
    assert completed.last_user_text == "snow \u2603 man"
    assert reader.pending_bytes == 0


def test_reader_restarts_after_truncation(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    path.write_bytes(b"".join(line({"interaction_id": n}) for n in (1, 2, 3)))
    reader = JsonlReader(path)
    assert len(reader.read_new()) == 3
    with path.open("r+b") as handle:  # same file, truncated in place
        handle.truncate(0)
        handle.write(line({"interaction_id": 9}))
    found = reader.read_new()
    assert [(i.number, i.line_number, i.offset) for i in found] == [(9, 1, 0)]
    assert (reader.truncations, reader.replacements, reader.last_reset) == (1, 0, "truncated")
    assert reader.read_new() == [] and reader.last_reset is None


def test_reader_notices_a_rewrite_that_grew_past_the_offset(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    path.write_bytes(line({"interaction_id": 1}))
    reader = JsonlReader(path)
    reader.read_new()
    with path.open("r+b") as handle:  # rewritten in place, longer than before
        handle.truncate(0)
        handle.write(line({"interaction_id": 5, "model": "a-much-longer-record"}))
    assert [i.number for i in reader.read_new()] == [5]
    assert reader.truncations == 1


def test_reader_restarts_when_the_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    path.write_bytes(line({"interaction_id": 1}) + line({"interaction_id": 2}))
    reader = JsonlReader(path)
    assert len(reader.read_new()) == 2
    other = tmp_path / "new.jsonl"
    other.write_bytes(b"".join(line({"interaction_id": n}) for n in (1, 2, 3, 4)))
    os.replace(other, path)
    assert [i.number for i in reader.read_new()] == [1, 2, 3, 4]
    assert (reader.replacements, reader.truncations, reader.last_reset) == (1, 0, "replaced")


def test_reader_of_a_missing_file_reads_nothing_until_it_appears(tmp_path: Path) -> None:
    path = tmp_path / "later.jsonl"
    reader = JsonlReader(path)
    assert reader.read_new() == [] and not reader.exists
    path.write_bytes(line({"interaction_id": 1}))
    assert [i.number for i in reader.read_new()] == [1] and reader.exists


def test_reader_counts_blank_lines_and_accepts_crlf(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    path.write_bytes(b'\r\n\n{"interaction_id": 1}\r\n   \n{"model": "m"}\r\n')
    found = JsonlReader(path).read_new()
    assert [(i.number, i.line_number, i.offset) for i in found] == [(1, 3, 3), (5, 5, 30)]
    assert found[0].raw_text == '{"interaction_id": 1}'
    assert found[1].model == "m"


def test_reader_keeps_malformed_lines_in_place(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    path.write_bytes(line({"interaction_id": 1}) + b"{not json\n" + b"[1]\n" + line({"interaction_id": 4}))
    found = JsonlReader(path).read_new()
    assert [(i.number, i.status) for i in found] == [(1, "ok"), (2, "malformed"), (3, "malformed"), (4, "ok")]


@pytest.mark.parametrize("chunk_size", [1, 2, 5, 64])
def test_reader_reassembles_lines_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk_size: int
) -> None:
    monkeypatch.setattr(mod, "CHUNK_SIZE", chunk_size)
    path = tmp_path / "session.jsonl"
    data = line({"interaction_id": 1, "input": "x" * 100}) + b"\n" + line({"interaction_id": 2}) + b'{"torn'
    path.write_bytes(data)
    reader = JsonlReader(path)
    found = reader.read_new()
    assert [(i.number, i.line_number) for i in found] == [(1, 1), (2, 3)]
    assert reader.pending_bytes == len(b'{"torn')


def test_reader_handles_a_10_mb_line(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    big = "y" * (10 * 1024 * 1024)
    first = line({"interaction_id": 1, "input": {"messages": [{"role": "user", "content": big}]}, "output": "ok"})
    path.write_bytes(first + line({"interaction_id": 2}))
    found = JsonlReader(path).read_new()
    assert [i.number for i in found] == [1, 2]
    assert found[0].last_user_text == big and found[0].shape == "openai-chat"
    assert found[1].offset == len(first)


def test_iter_new_yields_one_by_one_and_can_stop_early(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    first = line({"interaction_id": 1})
    path.write_bytes(first + b"\n" + line({"interaction_id": 2}) + line({"interaction_id": 3}) + b'{"torn')
    reader = JsonlReader(path)
    found = reader.iter_new()
    assert next(found).number == 1 and (reader.offset, reader.line_number) == (len(first), 1)
    found.close()  # stopped early: the rest waits for the next call
    assert [(i.number, i.line_number) for i in reader.iter_new()] == [(2, 3), (3, 4)]
    assert reader.pending_bytes == len(b'{"torn')


def test_read_interactions_leaves_out_an_unfinished_last_line(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    path.write_bytes(line({"interaction_id": 1}) + b'{"interaction_id": 2}')
    assert [i.number for i in read_interactions(path)] == [1]
    assert [i.number for i in read_interactions(path, include_partial=True)] == [1, 2]
    with pytest.raises(FileNotFoundError):
        read_interactions(tmp_path / "missing.jsonl")


def test_read_pending_does_not_consume(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    path.write_bytes(line({"interaction_id": 1}) + b'{"interaction_id": 2, "inp')
    reader = JsonlReader(path)
    reader.read_new()
    pending = reader.read_pending()
    assert pending is not None and pending.parse_error is not None and pending.line_number == 2
    assert reader.offset == len(line({"interaction_id": 1}))


# =================================================================== timestamps
TIMESTAMP_CASES = [
    ("2025-11-05T14:30:55.120", datetime(2025, 11, 5, 14, 30, 55, 120000)),
    ("2025-11-05T14:30:55", datetime(2025, 11, 5, 14, 30, 55)),
    ("2025-11-05 14:30:55,5", datetime(2025, 11, 5, 14, 30, 55, 500000)),
    ("2025-11-05T14:30:55Z", local(datetime(2025, 11, 5, 14, 30, 55, tzinfo=UTC))),
    ("2025-11-05T14:30:55.123456789+02:00",
     local(datetime(2025, 11, 5, 14, 30, 55, 123456, tzinfo=timezone(timedelta(hours=2))))),
    (" 2025-11-05T14:30:55.1-05:00 ",
     local(datetime(2025, 11, 5, 14, 30, 55, 100000, tzinfo=timezone(timedelta(hours=-5))))),
    (1762349455, datetime.fromtimestamp(1762349455)),
    (1762349455.25, datetime.fromtimestamp(1762349455.25)),
    (1762349455250, datetime.fromtimestamp(1762349455.25)),  # milliseconds
    ("1762349455", datetime.fromtimestamp(1762349455)),
    ("yesterday", None),
    ("", None),
    (True, None),
    (None, None),
    (float("nan"), None),
    (1e300, None),
    ({"when": "now"}, None),
]


@pytest.mark.parametrize(("value", "expected"), TIMESTAMP_CASES, ids=lambda v: repr(v)[:30])
def test_parse_timestamp(value: Any, expected: datetime | None) -> None:
    parsed = parse_timestamp(value)
    assert parsed == expected
    assert parsed is None or parsed.tzinfo is None


def test_timestamp_falls_back_to_the_response_creation_time() -> None:
    interaction = record(input="hi", output={"object": "chat.completion", "created": 1762349455, "choices": []})
    assert interaction.timestamp == datetime.fromtimestamp(1762349455)
    assert record(ts="2025-01-02T03:04:05").timestamp == datetime(2025, 1, 2, 3, 4, 5)


# ============================================================== record fields
USAGE_CASES = [
    ({"usage": {"input_tokens": 5, "output_tokens": 7}}, Usage(5, 7, None)),
    ({"usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}}, Usage(5, 7, 12)),
    ({"usage": {"promptTokenCount": 1, "candidatesTokenCount": 2, "totalTokenCount": 3}}, Usage(1, 2, 3)),
    ({"usage": {"prompt_token_count": 1, "candidates_token_count": 2, "total_token_count": 3}}, Usage(1, 2, 3)),
    ({"usage": {"total_tokens": 40},
      "output": {"choices": [], "usage": {"prompt_tokens": 30, "completion_tokens": 10}}},
     Usage(30, 10, 40)),
    ({"usage": {"input_tokens": 9}, "output": {"type": "message", "content": [], "usage": {"input_tokens": 1}}},
     Usage(9, None, None)),
    ({"output": {"candidates": [], "usage_metadata": {"prompt_token_count": 4, "candidates_token_count": 6}}},
     Usage(4, 6, None)),
    ({"usage": {"input_tokens": "12", "output_tokens": True, "total_tokens": 3.5}}, Usage(12, None, None)),
    ({"usage": "lots"}, Usage()),
]


@pytest.mark.parametrize(("fields", "expected"), USAGE_CASES, ids=lambda v: repr(v)[:40])
def test_usage(fields: dict[str, Any], expected: Usage) -> None:
    assert record(**fields).usage == expected


def test_usage_total_is_summed_when_missing() -> None:
    assert record(usage={"input_tokens": 5, "output_tokens": 7}).usage.total == 12


ERROR_CASES = [
    ({"error": "boom"}, "boom"),
    ({"error": {"type": "ValueError", "message": "bad value"}}, "ValueError: bad value"),
    ({"error": {"message": "only a message"}}, "only a message"),
    ({"error": {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}},
     "overloaded_error: Overloaded"),
    ({"error": {"code": 429, "message": "Quota", "status": "RESOURCE_EXHAUSTED"}}, "RESOURCE_EXHAUSTED: Quota"),
    ({"error": {"code": 500}}, "500"),
    ({"error": {"weird": [1]}}, '{"weird": [1]}'),
    ({"error": True}, "error"),
    ({"error": ["a", "b"]}, '["a", "b"]'),
    ({"error": None}, None),
    ({"error": ""}, None),
    ({"output": {"error": {"message": "Invalid key", "type": "invalid_request_error"}}},
     "invalid_request_error: Invalid key"),
    ({"output": {"object": "response", "output": [], "error": None}}, None),
]


@pytest.mark.parametrize(("fields", "expected"), ERROR_CASES, ids=lambda v: repr(v)[:40])
def test_error(fields: dict[str, Any], expected: str | None) -> None:
    assert record(**fields).error == expected


DURATION_CASES = [
    ({"duration_ms": 812.4}, 812.4),
    ({"duration_ms": 12}, 12.0),
    ({"latency_ms": "40.5"}, 40.5),
    ({"duration": 1.5}, 1500.0),
    ({"duration_s": 2}, 2000.0),
    ({"duration_ms": "soon", "duration": 0.25}, 250.0),
    ({"duration_ms": True}, None),
    ({"duration_ms": float("nan")}, None),
    ({}, None),
]


@pytest.mark.parametrize(("fields", "expected"), DURATION_CASES, ids=lambda v: repr(v)[:40])
def test_duration(fields: dict[str, Any], expected: float | None) -> None:
    assert record(**fields).duration_ms == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [({"interaction_id": 4}, 4), ({"interaction_id": "12"}, 12), ({"interaction_id": "abc"}, 7),
     ({"interaction_id": True}, 7), ({}, 7)],
)
def test_number_is_the_interaction_id_else_the_line_number(fields: dict[str, Any], expected: int) -> None:
    assert record(**fields).number == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"model": "top", "input": {"model": "req"}}, "top"),
        ({"input": {"model": "req", "messages": []}, "output": {"model": "resp", "choices": []}}, "req"),
        ({"output": {"model": "resp", "choices": []}}, "resp"),
        ({"output": {"candidates": [], "modelVersion": "gemini-x"}}, "gemini-x"),
        ({"output": {"candidates": [], "model_version": "gemini-y"}}, "gemini-y"),
        ({"model": 3}, None),
    ],
)
def test_model_fallbacks(fields: dict[str, Any], expected: str | None) -> None:
    assert record(**fields).model == expected


# ========================================================================= shapes
def test_roles_are_mapped() -> None:
    interaction = record(input={"messages": [
        {"role": "developer", "content": "rules"},
        {"role": "model", "content": "hello"},
        {"role": "Critic", "content": "hmm"},
        {"content": "no role"},
    ]})
    assert [m.role for m in interaction.messages] == ["system", "assistant", "critic", "user"]


def test_gemini_model_role_and_system_instruction_string() -> None:
    interaction = record(input={"systemInstruction": "Be brief.", "contents": [
        {"role": "user", "parts": [{"text": "hi"}, {"inlineData": {"mimeType": "image/png", "data": "AAAA"}}]},
        {"role": "model", "parts": [{"text": "hello"}]},
    ]})
    assert conversation(interaction) == [
        ("system", "Be brief.", [], None, None, False),
        ("user", "hi\n[image/png data]", [], None, None, False),
        ("assistant", "hello", [], None, None, False),
    ]


def test_gemini_function_response_error_and_ids() -> None:
    interaction = record(input={"contents": [
        {"role": "model", "parts": [{"functionCall": {"id": "g1", "name": "lookup", "args": {"q": 1}}}]},
        {"role": "user",
         "parts": [{"functionResponse": {"id": "g1", "name": "lookup", "response": {"error": "nope"}}}]},
    ]})
    assert conversation(interaction)[1] == ("tool", '{"error": "nope"}', [], "g1", "lookup", True)


@pytest.mark.parametrize(
    ("request_", "shape"),
    [
        ([{"role": "user", "content": "hi"}], "openai-chat"),
        ([{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "x"}]}], "anthropic"),
        ([{"role": "user", "parts": [{"text": "hi"}]}], "gemini"),
        ([{"type": "message", "role": "user", "content": "hi"}], "openai-responses"),
        ({"system": "s", "messages": [{"role": "user", "content": "hi"}]}, "anthropic"),
        ({"input": [{"role": "user", "content": "hi"}]}, "openai-responses"),
        ({"contents": "hi"}, "gemini"),
        ({"prompt": "hi"}, "plain"),
        (["hi", "there"], "plain"),
    ],
)
def test_request_shapes_without_a_response(request_: Any, shape: str) -> None:
    interaction = record(input=request_)
    assert interaction.shape == shape
    assert interaction.last_user_text in ("hi", "there", "")


def test_response_shape_decides_an_ambiguous_request() -> None:
    request = {"messages": [{"role": "user", "content": "hi"}]}
    anthropic = record(input=request, output={"type": "message", "content": [{"type": "text", "text": "yo"}]})
    assert (anthropic.shape, anthropic.output_text) == ("anthropic", "yo")


@pytest.mark.parametrize(
    "fields",
    [
        {"input": {"foo": 1}, "output": {"bar": 2}},
        {"provider": "mystery"},
        {"input": 5, "output": [1, 2]},
    ],
)
def test_unknown_shape_keeps_raw(fields: dict[str, Any]) -> None:
    interaction = record(**fields)
    assert interaction.shape == "unknown"
    assert interaction.raw == fields and interaction.parse_error is None
    assert interaction.messages == () and interaction.output_text == ""


def test_openai_extras_reasoning_refusal_legacy_function_call() -> None:
    interaction = record(
        input={"messages": [
            {"role": "assistant", "content": None, "function_call": {"name": "old", "arguments": "{\"a\": 1}"}},
            {"role": "function", "name": "old", "content": "done"},
        ]},
        output={"choices": [{"message": {"role": "assistant", "content": "Fine.", "reasoning_content": "think",
                                         "refusal": "no weapons"}}]},
    )
    assert conversation(interaction) == [
        ("assistant", "", [("old", {"a": 1})], None, None, False),
        ("tool", "done", [], None, "old", False),
    ]
    assert interaction.output_text == "[thinking] think\nFine.\n[refusal] no weapons"


def test_unparseable_arguments_stay_a_string() -> None:
    interaction = record(output={"choices": [{"message": {"tool_calls": [
        {"id": "c", "function": {"name": "f", "arguments": "{\"a\": 1"}},
        {"id": "d", "function": {"name": "g", "arguments": ""}},
    ]}}]})
    assert calls_of(interaction) == [("f", '{"a": 1', "c"), ("g", "", "d")]


def test_responses_reasoning_summary_and_output_text_fallback() -> None:
    interaction = record(
        input={"input": [{"type": "reasoning", "summary": [{"type": "summary_text", "text": "plan"}]}]},
        output={"object": "response", "output": [], "output_text": "fallback"},
    )
    assert conversation(interaction) == [("assistant", "[thinking] plan", [], None, None, False)]
    assert interaction.output_text == "fallback"


# ======================================================================= streams
def test_openai_stream_chunks_are_assembled() -> None:
    chunks = [
        {"object": "chat.completion.chunk", "model": "gpt-4o-mini", "created": 1762349455,
         "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Let "}}]},
        {"choices": [{"index": 0, "delta": {"content": "me check."}}]},
        {"choices": [{"index": 0, "delta": {"tool_calls": [
            {"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_", "arguments": "{\"da"}}]}}]},
        {"choices": [{"index": 0, "delta": {"tool_calls": [
            {"index": 0, "function": {"name": "weather", "arguments": "ys\": 3}"}}]}}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
        {"choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}},
    ]
    interaction = record(input={"messages": [{"role": "user", "content": "hi"}]}, output=chunks)
    assert interaction.shape == "openai-chat" and interaction.model == "gpt-4o-mini"
    assert interaction.output_text == "Let me check."
    assert calls_of(interaction) == [("get_weather", {"days": 3}, "call_1")]
    assert interaction.usage == Usage(10, 5, 15)


def test_anthropic_stream_events_are_assembled() -> None:
    events = [
        {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant",
                                              "model": "claude-x", "content": [], "usage": {"input_tokens": 20}}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Checking"}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": " now."}},
        {"type": "content_block_stop", "index": 0},
        {"type": "content_block_start", "index": 1,
         "content_block": {"type": "tool_use", "id": "toolu_9", "name": "ride", "input": {}}},
        {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "{\"id\": "}},
        {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "7}"}},
        {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 33}},
        {"type": "message_stop"},
    ]
    interaction = record(output=events)
    assert (interaction.shape, interaction.model) == ("anthropic", "claude-x")
    assert interaction.output_text == "Checking now."
    assert calls_of(interaction) == [("ride", {"id": 7}, "toolu_9")]
    assert interaction.usage == Usage(20, 33, None)


def test_gemini_stream_chunks_are_assembled() -> None:
    chunks = [
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hel"}]}}],
         "modelVersion": "gemini-2.5-flash"},
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "lo."}]}}]},
        {"candidates": [{"content": {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {}}}]}}],
         "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 4, "totalTokenCount": 7}},
    ]
    interaction = record(output=chunks)
    assert (interaction.shape, interaction.model, interaction.output_text) == ("gemini", "gemini-2.5-flash", "Hello.")
    assert calls_of(interaction) == [("f", {}, None)]
    assert interaction.usage == Usage(3, 4, 7)


def test_responses_stream_uses_the_completed_event() -> None:
    events = [
        {"type": "response.created", "response": {"object": "response", "output": []}},
        {"type": "response.output_text.delta", "delta": "Hi"},
        {"type": "response.completed", "response": {"object": "response", "model": "gpt-x", "output": [
            {"type": "message", "content": [{"type": "output_text", "text": "Hi there"}]}]}},
    ]
    interaction = record(output=events)
    assert (interaction.shape, interaction.model, interaction.output_text) == ("openai-responses", "gpt-x", "Hi there")


# ================================================================ never raising
WEIRD_RECORDS: list[dict[str, Any]] = [
    {"input": {"messages": "not a list"}},
    {"input": {"messages": [1, None, {"role": 5, "content": {"a": 1}}, {"role": "tool", "content": 3}]}},
    {"input": {"messages": [{"role": "assistant", "tool_calls": ["x", {"function": "y"}, {"function": {"name": 1}}]}]}},
    {"input": {"messages": [{"role": "user", "content": [None, 1, {"type": "tool_result", "content": {"x": 1}}]}]}},
    {"input": {"contents": [{"parts": "plain"}, {"parts": [None, {"functionCall": "x"}]}, 3]}},
    {"input": {"contents": {"role": "user", "parts": {"text": "one"}}}, "output": {"candidates": "none"}},
    {"input": {"input": [None, {"type": "function_call"}, {"type": "reasoning", "summary": "x"}]}},
    {"input": {"system": {"weird": True}, "messages": []}},
    {"output": {"choices": [None]}},
    {"output": {"choices": [{"message": "text"}]}},
    {"output": {"object": "response", "output": "nope"}},
    {"output": {"type": "message", "content": "just text"}},
    {"output": [{"choices": "x"}, {"choices": [{"delta": {"tool_calls": [None, {"index": "a"}]}}]}]},
    {"output": [{"type": "content_block_delta", "index": "x", "delta": None}]},
    {"output": [{"type": "message_start", "message": []}, {"type": "message_delta", "delta": 1, "usage": 2}]},
    {"timestamp": [2025], "usage": [1], "duration_ms": {}, "error": 0.5, "interaction_id": [1], "model": {}},
    {"timestamp": "9999-12-31T23:59:59-14:00", "provider": 3},
    {"timestamp": -1e20},
]


@pytest.mark.parametrize("obj", WEIRD_RECORDS, ids=lambda v: repr(v)[:40])
def test_weird_payloads_never_raise(obj: dict[str, Any]) -> None:
    interaction = normalise(obj, line_number=2, offset=10, raw_text="raw")
    assert interaction.shape in SHAPES
    assert interaction.raw is obj and interaction.raw_text == "raw" and interaction.line_number == 2
    for message in interaction.messages:
        assert isinstance(message, Message) and isinstance(message.text, str)


def test_a_normaliser_bug_keeps_the_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> Interaction:
        raise KeyError("bug")

    monkeypatch.setattr(payloads, "_normalise", broken)
    interaction = parse_line(line({"interaction_id": 3, "input": "hi"})[:-1], line_number=4, offset=8)
    assert interaction is not None
    assert (interaction.shape, interaction.number, interaction.offset) == ("unknown", 4, 8)
    assert interaction.raw == {"interaction_id": 3, "input": "hi"} and interaction.parse_error is None


# ================================================================= import hygiene
def test_core_does_not_import_the_ui() -> None:
    code = (
        "import sys, session_explorer.core.interactions.reader, session_explorer.core.interactions.stats\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("payload", [
    {"model": "gpt-4o", "response": {"output": [{"type": {"nested": 1}}, {"type": ["x"]}]}},
    {"model": "claude-x", "response": [{"type": {"nested": 1}}, {"type": "message_stop"}]},
])
def test_a_type_that_is_not_a_string_is_only_data(payload: dict) -> None:
    """``"type": {...}`` (or a list) does not make the record unreadable: it keeps
    its model and time."""
    payload = {"timestamp": "2025-11-05T14:30:52", **payload}
    found = parse_line(json.dumps(payload).encode(), line_number=1, offset=0)
    assert found is not None and found.parse_error is None
    assert found.model == payload["model"]
    assert found.timestamp is not None
