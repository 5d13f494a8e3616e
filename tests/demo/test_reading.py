"""The demo's files read back through the reading core, as the explorer reads them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from session_explorer.core.applog.records import parse_head
from session_explorer.core.interactions.reader import read_interactions
from session_explorer.demo import generate
from tests.demo.helpers import app_log_lines, session_files

SHAPES = {"gemini": "gemini", "openai": "openai-chat", "anthropic": "anthropic"}


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run long enough for every provider to meet every session kind."""
    out = tmp_path_factory.mktemp("demo") / "logs"
    generate(out, sessions=40, seed=11)
    return out


def _request_items(record: dict[str, Any]) -> list[dict[str, Any]]:
    request = record["input"]
    return request.get("messages") or request.get("contents") or []


def _expected_tool_calls(record: dict[str, Any]) -> list[tuple[str, Any]]:
    output = record["output"]
    if record["provider"] == "openai":
        calls = output["choices"][0]["message"].get("tool_calls") or []
        return [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls]
    if record["provider"] == "anthropic":
        return [(b["name"], b["input"]) for b in output["content"] if b["type"] == "tool_use"]
    parts = output["candidates"][0]["content"]["parts"]
    return [(p["functionCall"]["name"], p["functionCall"]["args"]) for p in parts if "functionCall" in p]


def _expected_tool_results(record: dict[str, Any]) -> int:
    count = 0
    for item in _request_items(record):
        if item.get("role") == "tool":
            count += 1
        content = item.get("content")
        if isinstance(content, list):
            count += sum(1 for b in content if isinstance(b, dict) and b.get("type") == "tool_result")
        count += sum(1 for p in item.get("parts", []) if "functionResponse" in p)
    return count


def _last_user_text(record: dict[str, Any]) -> str:
    for item in reversed(_request_items(record)):
        if item.get("role") != "user":
            continue
        if isinstance(item.get("content"), str):
            return item["content"]
        texts = [p["text"] for p in item.get("parts", []) if "text" in p]
        if texts:
            return texts[0]
    return ""


def test_every_provider_shape_is_normalised_back(logs: Path) -> None:
    seen: set[tuple[str, bool]] = set()
    for path in session_files(logs).values():
        raw = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        parsed = read_interactions(path)
        assert len(parsed) == len(raw)
        for record, interaction in zip(raw, parsed, strict=True):
            assert interaction.parse_error is None
            assert interaction.provider == record["provider"]
            assert interaction.shape == SHAPES[record["provider"]], record["provider"]
            assert interaction.duration_ms == record["duration_ms"]
            assert any(m.role == "system" for m in interaction.messages)
            assert interaction.last_user_text == _last_user_text(record)
            assert sum(1 for m in interaction.messages if m.role == "tool") == _expected_tool_results(record)
            if "error" in record:
                assert interaction.status == "error" and interaction.error
                seen.add((record["provider"], False))
                continue
            assert interaction.ok
            usage = record["usage"]
            assert interaction.usage.input_tokens == usage["input_tokens"]
            assert interaction.usage.output_tokens == usage["output_tokens"]
            assert interaction.usage.total == usage["total_tokens"]
            calls = [(c.name, c.arguments) for c in interaction.output_tool_calls]
            assert calls == _expected_tool_calls(record)
            if not calls:
                assert interaction.output_text
            seen.add((record["provider"], bool(calls)))
    for provider in SHAPES:
        assert (provider, True) in seen and (provider, False) in seen, provider


def test_tool_results_are_tied_to_their_calls(logs: Path) -> None:
    """OpenAI ``tool_call_id`` and Anthropic ``tool_use_id`` name the call they answer."""
    checked = set()
    for path in session_files(logs).values():
        for interaction in read_interactions(path):
            calls = {c.id: c.name for m in interaction.messages for c in m.tool_calls}
            for message in interaction.messages:
                if message.role == "tool" and interaction.provider in ("openai", "anthropic"):
                    assert message.tool_call_id in calls
                    checked.add(interaction.provider)
                if message.role == "tool" and message.is_error:
                    checked.add("is_error")
    assert checked == {"openai", "anthropic", "is_error"}


def test_every_app_log_line_parses(logs: Path) -> None:
    sessions = session_files(logs)
    heads = 0
    previous = None
    for line in app_log_lines(logs):
        head = parse_head(line)
        if head is None:
            assert previous is not None, f"continuation before any record: {line!r}"
            continue
        heads += 1
        previous = head
        assert head.kind == "detailed"
        assert head.timestamp is not None and head.logger and head.level in {"INFO", "WARNING", "ERROR"}
        if head.session_id != "in-progress":
            assert head.session_id in sessions
    assert heads > 500
