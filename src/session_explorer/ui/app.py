"""The explorer: sessions on the left, the selected session's app log and
interactions on the right, kept live by the live feed.

The app only wires widgets to the core. The UI thread never reads a file, never
calls the catalog and never takes a lock that another thread holds during I/O:

* the opening worker opens the catalog and reads the first session;
* the live feed's threads (:mod:`session_explorer.core.live.feed`) follow the files
  and post :class:`LiveBatchArrived` (at most one per frame, the next one only once
  this one is taken) and :class:`CatalogStateArrived` (the session list);
* a loading worker reads a session's snapshot once the feed watches it
  (:class:`SessionReadArrived`), and :class:`ShownSession` joins the feed's lines to
  it; workers for facts, searches and pages read the sources the panes were given.
"""

from __future__ import annotations

import threading
import time
from array import array
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer
from textual.worker import get_current_worker

from session_explorer.core import threadcheck
from session_explorer.core.live.changes import IndexProgress
from session_explorer.core.live.feed import LiveFeed
from session_explorer.core.models import Interaction, SessionSummary
from session_explorer.core.query import Query, QueryError, compile_query
from session_explorer.core.reading.filters import LevelStep
from session_explorer.core.reading.search import search
from session_explorer.core.reading.sources import EMPTY_SOURCE, LineSource
from session_explorer.core.reading.timeline import Window, effective_time, interaction_at, interaction_windows
from session_explorer.core.reading.view import (
    Filters,
    ReadingView,
    SessionFacts,
    logger_filter,
    next_alert,
    window_lines,
)
from session_explorer.core.session.catalog import Catalog, CatalogState
from session_explorer.core.session.layout import Layout
from session_explorer.core.session.summaries import SessionNotFound
from session_explorer.ui.commands import PaletteCommand, SessionCommands
from session_explorer.ui.controllers.live import (
    CatalogStateArrived,
    LiveBatchArrived,
    SessionReadArrived,
    ShownSession,
)
from session_explorer.ui.messages import CatalogOpened, WorkerFailed
from session_explorer.ui.widgets.empty_state import EmptyState
from session_explorer.ui.widgets.interactions_view import InteractionsView, find_interactions
from session_explorer.ui.widgets.log_view import LogView
from session_explorer.ui.widgets.search_bar import SearchBar
from session_explorer.ui.widgets.session_list import SessionList
from session_explorer.ui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from session_explorer.ui.screens.detail import InteractionDetail

    InteractionDetailMoved = InteractionDetail.Moved

#: The session list is rebuilt at most this often (seconds) while logs are busy,
#: and while the app log is being indexed.
SESSIONS_REFRESH = 0.25
SESSIONS_REFRESH_INDEXING = 1.0
#: Below this many columns the sessions pane gets narrower.
NARROW_WIDTH = 110
#: Seconds a session stays shown before its facts are read (see on_session_read_arrived).
FACTS_DELAY = 0.4
#: A selection this soon (seconds) after the previous one is read only once the
#: user pauses for SELECTION_PAUSE seconds.
RAPID_SELECTION = 0.2
SELECTION_PAUSE = 0.12
#: Not None: the live feed runs in its threads; None: it is stepped by hand
#: (``poll_once``, tests).
POLL_INTERVAL = 0.02
#: Seconds after opening by which indexing starts even if the first screen is not
#: complete (it starts as soon as it is).
BACKGROUND_LATEST = 2.0
#: Textual's palette commands that the explorer's own replace.
TEXTUAL_COMMANDS_REPLACED = frozenset({"Keys", "Maximize", "Minimize"})


