"""InteractionLogger: ids, files, thread safety, redaction, encoding, closing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from session_explorer.tracing import InteractionLogger, session, session_id_context

FIXED = dt.datetime(2025, 11, 5, 14, 30, 52, 123000)


def read_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_record_fields_and_numbering(tmp_path) -> None:
    with InteractionLogger(tmp_path, clock=lambda: FIXED) as il:
        assert il.session_id == "20251105_143052"
        assert il.session_file == tmp_path / "session_20251105_143052.jsonl"
        first = il.log_interaction("gemini", "gemini-1.5-pro", {"contents": []}, {"candidates": []})
        second = il.log_interaction(
            "openai", "gpt-4o", "in", "out", usage={"total_tokens": 3}, duration_ms=12.5,
            error="rate limited", attempt=2,
        )
    assert first == {
        "interaction_id": 1,
        "timestamp": "2025-11-05T14:30:52.123",
        "provider": "gemini",
        "model": "gemini-1.5-pro",
        "input": {"contents": []},
        "output": {"candidates": []},
    }
    assert second["interaction_id"] == 2
    assert second["usage"] == {"total_tokens": 3}
    assert second["duration_ms"] == 12.5
    assert second["error"] == "rate limited"
    assert second["attempt"] == 2
    assert read_records(il.session_file) == [first, second]


def test_twenty_loggers_in_one_loop_get_twenty_ids_and_files(tmp_path) -> None:
    moment = dt.datetime(2024, 2, 29, 9, 0, 1)  # a second no other test uses
    loggers = [InteractionLogger(tmp_path, clock=lambda: moment) for _ in range(20)]
    ids = [il.session_id for il in loggers]
    assert len(set(ids)) == 20
    assert ids[:3] == ["20240229_090001", "20240229_090001_2", "20240229_090001_3"]
    for il in loggers:
        il.log_interaction("p", "m", il.session_id, None)
    for il in reversed(loggers):
        il.close()
    files = sorted(tmp_path.glob("session_*.jsonl"))
    assert len(files) == 20
    for il in loggers:
        assert [r["input"] for r in read_records(il.session_file)] == [il.session_id]


def test_an_existing_file_is_never_truncated(tmp_path) -> None:
    """Another process took this second: its file is left alone, we take ``_2``."""
    moment = dt.datetime(2024, 3, 1, 8, 0, 0)
    existing = tmp_path / "session_20240301_080000.jsonl"
    existing.write_text('{"interaction_id": 1}\n')
    with InteractionLogger(tmp_path, clock=lambda: moment) as il:
        assert il.session_id == "20240301_080000_2"
    assert existing.read_text() == '{"interaction_id": 1}\n'


def test_explicit_session_id_appends(tmp_path) -> None:
    existing = tmp_path / "session_custom.jsonl"
    existing.write_text('{"interaction_id": 1}\n')
    with InteractionLogger(tmp_path, session_id="custom") as il:
        il.log_interaction("p", "m", 1, 2)
    assert len(existing.read_text().splitlines()) == 2


def test_threads_write_whole_lines_with_unique_ids(tmp_path) -> None:
    il = InteractionLogger(tmp_path)
    payload = {"text": "x" * 3000}

    def work() -> None:
        for _ in range(500):
            il.log_interaction("p", "m", payload, payload)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    il.close()
    records = read_records(il.session_file)
    assert len(records) == 4000
    assert sorted(r["interaction_id"] for r in records) == list(range(1, 4001))


def test_close_and_context_manager_restore_the_previous_id(tmp_path) -> None:
    with session("outer"):
        il = InteractionLogger(tmp_path)
        assert session_id_context.get() == il.session_id
        il.close()
        assert session_id_context.get() == "outer"
        il.close()  # closing twice is harmless
        with InteractionLogger(tmp_path) as inner:
            assert session_id_context.get() == inner.session_id
        assert session_id_context.get() == "outer"
    assert session_id_context.get() == "in-progress"


def test_disabled_logger_sets_the_id_but_writes_nothing(tmp_path) -> None:
    with InteractionLogger(tmp_path / "off", enabled=False) as il:
        assert session_id_context.get() == il.session_id
        assert il.session_file is None
        il.log_interaction("p", "m", 1, 2)
    assert not (tmp_path / "off").exists()


SECRETS = [
    ({"api_key": "abc123"}, {"api_key": "[REDACTED]"}),
    ({"headers": {"Authorization": "Basic Zm9v"}}, {"headers": {"Authorization": "[REDACTED]"}}),
    ({"headers": {"x-api-key": "k"}}, {"headers": {"x-api-key": "[REDACTED]"}}),
    ({"password": "hunter2", "token": "t0k"}, {"password": "[REDACTED]", "token": "[REDACTED]"}),
    ({"note": "key sk-proj-abcdefghijklmnop1234 here"}, {"note": "key [REDACTED] here"}),
    ({"k": ["sk-ant-api03-abcdefghijklmnopqrstuv"]}, {"k": ["[REDACTED]"]}),
    ({"k": "sk-abcdefghijklmnopqrstu"}, {"k": "[REDACTED]"}),
    ({"url": "https://x?key=AIzaSyA1234567890abcdefghijklmnopqrstu"}, {"url": "https://x?key=[REDACTED]"}),
    ({"h": "Bearer eyJhbGciOi.payload.sig"}, {"h": "Bearer [REDACTED]"}),
    # Token counters and ordinary words are not secrets.
    (
        {"max_tokens": 100, "usage": {"prompt_tokens": 5, "total_tokens": 9}, "text": "ask-me"},
        {"max_tokens": 100, "usage": {"prompt_tokens": 5, "total_tokens": 9}, "text": "ask-me"},
    ),
]


@pytest.mark.parametrize("given,expected", SECRETS)
def test_redaction(tmp_path, given, expected) -> None:
    with InteractionLogger(tmp_path) as il:
        record = il.log_interaction("p", "m", given, {"echo": given})
    assert record["input"] == expected
    assert record["output"] == {"echo": expected}
    assert read_records(il.session_file)[0]["input"] == expected


def test_redaction_can_be_turned_off(tmp_path) -> None:
    with InteractionLogger(tmp_path, redact=False) as il:
        record = il.log_interaction("p", "m", {"api_key": "abc"}, "sk-abcdefghijklmnopqrstu")
    assert record["input"] == {"api_key": "abc"}
    assert record["output"] == "sk-abcdefghijklmnopqrstu"


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Opaque:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<Opaque>"


def test_values_json_cannot_encode_are_written_readably(tmp_path) -> None:
    cyclic: list = []
    cyclic.append(cyclic)
    value = {
        "when": dt.datetime(2025, 11, 5, 14, 30),
        "day": dt.date(2025, 11, 5),
        "price": Decimal("1.10"),
        "text_bytes": b"hello",
        "binary": b"\xff\x00",
        "tags": {"b", "a"},
        "point": Point(1, 2),
        "opaque": Opaque(),
        "nan": float("nan"),
        "path": Path("/tmp/x"),
        "cycle": cyclic,
        1: "int key",
    }
    with InteractionLogger(tmp_path) as il:
        il.log_interaction("p", "m", value, Opaque(), error=ValueError("bad"))
    (record,) = read_records(il.session_file)
    assert record["input"] == {
        "when": "2025-11-05T14:30:00",
        "day": "2025-11-05",
        "price": "1.10",
        "text_bytes": "hello",
        "binary": "base64:/wA=",
        "tags": ["a", "b"],
        "point": {"x": 1, "y": 2},
        "opaque": "<Opaque>",
        "nan": "nan",
        "path": "/tmp/x",
        "cycle": ["<cycle>"],
        "1": "int key",
    }
    assert record["output"] == "<Opaque>"
    assert record["error"] == {"type": "ValueError", "message": "bad"}


def test_logs_where_the_file_is(tmp_path, caplog) -> None:
    caplog.set_level("INFO")
    with InteractionLogger(tmp_path) as il:
        pass
    assert f"LLM interaction logging enabled. Log file: {il.session_file}" in caplog.text
