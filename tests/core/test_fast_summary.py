"""The fast file summary agrees with the full normaliser, line by line and file by file.

:func:`line_facts` (only the summary's fields decoded) is compared with the facts
of the fully normalised interaction (:func:`parse_line`, then :func:`facts_of`)
over every JSONL file of the test suite and the sample logs, the hostile lines of
the reader's tests, every provider shape, generated realistic sessions (growing
histories) and seeded random records, mutated or not. Files are compared whole
too: :func:`summarise_file` and :meth:`JsonlSummary.add_new` against
:func:`summarise_interactions` of :func:`read_interactions`.
"""

from __future__ import annotations

import importlib.util
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from session_explorer.core.interactions import stats as interaction_stats
from session_explorer.core.interactions import summary as fast_summary
from session_explorer.core.interactions.payloads import fields as payload_fields
from session_explorer.core.interactions.reader import JsonlReader, parse_line, read_interactions
from session_explorer.core.interactions.stats import JsonlSummary, summarise_file, summarise_interactions
from session_explorer.core.interactions.summary import LineFacts, exact_line_facts, facts_of, line_facts
from tests.core import test_interactions as reader_cases
from tests.hostile import write_hostile_dir

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "interactions"
SAMPLES = ROOT / "sample_logs" / "llm_interactions"


def reference(raw: bytes) -> LineFacts | None:
    """The facts of a line as the full normaliser reads it (conversation included)."""
    interaction = parse_line(raw, line_number=1, offset=0)
    return None if interaction is None else facts_of(interaction)


def assert_agrees(raw: bytes) -> None:
    assert line_facts(raw) == reference(raw), raw[:300]


def lines_of(path: Path) -> list[bytes]:
    """Every line of a file, a last one without newline included."""
    data = path.read_bytes()
    return data.split(b"\n") if data else []


