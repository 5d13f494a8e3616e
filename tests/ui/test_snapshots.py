"""Snapshots of the log view (fixed size, default theme, pages read before the shot)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.pilot import Pilot

from session_explorer.ui.widgets import LogView
from tests.ui.helpers import ListLineSource, mixed_lines

APP_CSS = "src/session_explorer/ui/app.tcss"


class LogSnapshotApp(App[None]):
    CSS = "Screen { padding: 0; }"

    def __init__(self, **options: object) -> None:
        super().__init__()
        self.source = ListLineSource(mixed_lines())
        self.options = options

    def compose(self) -> ComposeResult:
        view = LogView(self.source, **self.options)  # type: ignore[arg-type]  # the test's options
        view.border_title = "App log"
        yield view


class StyledLogApp(LogSnapshotApp):
    CSS_PATH = "../../" + APP_CSS


async def _loaded(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_all_lines_with_mixed_records(snap_compare) -> None:  # type: ignore[no-untyped-def]  # pytest fixture
    app = StyledLogApp(session_tags=True)

    async def run_before(pilot: Pilot[None]) -> None:
        pilot.app.query_one(LogView).focus()
        await _loaded(pilot)

    assert snap_compare(app, terminal_size=(100, 16), run_before=run_before)


def test_wrapped_and_paused_with_badge(snap_compare) -> None:  # type: ignore[no-untyped-def]  # pytest fixture
    app = StyledLogApp()

    async def run_before(pilot: Pilot[None]) -> None:
        view = pilot.app.query_one(LogView)
        view.focus()
        await _loaded(pilot)
        await pilot.press("w", "k", "k")
        pilot.app.source.append(3)  # type: ignore[attr-defined]  # the test app's own source
        view.source_grew()
        await _loaded(pilot)

    assert snap_compare(app, terminal_size=(80, 20), run_before=run_before)
