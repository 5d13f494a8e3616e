"""The explorer: sessions on the left, the selected session's app log and
interactions on the right, kept live by the catalog's tail.

The app only wires widgets to the core: every file read happens in a thread worker
(opening the catalog, loading a session, the tail loop), and what the workers find
comes back as messages.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer
from textual.timer import Timer
from textual.worker import get_current_worker

from session_explorer.core.catalog import (
    Catalog,
    IndexProgress,
    InteractionsAppended,
    InteractionsReset,
    LinesAppended,
    LogReset,
    Problem,
    SessionNotFound,
    SessionsChanged,
)
from session_explorer.core.layout import Layout
from session_explorer.core.models import SessionSummary
from session_explorer.ui.commands import SessionCommands
from session_explorer.ui.messages import CatalogChanged, CatalogOpened, SessionLoaded, WorkerFailed
from session_explorer.ui.screens.detail import InteractionDetail
from session_explorer.ui.screens.help import HelpScreen
from session_explorer.ui.widgets.empty_state import EmptyState
from session_explorer.ui.widgets.interactions_view import InteractionsView
from session_explorer.ui.widgets.log_view import LogView
from session_explorer.ui.widgets.session_list import SessionList
from session_explorer.ui.widgets.status_bar import StatusBar

#: The session list is rebuilt at most this often (seconds) while logs are busy.
SESSIONS_REFRESH = 0.25
#: Below this many columns the sessions pane gets narrower.
NARROW_WIDTH = 110
#: Seconds between two polls of the files (the tail). None: no polling (tests).
POLL_INTERVAL = 0.02


class ExplorerApp(App[None]):
    """session-explorer's one screen.

    | Key(s) | Id | Description |
    | :- | :- | :- |
    | tab, shift+tab | | Next / previous pane. |
    | 1, 2, 3 | `app.focus_sessions`, `app.focus_log`, `app.focus_interactions` | Focus a pane. |
    | [, ] | `app.previous_session`, `app.next_session` | Previous (newer) / next (older) session. |
    | z | `app.maximize` | Maximise the focused pane (again: restore). |
    | f, w | `app.follow`, `app.wrap` | Follow / wrap, from any pane. |
    | ? | `app.help` | Every key. |
    | ctrl+p | | Command palette: go to a session, toggle follow or wrap... |
    | q | `app.quit` | Quit. |
    """

    CSS_PATH = "app.tcss"
    TITLE = "session-explorer"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {SessionCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("1", "focus_pane('sessions')", "Sessions", show=False, id="app.focus_sessions"),
        Binding("2", "focus_pane('log')", "App log", show=False, id="app.focus_log"),
        Binding("3", "focus_pane('interactions')", "Interactions", show=False, id="app.focus_interactions"),
        Binding("left_square_bracket", "step_session(-1)", "Newer session", show=False, id="app.previous_session"),
        Binding("right_square_bracket", "step_session(1)", "Older session", show=False, id="app.next_session"),
        Binding("z", "maximize", "Maximise", id="app.maximize"),
        Binding("f", "toggle_follow", "Follow", show=False, id="app.follow"),
        Binding("w", "toggle_wrap", "Wrap", show=False, id="app.wrap"),
    ]

    def __init__(
        self,
        layout: Layout,
        *,
        session: str | None = None,
        follow: bool = True,
        poll_interval: float | None = POLL_INTERVAL,
        label: str | None = None,
    ) -> None:
        super().__init__()
        self.logs_layout = layout
        self.catalog = Catalog(layout)
        self.initial_session = session
        self.initial_follow = follow
        self.poll_interval = poll_interval
        self.label = label or str(layout.root)
        self.current_session: str | None = None
        self._loaded_once = False
        self._reload_on_index = False
        self._last_refresh = 0.0
        self._refresh_timer: Timer | None = None

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield SessionList(id="sessions")
            with Vertical(id="right"):
                yield LogView(id="log", follow=self.initial_follow)
                yield InteractionsView(id="interactions", follow=self.initial_follow)
                yield EmptyState(self.logs_layout, self.label, id="empty")
        yield StatusBar(self.label, id="status")
        yield Footer()

    @property
    def sessions_pane(self) -> SessionList:
        return self.query_one(SessionList)

    @property
    def log_pane(self) -> LogView:
        return self.query_one(LogView)

    @property
    def interactions_pane(self) -> InteractionsView:
        return self.query_one(InteractionsView)

    def on_resize(self, event: events.Resize) -> None:
        self.screen.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    def on_mount(self) -> None:
        self.screen.set_class(self.size.width < NARROW_WIDTH, "-narrow")
        self.log_pane.border_title = "App log"
        self.status.follow = self.initial_follow
        self.open_catalog()

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    # ---------------------------------------------------------------- workers
    @work(thread=True, exit_on_error=False, group="catalog")
    def open_catalog(self) -> None:
        try:
            self.catalog.open()
        except Exception as error:  # noqa: BLE001 - shown to the user, not fatal
            self.post_message(WorkerFailed("opening the logs", error))
            return
        self.post_message(CatalogOpened())
        if self.poll_interval is not None:
            self.tail_loop()

    @work(thread=True, exit_on_error=False, group="tail")
    def tail_loop(self) -> None:
        worker = get_current_worker()
        interval = self.poll_interval or POLL_INTERVAL
        while not worker.is_cancelled:
            self.poll_once()
            time.sleep(interval)

    def poll_once(self) -> None:
        """Poll the catalog once and hand what changed to the UI (any thread)."""
        try:
            changes = self.catalog.poll()
        except Exception as error:  # noqa: BLE001 - keep following after a bad poll
            self.post_message(WorkerFailed("following the logs", error))
            return
        if changes:
            self.post_message(CatalogChanged(changes))

    @work(thread=True, exclusive=True, exit_on_error=False, group="session")
    def load_session(self, session_id: str | None, keep_position: bool = False) -> None:
        try:
            source = self.catalog.session_lines(session_id)
            interactions = self.catalog.interactions(session_id) if session_id else []
        except Exception as error:  # noqa: BLE001
            self.post_message(WorkerFailed(f"reading session {session_id}", error))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(
                SessionLoaded(session_id, source, interactions, keep_position=keep_position)
            )

    # --------------------------------------------------------------- handlers
    def on_catalog_opened(self, _: CatalogOpened) -> None:
        for problem in self.catalog.problems():
            self.notify(problem, severity="warning", timeout=8)
        self.refresh_sessions()
        self.update_progress(self.catalog.progress())
        target = self._initial_target()
        self.sessions_pane.select_session(target)
        if target == self.sessions_pane.selected_session_id:
            self.show_session(target)
        # The sessions pane, or the log when there is only "All lines" to show.
        only_log = target is None and self.catalog.total_lines() > 0
        self.set_focus(self.log_pane if only_log else self.sessions_pane)

    def _initial_target(self) -> str | None:
        query = self.initial_session or "latest"
        try:
            return self.catalog.resolve(query)
        except SessionNotFound as error:
            if self.initial_session:
                self.notify(str(error), severity="error", timeout=8)
            return None

    def on_catalog_changed(self, message: CatalogChanged) -> None:
        sessions_changed = False
        grew = False
        for change in message.changes:
            if isinstance(change, SessionsChanged):
                sessions_changed = True
            elif isinstance(change, LinesAppended):
                if self.current_session is None or self.current_session in change.session_ids:
                    grew = True
            elif isinstance(change, InteractionsAppended):
                if change.session_id == self.current_session:
                    self.interactions_pane.add_interactions(change.interactions)
            elif isinstance(change, (InteractionsReset, LogReset)):
                if isinstance(change, LogReset) or change.session_id == self.current_session:
                    self.load_session(self.current_session, keep_position=True)
            elif isinstance(change, IndexProgress):
                self.update_progress(change)
                if change.complete and self._reload_on_index:
                    self._reload_on_index = False
                    self.load_session(self.current_session, keep_position=True)
            elif isinstance(change, Problem):
                self.notify(change.message, severity="warning", timeout=8)
        if grew:
            self.log_pane.source_grew()
        if sessions_changed:
            self.request_sessions_refresh()

    def on_worker_failed(self, message: WorkerFailed) -> None:
        self.notify(f"Error {message.what}: {message.error}", severity="error", timeout=10)

    @on(SessionList.SessionSelected)
    def _session_selected(self, message: SessionList.SessionSelected) -> None:
        self.show_session(message.session_id)

    def show_session(self, session_id: str | None) -> None:
        self.current_session = session_id
        self.log_pane.border_title = "App log · all lines" if session_id is None else f"App log · {session_id}"
        self._reload_on_index = not self.catalog.progress().complete
        self.load_session(session_id)

    def on_session_loaded(self, message: SessionLoaded) -> None:
        if message.session_id != self.current_session:
            return
        log = self.log_pane
        if message.keep_position:
            log.replace_source(message.source)
        else:
            log.set_source(message.source, follow=log.follow, session_tags=message.session_id is None)
        self.interactions_pane.set_interactions(message.interactions)
        self.interactions_pane.display = message.session_id is not None
        self._update_empty_state()

    @on(InteractionsView.Opened)
    def _open_interaction(self, message: InteractionsView.Opened) -> None:
        interactions = list(self.interactions_pane.interactions)
        index = next((i for i, x in enumerate(interactions) if x is message.interaction), 0)
        self.push_screen(InteractionDetail(interactions, index))

    @on(InteractionDetail.Moved)
    def _detail_moved(self, message: InteractionDetail.Moved) -> None:
        self.interactions_pane.move_cursor(row=message.index)

    @on(LogView.FollowChanged)
    def _follow_changed(self, message: LogView.FollowChanged) -> None:
        self.status.follow = message.follow

    # ----------------------------------------------------------------- helpers
    def request_sessions_refresh(self) -> None:
        """Refresh the session list now, or once at most every SESSIONS_REFRESH seconds
        while the logs are busy (a live app appends many times a second)."""
        if self._refresh_timer is not None:
            return
        delay = self._last_refresh + SESSIONS_REFRESH - time.monotonic()
        if delay <= 0:
            self.refresh_sessions()
        else:
            self._refresh_timer = self.set_timer(delay, self._timed_refresh)

    def _timed_refresh(self) -> None:
        self._refresh_timer = None
        self.refresh_sessions()

    def refresh_sessions(self) -> None:
        self._last_refresh = time.monotonic()
        pane = self.sessions_pane
        was_on_newest = pane.is_on_newest
        before = pane.summaries[0].id if pane.summaries else None
        summaries: list[SessionSummary] = self.catalog.sessions()
        pane.update_sessions(summaries, all_lines_count=self.catalog.total_lines())
        newest = next((s.id for s in summaries if s.id != "in-progress"), None)
        if newest and newest != before and self._loaded_once and was_on_newest and self.log_pane.follow:
            # The developer re-ran the app: show the new run at once.
            pane.select_session(newest)
        self._loaded_once = True
        self._update_empty_state()

    def update_progress(self, progress: IndexProgress) -> None:
        self.status.set_progress(progress.done, progress.total, progress.complete)

    def _update_empty_state(self) -> None:
        empty = not self.sessions_pane.summaries and self.catalog.total_lines() == 0
        self.query_one(EmptyState).display = empty
        self.log_pane.display = not empty
        if empty:
            self.interactions_pane.display = False

    # ----------------------------------------------------------------- actions
    def action_focus_pane(self, name: str) -> None:
        widget = {"sessions": self.sessions_pane, "log": self.log_pane, "interactions": self.interactions_pane}[name]
        if widget.display:
            widget.focus()

    def action_step_session(self, step: int) -> None:
        self.sessions_pane.step(step)

    def action_maximize(self) -> None:
        screen = self.screen
        if screen.maximized is not None:
            screen.minimize()
        elif self.focused is not None:
            screen.maximize(self.focused)

    def action_toggle_follow(self) -> None:
        """``f`` from the sessions pane: follow (or stop following) in both panes."""
        follow = not self.log_pane.follow
        self.log_pane.follow = follow
        self.interactions_pane.follow = follow
        if follow:
            self.log_pane.action_last()
            self.interactions_pane.action_last()

    def action_toggle_wrap(self) -> None:
        self.log_pane.action_toggle_wrap()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_go_to_session(self, session_id: str) -> None:
        self.sessions_pane.select_session(session_id)

    async def action_quit(self) -> None:
        self.workers.cancel_all()
        self.exit()

    def on_unmount(self) -> None:
        self.workers.cancel_all()
        self.catalog.close()


def make_app(
    layout: Layout,
    *,
    session: str | None = None,
    follow: bool = True,
    poll_interval: float | None = POLL_INTERVAL,
    label: str | None = None,
) -> ExplorerApp:
    """The explorer app: one factory for the command line, the tests and the screenshots."""
    return ExplorerApp(
        layout, session=session, follow=follow, poll_interval=poll_interval, label=label
    )


def directory_label(path: Path) -> str:
    """How the status bar names the logs directory: relative when under the cwd."""
    try:
        return str(path.resolve().relative_to(Path.cwd())) or "."
    except ValueError:
        return str(path)
