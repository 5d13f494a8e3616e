"""Write realistic, seeded session-explorer logs of a chosen size.

The app log looks like what ``session_explorer.tracing`` writes with the detailed
format: ``[id] - YYYY-MM-DD HH:MM:SS,mmm - logger - LEVEL - message``. Sessions run
concurrently and interleave; some records carry multi-line tracebacks or JSON dumps;
``[in-progress]`` lines appear before and between sessions. For every session a
``llm_interactions/session_<id>.jsonl`` file holds a few interactions in the
OpenAI, Anthropic and Gemini payload shapes, wrapped in our interaction record.

Usage::

    python bench/gen_logs.py --size 1G --sessions 2000 --seed 7 --out bench/data

The generator is also imported by the tests (``generate(...)``) to build small logs.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

MODULES = (
    "cycling_ai.orchestration.agent",
    "cycling_ai.providers.gemini_provider",
    "cycling_ai.providers.openai_provider",
    "cycling_ai.providers.anthropic_provider",
    "cycling_ai.providers.interaction_logger",
    "cycling_ai.tools.registry",
    "cycling_ai.tools.performance",
    "cycling_ai.storage.cache",
    "cycling_ai.api.handlers",
    "httpx",
)
INFO_MESSAGES = (
    "Processing user message ({n} chars)",
    "Executing analyze_performance tool with period={n}d",
    "Calling {provider} API (attempt {k})",
    "Received response from LLM in {n} ms",
    "Cache hit for key athlete:{n}",
    "Tool result: {n} rows, {k} columns",
    'HTTP Request: POST https://api.example.com/v1/chat "HTTP/1.1 200 OK"',
    "Planning step {k}: fetch power curve for {n} rides",
    "Token usage: input={n} output={k}",
)
DEBUG_MESSAGES = (
    "payload size {n} bytes",
    "context window {n}/{k} tokens",
    "retry policy: backoff={k}s",
)
WARNING_MESSAGES = (
    "Rate limited by {provider}, retrying in {k}s",
    "Slow tool execution: {n} ms",
    "Response truncated at {n} tokens",
)
ERROR_MESSAGES = (
    "Tool execution failed: analyze_performance",
    "LLM call failed after {k} attempts",
    "Could not parse model output as JSON",
)
PROVIDERS = ("openai", "anthropic", "gemini")
MODELS = {
    "openai": ("gpt-4o", "gpt-4o-mini"),
    "anthropic": ("claude-sonnet-4-5", "claude-haiku-4-5"),
    "gemini": ("gemini-1.5-pro", "gemini-2.0-flash"),
}


@dataclass
class Session:
    sid: str
    quota: int  # app-log lines still to write
    provider: str
    prefix: bytes = b""
    interactions: list[dict] = field(default_factory=list)


def parse_size(text: str) -> int:
    """``"1G"`` -> 1073741824; plain numbers are bytes."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper().rstrip("B")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