def bench_module() -> Any:
    """bench/jsonl_summary.py, for its seeded generator of realistic sessions."""
    if "jsonl_summary_bench" not in sys.modules:
        spec = importlib.util.spec_from_file_location("jsonl_summary_bench", ROOT / "bench" / "jsonl_summary.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["jsonl_summary_bench"] = module
        spec.loader.exec_module(module)
    return sys.modules["jsonl_summary_bench"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A few MB of realistic sessions: growing histories, tool schemas, big tool results."""
    return bench_module().generate(tmp_path_factory.mktemp("generated"), 3_000_000, seed=11, max_turns=10)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = write_hostile_dir(tmp_path_factory.mktemp("hostile") / "logs")
    return sorted((root / "llm_interactions").glob("*.jsonl"))


def test_the_fast_decoder_is_in_use() -> None:
    """msgspec is installed in the dev environment: the fast path is the one tested here."""
    pytest.importorskip("msgspec")
    assert fast_summary.DECODER == "msgspec"


# ================================================================ line by line
@pytest.mark.parametrize(
    "path",
    [*sorted(FIXTURES.glob("*.jsonl")), *sorted(SAMPLES.glob("*.jsonl"))],
    ids=lambda path: path.name,
)
def test_every_line_of_the_fixtures_and_samples(path: Path) -> None:
    lines = lines_of(path)
    assert lines
    for raw in lines:
        assert_agrees(raw)


def test_every_line_of_the_hostile_files(hostile: list[Path]) -> None:
    for path in hostile:
        for raw in lines_of(path):
            assert_agrees(raw)


def test_every_line_of_generated_realistic_sessions(generated: list[Path]) -> None:
    shapes = set()
    for path in generated:
        for raw in lines_of(path)[:-1]:
            assert_agrees(raw)
            interaction = parse_line(raw, line_number=1, offset=0)
            assert interaction is not None
            shapes.add(interaction.shape)
    assert shapes == {"openai-chat", "openai-responses", "anthropic", "gemini"}


def reader_case_lines() -> list[bytes]:
    """The lines and records of the reader's own tests."""
    found = [raw for raw, _, _ in reader_cases.MALFORMED_CASES]
    found += [raw for raw, _, _ in reader_cases.HOSTILE_TEXT_CASES]
    found += [b"", b"   ", b"\r", b" \t \r", b'\xef\xbb\xbf{"interaction_id": 3, "model": "m"}\r']
    records: list[Any] = list(reader_cases.WEIRD_RECORDS)
    records += [fields for fields, _ in reader_cases.USAGE_CASES + reader_cases.ERROR_CASES]
    records += [fields for fields, _ in reader_cases.DURATION_CASES]
    records += [{"timestamp": value} for value, _ in reader_cases.TIMESTAMP_CASES]
    records += [{"output": {"created": value, "choices": []}} for value, _ in reader_cases.TIMESTAMP_CASES]
    for obj in records:
        found.append(json.dumps(obj, allow_nan=True).encode())
        found.append(json.dumps(obj, ensure_ascii=False, allow_nan=True).encode("utf-8", "surrogatepass"))
    return found


@pytest.mark.parametrize("raw", reader_case_lines(), ids=lambda raw: repr(raw)[:40])
def test_the_reader_tests_lines(raw: bytes) -> None:
    assert_agrees(raw)


# Shapes written out: streams of each provider, SDK model_dump() dumps (every field,
# most of them null), the request and response under their other names.
SHAPE_RECORDS: list[dict[str, Any]] = [
    {"model": None, "input": {"model": "req-model", "messages": []},
     "output": {"id": "chatcmpl-1", "object": "chat.completion", "created": 1762349455, "model": "gpt-4o-2024-08-06",
                "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                             "message": {"role": "assistant", "content": "ok", "refusal": None, "audio": None,
                                         "function_call": None, "tool_calls": None}}],
                "service_tier": None, "system_fingerprint": "fp_1",
                "usage": {"completion_tokens": 5, "prompt_tokens": 7, "total_tokens": 12,
                          "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": None},
                          "prompt_tokens_details": {"cached_tokens": 0}}}},
    {"provider": "anthropic", "input": {"system": "s", "messages": [{"role": "user", "content": "hi"}]},
     "output": {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x",
                "stop_reason": "end_turn", "stop_sequence": None, "container": None,
                "content": [{"type": "text", "text": "yo", "citations": None}],
                "usage": {"input_tokens": 10, "output_tokens": 3, "cache_creation_input_tokens": None,
                          "cache_read_input_tokens": 4, "server_tool_use": None, "service_tier": "standard"}}},
    {"request": {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
     "response": {"candidates": [{"content": {"role": "model", "parts": [{"text": "yo"}]}, "finish_reason": "STOP",
                                  "citation_metadata": None, "safety_ratings": None}],
                  "usage_metadata": {"prompt_token_count": 3, "candidates_token_count": 4, "total_token_count": 7,
                                     "cached_content_token_count": None},
                  "model_version": "gemini-2.5-flash", "create_time": "2025-11-05T14:30:55Z",
                  "prompt_feedback": None}},
    {"input": [{"role": "user", "parts": [{"text": "hi"}]}],
     "output": {"candidates": [], "usageMetadata": {"promptTokenCount": 1}, "modelVersion": "g", "createTime": 5}},
    {"input": None, "request": {"model": "from-request", "input": "hi"}, "output": None,
     "response": {"object": "response", "output": [], "usage": {"input_tokens": 2, "output_tokens": 1}}},
    {"output": [
        {"object": "chat.completion.chunk", "model": "gpt-4o-mini", "created": 1762349455,
         "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Let "}}]},
        {"choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}]},
    {"output": [
        {"type": "message_start", "message": {"model": "claude-x", "usage": {"input_tokens": 20}}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 33}},
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}]},
    {"output": [
        {"candidates": [{"content": {"parts": [{"text": "Hel"}]}}], "modelVersion": "gemini-2.5-flash"},
        {"candidates": [], "usage_metadata": {"prompt_token_count": 3, "candidates_token_count": 4}}]},
    {"output": [{"type": "response.created", "response": {"object": "response", "output": []}},
                {"type": "response.completed", "response": {"object": "response", "model": "gpt-x",
                                                            "created_at": 1762349455, "usage": {"total_tokens": 9},
                                                            "error": {"code": "server_error", "message": "x"}}}]},
    {"output": ["just", "strings"], "response": {"model": "not used: output is present"}},
    {"output": False, "response": {"model": "not used either", "usage": {"total_tokens": 3}}},
    {"output": "", "error": {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}},
    {"model": "top", "input": {"model": "req"}, "output": {"model": "resp", "error": None}, "error": False},
    {"model": "", "input": {"model": ""}, "output": {"model": "", "modelVersion": "v"}},
    {"time": "2025-11-05 14:30:55,5", "ts": 1, "output": {"created_at": "2025-01-01"}},
    {"datetime": "junk", "created_at": 1762349455250},
    {"usage": {"input_tokens": 2**70, "output_tokens": 1.0, "total_tokens": None},
     "output": {"choices": [], "usage": {"total_tokens": "12"}}},
    {"usage": {"totalTokenCount": 1e300}, "output": {"usageMetadata": {"totalTokenCount": 5}, "candidates": []}},
]


