"""Exporting a session: the Markdown transcript, the JSON bundle, and where they may go.

The Markdown export of ``sample_logs/`` session ``20251112_085857`` (a tool call whose
result is an error, a logged ERROR with its traceback, two warnings) is compared byte
for byte with ``tests/fixtures/export/20251112_085857.md``. After an intended change
to the format, regenerate that file and review the diff::

    SESSION_EXPLORER_UPDATE_EXPECTED=1 python -m pytest tests/core/test_export.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from session_explorer.cli import main
from session_explorer.core.session.catalog import Catalog
from session_explorer.core.session.export import ExportError, export, render
from session_explorer.core.session.layout import discover
from session_explorer.core.text import make_visible
from tests.hostile import write_hostile_dir

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_logs"
SESSION = "20251112_085857"
EXPECTED = ROOT / "tests" / "fixtures" / "export" / f"{SESSION}.md"
UPDATE = os.environ.get("SESSION_EXPLORER_UPDATE_EXPECTED") == "1"


def open_catalog(directory: Path) -> Catalog:
    catalog = Catalog(discover(directory))
    catalog.open(wait=True)
    return catalog


@pytest.fixture
def sample() -> Iterator[Catalog]:
    with open_catalog(SAMPLE) as catalog:
        yield catalog


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A copy of ``sample_logs/`` somewhere else: writes that go wrong stay in tmp."""
    return Path(shutil.copytree(SAMPLE, tmp_path / "logs"))


@pytest.fixture
def hostile(tmp_path) -> Iterator[Catalog]:
    with open_catalog(write_hostile_dir(tmp_path / "hostile")) as catalog:
        yield catalog


def text_of(catalog: Catalog, session_id: str, fmt: str = "md") -> str:
    return "".join(render(catalog, session_id, fmt))


def fenced_blocks(markdown: str) -> list[list[str]]:
    """The bodies of the fenced code blocks, read as CommonMark reads them (a fence
    closes on a line of at least as many backticks and nothing else)."""
    blocks: list[list[str]] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        if fence is None:
            opening = re.match(r"^(`{3,})[^`]*$", line)
            if opening:
                fence = opening[1]
                blocks.append([])
        elif re.fullmatch(rf" {{0,3}}{fence}`*[ \t]*", line):
            fence = None
        else:
            blocks[-1].append(line)
    assert fence is None, "a fence is left open"
    return blocks


def strip_mark(line: str) -> str:
    """A transcript line of app log without its level mark (and source column)."""
    body = line[2:]
    return body.split(" \u2502 ", 1)[1] if " \u2502 " in body else body


# --------------------------------------------------------------------------- Markdown


def test_markdown_matches_the_expected_file(sample, tmp_path) -> None:
    out = tmp_path / "session.md"
    assert export(sample, SESSION, fmt="md", output=out, force=False) == out
    if UPDATE:
        EXPECTED.parent.mkdir(parents=True, exist_ok=True)
        EXPECTED.write_bytes(out.read_bytes())
    assert out.read_bytes() == EXPECTED.read_bytes()


def test_markdown_does_not_depend_on_where_the_logs_are(sample_copy, tmp_path) -> None:
    with open_catalog(sample_copy) as catalog:
        out = tmp_path / "elsewhere.md"
        export(catalog, SESSION, fmt="md", output=out, force=False)
    assert out.read_bytes() == EXPECTED.read_bytes()
    assert str(tmp_path) not in out.read_text(encoding="utf-8")


def test_markdown_tells_the_story(sample) -> None:
    text = text_of(sample, SESSION)
    head, _, timeline = text.partition("## Timeline")
    assert head.startswith(f"# Session `{SESSION}`\n")
    assert "**Interactions:** 2 (1 tool call, 0 failed, 0 malformed)" in head
    assert "**App-log lines:** 22 (2 warnings, 1 error)" in head
    assert "`llm_interactions/session_20251112_085857.jsonl`" in head
    # the warnings and errors, with their times, before the timeline
    assert "- \u2716 `08:59:28.872` `ERROR` `cycling_ai.storage`: `Could not parse" in head
    assert "tool result `get_ride_history` is an error" in head
    # the tool call with pretty JSON arguments, the error result, the traceback
    assert '**Tool call** `get_ride_history`' in timeline
    assert '```json\n{\n  "athlete_id": "ath-145",\n  "weeks": 3\n}\n```' in timeline
    assert "#### Tool result · `get_ride_history` · id `toolu_01jQic2idAZ1VKQfByp7akBD` · \u2716 error" in timeline
    assert "\u2716 ValueError: could not convert string to float: 'n/a'" in timeline
    assert "_Messages 1–3 repeat interaction 1 and its output._" in timeline
    # time order: lines before the first interaction, then it, then lines after it
    order = [
        timeline.index("_Logged before the first interaction._"),
        timeline.index("### Interaction 1"),
        timeline.index("Could not parse ride export"),
        timeline.index("### Interaction 2"),
        timeline.index("_Logged after the last interaction._"),
    ]
    assert order == sorted(order)