class Clock:
    """Monotonic fake time in milliseconds, formatted like logging's asctime."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.ms = 0
        self._second = -1
        self._text = ""

    def advance(self, rng: random.Random, mean_ms: float) -> None:
        self.ms += int(rng.expovariate(1.0 / mean_ms)) if mean_ms > 0 else 0

    def now(self) -> datetime:
        return self.start + timedelta(milliseconds=self.ms)

    def asctime(self) -> str:
        second, millis = divmod(self.ms, 1000)
        if second != self._second:
            self._second = second
            self._text = (self.start + timedelta(seconds=second)).strftime("%Y-%m-%d %H:%M:%S")
        return f"{self._text},{millis:03d}"


def traceback_lines(rng: random.Random) -> list[str]:
    frames = rng.randint(2, 6)
    lines = ["Traceback (most recent call last):"]
    for i in range(frames):
        lines.append(f'  File "/app/cycling_ai/module_{i}.py", line {rng.randint(10, 900)}, in step_{i}')
        lines.append(f"    result = handler(payload, retries={rng.randint(0, 5)})")
    lines.append(rng.choice((
        "ValueError: invalid literal for int() with base 10: 'abc'",
        "KeyError: 'power_curve'",
        "httpx.ReadTimeout: timed out",
    )))
    return lines


def extra_lines(rng: random.Random) -> list[str]:
    """Multi-line message bodies, some starting with '[' without being records."""
    if rng.random() < 0.04:
        return rng.choice((
            ["[1, 2, 3]", "[4, 5, 6]"],
            ["[note] - the plan was revised", "  step 1: warm up", "  step 2: intervals"],
        ))
    return rng.choice((
        ['{"athlete": 42, "ftp": 280}'],
        ["", "---- prompt ----", "You are a cycling coach."],
        ["Plan:", "  1. warm up 15 min", "  2. 4x8 min at threshold"],
    ))


class Writer:
    """Builds the app log in large joined chunks."""

    def __init__(self, rng: random.Random, clock: Clock) -> None:
        self.rng = rng
        self.clock = clock
        self.lines: list[str] = []

    def record(self, sid: str, level: str, message: str) -> None:
        module = self.rng.choice(MODULES)
        self.lines.append(f"[{sid}] - {self.clock.asctime()} - {module} - {level} - {message}")

    def chunk(self) -> bytes:
        data = ("\n".join(self.lines) + "\n").encode("utf-8") if self.lines else b""
        self.lines = []
        return data


def session_starts(rng: random.Random, count: int, gap_ms: float) -> list[int]:
    """Planned start times (ms) of the sessions."""
    out, ms = [], 0
    for _ in range(count):
        ms += int(rng.expovariate(1.0 / gap_ms)) + 1
        out.append(ms)
    return out


def new_session_id(clock: Clock, number: int, seen: set[str]) -> str:
    """The seed's scheme: the start time, ``_2``, ``_3`` on collision; a few custom ids."""
    base = f"custom_session_{number}" if number % 97 == 5 else clock.now().strftime("%Y%m%d_%H%M%S")
    sid, n = base, 1
    while sid in seen:
        n += 1
        sid = f"{base}_{n}"
    seen.add(sid)
    return sid


def message(rng: random.Random, templates: tuple[str, ...], provider: str) -> str:
    return rng.choice(templates).format(n=rng.randint(1, 99999), k=rng.randint(1, 9), provider=provider)


def emit_session_line(w: Writer, s: Session, rng: random.Random) -> None:
    roll = rng.random()
    if roll < 0.86:
        w.record(s.sid, "INFO", message(rng, INFO_MESSAGES, s.provider))
        s.quota -= 1
    elif roll < 0.94:
        w.record(s.sid, "DEBUG", message(rng, DEBUG_MESSAGES, s.provider))
        s.quota -= 1
    elif roll < 0.978:
        w.record(s.sid, "WARNING", message(rng, WARNING_MESSAGES, s.provider))
        s.quota -= 1
    elif roll < 0.992:
        extra = extra_lines(rng)
        w.record(s.sid, "INFO", "Plan details:")
        w.lines.extend(extra)
        s.quota -= 1 + len(extra)
    else:
        level = "CRITICAL" if roll > 0.9995 else "ERROR"
        tb = traceback_lines(rng)
        w.record(s.sid, level, message(rng, ERROR_MESSAGES, s.provider))
        w.lines.extend(tb)
        s.quota -= 1 + len(tb)
    if rng.random() < 0.002:
        s.interactions.append(interaction(rng, s, len(s.interactions) + 1, w.clock.now()))


