"""Tests for the per-file interaction summary used by the session catalog."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from session_explorer.core.interactions.reader import JsonlReader, read_interactions
from session_explorer.core.interactions.stats import (
    InteractionStats,
    JsonlSummary,
    summarise_file,
    summarise_interactions,
)
from session_explorer.core.models import Interaction, Message, Usage

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "interactions"
T0 = datetime(2025, 11, 5, 14, 30)


def ix(
    line: int,
    *,
    model: str | None = "gpt-4o-mini",
    seconds: float | None = 0,
    usage: Usage = Usage(),
    error: str | None = None,
    users: tuple[str, ...] = (),
) -> Interaction:
    return Interaction(
        number=line,
        line_number=line,
        offset=line * 100,
        raw_text="{}",
        timestamp=None if seconds is None else T0 + timedelta(seconds=seconds),
        model=model,
        messages=(Message("system", "Be brief."), *(Message("user", text) for text in users)),
        usage=usage,
        error=error,
        shape="openai-chat",
    )


def malformed(line: int) -> Interaction:
    return Interaction(number=line, line_number=line, offset=line * 100, raw_text="{oops", parse_error="bad")


def line(obj: Any) -> bytes:
    return json.dumps(obj).encode() + b"\n"


# ======================================================================= totals
def test_nothing_gives_empty_stats() -> None:
    assert summarise_interactions([]) == InteractionStats()
    assert InteractionStats().main_model is None


def test_counts_errors_malformed_and_tokens() -> None:
    stats = summarise_interactions([
        ix(1, usage=Usage(100, 20, 120)),
        malformed(2),
        ix(3, usage=Usage(5, 7), error="RateLimitError: slow down"),  # total summed: 12
        ix(4, usage=Usage()),  # no usage at all: 0
        malformed(5),
    ])
    assert (stats.count, stats.malformed, stats.errors, stats.tokens) == (5, 2, 1, 132)


MODEL_CASES = [
    # models of the interactions in file order, expected order
    (["a", "b", "b", "a", "c"], ("a", "b", "c")),  # tie a/b: first seen wins
    (["a", "b", "b", "c"], ("b", "a", "c")),
    (["c", "b", "a"], ("c", "b", "a")),
    (["x", None, "y", "y", None], ("y", "x")),  # no model: not counted
    ([None], ()),
]


@pytest.mark.parametrize(("models", "expected"), MODEL_CASES, ids=lambda v: repr(v)[:30])
def test_models_by_use_then_first_seen(models: list[str | None], expected: tuple[str, ...]) -> None:
    stats = summarise_interactions([ix(n, model=model) for n, model in enumerate(models, 1)])
    assert stats.models == expected
    assert stats.main_model == (expected[0] if expected else None)


def test_first_and_last_timestamps_are_min_and_max_not_file_order() -> None:
    stats = summarise_interactions([ix(1, seconds=30), ix(2, seconds=None), ix(3, seconds=5), ix(4, seconds=90),
                                    ix(5, seconds=60), malformed(6)])
    assert (stats.first_ts, stats.last_ts) == (T0 + timedelta(seconds=5), T0 + timedelta(seconds=90))
    assert summarise_interactions([ix(1, seconds=None)]).first_ts is None


FIRST_USER_CASES = [
    # users per interaction, expected text
    ([("Plan my week.", "And next?"), ("Later question",)], "Plan my week."),
    ([(), ("", "Second interaction asks")], "Second interaction asks"),  # nothing in the first one
    ([(), ()], ""),
]


@pytest.mark.parametrize(("users", "expected"), FIRST_USER_CASES, ids=lambda v: repr(v)[:30])
def test_first_user_text(users: list[tuple[str, ...]], expected: str) -> None:
    stats = summarise_interactions([malformed(1), *(ix(n, users=u) for n, u in enumerate(users, 2))])
    assert stats.first_user_text == stats.last_user_text_first == expected


# ================================================================== incremental
def test_batches_add_up_to_the_whole() -> None:
    items = [ix(1, model="a", users=("hi",), usage=Usage(1, 1)), malformed(2), ix(3, model="b", seconds=9),
             ix(4, model="b", error="x", usage=Usage(total_tokens=40)), ix(5, model="a", seconds=-3)]
    whole = summarise_interactions(items)
    summary = JsonlSummary()
    for batch in ([], items[:1], items[1:4], [], items[4:]):
        summary.add(batch)
    assert summary.stats() == whole
    assert (summary.count, summary.models, summary.tokens) == (5, ("a", "b"), 42)


def test_stats_are_a_snapshot_and_reset_starts_over() -> None:
    summary = JsonlSummary()
    summary.add([ix(1, users=("first",))])
    before = summary.stats()
    summary.add([ix(2, model="other"), ix(3, model="other")])
    assert (before.count, before.models) == (1, ("gpt-4o-mini",))
    assert summary.stats().models == ("other", "gpt-4o-mini")
    summary.reset()
    assert summary.stats() == InteractionStats()
    summary.add([ix(9, users=("after the reset",))])
    assert summary.first_user_text == "after the reset"


def test_stats_can_key_a_dict_and_interactions_hash_by_identity() -> None:
    first, twin = ix(1), ix(1)
    assert first != twin and len({first, twin}) == 2  # same fields, two lines
    assert {summarise_interactions([first]): "row"}[InteractionStats(1, 0, 0, ("gpt-4o-mini",), 0, T0, T0)] == "row"


def test_live_tail_with_a_torn_line_a_truncation_and_a_replacement(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    path.write_bytes(line({"model": "m1", "usage": {"total_tokens": 10}, "input": "hello"}) + b'{"model": "m2"')
    reader, summary = JsonlReader(path), JsonlSummary()
    summary.add_new(reader)
    assert (summary.count, summary.tokens, summary.first_user_text) == (1, 10, "hello")
    summary.add_new(reader)  # nothing new: the torn line is still held back
    assert summary.count == 1
    with path.open("ab") as handle:
        handle.write(b', "error": "boom"}\nnot json\n')
    summary.add_new(reader)
    assert (summary.count, summary.errors, summary.malformed, summary.models) == (3, 1, 1, ("m1", "m2"))
    with path.open("r+b") as handle:  # truncated in place, then written again
        handle.truncate(0)
        handle.write(line({"model": "m3", "input": "again"}))
    summary.add_new(reader)
    assert (summary.count, summary.models, summary.first_user_text) == (1, ("m3",), "again")
    other = tmp_path / "rotated.jsonl"
    other.write_bytes(b"")
    os.replace(other, path)  # replaced by an empty file: starts over with nothing
    summary.add_new(reader)
    assert (reader.replacements, summary.stats()) == (1, InteractionStats())


def test_add_new_of_a_missing_file_adds_nothing(tmp_path: Path) -> None:
    summary = JsonlSummary()
    summary.add([ix(1)])
    summary.add_new(JsonlReader(tmp_path / "missing.jsonl"))
    assert summary.count == 1


@pytest.mark.parametrize("name", sorted(path.name for path in FIXTURES.glob("*.jsonl")))
def test_summarise_file_equals_summarising_what_was_read(name: str) -> None:
    assert summarise_file(FIXTURES / name) == summarise_interactions(read_interactions(FIXTURES / name))


def test_summarise_file_leaves_out_a_torn_line_and_needs_the_file(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    path.write_bytes(line({"model": "a"}) + b"\n" + b"{broken\n" + b'{"model": "b"')
    stats = summarise_file(path)
    assert (stats.count, stats.malformed, stats.models) == (2, 1, ("a",))
    with pytest.raises(FileNotFoundError):
        summarise_file(tmp_path / "missing.jsonl")


# ===================================================================== fixtures
FIXTURE_CASES = [
    # file, count, errors, models, tokens, first user text
    ("openai_chat.jsonl", 4, 1, ("gpt-4o-mini", "llama3.1:8b"), 450 + 525 + 73,
     "What was my average power on yesterday's ride?"),
    ("anthropic.jsonl", 3, 0, ("claude-sonnet-4-5", "claude-haiku-4-5"), 523 + 91 + 702 + 24 + 388 + 19,
     "How did my FTP change this month?"),
    ("plain.jsonl", 2, 0, ("tiny-echo",), 0, "Name one recovery food."),
]


@pytest.mark.parametrize(("name", "count", "errors", "models", "tokens", "first_user"), FIXTURE_CASES,
                         ids=lambda v: str(v)[:20])
def test_fixture_files(
    name: str, count: int, errors: int, models: tuple[str, ...], tokens: int, first_user: str
) -> None:
    interactions = read_interactions(FIXTURES / name)
    stats = summarise_interactions(interactions)
    assert (stats.count, stats.malformed, stats.errors, stats.models, stats.tokens) == (
        count, 0, errors, models, tokens)
    stamps = [i.timestamp for i in interactions if i.timestamp is not None]
    assert (stats.first_ts, stats.last_ts) == (min(stamps), max(stamps))
    assert stats.first_user_text == first_user
