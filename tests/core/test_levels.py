"""The level rule, pinned across every consumer: the ✖/▲ counts (sessions pane and
``list``), the level filter, the export's "Warnings and errors", and the log pane's
colours all classify a level the same way, case-insensitively."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from session_explorer.cli import main
from session_explorer.core import levels
from session_explorer.core.reading.filters import LevelStep, LineFacets
from session_explorer.core.session.catalog import Catalog
from session_explorer.core.session.export import render
from session_explorer.core.session.layout import discover
from session_explorer.ui.render import level_class

# The rule as the project states it (README, help): written out apart from the core.
ERRORS = ["ERROR", "CRITICAL", "FATAL", "SEVERE", "CRIT", "ALERT", "EMERG", "EMERGENCY", "EXCEPTION"]
WARNINGS = ["WARNING", "WARN"]
OTHERS = ["DEBUG", "TRACE", "INFO", "NOTICE", "AUDIT"]
SID = "20251105_143052"


@pytest.mark.parametrize("name", ERRORS + WARNINGS + OTHERS)
@pytest.mark.parametrize("case", [str.upper, str.lower, str.title])
def test_classification_is_case_insensitive(name: str, case) -> None:  # type: ignore[no-untyped-def]  # a parameter of the test
    level = case(name)
    want = "error" if name in ERRORS else "warning" if name in WARNINGS else None
    assert levels.severity(level) == want
    assert levels.is_error(level) == (want == "error")
    assert levels.is_warning(level) == (want == "warning")
    assert level_class(level) in ({"error", "warning"} if want else {"debug", "info", "other"})
    if want:
        assert level_class(level) == want


def _logs(tmp_path: Path) -> tuple[Path, int, int]:
    """A session with one record of each level: detailed records (upper case, as
    logging writes them) and JSON records (any case)."""
    logs = tmp_path / "logs"
    (logs / "llm_interactions").mkdir(parents=True)
    rows = []
    second = 0
    for name in ERRORS + WARNINGS + OTHERS:
        rows.append(f"[{SID}] - 2025-11-05 14:30:{second:02d},000 - app - {name} - detailed {name}\n")
        second += 1
        for case in (str.lower, str.title):
            rows.append(json.dumps({"timestamp": f"2025-11-05T14:30:{second:02d}.000", "session_id": SID,
                                    "level": case(name), "logger": "app", "message": f"json {name}"}) + "\n")
            second += 1
    (logs / "app.log").write_text("".join(rows))
    return logs, 3 * len(ERRORS), 3 * len(WARNINGS)


def test_every_consumer_counts_the_same(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    logs, errors, warnings = _logs(tmp_path)
    with Catalog(discover(logs)) as catalog:
        catalog.open(wait=True)
        summary = next(s for s in catalog.sessions() if s.id == SID)
        assert (summary.errors, summary.warnings) == (errors, warnings)  # the ✖ and ▲ badges

        source = catalog.session_lines(SID)
        facets = LineFacets.build(source)
        assert len(facets.select(LevelStep.ERROR, None)) == errors  # "errors only"
        assert len(facets.select(LevelStep.WARNING, None)) == errors + warnings

        markdown = "".join(render(catalog, SID, "md"))
        notable = markdown.split("## Warnings and errors", 1)[1].split("\n## ", 1)[0]
        for name in ERRORS + WARNINGS:
            assert f"detailed {name}" in notable and f"json {name}" in notable
        for name in OTHERS:
            assert f"detailed {name}" not in notable

        exported = json.loads("".join(render(catalog, SID, "json")))
        assert (exported["session"]["errors"], exported["session"]["warnings"]) == (errors, warnings)

    assert main(["list", str(logs), "--json", "--no-cache"]) == 0
    row = next(r for r in json.loads(capsys.readouterr().out) if r["id"] == SID)
    assert (row["errors"], row["warnings"]) == (errors, warnings)
    assert row["start"] == exported["session"]["start"] == "2025-11-05T14:30:52.000"  # the id's moment
