"""Hostile but valid logs directories for the tests."""

from __future__ import annotations

import json
from pathlib import Path

TS = "2025-11-05 14:30:{:02d},{:03d}"


def rec(sid: str, second: int, level: str, message: str, logger: str = "cycling_ai.agent") -> bytes:
    return f"[{sid}] - {TS.format(second, 100 + second)} - {logger} - {level} - {message}\n".encode()


def hostile_app_log() -> bytes:
    """Every kind of line the reader must keep exactly."""
    a, b = "20251105_143052", "20251105_143052_2"
    lines = [
        b"stray line before any record\n",
        b"[in-progress] - INFO - starting up\n",
        rec(a, 52, "INFO", "Processing user message"),
        rec(b, 52, "WARNING", "concurrent session, same second"),
        rec(a, 53, "ERROR", "Tool failed"),
        b"Traceback (most recent call last):\n",
        b'  File "agent.py", line 3, in run\n',
        b"ValueError: bad\n",
        b"[1, 2, 3]\n",
        b"[note] - text that looks like a record but is not\n",
        rec(b, 54, "INFO", "crlf line").replace(b"\n", b"\r\n"),
        rec(a, 55, "INFO", "bytes NOT-UTF8 not utf-8 and a NUL \x00 here").replace(b"NOT-UTF8", b"\xff\xfe"),
        rec(a, 55, "INFO", "escape \x1b[31mred\x1b[0m and [bold]markup[/bold]"),
        b"[custom_session_123] - NOTICE - a custom level in the simple format\n",
        b"[custom_session_123] - TRACE - another\n",
        json.dumps(
            {"timestamp": "2025-11-05T14:30:56.000", "session_id": a, "logger": "j",
             "level": "CRITICAL", "message": "json line"}
        ).encode() + b"\n",
        b"\n",
        rec(b, 57, "INFO", "x" * 200_000),
        b"[in-progress] - 2025-11-05 14:31:00,000 - cycling_ai.cli - INFO - shutting down\n",
    ]
    return b"".join(lines)


def write_hostile_dir(root: Path) -> Path:
    """A logs directory with a rotation, two app logs and odd JSONL files."""
    root.mkdir(parents=True, exist_ok=True)
    data = hostile_app_log()
    cut = data.index(b"[note]")
    (root / "app.log.1").write_bytes(data[:cut])
    (root / "app.log").write_bytes(data[cut:])
    (root / "worker.log").write_bytes(
        rec("20251105_143052", 58, "INFO", "worker picked the job", "worker")
        + rec("20251105_150000", 59, "ERROR", "worker-only session", "worker")
    )
    inter = root / "llm_interactions"
    inter.mkdir()
    good = {"interaction_id": 1, "timestamp": "2025-11-05T14:30:53", "provider": "openai",
            "model": "gpt-4o", "input": {"messages": [{"role": "user", "content": "hi"}]},
            "output": {"choices": [{"message": {"role": "assistant", "content": "hello"}}]},
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}}
    (inter / "session_20251105_143052.jsonl").write_bytes(
        json.dumps(good).encode() + b"\n" + b'{"broken": \n' + b"[1, 2]\n" + b"\n"
        + json.dumps({**good, "interaction_id": 2}).encode()[:30]  # torn last line
    )
    (inter / "session_20251105_143052_2.jsonl").write_bytes(json.dumps(good).encode() + b"\n")
    (inter / "session_20251106_090000.jsonl").write_bytes(b"")  # jsonl only, empty
    return root
