"""Benchmark the summary of interactions JSONL files (the session catalog's per-file totals).

    python bench/jsonl_summary.py                         # generate ~200 MB in /tmp, seeded
    python bench/jsonl_summary.py --size 50M --seed 3     # another sample
    python bench/jsonl_summary.py --path /work/data/realistic-1g/llm_interactions
    python bench/jsonl_summary.py --check                 # exit 1 below 150 MB/s

Realistic records: every line carries the whole conversation so far (its history
grows turn by turn), the tool schemas, and now and then a tool result of tens of
KB; OpenAI Chat, OpenAI Responses, Anthropic and Gemini (camelCase and
snake_case) sessions, some streamed responses, some failed calls, non-ASCII text.

Prints MB/s per core (CPU time of this process, best of ``--repeat`` rounds; the
machine is shared, so the ratios measured in the same run matter more than the
absolute figures) for:

* ``stdlib json``: ``json.loads`` of every line (decode only; this and the next
  three are timed on lines already read and split);
* ``orjson``: ``orjson.loads`` of every line (decode only), when installed;
* ``orjson + field readers``: ``orjson.loads``, then the normaliser's field readers;
* ``msgspec line facts``: :func:`fast_summary.line_facts` of every line (the typed
  decode of the summary's fields, then the normaliser's field readers);
* ``light normaliser (before)``: what ``summarise_file`` did before, end to end:
  the reader's ``iter_new(light=True)`` (stdlib json plus the light normaliser
  on every line) added up;
* ``summarise_file (chosen)``: the chosen path, end to end (file reading included).

Figures are megabytes (10**6 bytes) of JSONL per second of CPU time.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from session_explorer.core.interactions import summary as fast_summary
from session_explorer.core.interactions.payloads.fields import error_of, model_of, timestamp_of, usage_of
from session_explorer.core.interactions.payloads.streams import assemble_stream
from session_explorer.core.interactions.payloads.values import as_dict, first_present
from session_explorer.core.interactions.reader import JsonlReader
from session_explorer.core.interactions.stats import JsonlSummary, summarise_file

TARGET_MB_S = 150.0
DEFAULT_DIR = Path("/tmp/session-explorer-bench/jsonl-summary")
GENERATOR_VERSION = 3  # a generated sample is kept for the next run until this changes

# ============================================================== the generator
WORDS = (  # noqa: SIM905 - a word list reads better as text
    "power cadence threshold interval recovery endurance sweet spot zone tempo sprint climb "
    "descent watts heart rate variability fatigue freshness form ramp test training load "
    "nutrition hydration carbohydrate protein sleep taper peak base build periodisation "
    "the a of to and in for on with your you my this that was is it at by from "
    "Déjà vu — très bien · naïve café 🚴 ✓ Größe 東京 übung"
).split()
TOOL_NAMES = (
    "get_ride_summary", "get_power_curve", "get_ftp_history", "get_training_load", "get_sleep",
    "get_weather", "search_routes", "plan_workout", "log_nutrition", "get_heart_rate_zones",
    "compare_rides", "export_calendar",
)
MODELS = {
    "openai-chat": ("gpt-4o", "gpt-4o-mini", "gpt-4.1"),
    "openai-responses": ("gpt-4.1-mini", "o4-mini"),
    "anthropic": ("claude-sonnet-4-5", "claude-haiku-4-5"),
    "gemini": ("gemini-2.5-pro", "gemini-2.5-flash"),
}
SHAPES = ("openai-chat", "openai-chat", "openai-chat", "openai-responses", "anthropic", "anthropic", "gemini")
FIRST_SHAPES = ("openai-chat", "anthropic", "openai-responses", "gemini", "gemini")


def words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def tool_schemas(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Neutral tool specs (name, description, JSON-schema parameters) of a few KB in all."""
    tools = []
    for name in rng.sample(TOOL_NAMES, count):
        properties = {
            f"{rng.choice(WORDS).lower()}_{n}": {
                "type": rng.choice(("string", "integer", "number", "boolean")),
                "description": words(rng, rng.randint(6, 20)),
            }
            for n in range(rng.randint(2, 7))
        }
        tools.append({"name": name, "description": words(rng, rng.randint(20, 60)),
                      "parameters": {"type": "object", "properties": properties,
                                     "required": sorted(properties)[:2]}})
    return tools