@pytest.mark.parametrize("obj", SHAPE_RECORDS, ids=lambda obj: repr(obj)[:40])
def test_every_shape(obj: dict[str, Any]) -> None:
    raw = json.dumps(obj).encode()
    assert_agrees(raw)
    facts = line_facts(raw)
    assert facts is not None and not facts.malformed


@pytest.mark.parametrize(
    "obj",
    [
        {"model": "m", "timestamp": "2025-11-05T14:30:55", "usage": {"total_tokens": 3},
         "input": [{"role": "user", "type": {"odd": 1}, "content": "hi"}]},
        {"model": "m", "usage": {"total_tokens": 3}, "output": [{"type": ["odd"]}, {"delta": "x"}]},
    ],
    ids=["list request", "list response"],
)
def test_a_line_the_normaliser_gives_up_on_is_given_up_on_alike(obj: dict[str, Any]) -> None:
    """Today an unhashable ``type`` in a bare-list request or a stream makes the normaliser
    keep the line as "unknown", without model, usage or time: the fast path agrees."""
    raw = json.dumps(obj).encode()
    assert_agrees(raw)
    interaction = parse_line(raw, line_number=1, offset=0)
    assert interaction is not None and interaction.parse_error is None


def test_duplicate_keys_and_escaped_keys_read_as_the_json_module_reads_them() -> None:
    for raw in [
        b'{"model": "a", "model": "b", "usage": {"total_tokens": 1}, "usage": null}',
        b'{"input": {"model": "r"}, "input": "text", "output": null, "output": {"model": "o"}}',
        b'{"mod\\u0065l": "escaped", "\\u0075sage": {"total_tokens": 4}}',
        b'{"output": {"usage": {"total_tokens": 2}, "usage": {"total_tokens": 3}}}',
    ]:
        assert_agrees(raw)


# ============================================= where msgspec and json differ
def test_integers_too_long_for_python_are_malformed_as_the_json_module_says() -> None:
    limit = sys.get_int_max_str_digits()
    too_long = b'{"model": "m", "input": {"n": 1' + b"0" * limit + b'}}'
    just_fits = b'{"model": "m", "input": {"n": 1' + b"0" * (limit - 1) + b'}}'
    as_text = b'{"model": "m", "input": {"n": "1' + b"0" * limit + b'"}}'
    assert reference(too_long) == line_facts(too_long) == fast_summary.MALFORMED
    for raw in (just_fits, as_text):
        assert_agrees(raw)
        assert line_facts(raw) == LineFacts(model="m")


@pytest.mark.parametrize("start", [0, 1, 2, 4298, 4299, 4300, 4301, 9000])
def test_a_long_digit_run_is_found_wherever_it_starts(start: int) -> None:
    limit = sys.get_int_max_str_digits()
    for length, expected in ((limit, False), (limit + 1, True), (3 * limit, True)):
        raw = b"x" * start + b"7" * length + b"y" * 50
        assert fast_summary._has_long_digit_run(raw) is expected, (start, length)
        assert fast_summary._has_long_digit_run(raw[: start + length]) is expected


@pytest.mark.parametrize("depth", [10, 500, *range(975, 1000), 200_000])
def test_deep_nesting_is_never_taken_where_the_json_module_gives_up(depth: int) -> None:
    """Both decoders stop at the recursion limit, counted from where they are called
    (on Python 3.11, near 1,000 levels): the fast path may send a line near the limit
    the exact way, never accept one that the json module calls malformed."""
    raw = b'{"model": "m", "input": {"deep": ' + b"[" * depth + b"]" * depth + b"}}"
    fast, exact = line_facts(raw), exact_line_facts(raw)
    assert fast is not None and exact is not None
    assert not (exact.malformed and not fast.malformed)
    if depth in (10, 500, 200_000):
        assert fast == exact == (fast_summary.MALFORMED if depth == 200_000 else LineFacts(model="m"))


def test_a_10_mb_line() -> None:
    big = "y\u00e9\" " * (1024 * 1024)
    raw = json.dumps({"model": "m", "usage": {"total_tokens": 3},
                      "input": {"messages": [{"role": "user", "content": big}]}, "output": "ok"}).encode()
    assert len(raw) > 10_000_000
    assert line_facts(raw) == reference(raw) == LineFacts(model="m", tokens=3)


