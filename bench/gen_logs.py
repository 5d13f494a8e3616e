"""Write realistic, seeded session-explorer logs of a chosen size.

The app log looks like what ``session_explorer.tracing`` writes with the detailed
format: ``[id] - YYYY-MM-DD HH:MM:SS,mmm - logger - LEVEL - message``. Sessions run
concurrently and interleave; some records carry multi-line tracebacks or JSON dumps;
``[in-progress]`` lines appear before and between sessions. For every session a
``llm_interactions/session_<id>.jsonl`` file holds a few interactions in the
OpenAI, Anthropic and Gemini payload shapes, wrapped in our interaction record.

Usage::

    python bench/gen_logs.py --size 1G --sessions 2000 --seed 7 --out bench/data

``--preset realistic-1g`` writes what a production LLM application leaves behind
(:func:`generate_realistic`): a 1.1 GB ``app.log`` (about 8.6 M lines, two thirds
DEBUG, timestamps without milliseconds), 2,000 sessions of which 1 to 7 run at once,
15% of them also logging to a second app log ``worker.log`` (a web process and a
worker), and ~430 MB of JSONL (about 40% of the app log) because every interaction record
repeats the conversation so far: system prompt, tool schemas, every earlier user,
assistant and tool message, now and then a tool result of tens of KB.
``--preset realistic --size 50M`` is the same shape at another size (sessions scale
with it). Both are seeded: the same command writes the same bytes. The output
directory also gets ``bench-meta.json`` (the newest session, which writes to both
logs, the file names and sizes) for bench/live.py::

    python bench/gen_logs.py --preset realistic-1g --out /work/data/realistic-1g

The generator is also imported by the tests (``generate(...)``) to build small logs;
bench/live.py imports :func:`follow_up_record` to append records of the same shape.
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

    def __init__(self, start: datetime, millis: bool = True) -> None:
        self.start = start
        self.ms = 0
        self.millis = millis
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
        return f"{self._text},{millis:03d}" if self.millis else self._text


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
             name: str = "app.log", quiet: bool = True, *, millis: bool = True) -> Path:
    """Write ``out/name`` of about ``size`` bytes and ``out/llm_interactions/*.jsonl``.

    ``millis=False`` writes timestamps without milliseconds (``14:30:52``)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    inter_dir = out / "llm_interactions"
    inter_dir.mkdir(exist_ok=True)
    clock = Clock(datetime(2025, 11, 5, 9, 0, 0), millis=millis)
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


# ======================================================================== realistic
# An LLM application as it runs in production: DEBUG logging on, a web process and,
# for some requests, a background worker logging to a second file, and interaction
# records that each repeat the whole conversation so far (system prompt, tool
# schemas, every earlier message), so the JSONL is a large share of the app log.

#: name -> (app.log bytes, sessions); sessions None: scaled with the size, as in
#: realistic-1g (2,000 sessions per 1.1 GB).
PRESETS: dict[str, tuple[int, int | None]] = {
    "realistic-1g": (1_100_000_000, 2000),
    "realistic": (100 << 20, None),
}
REALISTIC_SESSIONS_PER_BYTE = 2000 / 1_100_000_000
JSONL_RATIO = 0.39  # JSONL bytes planned per app.log byte (the records land ~2% above)
WORKER_SHARE = 0.15  # sessions that also log to worker.log
WORKER_LINE_SHARE = 0.35  # of such a session's lines, the worker's share
MAX_CONCURRENCY = 7
MEAN_CONCURRENCY = 3.5
LINE_GAP_MS = 120.0  # mean time between two lines of one session
AVG_LINE = 128  # bytes per app-log line, for planning the timeline
LARGE_RESULT = 0.05  # share of tool results that are tens of KB

HOSTS = {"openai": "api.openai.com", "anthropic": "api.anthropic.com",
         "gemini": "generativelanguage.googleapis.com"}
ENDPOINTS = {"openai": "v1/chat/completions", "anthropic": "v1/messages",
             "gemini": "v1beta/models:generateContent"}

R_DEBUG = (
    ("httpcore.connection", "connect_tcp.started host='{host}' port=443 local_address=None timeout=60.0"),
    ("httpcore.connection", "start_tls.started ssl_context=<SSLContext> server_hostname='{host}' timeout=60.0"),
    ("httpcore.http11", "send_request_headers.started request=<Request [b'POST']>"),
    ("httpcore.http11", "send_request_headers.complete return_value=None"),
    ("httpcore.http11", "send_request_body.started request=<Request [b'POST']>"),
    ("httpcore.http11", "send_request_body.complete return_value=None"),
    ("httpcore.http11", "receive_response_headers.started request=<Request [b'POST']>"),
    ("httpcore.http11", "receive_response_body.complete return_value=None"),
    ("httpcore.http11", "response_closed.complete return_value=None"),
    ("cycling_ai.providers.client", "Request options: method=post url=https://{host}/{endpoint} retries={k}"),
    ("cycling_ai.orchestration.agent", "context window {n}/128000 tokens after turn {k}"),
    ("cycling_ai.orchestration.agent", "next step: {tool} (plan item {k})"),
    ("cycling_ai.tools.registry", "validated arguments of {tool}: {k} fields"),
    ("cycling_ai.storage.cache", "cache lookup athlete:{n}:power_curve -> miss"),
    ("cycling_ai.storage.cache", "cache store athlete:{n}:zones ttl=3600s"),
    ("cycling_ai.storage.db", "SELECT id, start_time, avg_power, np, tss FROM rides WHERE athlete_id = {n} ({k} ms)"),
    ("cycling_ai.providers.interaction_logger", "interaction {k} appended ({n} bytes)"),
    ("cycling_ai.api.middleware", "request {h} user {n} scope=coach"),
)
R_INFO = (
    ("cycling_ai.api.handlers", "POST /api/coach/chat accepted (request {h}, user agent cycling-app/4.2)"),
    ("cycling_ai.orchestration.agent", "Processing user message ({n} chars, {k} attachments)"),
    ("cycling_ai.orchestration.agent", "Planning step {k}: fetch power curve for {n} rides"),
    ("cycling_ai.tools.registry", "Executing {tool} with period={k}0d"),
    ("cycling_ai.tools.registry", "Tool {tool} returned {n} bytes in {k}{k} ms"),
    ("cycling_ai.storage.cache", "Cache hit for key athlete:{n}:rides (age {k}{k} s)"),
    ("httpx", 'HTTP Request: POST https://{host}/{endpoint} "HTTP/1.1 200 OK"'),
    ("cycling_ai.orchestration.agent", "Token usage so far: input={n} output={k}{k}{k}"),
)
R_WARNING = (
    ("cycling_ai.providers.client", "Rate limited by {provider} (429), retrying in {k}s"),
    ("cycling_ai.tools.registry", "Slow tool execution: {tool} took {n} ms"),
    ("cycling_ai.orchestration.agent", "Response truncated at {n} tokens"),
    ("cycling_ai.storage.cache", "Cache unavailable, falling back to the database"),
)
R_ERROR = (
    ("cycling_ai.tools.registry", "Tool execution failed: {tool}"),
    ("cycling_ai.providers.client", "LLM call failed after {k} attempts"),
    ("cycling_ai.orchestration.agent", "Could not parse model output as JSON"),
)
R_WORKER = (
    ("cycling_ai.worker.jobs", "DEBUG", "job {h} picked up: build_training_plan for athlete {n}"),
    ("cycling_ai.worker.jobs", "INFO", "job {h} finished in {n} ms"),
    ("cycling_ai.worker.reports", "DEBUG", "rendering report page {k} of 9"),
    ("cycling_ai.worker.reports", "INFO", "report for athlete {n} written ({k}{k} KB)"),
    ("cycling_ai.worker.queue", "DEBUG", "queue depth {k}, {n} jobs done"),
    ("cycling_ai.worker.sync", "DEBUG", "synced {k}{k} rides from the device service"),
    ("cycling_ai.worker.jobs", "WARNING", "job {h} retried ({k}/5)"),
)
WORDS = (  # noqa: SIM905 - a word list reads better as text
    "power threshold interval cadence recovery zone endurance tempo sweet spot watts heart rate "
    "fatigue form fitness ride climb sprint base build peak taper nutrition hydration sleep load "
    "week block session target effort pace variability normalized training stress balance ramp "
    "test FTP VO2max lactate durability torque gradient descent group solo indoor outdoor trainer "
    "the a of and to in for with your this that is was on at after before during each every per "
    "over last next weeks days minutes hours rides kilojoules average best max trend rising "
    "falling steady compared previous month plan goal race event priority rest easy hard"
).split()
QUESTIONS = (
    "How did my FTP change over the last {k} weeks?",
    "Build me a {k}-week plan for a hilly 160 km event.",
    "Why was my heart rate so high on yesterday's ride?",
    "Compare my best 20-minute power this month with last month.",
    "Am I recovering well enough between interval days?",
    "What should my zones be after the ramp test?",
    "Plan tomorrow's session: I have {k} hours and feel tired.",
    "Which of my rides this year had the highest training stress?",
)
# name, description, {parameter: (JSON type, description, example values)}, required
TOOL_SPECS = (
    ("analyze_performance", "Summarise the athlete's rides over a period: power, heart rate, "
     "training load and their trends, with the best efforts of the period.",
     {"period_days": ("integer", "How many days back to look.", (14, 28, 42, 90, 180)),
      "metric": ("string", "The metric to trend.", ("ftp", "np", "tss", "hr")),
      "group_by": ("string", "Aggregation of the trend.", ("day", "week", "month"))}, ("period_days",)),
    ("get_power_curve", "Best average power for standard durations (5 s to 60 min) over a period.",
     {"period_days": ("integer", "How many days back to look.", (28, 90, 365)),
      "durations_s": ("string", "Comma-separated durations in seconds.", ("5,60,300,1200,3600",))},
     ("period_days",)),
    ("get_rides", "List the athlete's rides with their summary metrics, newest first.",
     {"limit": ("integer", "Maximum rides to return.", (10, 50, 200)),
      "since": ("string", "ISO date of the oldest ride.", ("2025-08-01", "2025-10-01"))}, ("limit",)),
    ("get_athlete_profile", "The athlete's profile: weight, FTP history, zones, goals and availability.",
     {"include_history": ("boolean", "Include the FTP history.", (True, False))}, ()),
    ("build_training_plan", "Create a periodised training plan towards a goal event.",
     {"weeks": ("integer", "Length of the plan.", (4, 8, 12, 16)),
      "hours_per_week": ("number", "Available training time.", (6.0, 8.5, 12.0)),
      "goal": ("string", "The goal event, in words.", ("gran fondo", "criterium", "time trial"))},
     ("weeks", "goal")),
    ("compute_zones", "Power and heart-rate zones from a threshold value.",
     {"ftp": ("integer", "Functional threshold power in watts.", (230, 265, 301)),
      "model": ("string", "Zone model.", ("coggan", "seiler"))}, ("ftp",)),
    ("get_weather", "Forecast for a place and day, for planning outdoor rides.",
     {"place": ("string", "City or coordinates.", ("Girona", "Boulder", "Annecy")),
      "date": ("string", "ISO date.", ("2025-11-06", "2025-11-08"))}, ("place",)),
    ("search_knowledge_base", "Search the coaching knowledge base for articles and guidelines.",
     {"query": ("string", "Search terms.", ("sweet spot", "taper", "heat adaptation")),
      "limit": ("integer", "Maximum articles.", (3, 5))}, ("query",)),
)


def tool_schemas(provider: str) -> str:
    """The tool declarations of a request, in ``provider``'s shape, as JSON text."""
    decls = []
    for name, description, params, required in TOOL_SPECS:
        schema = {"type": "object", "properties": {
            p: {"type": t, "description": d} for p, (t, d, _) in params.items()},
            "required": list(required)}
        if provider == "openai":
            decls.append({"type": "function", "function": {
                "name": name, "description": description, "parameters": schema}})
        elif provider == "anthropic":
            decls.append({"name": name, "description": description, "input_schema": schema})
        else:
            decls.append({"name": name, "description": description, "parameters": schema})
    return json.dumps([{"functionDeclarations": decls}] if provider == "gemini" else decls)


class Texts:
    """Seeded prose and ride tables to cut message bodies and tool results from."""

    def __init__(self, rng: random.Random) -> None:
        words = rng.choices(WORDS, k=300_000)
        sentences, i = [], 0
        while i < len(words):
            n = rng.randint(6, 18)
            sentence = " ".join(words[i:i + n])
            sentences.append(sentence[:1].upper() + sentence[1:] + ".")
            i += n
        self.prose = " ".join(sentences)
        day = datetime(2024, 1, 1)
        self.rows = [json.dumps({
            "ride_id": 100000 + j, "date": (day + timedelta(hours=3 * j)).date().isoformat(),
            "duration_s": rng.randint(1800, 18000), "avg_power": rng.randint(120, 320),
            "np": rng.randint(130, 340), "tss": round(rng.uniform(20, 300), 1),
            "avg_hr": rng.randint(110, 170), "kj": rng.randint(300, 4000)}) for j in range(6000)]
        self.systems = [self.system(rng) for _ in range(6)]

    def text(self, rng: random.Random, size: int) -> str:
        start = self.prose.index(". ", rng.randrange(len(self.prose) - size - 400)) + 2
        end = self.prose.find(" ", start + size)
        return self.prose[start:end]

    def table(self, rng: random.Random, size: int) -> str:
        count = max(1, size // 150)
        start = rng.randrange(len(self.rows) - count)
        return '{"rows": [' + ", ".join(self.rows[start:start + count]) + f'], "count": {count}}}'

    def system(self, rng: random.Random) -> str:
        return ("You are Coach, the cycling coach of the cycling_ai service. Answer with the "
                "athlete's own data: call the tools to fetch rides, power curves and profiles "
                "before giving advice, never invent numbers, and say which period you looked at.\n"
                "Rules:\n" + "\n".join(f"{i}. {self.text(rng, rng.randint(80, 260))}" for i in range(1, 13))
                + "\nStyle: " + self.text(rng, rng.randint(800, 2500)))


def user_message(provider: str, text: str) -> dict:
    if provider == "openai":
        return {"role": "user", "content": text}
    if provider == "anthropic":
        return {"role": "user", "content": [{"type": "text", "text": text}]}
    return {"role": "user", "parts": [{"text": text}]}


def tool_result_message(provider: str, name: str, call_id: str, content: str) -> dict:
    if provider == "openai":
        return {"role": "tool", "tool_call_id": call_id, "content": content}
    if provider == "anthropic":
        return {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": call_id, "content": content}]}
    return {"role": "user", "parts": [{"functionResponse": {"name": name, "response": {"content": content}}}]}


def usage_of(provider: str, tin: int, tout: int) -> dict:
    if provider == "openai":
        return {"prompt_tokens": tin, "completion_tokens": tout, "total_tokens": tin + tout}
    if provider == "anthropic":
        return {"input_tokens": tin, "output_tokens": tout}
    return {"input_tokens": tin, "output_tokens": tout, "total_tokens": tin + tout}


def response(provider: str, model: str, number: int, tin: int, tout: int, text: str,
             call: tuple[str, str, dict] | None = None) -> tuple[dict, dict]:
    """(the provider's response, the assistant message it adds to the history): a text
    answer, or with ``call`` (name, id, arguments) a tool call."""
    if provider == "openai":
        message = {"role": "assistant", "content": None if call else text}
        if call:
            message["tool_calls"] = [{"id": call[1], "type": "function", "function": {
                "name": call[0], "arguments": json.dumps(call[2])}}]
        out = {"id": f"chatcmpl-{number:06d}", "object": "chat.completion", "model": model,
               "choices": [{"index": 0, "message": message,
                            "finish_reason": "tool_calls" if call else "stop"}],
               "usage": usage_of(provider, tin, tout)}
        return out, message
    if provider == "anthropic":
        content = [{"type": "text", "text": text}]
        if call:
            content.append({"type": "tool_use", "id": call[1], "name": call[0], "input": call[2]})
        out = {"id": f"msg_{number:06d}", "type": "message", "role": "assistant", "model": model,
               "content": content, "stop_reason": "tool_use" if call else "end_turn",
               "usage": {"input_tokens": tin, "output_tokens": tout}}
        return out, {"role": "assistant", "content": content}
    parts = [{"functionCall": {"name": call[0], "args": call[2]}}] if call else [{"text": text}]
    content = {"role": "model", "parts": parts}
    out = {"candidates": [{"content": content, "finishReason": "STOP", "index": 0}],
           "usageMetadata": {"promptTokenCount": tin, "candidatesTokenCount": tout,
                             "totalTokenCount": tin + tout}, "modelVersion": model}
    return out, content


def tool_calls_of(provider: str, output: dict) -> list[tuple[str, str]]:
    """(name, id) of the tool calls in a response."""
    if provider == "openai":
        message = output["choices"][0]["message"]
        return [(c["function"]["name"], c["id"]) for c in message.get("tool_calls") or ()]
    if provider == "anthropic":
        return [(b["name"], b["id"]) for b in output["content"] if b.get("type") == "tool_use"]
    return [(p["functionCall"]["name"], "") for p in output["candidates"][0]["content"]["parts"]
            if "functionCall" in p]


def request_text(provider: str, model: str, system: str, tools: str, history: str) -> str:
    """The request as JSON text around the already-encoded ``history`` messages."""
    if provider == "openai":
        return (f'{{"model": {json.dumps(model)}, "messages": [{history}], "tools": {tools}, '
                f'"tool_choice": "auto", "temperature": 0.2}}')
    if provider == "anthropic":
        return (f'{{"model": {json.dumps(model)}, "max_tokens": 4096, "system": {system}, '
                f'"messages": [{history}], "tools": {tools}}}')
    return (f'{{"contents": [{history}], "systemInstruction": {{"parts": [{{"text": {system}}}]}}, '
            f'"tools": {tools}, "generationConfig": {{"temperature": 0.2, "maxOutputTokens": 4096}}}}')


def record_text(number: int, when: datetime, provider: str, model: str, request: str,
                output: str, usage: dict, duration_ms: float) -> str:
    """One interaction record (the shape of :func:`interaction`) as a JSONL line."""
    return (f'{{"interaction_id": {number}, "timestamp": "{when.isoformat(timespec="milliseconds")}", '
            f'"provider": "{provider}", "model": {json.dumps(model)}, "input": {request}, '
            f'"output": {output}, "usage": {json.dumps(usage)}, "duration_ms": {duration_ms}}}\n')


class Conversation:
    """One session's interactions: each request repeats the conversation so far.

    The history is kept encoded (one JSON text per message) so a record costs a
    join, not a new encoding of everything before it.
    """

    def __init__(self, rng: random.Random, texts: Texts, provider: str, model: str,
                 tools: str) -> None:
        self.rng, self.texts, self.provider, self.model, self.tools = rng, texts, provider, model, tools
        system = rng.choice(texts.systems)
        self.system = json.dumps(system)
        self.history = json.dumps({"role": "system", "content": system}) if provider == "openai" else ""
        self.number = 0
        self.expect_user = True

    def _add(self, message: dict) -> None:
        encoded = json.dumps(message)
        self.history = f"{self.history}, {encoded}" if self.history else encoded

    def record(self, when: datetime) -> tuple[str, int, int, float]:
        """The next interaction as a JSONL line, with its tokens in and out and duration."""
        rng, texts, provider = self.rng, self.texts, self.provider
        if self.expect_user:
            question = rng.choice(QUESTIONS).format(k=rng.randint(2, 12))
            if rng.random() < 0.5:
                question += " " + texts.text(rng, rng.randint(40, 600))
            self._add(user_message(provider, question))
        self.number += 1
        request = request_text(provider, self.model, self.system, self.tools, self.history)
        tin = len(request) // 4
        call = None
        if rng.random() < (0.7 if self.expect_user else 0.45):
            name, _, params, _ = rng.choice(TOOL_SPECS)
            args = {p: rng.choice(values) for p, (_, _, values) in params.items()}
            call = (name, f"call_{rng.getrandbits(48):012x}", args)
            text = f"Let me look at your data with {name}."
        else:
            text = texts.text(rng, rng.randint(300, 2500))
        tout = len(text) // 4 + 20
        out, assistant = response(provider, self.model, self.number, tin, tout, text, call)
        self._add(assistant)
        if call:
            size = rng.randint(12_000, 60_000) if rng.random() < LARGE_RESULT else rng.randint(200, 3000)
            self._add(tool_result_message(provider, call[0], call[1], texts.table(rng, size)))
        self.expect_user = call is None
        duration = round(rng.uniform(400, 12000), 1)
        line = record_text(self.number, when, provider, self.model, request, json.dumps(out),
                           usage_of(provider, tin, tout), duration)
        return line, tin, tout, duration


def follow_up_record(last: dict, number: int, when: datetime, text: str, answer: str) -> dict:
    """The interaction after ``last`` (a parsed record): its conversation, the reply
    ``last`` got (and a result for each of its tool calls), then the user's ``text``;
    the response is ``answer``. For appending realistic records to a session."""
    provider, model = last["provider"], last["model"]
    request, output = dict(last["input"]), last["output"]
    key = "contents" if provider == "gemini" else "messages"
    history = list(request[key])
    if provider == "openai":
        history.append(output["choices"][0]["message"])
    elif provider == "anthropic":
        history.append({"role": "assistant", "content": output["content"]})
    else:
        history.append(output["candidates"][0]["content"])
    calls = tool_calls_of(provider, output)
    for name, call_id in calls:
        history.append(tool_result_message(provider, name, call_id, '{"rows": [], "count": 0}'))
    if calls:
        history.append(response(provider, model, number, 0, 0, "Nothing new since then.")[1])
    history.append(user_message(provider, text))
    request[key] = history
    tin = len(json.dumps(request)) // 4
    tout = len(answer) // 4 + 20
    out, _ = response(provider, model, number, tin, tout, answer)
    return {"interaction_id": number, "timestamp": when.isoformat(timespec="milliseconds"),
            "provider": provider, "model": model, "input": request, "output": out,
            "usage": usage_of(provider, tin, tout), "duration_ms": round(len(answer) * 3.1, 1)}


@dataclass
class LiveSession:
    sid: str
    provider: str
    model: str
    total: int  # app.log bytes planned
    quota: int  # app.log bytes still to write
    budget: int  # JSONL bytes planned
    worker: bool  # also logs to worker.log
    conversation: Conversation
    records: list[str] = field(default_factory=list)
    jsonl_bytes: int = 0
    last_record: int = 0
    started: int = 0


class LineWriter:
    """One log file's lines, written in large chunks; counts lines and levels."""

    def __init__(self, fh, clock: Clock) -> None:
        self.fh, self.clock = fh, clock
        self.lines: list[str] = []
        self.bytes = 0
        self.count = 0
        self.levels: dict[str, int] = {}

    def record(self, sid: str, logger: str, level: str, message: str) -> int:
        line = f"[{sid}] - {self.clock.asctime()} - {logger} - {level} - {message}"
        self.lines.append(line)
        self.levels[level] = self.levels.get(level, 0) + 1
        return len(line) + 1

    def extend(self, lines: list[str]) -> int:
        self.lines.extend(lines)
        return sum(len(line) + 1 for line in lines)

    def flush(self, force: bool = False) -> None:
        if self.lines and (force or len(self.lines) >= 20000):
            data = ("\n".join(self.lines) + "\n").encode("utf-8")
            self.count += len(self.lines)
            self.lines = []
            self.fh.write(data)
            self.bytes += len(data)


def fill_message(rng: random.Random, template: str, provider: str) -> str:
    return template.format(
        n=rng.randint(1, 99999), k=rng.randint(1, 9), h=f"{rng.getrandbits(32):08x}",
        host=HOSTS[provider], endpoint=ENDPOINTS[provider], provider=provider,
        tool=TOOL_SPECS[rng.randrange(len(TOOL_SPECS))][0])


def _session_line(w: LineWriter, s: LiveSession, rng: random.Random) -> int:
    """One record (two thirds DEBUG) of session ``s``: its bytes."""
    roll = rng.random()
    if roll < 0.66:
        logger, template = R_DEBUG[rng.randrange(len(R_DEBUG))]
        return w.record(s.sid, logger, "DEBUG", fill_message(rng, template, s.provider))
    if roll < 0.955:
        logger, template = R_INFO[rng.randrange(len(R_INFO))]
        return w.record(s.sid, logger, "INFO", fill_message(rng, template, s.provider))
    if roll < 0.985:
        logger, template = R_WARNING[rng.randrange(len(R_WARNING))]
        return w.record(s.sid, logger, "WARNING", fill_message(rng, template, s.provider))
    if roll < 0.9905:
        size = w.record(s.sid, "cycling_ai.orchestration.agent", "INFO", "Plan details:")
        return size + w.extend(extra_lines(rng))
    logger, template = R_ERROR[rng.randrange(len(R_ERROR))]
    size = w.record(s.sid, logger, "CRITICAL" if roll > 0.9997 else "ERROR", fill_message(rng, template, s.provider))
    if roll < 0.993:
        size += w.extend(traceback_lines(rng))
    return size


def _worker_line(w: LineWriter, s: LiveSession, rng: random.Random) -> None:
    logger, level, template = R_WORKER[rng.randrange(len(R_WORKER))]
    w.record(s.sid, logger, level, fill_message(rng, template, s.provider))


def generate_realistic(out: Path, size: int, sessions: int, seed: int, *,
                       max_concurrency: int = MAX_CONCURRENCY, millis: bool = False,
                       worker_share: float = WORKER_SHARE, jsonl_ratio: float = JSONL_RATIO,
                       name: str = "app.log", worker_name: str = "worker.log",
                       quiet: bool = True, command: str | None = None) -> dict:
    """Write the realistic shape into ``out``: ``name`` (about ``size`` bytes),
    ``worker_name`` and ``llm_interactions/`` (about ``jsonl_ratio * size`` bytes),
    plus ``bench-meta.json`` (``command`` noted there, to regenerate); return the
    summary written there, with the generation time (not written: the file is
    reproducible byte for byte).

    Sessions start at random (Poisson), at most ``max_concurrency`` at once; a session
    writes about ``size / sessions`` bytes (0.25x to 1.75x), a share ``worker_share`` of
    them also writes to the worker log (the newest session always does). Each session's
    interactions are spread over its lines so that its JSONL reaches its budget
    (``jsonl_ratio`` times its app-log bytes, 0.4x to 1.6x) as it ends.
    """
    t0 = time.perf_counter()
    rng = random.Random(seed)
    texts = Texts(random.Random(f"{seed}:texts"))
    tools = {p: tool_schemas(p) for p in PROVIDERS}
    out.mkdir(parents=True, exist_ok=True)
    inter_dir = out / "llm_interactions"
    inter_dir.mkdir(exist_ok=True)
    for old in inter_dir.glob("session_*.jsonl"):
        old.unlink()
    clock = Clock(datetime(2025, 11, 3, 7, 0, 0), millis=millis)
    per_session = size / sessions
    duration_ms = per_session / AVG_LINE * LINE_GAP_MS
    pending = list(reversed(session_starts(rng, sessions, gap_ms=duration_ms / MEAN_CONCURRENCY)))
    # each session's app.log bytes: 0.25x to 1.75x the mean, adding up to ``size``
    quota_rng = random.Random(f"{seed}:quotas")
    shares = [quota_rng.uniform(0.25, 1.75) for _ in range(sessions)]
    scale = size / sum(shares)
    quotas = [max(2000, int(share * scale)) for share in shares]
    seen: set[str] = set()
    active: list[LiveSession] = []
    jsonl_total = jsonl_files = interactions = peak = 0
    newest: LiveSession | None = None
    with open(out / name, "wb") as fa, open(out / worker_name, "wb") as fw:
        app, work = LineWriter(fa, clock), LineWriter(fw, clock)
        for message_ in ("Starting cycling_ai api 2.3.1", "Loading configuration from /etc/cycling_ai/config.toml",
                         "Connected to the database (pool size 10)", "Listening on http://0.0.0.0:8000"):
            app.record("in-progress", "cycling_ai.api.server", "INFO", message_)
        work.record("in-progress", "cycling_ai.worker.main", "INFO", "Worker started, concurrency 4")
        while pending or active:
            if pending and len(active) < max_concurrency and (not active or clock.ms >= pending[-1]):
                if not active and clock.ms < pending[-1]:  # idle: only the health checks log
                    while clock.ms + 30_000 < pending[-1]:
                        clock.ms += 15_000 + int(rng.expovariate(1 / 15_000))
                        app.record("in-progress", "cycling_ai.api.handlers", "INFO", "GET /health 200 (1 ms)")
                clock.ms = max(clock.ms, pending.pop())
                number = sessions - len(pending)
                sid = new_session_id(clock, number, seen)
                provider = rng.choice(PROVIDERS)
                model = rng.choice(MODELS[provider])
                total = quotas[number - 1]
                s = LiveSession(sid, provider, model, total, total, int(total * jsonl_ratio * rng.uniform(0.4, 1.6)),
                                rng.random() < worker_share or number == sessions,
                                Conversation(random.Random(f"{seed}:{number}"), texts, provider, model,
                                             tools[provider]), started=clock.ms)
                active.append(s)
                peak = max(peak, len(active))
                s.quota -= app.record(sid, "cycling_ai.api.handlers", "INFO",
                                      f"POST /api/coach/chat from user {rng.randint(1, 99999)}")
                s.quota -= app.record(sid, "cycling_ai.providers.interaction_logger", "INFO",
                                      f"LLM interaction logging enabled. Log file: "
                                      f"logs/llm_interactions/session_{sid}.jsonl")
                if s.worker:
                    work.record(sid, "cycling_ai.worker.jobs", "INFO", f"job {rng.getrandbits(32):08x} "
                                f"queued for session {sid}")
                if number == sessions:
                    newest = s
                continue
            clock.advance(rng, LINE_GAP_MS / len(active))
            s = active[rng.randrange(len(active))]
            if s.worker and rng.random() < WORKER_LINE_SHARE:
                _worker_line(work, s, rng)
                work.flush()
                continue
            s.quota -= _session_line(app, s, rng)
            # the next record is due once the JSONL is half a record behind the lines
            if s.jsonl_bytes + s.last_record // 2 < s.budget * (1 - s.quota / s.total):
                conv = s.conversation
                s.quota -= app.record(s.sid, "cycling_ai.providers.client", "INFO",
                                      f"Calling {s.provider} API model={conv.model} (turn {conv.number + 1})")
                line, tin, tout, duration = conv.record(clock.now())
                s.records.append(line)
                s.jsonl_bytes += len(line)
                s.last_record = len(line)
                s.quota -= app.record(s.sid, "cycling_ai.providers.client", "INFO",
                                      f"LLM response in {duration:.0f} ms: {tin} tokens in, {tout} out")
            if s.quota <= 0:
                active.remove(s)
                path = inter_dir / f"session_{s.sid}.jsonl"
                path.write_text("".join(s.records), encoding="utf-8")
                jsonl_total += s.jsonl_bytes
                jsonl_files += 1
                interactions += len(s.records)
                if s is not newest:
                    s.records = []
                s.conversation = None  # type: ignore[assignment]  # finished: its memory is freed
                app.record("in-progress", "cycling_ai.api.handlers", "INFO",
                           f"Request finished in {(clock.ms - s.started) / 1000:.1f} s")
            elif rng.random() < 0.002:
                app.record("in-progress", "cycling_ai.scheduler", "DEBUG",
                           f"scheduler tick: {rng.randint(0, 9)} jobs queued")
            if len(app.lines) >= 20000:
                app.flush()
                if not quiet:
                    print(f"\r{app.bytes / (1 << 20):8.0f} MiB", end="", file=sys.stderr)
        app.flush(force=True)
        work.flush(force=True)
    assert newest is not None
    lines = app.count
    summary = {
        "command": command, "seed": seed, "sessions": sessions, "millis": millis,
        "app_log": name, "worker_log": worker_name, "interactions_dir": "llm_interactions",
        "newest_session": newest.sid, "newest_provider": newest.provider,
        "newest_model": newest.model,
        "newest_interactions": len(newest.records),
        "end_time": clock.now().strftime("%Y-%m-%d %H:%M:%S"),
        "bytes": {"app_log": app.bytes, "worker_log": work.bytes, "jsonl": jsonl_total},
        "jsonl_ratio": round(jsonl_total / app.bytes, 3),
        "app_log_lines": lines, "worker_log_lines": work.count,
        "debug_share": round(app.levels.get("DEBUG", 0) / max(1, sum(app.levels.values())), 3),
        "levels": app.levels, "jsonl_files": jsonl_files, "interactions": interactions,
        "max_concurrency": peak, "seconds": round(time.perf_counter() - t0, 1),
        # what bench/live.py appends to, and their sizes as generated (to restore them)
        "generated_sizes": {
            name: app.bytes, worker_name: work.bytes,
            f"llm_interactions/session_{newest.sid}.jsonl": newest.jsonl_bytes},
    }
    newest.records = []
    meta = {key: value for key, value in summary.items() if key != "seconds"}
    (out / "bench-meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return summary

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=sorted(PRESETS),
                        help="the realistic shape (JSONL ~40%% of the app log, a worker log, "
                        "DEBUG on, no milliseconds); realistic-1g: 1.1 GB, 2,000 sessions")
    parser.add_argument("--size", default=None, help="app log size, e.g. 50M, 1G (default 100M, "
                        "or the preset's)")
    parser.add_argument("--sessions", type=int, default=None,
                        help="default 2000; with --preset realistic, scaled with --size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=None,
                        help=f"sessions active at once (default 16; with a preset at most, "
                        f"default {MAX_CONCURRENCY})")
    parser.add_argument("--no-millis", action="store_true",
                        help="timestamps without milliseconds (the presets' default)")
    parser.add_argument("--worker-share", type=float, default=WORKER_SHARE,
                        help="with a preset: the share of sessions that also write worker.log")
    parser.add_argument("--jsonl-ratio", type=float, default=JSONL_RATIO,
                        help="with a preset: JSONL bytes per app-log byte")
    parser.add_argument("--name", default="app.log")
    parser.add_argument("--out", type=Path, default=None,
                        help="output directory (default bench/data, with a preset bench/data/PRESET)")
    args = parser.parse_args(argv)
    if args.preset is None:
        generate(args.out or Path(__file__).parent / "data", parse_size(args.size or "100M"),
                 args.sessions or 2000, args.seed, args.concurrency or 16, args.name, quiet=False,
                 millis=not args.no_millis)
        return 0
    size, sessions = PRESETS[args.preset]
    if args.size:
        size = parse_size(args.size)
    sessions = args.sessions or sessions or max(8, round(size * REALISTIC_SESSIONS_PER_BYTE))
    out = args.out or Path(__file__).parent / "data" / args.preset
    summary = generate_realistic(out, size, sessions, args.seed,
                                 max_concurrency=args.concurrency or MAX_CONCURRENCY, millis=False,
                                 worker_share=args.worker_share, jsonl_ratio=args.jsonl_ratio,
                                 name=args.name, quiet=False,
                                 command=" ".join(["python bench/gen_logs.py", *(argv or sys.argv[1:])]))
    sizes = summary["bytes"]
    print(f"\r{out}: generated in {summary['seconds']:.1f} s (seed {args.seed})", file=sys.stderr)
    print(f"  {summary['app_log']:<18}{sizes['app_log']:>15,} bytes  {summary['app_log_lines']:,} lines, "
          f"{summary['debug_share']:.0%} DEBUG")
    print(f"  {summary['worker_log']:<18}{sizes['worker_log']:>15,} bytes  {summary['worker_log_lines']:,} lines")
    print(f"  {'llm_interactions/':<18}{sizes['jsonl']:>15,} bytes  {summary['jsonl_files']:,} files, "
          f"{summary['interactions']:,} interactions")
    print(f"  JSONL / app log    {summary['jsonl_ratio']:.3f}")
    print(f"  sessions           {sessions:,} (at most {summary['max_concurrency']} at once)")
    print(f"  newest session     {summary['newest_session']} ({summary['newest_provider']}, "
          f"also in {summary['worker_log']}); see bench-meta.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