class ExplorerApp(App[None]):
    """session-explorer's one screen.

    | Key(s) | Id | Description |
    | :- | :- | :- |
    | tab, shift+tab | | Next / previous pane. |
    | 1, 2, 3 | `app.focus_sessions`, `app.focus_log`, `app.focus_interactions` | Focus a pane. |
    | [, ] | `app.previous_session`, `app.next_session` | Previous (newer) / next (older) session. |
    | z | `app.maximize` | Maximise the focused pane (again: restore). |
    | f, w | `app.follow`, `app.wrap` | Follow / wrap, from any pane. |
    | / | `app.search` | Search the focused pane: the app log, or the interactions (their rows and content). |
    | n, N | `app.next_match`, `app.previous_match` | Next / previous match (wrapping). |
    | escape | `app.clear_search` | Clear the search. |
    | l | `app.level` | Level filter of the app log: all, info+, warnings+, errors only. |
    | e, E | `app.next_alert`, `app.previous_alert` | Next / previous warning or error (log line, or failed interaction). |
    | t | `app.timeline` | Merged timeline: app-log lines and interactions in time order. |
    | x | `app.export` | Export the session to a Markdown or JSON file. |
    | ? | `app.help` | Every key. |
    | ctrl+p | | Command palette: go to a session, filters, toggle follow or wrap... |
    | q | `app.quit` | Quit. |

    Selecting an interaction marks the app-log lines logged while it ran; moving in
    the app log selects the interaction the line under the cursor belongs to.
    """  # noqa: E501 - a row of the Markdown table above cannot wrap

    CSS_PATH = "app.tcss"
    TITLE = "session-explorer"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {SessionCommands}
    #: A maximised pane keeps the search bar (``/`` searches it) and the footer.
    ALLOW_IN_MAXIMIZED_VIEW = "Footer, SearchBar, StatusBar"

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
        Binding("slash", "search", "Search", id="app.search"),
        Binding("n", "step_match(1)", "Next match", show=False, id="app.next_match"),
        Binding("N", "step_match(-1)", "Previous match", show=False, id="app.previous_match"),
        Binding("escape", "clear_search", "Clear search", show=False, id="app.clear_search"),
        Binding("l", "cycle_level", "Level", id="app.level"),
        Binding("e", "jump_alert(1)", "Next warning/error", show=False, id="app.next_alert"),
        Binding("E", "jump_alert(-1)", "Previous warning/error", show=False, id="app.previous_alert"),
        Binding("t", "toggle_timeline", "Timeline", id="app.timeline"),
        Binding("x", "export", "Export session", show=False, id="app.export"),
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
        self._background_started = False
        self._waiting_for_first = False
        self._wanted_session: str | None = None  # --session, until the index finds it
        self._reload_on_index = False
        self._last_refresh = 0.0
        self._refresh_timer: Timer | None = None
        # The live feed and what the UI knows of the catalog (from its messages).
        self.feed: LiveFeed | None = None
        self.state: CatalogState | None = None
        self._shown = ShownSession()
        self._unfinished = 0
        self._bindings_on_session: bool | None = None
        self._last_selection = 0.0
        self._selection_timer: Timer | None = None
        # What the log pane shows and what is known about it (see core/reading/view.py).
        self._base: LineSource = EMPTY_SOURCE
        self._view = ReadingView(EMPTY_SOURCE)
        self._log_filters = Filters()
        self._timeline = False
        self._facts: SessionFacts | None = None
        self._facts_base: LineSource | None = None  # the source being read
        self._facts_cancel = threading.Event()
        self._facts_dirty = False
        self._facts_waiting: list[Callable[[], None]] = []
        self._facts_progress = ""
        self._windows: list[Window | None] | None = None
        self._marked: int | None = None  # the interaction whose lines are marked
        # The search of the log pane.
        self._query: Query | None = None
        self._matches: array | None = None
        self._match = 0
        self._search_cancel = threading.Event()
        self._searching = False

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield SessionList(id="sessions")
            with Vertical(id="right"):
                yield LogView(id="log", follow=self.initial_follow)
                yield InteractionsView(id="interactions", follow=self.initial_follow)
                yield EmptyState(self.logs_layout, self.label, id="empty")
        yield SearchBar(id="search")
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

    @property
    def log_matches(self) -> Sequence[int] | None:
        """Positions (in the log pane's lines) of the log search's matches, ascending;
        None when the log pane is not searched."""
        return self._matches

    @property
    def log_filters(self) -> Filters:
        """The log pane's level and logger filters now."""
        return self._log_filters

    @property
    def refresh_pending(self) -> bool:
        """A throttled refresh of the sessions pane is waiting to run."""
        return self._refresh_timer is not None

    @property
    def current_match(self) -> int:
        """Which of :attr:`log_matches` is the current one (``n``/``N`` move it)."""
        return self._match

    def on_resize(self, event: events.Resize) -> None:
        self.screen.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    def on_mount(self) -> None:
        threadcheck.mark_ui_thread()
        self.screen.set_class(self.size.width < NARROW_WIDTH, "-narrow")
        self._update_log_title()
        self.status.follow = self.initial_follow
        self.open_catalog()

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def search_bar(self) -> SearchBar:
        return self.query_one(SearchBar)

    # ---------------------------------------------------------------- workers
    @work(thread=True, exit_on_error=False, group="catalog")
    def open_catalog(self) -> None:
        try:
            # The first screen first: indexing and summarising start once it shows
            # (see ``_start_background``).
            self.catalog.open(background=False)
            state = self.catalog.state()
        except Exception as error:  # shown to the user, not fatal
            self.post_message(WorkerFailed("opening the logs", error))
            return
        try:
            first = state.resolve(self.initial_session or "latest")
        except SessionNotFound:
            first = None
        feed = LiveFeed(self.catalog, self._feed_batch, self._feed_state)
        self.feed = feed  # published before its first batch can arrive (acks need it)
        if self.poll_interval is not None:
            feed.start()
        token = feed.watch(first) if first is not None else -1
        problems = self.catalog.problems()
        self.post_message(CatalogOpened(first, state=state, feed=feed, token=token, problems=problems))
        if first is not None:
            # The session the screen opens on, read by this worker right away (no
            # trip through another worker before the first screen).
            self._read_session(feed, first, token, keep_position=False)

    def _feed_batch(self, batch) -> None:  # the feed's threads
        self.post_message(LiveBatchArrived(batch))

    def _feed_state(self, state: CatalogState) -> None:
        self.post_message(CatalogStateArrived(state))

    def poll_once(self) -> None:
        """One step of the live feed (tests without its threads)."""
        if self.feed is not None:
            self.feed.step()

    @work(thread=True, exclusive=True, exit_on_error=False, group="session")
    def load_session(self, feed: LiveFeed, session_id: str | None, token: int, keep_position: bool = False) -> None:
        self._read_session(feed, session_id, token, keep_position=keep_position)

    def _read_session(self, feed: LiveFeed, session_id: str | None, token: int, *, keep_position: bool) -> None:
        """Read a session once the feed watches it, and post it (in a worker)."""
        feed.wait_applied(token)
        try:
            read = self.catalog.read_session(session_id)
        except Exception as error:
            self.post_message(WorkerFailed(f"reading session {session_id}", error))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(SessionReadArrived(token, read, keep_position))

    @work(thread=True, exit_on_error=False, group="background")
    def start_background_work(self) -> None:
        self.catalog.start_background()

    # --------------------------------------------------------------- handlers
    def on_catalog_opened(self, message: CatalogOpened) -> None:
        if not self._showing():
            return  # a worker's message after the screen was taken down
        self.feed = message.feed
        self.state = message.state
        if message.first is not None:
            self._shown.begin(message.first, message.token)
            self.current_session = message.first
        for problem in message.problems:
            self.notify(problem, severity="warning", timeout=8)
        self.refresh_sessions()
        self.update_progress(self.state.progress)
        self._update_status_mode()
        target = self._initial_target()
        self.sessions_pane.select_session(target)
        if target == self.sessions_pane.selected_session_id:
            # The opening worker reads the session it expects (``first``).
            self.show_session(target, read=target != message.first)
        # Nothing to show yet: the first session to appear is shown (until the
        # user picks something else).
        self._waiting_for_first = target is None and not self.initial_session
        if target is None:
            self._start_background()
        else:  # should the first session never load (an unreadable file...)
            self.set_timer(BACKGROUND_LATEST, self._start_background)
        # The sessions pane, or the log when there is only "All lines" to show.
        only_log = target is None and self.state.total_lines > 0
        self.set_focus(self.log_pane if only_log else self.sessions_pane)

    def _initial_target(self) -> str | None:
        query = self.initial_session or "latest"
        assert self.state is not None
        try:
            return self.state.resolve(query)
        except SessionNotFound as error:
            if self.initial_session:
                if not self.state.progress.complete:
                    # Maybe a session of the app log the index has not reached:
                    # asked again as sessions are found (see ``_look_for_wanted``).
                    self._wanted_session = self.initial_session
                else:
                    self.notify(str(error), severity="error", timeout=8)
            return None

    def _look_for_wanted(self) -> None:
        """Select the ``--session`` not known at start once the index finds it (or
        say it is unknown once the index is complete)."""
        wanted = self._wanted_session
        if wanted is None or self.state is None:
            return
        try:
            found = self.state.resolve(wanted)
        except SessionNotFound as error:
            if self.state.progress.complete:
                self._wanted_session = None
                self.notify(str(error), severity="error", timeout=8)
            return
        self._wanted_session = None
        if all(summary.id != found for summary in self.sessions_pane.summaries):
            self.refresh_sessions()  # listed now, not at the next timed refresh
        self.sessions_pane.select_session(found)

    def on_live_batch_arrived(self, message: LiveBatchArrived) -> None:
        try:
            if self._showing():  # not a worker's message after the screen was taken down
                self._take_batch(message.batch)
        finally:
            if self.feed is not None:
                self.feed.ack()

    def _take_batch(self, batch) -> None:
        for problem in batch.problems:
            self.notify(problem, severity="warning", timeout=8)
        if batch.progress is not None:
            self.update_progress(batch.progress)
            if batch.progress.complete and self._reload_on_index:
                self._reload_on_index = False
                self._read_again()
        joined = self._shown.take(batch)
        if joined is None:
            return
        if joined.reload:
            self._read_again()
            return
        if joined.interactions:
            self.interactions_pane.add_interactions(joined.interactions)
            self._windows = None
            if self._timeline:
                self._need_facts(self._apply_view)
        if joined.pending is not None and joined.pending != self._unfinished:
            self._unfinished = joined.pending
            self.interactions_pane.set_unfinished(joined.pending)
        if joined.lines:
            self._source_grew(joined.start, joined.lines)

    def on_catalog_state_arrived(self, message: CatalogStateArrived) -> None:
        if not self._showing():
            return
        self.state = message.state
        self._update_status_mode()
        self.update_progress(message.state.progress)
        self.request_sessions_refresh()
        self._look_for_wanted()

    def _read_again(self) -> None:
        """Read the shown session again, the cursor staying where it is."""
        self.show_session(self.current_session, keep_position=True)

    def _showing(self) -> bool:
        """The screen's panes are there (not during shutdown)."""
        try:
            self.query_one(StatusBar)
        except NoMatches:
            return False
        return True

    def on_worker_failed(self, message: WorkerFailed) -> None:
        self.notify(f"Error {message.what}: {message.error}", severity="error", timeout=10)
        if self.state is not None:
            self._start_background()  # the rest is read even if one session is not

    @on(SessionList.SessionSelected)
    def _session_selected(self, message: SessionList.SessionSelected) -> None:
        self._waiting_for_first = False
        on_session = message.session_id is not None
        if on_session != self._bindings_on_session:
            # t and x apply to a session, not to "All lines". The footer is built
            # again when bindings change: only when that changes, not on every move.
            self._bindings_on_session = on_session
            self.refresh_bindings()
        if message.session_id != self.current_session or not self._loaded_once:
            # The highlight is painted first; the session is read a frame later, or,
            # while the user runs through the list, once they pause: a key never
            # waits for the sessions it passes over.
            now = time.monotonic()
            rapid = now - self._last_selection < RAPID_SELECTION
            self._last_selection = now
            if self._selection_timer is not None:
                self._selection_timer.stop()
                self._selection_timer = None
            if rapid:
                self._selection_timer = self.set_timer(
                    SELECTION_PAUSE, partial(self._show_selected, message.session_id)
                )
            else:
                self.call_after_refresh(self._show_selected, message.session_id)

    def _show_selected(self, session_id: str | None) -> None:
        self._selection_timer = None
        if self.sessions_pane.selected_session_id == session_id and (
                session_id != self.current_session or not self._loaded_once):
            self.show_session(session_id)

    def show_session(self, session_id: str | None, *, read: bool = True, keep_position: bool = False) -> None:
        """Show a session (None: every line); ``read`` False when its lines are
        already being read (``on_session_read_arrived`` follows)."""
        self.current_session = session_id
        self._update_log_title()
        if read and self.feed is not None:
            token = self.feed.watch(session_id)
            self._shown.begin(session_id, token, again=keep_position)
            self.load_session(self.feed, session_id, token, keep_position)

    def on_session_read_arrived(self, message: SessionReadArrived) -> None:
        if not self._showing():
            return  # a worker's message after the screen was taken down
        if message.token != self._shown.token:
            return
        source, interactions, pending, stale = self._shown.loaded_read(message.read)
        # A preview (the index has not reached the session) is read again once the
        # index is complete: lines it may have left out appear then; lines written
        # meanwhile join it at once.
        snapshot = message.read.lines
        self._reload_on_index = snapshot.partial
        log = self.log_pane
        self._base = source
        self._forget_facts()
        if message.keep_position:
            # The same session read again: filters stay (they apply once the facts
            # are read again); meanwhile the cursor stays on its line.
            line = None
            if not self._view.is_plain and log.line_count:
                line = self._view.line_before(log.cursor_line)
            self._view = ReadingView(source)
            log.replace_source(source, cursor_line=line)
        else:
            self._log_filters = Filters()
            self._timeline = False
            self._marked = None
            self._end_search()
            self.search_bar.close()
            log.set_marks(None)
            self._view = ReadingView(source)
            log.set_source(source, follow=log.follow, session_tags=message.read.session_id is None)
        # A search of the interactions shown goes on over the ones read again, in
        # the search's worker (matching thousands of them would stall the screen).
        searched = self.interactions_pane.search_query if message.keep_position else None
        self.interactions_pane.clear_search()
        self.interactions_pane.set_interactions(interactions)
        self._unfinished = pending
        self.interactions_pane.set_unfinished(pending)
        if searched is not None:
            self._search_interactions(searched, quiet=True)
        self.interactions_pane.display = message.read.session_id is not None
        self._update_empty_state()
        if not self._background_started:
            self.call_after_refresh(self._start_background)
        if self._log_filters.active or self._timeline:
            self._need_facts(self._apply_view)
        elif message.read.session_id is not None:
            # Read the session's facts (levels, loggers, times: for marks and jumps)
            # once the user stays on it: a run through the list reads none of them.
            token = message.token
            self.set_timer(FACTS_DELAY, partial(self._facts_when_shown, token))
        self._update_log_title()
        if stale:
            self._read_again()

    @on(InteractionsView.Opened)
    def _open_interaction(self, message: InteractionsView.Opened) -> None:
        interactions = list(self.interactions_pane.interactions)
        index = next((i for i, x in enumerate(interactions) if x is message.interaction), 0)
        self._open_detail(interactions, index)

    @on(LogView.LineSelected)
    def _log_line_selected(self, message: LogView.LineSelected) -> None:
        index = self._view.interaction_at(message.line_number)
        interactions = list(self.interactions_pane.interactions)
        if index is not None and index < len(interactions):
            self._open_detail(interactions, index)

    @on(InteractionsView.Selected)
    def _interaction_selected(self, message: InteractionsView.Selected) -> None:
        index = self._interaction_index(message.interaction)
        if index is None:
            return
        if self.focused is not self.interactions_pane and self._marked is None:
            # Marks start with the user's own choice (moving in either pane), not
            # with the selection a newly shown session starts with.
            return
        self._marked = index
        reveal = self.focused is self.interactions_pane
        self._need_facts(partial(self._show_marks, index, reveal))

    @on(LogView.CursorMoved)
    def _log_cursor_moved(self, message: LogView.CursorMoved) -> None:
        if message.line is None or self.focused is not self.log_pane or self._facts is None:
            return
        index = self._view.interaction_at(message.line_number)
        if index is None:
            line = self._view.to_base(message.line_number)
            times = self._facts.times
            if line is None or times is None or line >= len(times):
                return
            index = interaction_at(effective_time(times, line), self._session_windows())
        pane = self.interactions_pane
        if index is None or index >= len(pane.interactions):
            return
        if index == pane.cursor_row:
            if self._marked is None:
                self._marked = index
                self._show_marks(index, False)
            return
        self._marked = index
        if index < len(pane.interactions) - 1:
            pane.follow = False
        pane.move_cursor(row=index)

    @on(SearchBar.Submitted)
    def _search_submitted(self, message: SearchBar.Submitted) -> None:
        bar = self.search_bar
        try:
            query = compile_query(message.query)
        except QueryError as error:
            bar.set_status(str(error), error=True)
            return
        pane = self.interactions_pane
        if bar.pane == "interactions" and self._pane_shown(pane):
            self._search_interactions(query)
            return
        bar.set_status("searching…")
        self._start_search(query, move=True)

    @on(SearchBar.Cancelled)
    def _search_cancelled(self) -> None:
        if self._searching:
            self._search_cancel.set()
            self._searching = False
            self.workers.cancel_group(self, "search")
            self.search_bar.set_status("search cancelled")
            return
        bar = self.search_bar
        bar.close()
        self._end_search()
        pane = self.interactions_pane if bar.pane == "interactions" else self.log_pane
        if self._pane_shown(pane):
            pane.focus()

    def _open_detail(self, interactions: list[Interaction], index: int) -> None:
        # Screens are imported when first opened: not on the way to the first screen.
        from session_explorer.ui.screens.detail import InteractionDetail

        self.push_screen(InteractionDetail(interactions, index))

    def on_interaction_detail_moved(self, message: InteractionDetailMoved) -> None:
        """The detail screen moved to another interaction (``n``/``p``)."""
        self.interactions_pane.move_cursor(row=message.index)

    @on(LogView.FollowChanged)
    def _follow_changed(self, message: LogView.FollowChanged) -> None:
        self.status.follow = message.follow

    # ----------------------------------------------------------------- helpers
    def _refresh_pause(self) -> float:
        # While a big log is indexed, sessions and counts change all the time.
        complete = self.state is not None and self.state.progress.complete
        return SESSIONS_REFRESH if complete else SESSIONS_REFRESH_INDEXING

    def request_sessions_refresh(self) -> None:
        """Refresh the session list now, or once at most every SESSIONS_REFRESH seconds
        while the logs are busy (a live app appends many times a second)."""
        if self._refresh_timer is not None:
            return
        delay = self._last_refresh + self._refresh_pause() - time.monotonic()
        if delay <= 0:
            self.refresh_sessions()
        else:
            self._refresh_timer = self.set_timer(delay, self._timed_refresh)

    def _timed_refresh(self) -> None:
        self._refresh_timer = None
        self.refresh_sessions()

    def refresh_sessions(self) -> None:
        if self.state is None:
            return
        self._last_refresh = time.monotonic()
        pane = self.sessions_pane
        was_on_newest = pane.is_on_newest
        before = pane.summaries[0].id if pane.summaries else None
        summaries: list[SessionSummary] = list(self.state.sessions)
        pane.update_sessions(summaries, all_lines_count=self._all_lines_count())
        newest = next((s.id for s in summaries if s.id != "in-progress"), None)
        waiting = self._waiting_for_first and pane.selected_session_id is None
        if newest and newest != before and self._loaded_once and (was_on_newest or waiting) \
                and self.log_pane.follow:
            # The developer re-ran the app (or ran it for the first time into an
            # empty directory): show the new run at once.
            pane.select_session(newest)
        self._loaded_once = True
        self._update_empty_state()

    def _all_lines_count(self) -> int | None:
        """The app log's line count, once it is indexed (None before)."""
        state = self.state
        if state is None or not state.has_app_logs or not state.progress.complete:
            return None
        return state.total_lines

    def _start_background(self) -> None:
        """Index the logs and summarise the interaction files (after the first screen)."""
        if not self._background_started:
            self._background_started = True
            self.start_background_work()

    def update_progress(self, progress: IndexProgress) -> None:
        cached = self.state is not None and self.state.from_cache
        self.status.set_progress(progress.done, progress.total, progress.complete, cached=cached)

    def _update_status_mode(self) -> None:
        if self.feed is not None:
            self.status.set_mode(self.feed.mode if self.poll_interval is not None else "")

    def _update_empty_state(self) -> None:
        empty = not self.sessions_pane.summaries and (self.state is None or self.state.total_lines == 0)
        self.query_one(EmptyState).display = empty
        self.log_pane.display = not empty
        if empty:
            self.interactions_pane.display = False

    # ------------------------------------------------------- facts and the view
    def _facts_when_shown(self, token: int) -> None:
        if token == self._shown.token and self._facts is None and self._facts_base is None:
            self._need_facts(None)

    def _forget_facts(self) -> None:
        """The session's lines changed: what was read about them is dropped."""
        self._facts_cancel.set()
        self._facts_cancel = threading.Event()
        self._facts = None
        self._facts_base = None
        self._facts_dirty = False
        self._facts_waiting = []
        self._facts_progress = ""
        self._windows = None

    def _need_facts(self, then: Callable[[], None] | None = None) -> None:
        """Run ``then`` once the facts of the shown session are read (now if they are)."""
        if self._facts is not None and self._facts_base is None:
            if then is not None:
                then()
            return
        if then is not None:
            self._facts_waiting.append(then)
        if self._facts_base is None:
            self._facts_base = self._base
            self.read_facts(self._base, self.current_session is not None, None, self._facts_cancel)

    def _source_grew(self, start: int, lines: list) -> None:
        """New lines joined the shown session (at ``start``): a plain view shows
        them at once, a filtered one once the facts have read them."""
        if self._view.is_plain:
            self.log_pane.lines_appended(start, lines)
        self._extend_facts()

    def _extend_facts(self) -> None:
        if self._facts_base is not None:  # being read: read the new lines after
            self._facts_dirty = True
            return
        if self._facts is None:
            return
        facts, self._facts = self._facts, None
        self._facts_base = self._base
        self.read_facts(self._base, self.current_session is not None, facts, self._facts_cancel)

    @work(thread=True, exit_on_error=False, group="facts")
    def read_facts(
        self,
        base: LineSource,
        with_times: bool,
        facts: SessionFacts | None,
        cancel: threading.Event,
    ) -> None:
        shown = [-1]

        def progress(done: int, total: int) -> None:
            percent = done * 100 // max(total, 1)
            if percent != shown[0] and total > 100_000:
                shown[0] = percent
                self.call_from_thread(self._facts_read_progress, base, f"reading levels {percent}%")

        try:
            if facts is None:
                facts = SessionFacts.read(base, with_times=with_times, cancel=cancel, progress=progress)
            else:
                facts.extend(base, cancel=cancel, progress=progress)
        except Exception as error:  # shown to the user
            self.post_message(WorkerFailed("reading the session's levels", error))
            return
        if not cancel.is_set():
            self.call_from_thread(self._facts_read, base, facts)

    def _facts_read_progress(self, base: LineSource, text: str) -> None:
        if base is self._base:
            self._facts_progress = text
            self._update_log_title()

    def _facts_read(self, base: LineSource, facts: SessionFacts) -> None:
        if base is not self._base:
            return
        self._facts = facts
        self._facts_base = None
        self._facts_progress = ""
        self._windows = None
        if self._facts_dirty:
            self._facts_dirty = False
            self._extend_facts()
            return
        waiting, self._facts_waiting = self._facts_waiting, []
        for then in waiting:
            then()
        if not waiting:  # read for the first time, or again after new lines
            if not self._view.is_plain:
                self._apply_view()
            elif self._marked is not None:
                self._show_marks(self._marked, False)
        self._update_log_title()

    def _apply_view(self) -> None:
        """Show the session through the current filters (and timeline), the cursor
        staying on its line (or interaction)."""
        log = self.log_pane
        old = self._view
        line = old.line_before(log.cursor_line) if log.line_count else None
        interaction = old.interaction_at(log.cursor_line) if log.line_count else None
        view = ReadingView.build(
            self._base, self._facts, self._log_filters, timeline=self._timeline,
            interactions=list(self.interactions_pane.interactions),
            session_id=self.current_session or "",
        )
        self._view = view
        target: int | None = None
        if interaction is not None:
            target = view.timeline_row(interaction)
        if target is None and line is not None:
            target = view.position_of(line)
        if target is not None:
            target = min(target, max(0, len(view.source) - 1))
        log.replace_source(view.source, cursor_line=target)
        if self._marked is not None:
            self._show_marks(self._marked, False)
        if self._query is not None:
            self._start_search(self._query, move=False)
        self._update_log_title()

    def _update_log_title(self) -> None:
        parts = ["App log", "all lines" if self.current_session is None else self.current_session]
        if self._timeline:
            parts.append("timeline")
        if self._log_filters.active:
            parts.append(self._log_filters.label())
        if self._facts_progress:
            parts.append(self._facts_progress)
        if self._matches is not None:
            count = len(self._matches)
            parts.append(f"{self._match + 1}/{count} matches" if count else "no matches")
        self.log_pane.border_title = " · ".join(parts)

    # ------------------------------------------------------------- correlation
    def _interaction_index(self, interaction: Interaction) -> int | None:
        for index, candidate in enumerate(self.interactions_pane.interactions):
            if candidate is interaction:
                return index
        return None

    def _session_start(self) -> datetime | None:
        for summary in self.sessions_pane.summaries:
            if summary.id == self.current_session:
                return summary.start
        return None

    def _session_windows(self) -> list[Window | None]:
        if self._windows is None or len(self._windows) != len(self.interactions_pane.interactions):
            self._windows = interaction_windows(
                list(self.interactions_pane.interactions), self._session_start()
            )
        return self._windows

    def _show_marks(self, index: int, reveal: bool) -> None:
        """Mark the lines logged while interaction ``index`` ran (and, in the
        timeline, its row); ``reveal`` scrolls them into view."""
        if self._facts is None or index != self._marked:
            return
        windows = self._session_windows()
        if index >= len(windows):
            return
        lines = window_lines(self._facts, windows[index])
        positions = self._view.positions(lines)
        row = self._view.timeline_row(index)
        if row is not None:
            positions = {*positions, row}
        self.log_pane.set_marks(positions)
        if reveal and positions:
            shown = list(positions) if not isinstance(positions, range) else positions
            if len(shown):
                self.log_pane.reveal(min(shown), max(shown))

    # ------------------------------------------------------------------ search
    def _start_search(self, query: Query, *, move: bool) -> None:
        if self._searching and not move:
            # A search still running (of either pane) gives way to the view's own:
            # its "searching…" would otherwise stay.
            self.search_bar.set_status("")
        self._search_cancel.set()
        self._search_cancel = threading.Event()
        self._searching = True
        self.run_search(self._view.source, query, move, self._search_cancel)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def run_search(self, source: LineSource, query: Query, move: bool, cancel: threading.Event) -> None:
        def progress(done: int, total: int) -> None:
            if not cancel.is_set() and total:
                self.call_from_thread(self._search_progress, cancel, done * 100 // total)

        try:
            found = search(source, query, cancel=cancel, progress=progress)
        except Exception as error:  # shown to the user
            self.post_message(WorkerFailed("searching", error))
            return
        if not cancel.is_set():
            self.call_from_thread(self._search_done, source, query, found, move, cancel)

    def _search_progress(self, cancel: threading.Event, percent: int) -> None:
        if not cancel.is_set():
            self.search_bar.set_status(f"searching… {percent}%")

    def _search_done(
        self, source: LineSource, query: Query, found: array, move: bool, cancel: threading.Event
    ) -> None:
        if cancel.is_set() or source is not self._view.source:
            return
        self._searching = False
        log = self.log_pane
        bar = self.search_bar
        if not found and move:
            bar.set_status("no matches", error=True)
            return
        if move:  # a new search of the log ends the one of the interactions
            self.interactions_pane.clear_search()
        self._query = query
        self._matches = found
        if log.follow and move:
            self._match = max(0, len(found) - 1)
        else:
            at = next((i for i, n in enumerate(found) if n >= log.cursor_line), None)
            self._match = at if at is not None else 0
        current = found[self._match] if found else None
        log.set_highlight(query.spans, current, query.matches_raw)
        if move and current is not None:
            log.go_to_line(current)
            bar.set_status(f"{len(found)} matches")
            bar.close()
            log.focus()
        self._update_log_title()

    def _end_search(self) -> None:
        """End the search of either pane."""
        self._search_cancel.set()
        self._searching = False
        self._query = None
        self._matches = None
        self._match = 0
        self.log_pane.set_highlight(None)
        self._update_log_title()
        self.interactions_pane.clear_search()

    def _search_interactions(self, query: Query, *, quiet: bool = False) -> None:
        """Search the session's interactions, in a thread like the log: a long
        session holds tens of megabytes of messages. ``quiet``: the same search over
        interactions read again (no message, the cursor and focus stay)."""
        self._search_cancel.set()
        self._search_cancel = threading.Event()
        self._searching = True
        if not quiet:
            self.search_bar.set_status("searching…")
        interactions = list(self.interactions_pane.interactions)
        self.run_interactions_search(interactions, query, self._search_cancel, quiet)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def run_interactions_search(
        self, interactions: list[Interaction], query: Query, cancel: threading.Event, quiet: bool = False
    ) -> None:
        def progress(done: int, total: int) -> None:
            if not cancel.is_set() and total and not quiet:
                self.call_from_thread(self._search_progress, cancel, done * 100 // total)

        try:
            found = find_interactions(query, interactions, cancel=cancel, progress=progress)
        except Exception as error:  # shown to the user
            self.post_message(WorkerFailed("searching", error))
            return
        if not cancel.is_set():
            self.call_from_thread(self._interactions_search_done, interactions, query, found, cancel, quiet)

    def _interactions_search_done(
        self, searched: list[Interaction], query: Query, found: list[int], cancel: threading.Event,
        quiet: bool = False,
    ) -> None:
        if cancel.is_set():
            return
        pane = self.interactions_pane
        shown = pane.interactions
        if len(shown) < len(searched) or any(a is not b for a, b in zip(searched, shown, strict=False)):
            self._search_interactions(query, quiet=quiet)  # read again meanwhile: again
            return
        self._searching = False
        bar = self.search_bar
        # Interactions that arrived during the search are matched now.
        found = pane.find_matches(query, known=found, searched=len(searched))
        if quiet:
            pane.set_search(query, found, move=False)
            return
        if not found:
            bar.set_status("no matches", error=True)
            return
        self._end_search()  # the log's, or an earlier one of the interactions
        pane.set_search(query, found)
        bar.set_status(f"{len(found)} matches")
        bar.close()
        pane.focus()

    def _pane_shown(self, pane: LogView | InteractionsView) -> bool:
        """``pane`` is on screen: displayed, and not hidden by another maximised pane."""
        maximized = self.screen.maximized
        return bool(pane.display) and (maximized is None or maximized is pane)

    def _search_target(self) -> str | None:
        """The pane ``/`` searches: the focused one of the two, else the app log;
        the other one when that one is hidden (a maximised pane); None: neither shows."""
        log, interactions = self.log_pane, self.interactions_pane
        order: list[LogView | InteractionsView] = (
            [interactions, log] if self.focused is interactions else [log, interactions]
        )
        for pane in order:
            if self._pane_shown(pane):
                return "interactions" if pane is interactions else "log"
        return None

    # ------------------------------------------------------------ reading actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"search", "step_match", "clear_search", "cycle_level", "jump_alert",
                      "toggle_timeline", "export"} and len(self.screen_stack) > 1:
            return False
        if action == "step_match":
            return bool(self._matches) or self.interactions_pane.match_count > 0
        if action == "clear_search":
            return self._query is not None or self.interactions_pane.search_query is not None
        if action == "toggle_timeline":
            return self.current_session is not None
        if action == "export":
            return self.current_session is not None
        return True

    def action_search(self) -> None:
        target = self._search_target()
        if target is None:
            return
        self.search_bar.set_status("")
        self.search_bar.open("interactions" if target == "interactions" else "app log", pane=target)

    def action_step_match(self, step: int) -> None:
        if self.interactions_pane.search_query is not None:
            self.interactions_pane.step_match(step)
            return
        if not self._matches:
            return
        self._match = (self._match + step) % len(self._matches)
        current = self._matches[self._match]
        self.log_pane.go_to_line(current)
        query = self._query
        self.log_pane.set_highlight(query.spans if query else None, current, query.matches_raw if query else None)
        self._update_log_title()

    def action_clear_search(self) -> None:
        self._end_search()

    def set_level(self, level: LevelStep) -> None:
        """Show the lines of ``level`` and above in the log pane."""
        def apply() -> None:
            self._log_filters.level = level
            self._apply_view()
        self._need_facts(apply)

    def action_cycle_level(self) -> None:
        self.set_level(self._log_filters.level.next())

    def set_logger(self, name: str | None) -> None:
        """Show the lines of logger ``name`` and its children (None: every logger)."""
        def apply() -> None:
            self._log_filters.loggers = None if name is None else logger_filter(name)
            self._log_filters.logger_label = "(none)" if name == "" else (name or "")
            self._apply_view()
        self._need_facts(apply)

    def clear_filters(self) -> None:
        if self._log_filters.active:
            self._log_filters = Filters()
            self._need_facts(self._apply_view)

    def action_filter_logger(self) -> None:
        """A palette of the session's loggers (and their parents), by lines."""
        def choose() -> None:
            assert self._facts is not None
            commands = [
                (f"{name or '(no logger)'}", partial(self.set_logger, name),
                 f"{count:,} line{'s' if count != 1 else ''}")
                for name, count in self._facts.logger_choices()
            ]
            self.search_commands(commands, placeholder="Filter by logger…")
        self._need_facts(choose)

    def action_jump_alert(self, step: int) -> None:
        if self.focused is self.interactions_pane:
            self._jump_failed_interaction(step)
            return
        self._need_facts(partial(self._jump_alert, step))

    def _jump_alert(self, step: int) -> None:
        log = self.log_pane
        if self._facts is None or not log.line_count:
            return
        position = next_alert(self._facts, self._view, log.cursor_line, step)
        if position is None:
            self.notify(f"No {'later' if step > 0 else 'earlier'} warning or error", timeout=2)
            return
        log.go_to_line(position)

    def _jump_failed_interaction(self, step: int) -> None:
        pane = self.interactions_pane
        interactions = pane.interactions
        row = pane.cursor_row
        rows = range(row + 1, len(interactions)) if step > 0 else range(row - 1, -1, -1)
        for candidate in rows:
            if interactions[candidate].status in ("error", "malformed"):
                if candidate < len(interactions) - 1:
                    pane.follow = False
                pane.move_cursor(row=candidate)
                return
        self.notify(f"No {'later' if step > 0 else 'earlier'} failed interaction", timeout=2)

    def action_toggle_timeline(self) -> None:
        if self.current_session is None:
            return

        def apply() -> None:
            self._timeline = not self._timeline
            self._apply_view()
        self._need_facts(apply)

    def action_export(self) -> None:
        if self.current_session is not None:
            from session_explorer.ui.screens.export import ExportScreen

            self.push_screen(ExportScreen(self.catalog, self.current_session))

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

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # "Maximise pane" (z) and "Show keys" (?) are the palette's own: Textual's
        # near-namesakes would list each twice.
        for command in super().get_system_commands(screen):
            if command.title not in TEXTUAL_COMMANDS_REPLACED:
                yield command

    def palette_commands(self) -> list[PaletteCommand]:
        """The command palette's entries now (see :class:`~.commands.SessionCommands`)."""
        app = self
        commands: list[PaletteCommand] = [
            ("Toggle follow", "Keep the newest line in view (f)", app.log_pane.action_toggle_follow),
            ("Toggle wrap", "Wrap long app-log lines (w)", app.log_pane.action_toggle_wrap),
            ("Maximise pane", "Give the focused pane the whole screen (z)", app.action_maximize),
            ("Show keys", "Every key of every pane (?)", app.action_help),
            ("Go to all lines", "The whole app log", partial(app.action_go_to_session, None)),
            ("Search the focused pane", "App log or interactions: text, Text (exact case) or re:expression (/)",
             app.action_search),
            *(
                (f"Filter by level: {step.label}", "The app log's level filter (l cycles)",
                 partial(app.set_level, step))
                for step in LevelStep
            ),
            ("Filter by logger…", "Show one logger (and its children) in the app log", app.action_filter_logger),
            ("Clear filters", "Every line of the session again", app.clear_filters),
            ("Next warning or error", "In the focused pane (e; E: previous)", partial(app.action_jump_alert, 1)),
        ]
        if app.current_session is not None:
            commands += [
                ("Toggle merged timeline", "App-log lines and interactions in time order (t)",
                 app.action_toggle_timeline),
                ("Export session…", "Write the session to a Markdown or JSON file (x)", app.action_export),
            ]
        for summary in app.sessions_pane.summaries:
            details = " · ".join(
                part
                for part in (summary.main_model or "", summary.prompt[:80] if summary.prompt else "")
                if part
            )
            commands.append(
                (f"Go to session {summary.id}", details, partial(app.action_go_to_session, summary.id))
            )
        return commands

    def action_help(self) -> None:
        from session_explorer.ui.screens.detail import InteractionDetail
        from session_explorer.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen([
            ("Everywhere", self.BINDINGS),
            ("Sessions (1)", SessionList.BINDINGS),
            ("App log (2)", LogView.BINDINGS),
            ("Interactions (3)", InteractionsView.BINDINGS),
            ("An interaction (enter)", InteractionDetail.BINDINGS),
        ]))

    def action_go_to_session(self, session_id: str | None) -> None:
        self.sessions_pane.select_session(session_id)

    async def action_quit(self) -> None:
        self.workers.cancel_all()
        self.exit()

    def on_unmount(self) -> None:
        self.workers.cancel_all()
        # Stopping joins the feed's threads and the index build: not on this thread.
        feed, catalog = self.feed, self.catalog

        def close() -> None:
            if feed is not None:
                feed.stop()
            catalog.close()

        closing = threading.Thread(target=close, name="closing", daemon=True)
        closing.start()
        self._closing_thread = closing  # not _closing: textual's own flag


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