# ============================================================ random records
VOCABULARY = (
    "model", "usage", "error", "input", "request", "output", "response", "timestamp", "time", "ts", "created_at",
    "datetime", "created", "createTime", "create_time", "modelVersion", "model_version", "usageMetadata",
    "usage_metadata", "choices", "candidates", "message", "messages", "contents", "content", "role", "type",
    "object", "delta", "parts", "text", "code", "status", "name", *payload_fields._INPUT_KEYS,
    *payload_fields._OUTPUT_KEYS, *payload_fields._TOTAL_KEYS,
)
SCALARS: tuple[Any, ...] = (
    None, True, False, 0, -1, 7, 2**70, 12.0, 3.5, -0.0, 1e300, float("nan"), float("inf"), "", "x", "gpt-4o",
    "12", " 42 ", "2025-11-05T14:30:55Z", "2025-11-05 14:30:55,5", "1762349455", 1762349455, 1762349455250,
    1762349455.25, "caf\u00e9 \U0001f6b4", "\ud800", "tab\there", "nul\x00", "response", "message", "error",
    "chat.completion.chunk", "message_start", "message_delta", "response.completed", "user", "assistant",
)


def random_value(rng: random.Random, depth: int = 0) -> Any:
    draw = rng.random()
    if depth > 4 or draw < 0.45:
        return rng.choice(SCALARS)
    if draw < 0.65:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(VOCABULARY): random_value(rng, depth + 1) for _ in range(rng.randint(0, 6))}


def random_record(rng: random.Random) -> Any:
    if rng.random() < 0.03:
        return random_value(rng)  # not always an object
    base = json.loads(rng.choice(SHAPE_LINES)) if rng.random() < 0.5 else {}
    for _ in range(rng.randint(0, 6)):
        target = base
        if rng.random() < 0.4:  # one level down, where the response and request fields are
            key = rng.choice(("output", "response", "input", "request"))
            if not isinstance(base.get(key), dict):
                base[key] = {}
            target = base[key]
        target[rng.choice(VOCABULARY)] = random_value(rng)
    return base


def mutate(rng: random.Random, raw: bytes) -> bytes:
    """A hostile edit of a JSONL line."""
    position = rng.randint(0, len(raw))
    kind = rng.randrange(9)
    if kind == 0:
        return raw[:position]  # torn
    if kind == 1:
        inserted = rng.choice([b"\x00", b"\xff", b"\t", b"{", b"]", b",", b'"', b"\\", b"\x1f"])
        return raw[:position] + inserted + raw[position:]
    if kind == 2:
        return raw[:position] + raw[position + 1 :]
    if kind == 3:
        return b"\xef\xbb\xbf" + raw
    if kind == 4:
        return raw + rng.choice([b"\r", b" \t", b"\x0b", b"x"])
    if kind == 5:
        return raw.replace(b"{", b'{"big": 1' + b"2" * rng.choice([4299, 4300, 4301, 6000]) + b", ", 1)
    if kind == 6:
        return raw.replace(b"{", b'{"model": "dup", "usage": {"total_tokens": 9}, ', 1)
    if kind == 7:
        return raw.replace(b'"', b'"\xe9', 1)
    return raw.replace(b": ", b": [" * 20 + b"1" + b"]" * 20 + b", \"pad\": ", 1)


SHAPE_LINES = [json.dumps(obj) for obj in SHAPE_RECORDS]


def test_seeded_random_records_and_their_mutations() -> None:
    rng = random.Random(2024)
    taken = malformed = 0
    for _ in range(4000):
        obj = random_record(rng)
        text = json.dumps(obj, ensure_ascii=rng.random() < 0.5, allow_nan=True)
        raw = text.encode("utf-8", "surrogatepass")
        if rng.random() < 0.4:
            raw = mutate(rng, raw)
        assert_agrees(raw)
        facts = line_facts(raw)
        taken += facts is not None
        malformed += facts is not None and facts.malformed
    assert 300 < malformed < taken - 2000  # both kinds were well exercised


def test_mutated_lines_of_realistic_sessions(generated: list[Path]) -> None:
    rng = random.Random(5)
    lines = [raw for path in generated for raw in lines_of(path)[:-1]]
    for raw in rng.sample(lines, 40):
        for _ in range(3):
            assert_agrees(mutate(rng, raw))


# ================================================================ whole files
def all_files(hostile: list[Path], generated: list[Path]) -> list[Path]:
    return [*sorted(FIXTURES.glob("*.jsonl")), *sorted(SAMPLES.glob("*.jsonl")), *hostile, *generated]


def test_summarise_file_equals_summarising_the_normalised_interactions(
    hostile: list[Path], generated: list[Path]
) -> None:
    for path in all_files(hostile, generated):
        assert summarise_file(path) == summarise_interactions(read_interactions(path)), path.name