def generate(out: Path, size: int, sessions: int, seed: int, concurrency: int = 16,
             name: str = "app.log", quiet: bool = True) -> Path:
    """Write ``out/name`` of about ``size`` bytes and ``out/llm_interactions/*.jsonl``."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    inter_dir = out / "llm_interactions"
    inter_dir.mkdir(exist_ok=True)
    clock = Clock(datetime(2025, 11, 5, 9, 0, 0))
    avg_line = 118
    total_lines = max(size // avg_line, sessions * 4)
    per_session = max(total_lines // sessions, 4)
    mean_gap_ms = 40.0
    planned = session_starts(rng, sessions, gap_ms=per_session * mean_gap_ms / concurrency)
    seen: set[str] = set()
    writer = Writer(rng, clock)
    active: list[Session] = []
    pending = list(reversed(planned))
    path = out / name
    written = 0
    t0 = time.perf_counter()
    with open(path, "wb") as fh:
        for k in range(rng.randint(3, 8)):
            writer.record("in-progress", "INFO", f"Loading configuration step {k}")
        while pending or active:
            while pending and len(active) < concurrency and (not active or clock.ms >= pending[-1]):
                clock.ms = max(clock.ms, pending.pop())
                sid = new_session_id(clock, sessions - len(pending), seen)
                provider = rng.choice(PROVIDERS)
                quota = max(4, int(per_session * rng.uniform(0.3, 1.7)))
                s = Session(sid, quota, provider)
                active.append(s)
                writer.record(sid, "INFO", f"LLM interaction logging enabled. Log file: "
                              f"logs/llm_interactions/session_{sid}.jsonl")
                s.interactions.append(interaction(rng, s, 1, clock.now()))
            if not active:
                clock.ms = pending[-1]
                writer.record("in-progress", "INFO", "Waiting for the next request")
                continue
            for _ in range(256):
                clock.advance(rng, mean_gap_ms / concurrency)
                s = active[rng.randrange(len(active))]
                emit_session_line(writer, s, rng)
                if s.quota <= 0:
                    active.remove(s)
                    write_jsonl(inter_dir, s)
                    if rng.random() < 0.3:
                        writer.record("in-progress", "INFO", "Request finished")
                    if not active:
                        break
            if len(writer.lines) >= 20000:
                data = writer.chunk()
                fh.write(data)
                written += len(data)
                if not quiet:
                    print(f"\r{written / (1 << 20):8.0f} MiB", end="", file=sys.stderr)
        data = writer.chunk()
        fh.write(data)
        written += len(data)
    if not quiet:
        print(f"\rwrote {written / (1 << 20):.0f} MiB to {path} in "
              f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return path


def interaction(rng: random.Random, s: Session, number: int, when: datetime) -> dict:
    """One interaction record in our InteractionLogger shape, payload in the provider's shape."""
    model = rng.choice(MODELS[s.provider])
    question = f"How did my FTP change over the last {rng.randint(2, 12)} weeks?"
    answer = f"Your FTP rose by {rng.randint(1, 20)} W."
    tin, tout = rng.randint(100, 5000), rng.randint(10, 800)
    if s.provider == "openai":
        payload_in = {"model": model, "messages": [
            {"role": "system", "content": "You are a cycling coach."},
            {"role": "user", "content": question}]}
        payload_out = {"id": f"chatcmpl-{number}", "object": "chat.completion", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": tin, "completion_tokens": tout, "total_tokens": tin + tout}}
        usage = {"prompt_tokens": tin, "completion_tokens": tout, "total_tokens": tin + tout}
    elif s.provider == "anthropic":
        payload_in = {"model": model, "system": "You are a cycling coach.", "messages": [
            {"role": "user", "content": [{"type": "text", "text": question}]}]}
        payload_out = {"id": f"msg_{number}", "type": "message", "role": "assistant",
                       "content": [{"type": "text", "text": answer}], "stop_reason": "end_turn",
                       "usage": {"input_tokens": tin, "output_tokens": tout}}
        usage = {"input_tokens": tin, "output_tokens": tout}
    else:
        payload_in = {"contents": [{"role": "user", "parts": [{"text": question}]}],
                      "systemInstruction": {"parts": [{"text": "You are a cycling coach."}]}}
        payload_out = {"candidates": [{"content": {"role": "model", "parts": [{"text": answer}]},
                                       "finishReason": "STOP"}],
                       "usageMetadata": {"promptTokenCount": tin, "candidatesTokenCount": tout,
                                         "totalTokenCount": tin + tout}}
        usage = {"input_tokens": tin, "output_tokens": tout, "total_tokens": tin + tout}
    return {"interaction_id": number, "timestamp": when.isoformat(timespec="milliseconds"),
            "provider": s.provider, "model": model, "input": payload_in, "output": payload_out,
            "usage": usage, "duration_ms": round(rng.uniform(200, 9000), 1)}


def write_jsonl(directory: Path, s: Session) -> None:
    text = "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in s.interactions)
    (directory / f"session_{s.sid}.jsonl").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100M", help="app log size, e.g. 50M, 1G")
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=16, help="sessions active at once")
    parser.add_argument("--name", default="app.log")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    args = parser.parse_args(argv)
    generate(args.out, parse_size(args.size), args.sessions, args.seed, args.concurrency,
             args.name, quiet=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