def tool_result(rng: random.Random) -> str:
    """A tool's JSON result as text: mostly small; sometimes tens of KB of rows or of a
    ride's per-second streams (numbers: the slowest JSON to decode)."""
    draw = rng.random()
    if draw < 0.1:
        seconds = rng.randint(1500, 5000)
        return json.dumps({"ride_id": f"r_{rng.randint(1, 9999)}", "streams": {
            "watts": [rng.randint(0, 450) for _ in range(seconds)],
            "heartrate": [rng.randint(95, 185) for _ in range(seconds)],
            "speed": [round(rng.uniform(0, 16), 2) for _ in range(seconds)]}})
    rows = rng.randint(40, 300) if draw < 0.25 else rng.randint(1, 8)
    data = [{"date": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
             "name": words(rng, 3), "avg_power": rng.randint(120, 320), "np": rng.randint(130, 340),
             "tss": round(rng.uniform(20, 180), 1), "hr": rng.randint(110, 175),
             "note": words(rng, rng.randint(3, 12))} for _ in range(rows)]
    return json.dumps({"rows": data, "count": rows}, ensure_ascii=False)


class Turn:
    """One step of the conversation, in a neutral form each shape renders its own way."""

    def __init__(self, role: str, text: str = "", calls: tuple[tuple[str, str, dict[str, Any]], ...] = (),
                 call_id: str = "", name: str = "") -> None:
        self.role, self.text, self.calls, self.call_id, self.name = role, text, calls, call_id, name


def render_request(shape: str, model: str, system: str, turns: list[Turn], tools: list[dict[str, Any]],
                   snake: bool) -> dict[str, Any]:
    if shape == "openai-chat":
        messages: list[dict[str, Any]] = [{"role": "system", "content": system}]
        for t in turns:
            if t.role == "tool":
                messages.append({"role": "tool", "tool_call_id": t.call_id, "content": t.text})
            elif t.calls:
                messages.append({"role": "assistant", "content": t.text or None, "tool_calls": [
                    {"id": cid, "type": "function", "function": {"name": n, "arguments": json.dumps(a)}}
                    for cid, n, a in t.calls]})
            else:
                messages.append({"role": t.role, "content": t.text})
        return {"model": model, "messages": messages, "temperature": 0.3,
                "tools": [{"type": "function", "function": tool} for tool in tools]}
    if shape == "openai-responses":
        items: list[dict[str, Any]] = []
        for t in turns:
            if t.role == "tool":
                items.append({"type": "function_call_output", "call_id": t.call_id, "output": t.text})
            elif t.calls:
                items += [{"type": "function_call", "call_id": cid, "name": n, "arguments": json.dumps(a)}
                          for cid, n, a in t.calls]
            else:
                kind = "input_text" if t.role == "user" else "output_text"
                items.append({"type": "message", "role": t.role, "content": [{"type": kind, "text": t.text}]})
        return {"model": model, "instructions": system, "input": items,
                "tools": [{"type": "function", **tool} for tool in tools]}
    if shape == "anthropic":
        messages = []
        for t in turns:
            if t.role == "tool":
                block = {"type": "tool_result", "tool_use_id": t.call_id, "content": t.text}
                if messages and messages[-1]["role"] == "user" and messages[-1]["content"][0]["type"] == "tool_result":
                    messages[-1]["content"].append(block)
                else:
                    messages.append({"role": "user", "content": [block]})
            else:
                blocks: list[dict[str, Any]] = [{"type": "text", "text": t.text}] if t.text else []
                blocks += [{"type": "tool_use", "id": cid, "name": n, "input": a} for cid, n, a in t.calls]
                messages.append({"role": t.role, "content": blocks})
        return {"model": model, "system": system, "max_tokens": 4096, "messages": messages,
                "tools": [{"name": tool["name"], "description": tool["description"],
                           "input_schema": tool["parameters"]} for tool in tools]}
    # Gemini: the REST API's camelCase, or the Python SDK's model_dump() in snake_case
    call_key, result_key = ("function_call", "function_response") if snake else ("functionCall", "functionResponse")
    contents: list[dict[str, Any]] = []
    for t in turns:
        if t.role == "tool":
            contents.append({"role": "user", "parts": [{result_key: {"name": t.name, "response": json.loads(t.text)}}]})
        else:
            parts: list[dict[str, Any]] = [{"text": t.text}] if t.text else []
            parts += [{call_key: {"name": n, "args": a}} for _, n, a in t.calls]
            contents.append({"role": "model" if t.role == "assistant" else "user", "parts": parts})
    declarations = "function_declarations" if snake else "functionDeclarations"
    request = {"contents": contents, "tools": [{declarations: tools}]}
    request["system_instruction" if snake else "systemInstruction"] = {"parts": [{"text": system}]}
    return request