@pytest.mark.parametrize("directory", ["sample", "hostile"])
def test_markdown_keeps_every_line_and_interaction(directory, tmp_path) -> None:
    logs = SAMPLE if directory == "sample" else write_hostile_dir(tmp_path / "h")
    with open_catalog(logs) as catalog:
        for summary in catalog.sessions():
            text = text_of(catalog, summary.id)
            fenced = [line for block in fenced_blocks(text) for line in block]
            shown = [strip_mark(line) for line in fenced]
            lines = list(catalog.iter_session_lines(summary.id))
            position = 0
            for line in lines:  # every line, in log order, inside a fence
                position = shown.index(make_visible(line.text), position) + 1
            interactions = catalog.interactions(summary.id)
            assert text.count("\n### Interaction ") == len(interactions), summary.id
            for interaction in interactions:
                assert f"### Interaction {interaction.number}" in text
                if interaction.parse_error is not None:
                    assert make_visible(interaction.raw_text) in fenced
                    assert f"`{interaction.parse_error}`" in text


def test_markdown_of_a_hostile_session_is_inert(hostile) -> None:
    for summary in hostile.sessions():
        text = text_of(hostile, summary.id)
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), summary.id
        text.encode("utf-8")
    a = text_of(hostile, "20251105_143052")
    assert "escape \u241b[31mred\u241b[0m and [bold]markup[/bold]" in a
    assert "a NUL \u2400 here" in a
    assert "> **\u2716 Malformed JSONL line:** `Expecting value: line 1 column 12`" in a
    assert "\n```text\n{\"broken\": \n```\n" in a
    b = text_of(hostile, "20251105_143052_2")
    assert "x" * 200_000 in b
    assert "crlf line\n" in b  # the CR of CRLF is the line ending, not text


