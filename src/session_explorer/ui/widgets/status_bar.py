"""The status line: the logs directory, follow state, index progress, and how the
files are followed when it is not by file-system events."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Label, ProgressBar

#: Seconds between two redraws of the index progress.
PROGRESS_EVERY = 0.25


class StatusBar(Horizontal):
    """``logs/ · following · indexed 100%``, with a progress bar while indexing."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $panel;
        color: $text-muted;
        padding: 0 1;
        & > #status-text { width: auto; }
        & > #status-follow { width: auto; margin-left: 2; }
        & > #status-follow.following { color: $success; }
        & > #status-follow.paused { color: $warning; }
        & > ProgressBar { width: 30; margin-left: 2; }
        & > #status-index { width: auto; margin-left: 1; }
        & > #status-mode { width: auto; margin-left: 2; }
    }
    """

    follow: reactive[bool] = reactive(True)

    def __init__(self, label: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label
        self._index_text = ""
        self._mode_text = ""
        self._progress_shown = 0.0

    def compose(self) -> ComposeResult:
        yield Label(self.label, id="status-text", markup=False)
        yield Label("", id="status-follow")
        yield ProgressBar(total=100, show_eta=False, show_percentage=False, id="status-progress")
        yield Label("", id="status-index")
        yield Label("", id="status-mode", markup=False)

    def set_mode(self, mode: str) -> None:
        """How the files are followed: "events", or "polling (why)" (shown only
        when polling: events are the normal case)."""
        text = mode if mode.startswith("polling") else ""
        if text != self._mode_text:
            self._mode_text = text
            self.query_one("#status-mode", Label).update(text)

    def watch_follow(self, follow: bool) -> None:
        label = self.query_one("#status-follow", Label)
        label.update("● following" if follow else "❚❚ paused (f or G resumes)")
        label.set_class(follow, "following")
        label.set_class(not follow, "paused")

    def set_progress(self, done: int, total: int, complete: bool, *, cached: bool = False) -> None:
        bar = self.query_one(ProgressBar)
        if complete or total <= 0:
            bar.display = False
            origin = " (from the cache)" if cached else ""
            self._set_index_text(f"indexed {_size(total)}{origin}" if total else "")
            return
        now = time.monotonic()
        if bar.display and now - self._progress_shown < PROGRESS_EVERY:
            return  # each change lays the line out again: a few times a second is enough
        self._progress_shown = now
        bar.display = True
        bar.update(total=total, progress=done)
        self._set_index_text(f"indexing {_size(done)} / {_size(total)}")

    def _set_index_text(self, text: str) -> None:
        # A label's update lays the screen out again: not for every appended line
        # when the text reads the same.
        if text != self._index_text:
            self._index_text = text
            self.query_one("#status-index", Label).update(text)


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