def render_response(shape: str, model: str, reply: Turn, tin: int, tout: int, stream: bool,
                    snake: bool, rng: random.Random) -> Any:
    if shape == "openai-chat":
        message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
        if reply.calls:
            message["tool_calls"] = [{"id": cid, "type": "function",
                                      "function": {"name": n, "arguments": json.dumps(a)}} for cid, n, a in reply.calls]
        usage = {"prompt_tokens": tin, "completion_tokens": tout, "total_tokens": tin + tout}
        if stream:
            pieces = [reply.text[i:i + 24] for i in range(0, len(reply.text), 24)] or [""]
            chunks: list[dict[str, Any]] = [{"id": "chatcmpl-s", "object": "chat.completion.chunk", "model": model,
                                             "created": 1762349455, "choices": [{"index": 0, "delta": {"content": p}}]}
                                            for p in pieces]
            chunks.append({"id": "chatcmpl-s", "object": "chat.completion.chunk", "choices": [], "usage": usage})
            return chunks
        return {"id": f"chatcmpl-{rng.getrandbits(40):x}", "object": "chat.completion", "created": 1762349455,
                "model": model, "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": usage}
    if shape == "openai-responses":
        output: list[dict[str, Any]] = []
        if reply.text:
            output.append({"type": "message", "role": "assistant",
                           "content": [{"type": "output_text", "text": reply.text}]})
        output += [{"type": "function_call", "call_id": cid, "name": n, "arguments": json.dumps(a)}
                   for cid, n, a in reply.calls]
        return {"id": f"resp_{rng.getrandbits(40):x}", "object": "response", "model": model, "output": output,
                "usage": {"input_tokens": tin, "output_tokens": tout, "total_tokens": tin + tout}}
    if shape == "anthropic":
        blocks: list[dict[str, Any]] = [{"type": "text", "text": reply.text}] if reply.text else []
        blocks += [{"type": "tool_use", "id": cid, "name": n, "input": a} for cid, n, a in reply.calls]
        usage = {"input_tokens": tin, "output_tokens": tout, "cache_read_input_tokens": tin // 2}
        if stream:
            events: list[dict[str, Any]] = [{"type": "message_start", "message": {
                "id": "msg_s", "type": "message", "role": "assistant", "model": model, "content": [],
                "usage": {"input_tokens": tin}}}]
            for index, block in enumerate(blocks):
                events.append({"type": "content_block_start", "index": index, "content_block": {**block, "text": ""}
                               if block["type"] == "text" else {**block, "input": {}}})
                if block["type"] == "text":
                    events.append({"type": "content_block_delta", "index": index,
                                   "delta": {"type": "text_delta", "text": block["text"]}})
                else:
                    events.append({"type": "content_block_delta", "index": index,
                                   "delta": {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}})
                events.append({"type": "content_block_stop", "index": index})
            events += [{"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                        "usage": {"output_tokens": tout}},
                       {"type": "message_stop"}]
            return events
        return {"id": f"msg_{rng.getrandbits(40):x}", "type": "message", "role": "assistant", "model": model,
                "content": blocks, "stop_reason": "tool_use" if reply.calls else "end_turn", "usage": usage}
    call_key = "function_call" if snake else "functionCall"
    parts: list[dict[str, Any]] = [{"text": reply.text}] if reply.text else []
    parts += [{call_key: {"name": n, "args": a}} for _, n, a in reply.calls]
    if snake:  # an SDK model_dump(): every field present, most of them null
        return {"candidates": [{"content": {"role": "model", "parts": parts}, "finish_reason": "STOP",
                                "avg_logprobs": None, "citation_metadata": None, "safety_ratings": None}],
                "usage_metadata": {"prompt_token_count": tin, "candidates_token_count": tout,
                                   "total_token_count": tin + tout, "cached_content_token_count": None},
                "model_version": model, "prompt_feedback": None, "create_time": None, "response_id": None}
    return {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": tin, "candidatesTokenCount": tout, "totalTokenCount": tin + tout},
            "modelVersion": model}


def session_records(rng: random.Random, start: datetime, turns_wanted: int, shape: str,
                    snake: bool) -> Iterator[dict[str, Any]]:
    """The records of one session: one per model call, each with the history so far."""
    model = rng.choice(MODELS[shape])
    provider = {"openai-chat": "openai", "openai-responses": "openai"}.get(shape, shape)
    system = "You are a cycling coach. " + words(rng, rng.randint(150, 500))
    tools = tool_schemas(rng, rng.randint(5, 12))
    stream = rng.random() < 0.2
    history: list[Turn] = [Turn("user", words(rng, rng.randint(10, 80)))]
    when = start
    for number in range(1, turns_wanted + 1):
        when += timedelta(seconds=rng.uniform(1, 40))
        tin = 300 + sum(len(t.text) for t in history) // 4
        tout = rng.randint(10, 700)
        if rng.random() < 0.5:
            calls = tuple((f"call_{rng.getrandbits(48):x}", rng.choice(tools)["name"],
                           {"days": rng.randint(1, 90), "metric": rng.choice(WORDS)})
                          for _ in range(rng.randint(1, 2)))
            reply = Turn("assistant", words(rng, rng.randint(0, 20)) if rng.random() < 0.4 else "", calls)
        else:
            reply = Turn("assistant", words(rng, rng.randint(20, 250)))
        record: dict[str, Any] = {
            "interaction_id": number, "timestamp": when.isoformat(timespec="milliseconds"),
            "provider": provider, "model": model,
            "input": render_request(shape, model, system, history, tools, snake),
        }
        if rng.random() < 0.03:  # a failed call: no output
            record["output"] = None
            record["error"] = {"type": "RateLimitError", "message": "Rate limit reached, retry in 2 s"}
            record["duration_ms"] = round(rng.uniform(50, 400), 1)
            yield record
            continue
        record["output"] = render_response(shape, model, reply, tin, tout, stream, snake, rng)
        if rng.random() < 0.7:
            record["usage"] = {"input_tokens": tin, "output_tokens": tout, "total_tokens": tin + tout}
        record["duration_ms"] = round(rng.uniform(300, 9000), 1)
        yield record
        history.append(reply)
        for cid, name, _ in reply.calls:
            history.append(Turn("tool", tool_result(rng), call_id=cid, name=name))
        if not reply.calls:
            history.append(Turn("user", words(rng, rng.randint(5, 60))))


def generate(directory: Path, size: int, seed: int, max_turns: int = 40) -> list[Path]:
    """Write seeded sessions (8 to ``max_turns`` calls each) into ``directory`` until
    ``size`` bytes are written."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    start = datetime(2025, 11, 5, 9, 0)
    written, paths = 0, []
    number = 0
    while written < size:
        number += 1
        path = directory / f"session_20251105_{number:06d}.jsonl"
        with path.open("wb") as handle:
            # The first sessions take each shape in turn (Gemini in both spellings), then at random.
            shape = FIRST_SHAPES[number - 1] if number <= len(FIRST_SHAPES) else rng.choice(SHAPES)
            snake = number == len(FIRST_SHAPES) or (shape == "gemini" and rng.random() < 0.5)
            turns = rng.randint(min(8, max_turns), max_turns)
            for record in session_records(rng, start + timedelta(minutes=7 * number), turns, shape, snake):
                data = (json.dumps(record, ensure_ascii=False) + "\n").encode()
                handle.write(data)
                written += len(data)
        paths.append(path)
    return paths


def parse_size(text: str) -> int:
    units = {"K": 10**3, "M": 10**6, "G": 10**9}
    text = text.strip().upper()
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


# ============================================================= the measures
def lines_of(path: Path) -> list[bytes]:
    """The complete lines of a file, without their newlines."""
    return path.read_bytes().split(b"\n")[:-1]


def decoder_seconds(paths: list[Path], run: Callable[[list[bytes]], object]) -> float:
    """CPU seconds of ``run`` over each file's lines (reading and splitting not counted)."""
    spent = 0.0
    for path in paths:
        lines = lines_of(path)
        t0 = time.process_time()
        run(lines)
        spent += time.process_time() - t0
    return spent


def file_seconds(paths: list[Path], run: Callable[[Path], object]) -> float:
    """CPU seconds of ``run`` on each file, reading included."""
    t0 = time.process_time()
    for path in paths:
        run(path)
    return time.process_time() - t0


def stdlib_decode(lines: list[bytes]) -> None:
    loads = json.loads
    for raw in lines:
        try:  # noqa: SIM105 - the loop measured: no context manager per line
            loads(raw.decode("utf-8", "replace"), strict=False)
        except ValueError:
            pass


def light_normaliser(path: Path) -> None:
    """What summarise_file did before: the reader's interactions (stdlib json and the
    light normaliser on every line), added up."""
    JsonlSummary().add(JsonlReader(path).iter_new(light=True))


def orjson_decode(lines: list[bytes]) -> None:
    import orjson

    for raw in lines:
        try:  # noqa: SIM105 - the loop measured: no context manager per line
            orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass


def orjson_fields(lines: list[bytes]) -> None:
    """orjson.loads of the whole record, then the normaliser's field readers."""
    import orjson

    for raw in lines:
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(obj, dict):
            continue
        request = first_present(obj, "input", "request")
        response = assemble_stream(first_present(obj, "output", "response"))
        model_of(obj, as_dict(request), response)
        usage_of(obj, response).total  # noqa: B018 - the work measured
        error_of(obj, response)
        timestamp_of(obj, response)


def msgspec_fields(lines: list[bytes]) -> None:
    """The fast summary's per-line facts (the msgspec typed decode), without the reader."""
    facts = fast_summary.line_facts
    for raw in lines:
        facts(raw)


def incremental_agrees(paths: list[Path]) -> bool:
    """Summing a file as it grows (line by line appended) gives the whole file's summary."""
    path = paths[0]
    whole = summarise_file(path)
    DEFAULT_DIR.parent.mkdir(parents=True, exist_ok=True)  # a new machine has none yet
    copy = DEFAULT_DIR.parent / "incremental.jsonl"
    copy.write_bytes(b"")
    reader, summary = JsonlReader(copy), JsonlSummary()
    with copy.open("ab") as handle:
        for raw in path.read_bytes().splitlines(keepends=True):
            handle.write(raw[: len(raw) // 2])
            handle.flush()
            summary.add_new(reader)
            handle.write(raw[len(raw) // 2:])
            handle.flush()
            summary.add_new(reader)
    copy.unlink()
    return summary.stats() == whole


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, help="a directory of *.jsonl files (or one file) to summarise")
    parser.add_argument("--out", type=Path, default=DEFAULT_DIR, help="where to generate when no --path")
    parser.add_argument("--size", default="200M", help="generated size, e.g. 50M, 1G")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of measures; the best of each counts")
    parser.add_argument("--check", action="store_true",
                        help=f"exit 1 when summarise_file is below {TARGET_MB_S:.0f} MB/s")
    args = parser.parse_args(argv)

    if args.path is not None:
        paths = sorted(args.path.glob("*.jsonl")) if args.path.is_dir() else [args.path]
    else:
        size = parse_size(args.size)
        marker = args.out / f".generated-{size}-{args.seed}-v{GENERATOR_VERSION}"
        if marker.exists():
            paths = sorted(args.out.glob("*.jsonl"))
        else:
            for old in args.out.glob("*.jsonl") if args.out.exists() else ():
                old.unlink()
            t0 = time.perf_counter()
            paths = generate(args.out, size, args.seed)
            marker.touch()
            print(f"generated {len(paths)} files in {args.out} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if not paths:
        print("no .jsonl files found", file=sys.stderr)
        return 2
    total = sum(path.stat().st_size for path in paths)
    lines = sum(path.read_bytes().count(b"\n") for path in paths)  # also warms the page cache
    print(f"{len(paths)} files, {total / 1e6:.0f} MB, {lines} lines, {total / max(lines, 1) / 1e3:.0f} KB a line; "
          f"decoder: {fast_summary.DECODER}")

    measures: list[tuple[str, Callable[[], float]]] = [
        ("stdlib json (decode only)", lambda: decoder_seconds(paths, stdlib_decode)),
    ]
    try:
        import orjson  # noqa: F401 - only whether it is installed
    except ImportError:
        print("orjson: not installed, skipped")
    else:
        measures += [("orjson (decode only)", lambda: decoder_seconds(paths, orjson_decode)),
                     ("orjson + field readers", lambda: decoder_seconds(paths, orjson_fields))]
    measures += [
        (f"{fast_summary.DECODER} line facts", lambda: decoder_seconds(paths, msgspec_fields)),
        ("light normaliser (before)", lambda: file_seconds(paths, light_normaliser)),
        ("summarise_file (chosen)", lambda: file_seconds(paths, summarise_file)),
    ]
    best = {name: float("inf") for name, _ in measures}
    for _ in range(args.repeat):  # round after round, so that each round meets the same load
        for name, run in measures:
            best[name] = min(best[name], run())
    rates = {name: total / 1e6 / seconds for name, seconds in best.items()}
    for name, _ in measures:
        print(f"{name:<32} {rates[name]:8.1f} MB/s per core")
    base = rates["stdlib json (decode only)"]
    final = rates["summarise_file (chosen)"]
    print(f"summarise_file / stdlib json decode: {final / base:.1f}x; "
          f"/ light normaliser: {final / rates['light normaliser (before)']:.1f}x")
    if not incremental_agrees(paths):
        print("incremental summary DIFFERS from the whole file's", file=sys.stderr)
        return 1
    if args.check and final < TARGET_MB_S:
        print(f"FAIL: summarise_file {final:.1f} MB/s < {TARGET_MB_S:.0f} MB/s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