def test_fences_outlast_backticks_in_the_data(tmp_path) -> None:
    logs = tmp_path / "logs"
    (logs / "llm_interactions").mkdir(parents=True)
    sid = "20251105_143052"
    (logs / "app.log").write_text(
        f"[{sid}] - 2025-11-05 14:30:52,000 - a - INFO - here comes a fence\n"
        "```\n"
        "`````python\n"
        f"[{sid}] - 2025-11-05 14:30:54,000 - a - ERROR - and `inline` ``code``\n",
        encoding="utf-8",
    )
    record = {
        "interaction_id": 1, "timestamp": "2025-11-05T14:30:53", "provider": "openai", "model": "m`x",
        "input": {"messages": [{"role": "user", "content": "```\n# not a heading\n```"}]},
        "output": {"choices": [{"message": {"role": "assistant", "content": "````\n\u202eevil\u200b"}}]},
        "error": "`boom`\nsecond line",
    }
    (logs / "llm_interactions" / f"session_{sid}.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    with open_catalog(logs) as catalog:
        text = text_of(catalog, sid)
    blocks = fenced_blocks(text)
    assert ["```", "# not a heading", "```"] in blocks
    assert ["````", "<U+202E>evil<U+200B>"] in blocks
    assert ["`boom`", "second line"] in blocks
    logged = [strip_mark(line) for block in blocks for line in block]
    assert "```" in logged and "`````python" in logged
    assert text.count("# not a heading") == sum(block.count("# not a heading") for block in blocks)
    assert "`` m`x ``" not in text and "``m`x``" in text  # a code span longer than the backticks in it


# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize("directory", ["sample", "hostile"])
def test_json_bundle_has_every_line_and_interaction(directory, tmp_path) -> None:
    logs = SAMPLE if directory == "sample" else write_hostile_dir(tmp_path / "h")
    with open_catalog(logs) as catalog:
        for summary in catalog.sessions():
            raw = text_of(catalog, summary.id, "json")
            bundle = json.loads(raw, parse_constant=lambda name: pytest.fail(f"bare {name}"))
            raw.encode("utf-8")
            assert list(bundle) == ["format", "version", "session", "app_log", "interactions"]
            assert bundle["format"] == "session-explorer-export" and bundle["version"] == 1
            session = bundle["session"]
            assert session["id"] == summary.id
            assert session["lines"] == summary.lines and session["interactions"] == summary.interactions
            assert session["interactions_file"] in (None, f"llm_interactions/session_{summary.id}.jsonl")

            lines = list(catalog.iter_session_lines(summary.id))
            assert [
                (e["source"], e["line_number"], e["session_id"], e["text"], e["continuation"])
                for e in bundle["app_log"]
            ] == [(x.source, x.line_number + 1, x.session_id, x.text, x.is_continuation) for x in lines]
            for entry, line in zip(bundle["app_log"], lines, strict=True):
                assert list(entry) == ["source", "line_number", "session_id", "timestamp", "level",
                                       "logger", "text", "continuation"]
                assert entry["level"] == line.level
                assert entry["timestamp"] == (line.timestamp.isoformat(timespec="milliseconds")
                                              if line.timestamp else None)

            interactions = catalog.interactions(summary.id)
            assert [(e["number"], e["line_number"], e["status"]) for e in bundle["interactions"]] == [
                (i.number, i.line_number, i.status) for i in interactions
            ]
            for entry, interaction in zip(bundle["interactions"], interactions, strict=True):
                assert list(entry) == ["number", "line_number", "timestamp", "provider", "model", "shape",
                                       "status", "usage", "duration_ms", "error", "parse_error", "messages",
                                       "output_text", "output_tool_calls", "raw", "raw_text"]
                assert entry["parse_error"] == interaction.parse_error
                assert entry["raw"] == interaction.raw
                if interaction.parse_error is not None:
                    assert entry["raw_text"] == interaction.raw_text
                assert [m["role"] for m in entry["messages"]] == [m.role for m in interaction.messages]
                assert entry["output_text"] == interaction.output_text
                assert entry["usage"]["total_tokens"] == interaction.usage.total


def test_json_bundle_of_the_sample_session(sample) -> None:
    bundle = json.loads(text_of(sample, SESSION, "json"))
    first, second = bundle["interactions"]
    assert first["output_tool_calls"] == [
        {"id": "toolu_01jQic2idAZ1VKQfByp7akBD", "name": "get_ride_history",
         "arguments": {"athlete_id": "ath-145", "weeks": 3}}
    ]
    tool = second["messages"][-1]
    assert (tool["role"], tool["name"], tool["is_error"]) == ("tool", "get_ride_history", True)
    assert first["usage"] == {"input_tokens": 375, "output_tokens": 28, "total_tokens": 403}
    assert first["timestamp"] == "2025-11-12T08:59:28.860" and first["duration_ms"] == 31684.0
    assert bundle["session"]["app_logs"] == ["cycling-ai.log"]
    assert [e["level"] for e in bundle["app_log"]].count("ERROR") == 6  # the record and its traceback


def test_json_bundle_is_valid_with_odd_numbers_and_surrogates(tmp_path) -> None:
    logs = tmp_path / "logs"
    (logs / "llm_interactions").mkdir(parents=True)
    line = (
        '{"interaction_id": 1, "timestamp": "2025-11-05T14:30:53", "duration_ms": NaN, '
        '"input": {"messages": [{"role": "user", "content": "lone \\ud800 surrogate"}]}, '
        '"output": {"note": "NaN in a string", "x": Infinity}}\n'
    )
    (logs / "llm_interactions" / "session_20251105_143052.jsonl").write_text(line, encoding="utf-8")
    with open_catalog(logs) as catalog:
        out = tmp_path / "bundle.json"
        export(catalog, "20251105_143052", fmt="json", output=out, force=False)
        md = tmp_path / "bundle.md"
        export(catalog, "20251105_143052", fmt="md", output=md, force=False)
    data = out.read_bytes().decode("utf-8")  # valid UTF-8
    bundle = json.loads(data, parse_constant=lambda name: pytest.fail(f"bare {name}"))
    entry = bundle["interactions"][0]
    assert entry["duration_ms"] is None
    assert entry["raw"]["output"] == {"note": "NaN in a string", "x": None}
    assert entry["messages"][0]["text"] == "lone \ud800 surrogate"
    md.read_bytes().decode("utf-8")


# --------------------------------------------------------------------------- where it goes


def test_refuses_to_write_into_the_logs_directory(sample_copy, tmp_path) -> None:
    before = sorted(p.relative_to(sample_copy) for p in sample_copy.rglob("*"))
    link = tmp_path / "link-to-logs"
    link.symlink_to(sample_copy, target_is_directory=True)
    log_alias = tmp_path / "alias.log"
    log_alias.symlink_to(sample_copy / "cycling-ai.log")
    with open_catalog(sample_copy) as catalog:
        for target in [
            sample_copy / "transcript.md",
            sample_copy / "llm_interactions" / "transcript.md",
            sample_copy / "llm_interactions" / "session_20251112_085857.jsonl",
            sample_copy / "cycling-ai.log",
            sample_copy / "sub" / ".." / "x.md",
            link / "transcript.md",
            log_alias,
        ]:
            with pytest.raises(ExportError, match="refusing to write into the logs directory"):
                export(catalog, SESSION, fmt="md", output=target, force=True)
    assert sorted(p.relative_to(sample_copy) for p in sample_copy.rglob("*")) == before
    assert (sample_copy / "cycling-ai.log").read_bytes() == (SAMPLE / "cycling-ai.log").read_bytes()


def test_refuses_a_missing_directory_or_a_directory(sample, tmp_path) -> None:
    with pytest.raises(ExportError, match="no such directory"):
        export(sample, SESSION, fmt="md", output=tmp_path / "nope" / "x.md", force=False)
    with pytest.raises(ExportError, match="is a directory"):
        export(sample, SESSION, fmt="md", output=tmp_path, force=True)
    with pytest.raises(ExportError, match="unknown export format"):
        export(sample, SESSION, fmt="html", output=tmp_path / "x.html", force=False)  # type: ignore[arg-type]  # an unknown format, on purpose


def test_overwrites_only_with_force(sample, tmp_path) -> None:
    out = tmp_path / "session.md"
    out.write_text("mine\n")
    with pytest.raises(ExportError, match="file exists"):
        export(sample, SESSION, fmt="md", output=out, force=False)
    assert out.read_text() == "mine\n"
    assert export(sample, SESSION, fmt="md", output=out, force=True) == out
    assert out.read_bytes() == EXPECTED.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["session.md"]  # no temporary file left


def test_a_new_file_gets_the_usual_mode(sample, tmp_path) -> None:
    out = tmp_path / "session.json"
    export(sample, SESSION, fmt="json", output=out, force=False)
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask


def test_stdout_mode(sample, capsysbinary) -> None:
    assert export(sample, SESSION, fmt="md", output=None, force=False) is None
    assert capsysbinary.readouterr().out == EXPECTED.read_bytes()


# --------------------------------------------------------------------------- command line


def test_cli_export_to_a_file(tmp_path, capsys) -> None:
    out = tmp_path / "session.md"
    assert main(["export", str(SAMPLE), "20251112_08585", "-o", str(out)]) == 0
    assert capsys.readouterr().err == f"wrote {out}\n"
    assert out.read_bytes() == EXPECTED.read_bytes()

    assert main(["export", str(SAMPLE), SESSION, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("session-explorer: ") and "file exists" in err and err.count("\n") == 1

    assert main(["export", str(SAMPLE), SESSION, "--format", "json", "-o", str(out), "--force"]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["session"]["id"] == SESSION


def test_cli_export_to_stdout_and_refusal(sample_copy, capsysbinary) -> None:
    assert main(["export", str(sample_copy), SESSION, "--format", "json"]) == 0
    captured = capsysbinary.readouterr()
    assert json.loads(captured.out)["session"]["id"] == SESSION and captured.err == b""

    assert main(["export", str(sample_copy), SESSION, "-o", str(sample_copy / "x.md")]) == 2
    assert b"refusing to write into the logs directory" in capsysbinary.readouterr().err
    assert not (sample_copy / "x.md").exists()


def test_cli_export_of_a_hostile_session(tmp_path, capsys) -> None:
    logs = write_hostile_dir(tmp_path / "h")
    for fmt in ("md", "json"):
        out = tmp_path / f"out.{fmt}"
        assert main(["export", str(logs), "20251105_143052_2", "--format", fmt, "-o", str(out)]) == 0
        assert "x" * 200_000 in out.read_text(encoding="utf-8")