def test_a_file_written_piece_by_piece_sums_up_to_the_whole(tmp_path: Path, generated: list[Path]) -> None:
    rng = random.Random(3)
    for source in [FIXTURES / "anthropic.jsonl", *generated[:3]]:
        data = source.read_bytes()
        path = tmp_path / "live.jsonl"
        path.write_bytes(b"")
        reader, summary = JsonlReader(path), JsonlSummary()
        written = 0
        while written < len(data):
            step = rng.randint(1, max(2, len(data) // 7))
            with path.open("ab") as handle:
                handle.write(data[written : written + step])
            written += step
            summary.add_new(reader)
        assert summary.stats() == summarise_interactions(read_interactions(source))


def test_first_user_text_of_the_first_interaction_that_has_one(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    path.write_bytes(b"".join([
        b"{not json\n",
        json.dumps({"model": "a", "input": {"messages": [{"role": "system", "content": "rules"}]}}).encode() + b"\n",
        b"\n",
        json.dumps({"model": "b", "input": {"contents": [{"role": "user", "parts": [{"text": "third"}]}]}}).encode()
        + b"\n",
        json.dumps({"model": "c", "input": "fourth"}).encode() + b"\n",
    ]))
    stats = summarise_file(path)
    assert stats == summarise_interactions(read_interactions(path))
    assert (stats.first_user_text, stats.count, stats.malformed, stats.models) == ("third", 4, 1, ("a", "b", "c"))


class Counting:
    def __init__(self, function: Any) -> None:
        self.function, self.calls = function, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.function(*args, **kwargs)


def test_only_new_complete_lines_are_decoded_and_conversations_only_until_a_user_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    normalised = Counting(interaction_stats.parse_line)
    decoded = Counting(interaction_stats.line_facts)
    monkeypatch.setattr(interaction_stats, "parse_line", normalised)
    monkeypatch.setattr(interaction_stats, "line_facts", decoded)

    def record(n: int) -> bytes:
        return json.dumps({"model": f"m{n}", "input": {"messages": [{"role": "user", "content": f"q{n}"}]},
                           "usage": {"total_tokens": n}}).encode() + b"\n"

    path = tmp_path / "session.jsonl"
    path.write_bytes(record(1) + record(2) + record(3))
    reader, summary = JsonlReader(path), JsonlSummary()
    summary.add_new(reader)
    assert (normalised.calls, decoded.calls) == (1, 2)  # the first line gave the user text
    with path.open("ab") as handle:
        handle.write(record(4) + record(5)[:10])
    summary.add_new(reader)
    assert (normalised.calls, decoded.calls) == (1, 3)  # the torn fifth line waits
    summary.add_new(reader)
    assert decoded.calls == 3
    with path.open("ab") as handle:
        handle.write(record(5)[10:])
    summary.add_new(reader)
    assert (normalised.calls, decoded.calls) == (1, 4)
    assert (summary.count, summary.tokens, summary.first_user_text) == (5, 15, "q1")
    assert summary.stats() == summarise_interactions(read_interactions(path))


# ========================================================== without msgspec
def test_without_the_fast_decoder_every_line_is_read_the_exact_way(
    monkeypatch: pytest.MonkeyPatch, hostile: list[Path]
) -> None:
    monkeypatch.setattr(fast_summary, "_decode", None)
    for path in [*sorted(FIXTURES.glob("*.jsonl")), *hostile]:
        for raw in lines_of(path):
            assert_agrees(raw)
        assert summarise_file(path) == summarise_interactions(read_interactions(path))


def test_the_summary_works_when_msgspec_is_not_installed() -> None:
    code = (
        "import sys; sys.modules['msgspec'] = None\n"
        "from pathlib import Path\n"
        "from session_explorer.core.interactions import summary as fast_summary\n"
        "from session_explorer.core.interactions.stats import summarise_file, summarise_interactions\n"
        "from session_explorer.core.interactions.reader import read_interactions\n"
        f"path = Path({str(FIXTURES / 'openai_chat.jsonl')!r})\n"
        "assert summarise_file(path) == summarise_interactions(read_interactions(path))\n"
        "print(fast_summary.DECODER, summarise_file(path).count)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["json", "4"]


# ================================================================ the schema
def test_the_schema_follows_the_field_readers() -> None:
    """The decoded keys are the ones the normaliser's readers ask for, nothing written twice."""
    assert {"model", "usage", "error", "timestamp", "time", "ts", "created_at"} <= set(fast_summary.RECORD_FIELDS)
    assert fast_summary.REQUEST_FIELDS == ("model",)
    assert {"model", "modelVersion", "model_version", "usage", "usageMetadata", "usage_metadata", "error",
            "created", "createTime"} <= set(fast_summary.RESPONSE_FIELDS)
    assert not {"input", "output", "messages", "contents"} & set(fast_summary.RECORD_FIELDS)
