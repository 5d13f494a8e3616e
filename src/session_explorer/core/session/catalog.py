"""The sessions of a logs directory: what the explorer and the headless commands read.

A :class:`Catalog` joins the two kinds of logs: the app logs (each an
:class:`AppLogSource`: an index built in the background, then followed) and the
interaction files (:class:`SessionFiles`). It answers with frozen values
(:class:`SessionSummary`, :class:`LogLine`, :class:`Interaction`, :class:`CatalogState`,
:class:`~session_explorer.core.reading.sources.Snapshot`) and line sources the views read a range at a time.
:meth:`Catalog.poll` follows every file once and returns what changed, as
:data:`Change` values, with the appended lines and interactions of the session
shown; the live feed (:mod:`session_explorer.core.live.feed`) is its one caller.

Every method may read files or wait for a lock held during I/O: none is for a UI
thread, which gets :class:`CatalogState` values and snapshots in messages instead.

What is known cheaply (file names, sizes) is there at once; counts that need the
index or the JSONL files fill in as they are read.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from session_explorer.core import threadcheck
from session_explorer.core.applog.blocks import IndexProgress as BuildProgress
from session_explorer.core.applog.blocks import SessionStats
from session_explorer.core.applog.merge import merge_by_time, merge_lazily
from session_explorer.core.background import background_workers, drop_shared_pool, shared_pool, worker_processes_allowed
from session_explorer.core.cache import jsonl_cache
from session_explorer.core.cache.jsonl_cache import summarise_files
from session_explorer.core.cache.store import CacheStore, default_store
from session_explorer.core.interactions.stats import InteractionStats
from session_explorer.core.live.changes import (
    Change,
    IndexProgress,
    InteractionsAppended,
    InteractionsReset,
    LinesAppended,
    LogReset,
    Problem,
    SessionsChanged,
)
from session_explorer.core.live.directory import DirectoryWatcher
from session_explorer.core.live.events import NewFile
from session_explorer.core.models import (
    GROWING_SECONDS,
    Interaction,
    LogLine,
    SessionSummary,
)
from session_explorer.core.reading.sources import (
    AllLines,
    ConcatLines,
    LineSource,
    ListLines,
    SessionLines,
    Snapshot,
    index_snapshot,
)
from session_explorer.core.session.app_logs import AppLogSource
from session_explorer.core.session.layout import Layout
from session_explorer.core.session.session_file import SessionFile
from session_explorer.core.session.session_files import LoadedInteractions, SessionFiles
from session_explorer.core.session.summaries import (
    add_stats,
    make_summary,
    newest_first,
    newest_sessions,
    resolve_session,
)

#: Interaction files of at least this many bytes in all are summarised in a worker
#: process (when the program allows them), this many files a task.
WORKER_SUMMARY_BYTES = 32 << 20
SUMMARY_BATCH = 64
#: How often (seconds) appended lines refresh the sessions' counts.
_COUNTS_REFRESH = 1.0
#: How often (seconds) the live markers of the session list are re-evaluated.
_LIVE_TICK = 5.0
#: How many of an app log's newest lines name the sessions listed before its index.
NEWEST_LINES = 200


@dataclass(frozen=True, slots=True)
class CatalogState:
    """What a view shows of the catalog at one moment (built off the UI thread)."""

    sessions: tuple[SessionSummary, ...]
    progress: IndexProgress
    total_lines: int
    has_app_logs: bool
    from_cache: bool = False  # the app logs' index was taken from the persistent index

    def resolve(self, query: str) -> str:
        return resolve_session([s.id for s in self.sessions], query)


@dataclass(frozen=True, slots=True)
class SessionRead:
    """A session (None: every line) as read for a view: its lines and interactions."""

    session_id: str | None
    lines: Snapshot
    interactions: LoadedInteractions


# ----------------------------------------------------------------------- catalog
class Catalog:
    """The sessions of one logs directory (see the module docstring)."""

    def __init__(self, layout: Layout, *, block_size: int | None = None,
                 cache: CacheStore | bool | None = True) -> None:
        self.layout = layout
        #: The persistent index: a store, or True for the one the command line set
        #: up (:func:`.cache.store.default_store`, opened with the catalog), None.
        self._cache_choice = cache
        self.cache: CacheStore | None = None
        self._block_size = block_size
        self._lock = threadcheck.lock("Catalog", reentrant=True)
        self.files = SessionFiles(layout.interactions_dir)
        self.sources: list[AppLogSource] = []
        self._app_log_watcher = (
            DirectoryWatcher(layout.app_log_dir, "*.log", report_existing=True)
            if layout.app_log_dir is not None
            else None
        )
        self._appended_at: dict[str, float] = {}
        #: time.monotonic() of the last append seen by a poll (live markers age from it).
        self.last_change = 0.0
        #: Called (from any thread) when background work changed something a poll
        #: reports: the live feed sets it to wake itself.
        self.wake: Callable[[], None] | None = None
        self._problems: list[str] = []
        self._dirty = threading.Event()  # summaries changed in a background thread
        self._progress_seen: tuple[int, int, bool] | None = None
        self._version = 0  # bumped whenever a poll sees a change to the sessions
        self._counts_refreshed_at = 0.0
        self._newest_cache: dict[str, tuple[object, dict[str, SessionStats]]] = {}
        self._summaries: dict[str, tuple[tuple[object, ...], SessionSummary]] = {}
        self._build_lock = threadcheck.lock("Catalog.sessions")
        self._sessions_cache: tuple[tuple[int, int], list[SessionSummary]] | None = None
        self._scanner: threading.Thread | None = None
        self._stop = threading.Event()
        self._opened = False
        self._background = False

    # ---------------------------------------------------------------- lifecycle
    @property
    def opened(self) -> bool:
        return self._opened

    @threadcheck.off_ui
    def open(self, *, wait: bool = False, background: bool = True) -> None:
        """Open the logs, start indexing the app logs and summarising the interaction
        files.

        With ``wait`` it returns when both are complete (for the headless commands).
        With ``background`` False the files are opened but the indexing and the
        summaries wait for :meth:`start_background`: what is cheap (the sessions named
        by the files, the newest lines, a session's first page) answers at once, so
        a viewer can draw its first screen before the long work takes the CPU.
        """
        with self._lock:
            if self._opened:
                return
            self._opened = True
            self._background = background or wait
            choice = self._cache_choice
            self.cache = default_store() if choice is True else (choice or None)
            if self.cache is not None and self.cache.problem and not getattr(self.cache, "reported", False):
                self.cache.reported = True  # type: ignore[attr-defined]  # said once per process
                self._problems.append(self.cache.problem)
            if self.cache is not None:
                jsonl_cache.restore(self.files, self.cache)
            for path in self.layout.app_logs:
                self._add_source(path)
        if wait:
            self.files.scan()
            self._save_summaries()
            for source in self.sources:
                source.wait()
            self._changed_in_background()
        elif background:
            self._start_scanner()

    @threadcheck.off_ui
    def start_background(self) -> None:
        """Start the work :meth:`open` left for later (once; nothing when started)."""
        with self._lock:
            if not self._opened or self._background:
                return
            self._background = True
            for source in self.sources:
                source.start_build()
        self._start_scanner()

    def _start_scanner(self) -> None:
        self._scanner = threading.Thread(target=self._scan_files, name="catalog-scan", daemon=True)
        self._scanner.start()

    def _add_source(self, path: Path) -> AppLogSource:
        source = AppLogSource(path, block_size=self._block_size, on_progress=self._on_build_progress,
                              cache=self.cache)
        try:
            source.start(build=self._background)
        except OSError as error:
            self._problems.append(f"{path}: {error.strerror or error}")
            return source
        for skipped in source.skipped:
            self._problems.append(f"{skipped}: compressed rotation not read")
        self.sources.append(source)
        return source

    def _scan_files(self) -> None:
        if worker_processes_allowed():
            self._scan_in_worker()
        while not self._stop.is_set():
            done = self.files.scan(budget=0.1)
            self._changed_in_background()
            if done:
                self._save_summaries()
                return

    def _scan_in_worker(self) -> None:
        """Summarise the files in a worker process (a big directory: the work leaves
        this process's interpreter to the screen and the live feed). What it could
        not do is left to :meth:`SessionFiles.scan`."""
        waiting = [f for f in sorted(self.files, key=lambda f: f.session_id, reverse=True) if not f.scanned]
        total = 0
        for file in waiting:  # enough to be worth a process? (stops counting once it is)
            total += _size(file.name)
            if total >= WORKER_SUMMARY_BYTES:
                break
        else:
            return
        try:
            pool = shared_pool(background_workers())
        except (OSError, ValueError, RuntimeError):
            return
        batches = [waiting[i:i + SUMMARY_BATCH] for i in range(0, len(waiting), SUMMARY_BATCH)]
        try:
            futures = [(batch, pool.submit(summarise_files, [f.name for f in batch])) for batch in batches]
            for batch, future in futures:
                if self._stop.is_set():
                    break
                for file, entry in zip(batch, future.result(), strict=False):
                    if entry is not None:
                        self.files.take_summary(file, entry)
                self._changed_in_background()
        except (BrokenProcessPool, OSError, RuntimeError):
            drop_shared_pool(pool)  # the rest is summarised here

    def _save_summaries(self) -> None:
        if self.cache is not None:
            jsonl_cache.save(self.files, self.cache)

    def _on_build_progress(self, progress: BuildProgress) -> None:
        # Sessions found by the build change the list; its progress is reported by
        # the next poll, which comes now (no file event would bring it).
        if progress.new_sessions:
            self._dirty.set()
        if self.wake is not None:
            self.wake()

    def _changed_in_background(self) -> None:
        """The background readers changed the summaries: the list is made again
        at the next poll, which comes now."""
        self._dirty.set()
        if self.wake is not None:
            self.wake()

    @threadcheck.off_ui
    def close(self) -> None:
        self._stop.set()
        if self._opened and self.files.scanned:
            self._save_summaries()  # with what was appended since
        for source in self.sources:
            source.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @threadcheck.off_ui
    def problems(self) -> list[str]:
        """What could not be read (once each)."""
        problems, self._problems = self._problems, []
        return problems

    # ------------------------------------------------------------------ progress
    @threadcheck.off_ui
    def progress(self) -> IndexProgress:
        done = total = 0
        complete = True
        for source in self.sources:
            if source.index is None:
                continue
            d, t = source.index.progress
            done, total = done + d, total + t
            complete = complete and source.complete
        return IndexProgress(done, total, complete)

    # ------------------------------------------------------- for the live feed
    def watched_dirs(self) -> list[str]:
        """The directories whose file-system events should wake the live feed."""
        layout = self.layout
        dirs = {layout.root, layout.interactions_dir}
        if layout.app_log_dir is not None:
            dirs.add(layout.app_log_dir)
        return sorted(str(d) for d in dirs)

    def show_interactions(self, session_id: str | None) -> None:
        """Read the interactions of ``session_id`` in full from now on (see
        :meth:`SessionFiles.show`)."""
        self.files.show(session_id)

    @property
    def interactions_behind(self) -> bool:
        """A poll left interaction files to the background scan: poll again soon."""
        return self.files.behind

    @property
    def settled(self) -> bool:
        """Opened, every interaction file summarised and every app log indexed."""
        return self._opened and self.files.scanned and self.progress().complete

    @threadcheck.off_ui
    def total_lines(self) -> int:
        return sum(s.index.line_count for s in self.sources if s.index is not None)

    # ------------------------------------------------------------------ sessions
    @threadcheck.off_ui
    def sessions(self) -> list[SessionSummary]:
        """Every session, newest first (``in-progress`` last).

        Cheap to call again: the list is rebuilt only after :meth:`poll` or a
        background reader saw a change (or every few seconds, as sessions stop
        being live).
        """
        with self._build_lock:  # the UI and the tail worker both ask: built once
            key = (self._version, int(time.monotonic() // _LIVE_TICK))
            cached = self._sessions_cache
            if cached is not None and cached[0] == key and not self._dirty.is_set():
                return list(cached[1])
            summaries = self._build_sessions()
            self._sessions_cache = (key, summaries)
            return list(summaries)

    def _build_sessions(self) -> list[SessionSummary]:
        stats = self._log_stats()
        files = {f.session_id: f for f in self.files}
        now = time.monotonic()
        indexed = self.progress().complete
        ids = set(files) | set(stats)
        summaries = [self._summary(sid, files.get(sid), stats.get(sid), now, indexed) for sid in ids]
        for gone in self._summaries.keys() - ids:
            self._summaries.pop(gone, None)
        summaries.sort(key=lambda s: s.id, reverse=True)  # same start: ``_2`` before plain
        summaries.sort(key=newest_first)
        return summaries

    def _log_stats(self) -> dict[str, SessionStats]:
        merged: dict[str, SessionStats] = {}
        for source in self.sources:
            if source.index is None:
                continue
            for sid, s in source.index.session_stats().items():
                merged[sid] = add_stats(merged[sid], s) if sid in merged else s
            if not source.index.complete:
                for sid, s in self._newest_sessions(source).items():
                    merged.setdefault(sid, s)
        return merged

    def _newest_sessions(self, source: AppLogSource) -> dict[str, SessionStats]:
        """The sessions of a log's newest lines, known before its index reaches them
        (times from those lines; counts come with the index)."""
        index = source.index
        cached = self._newest_cache.get(source.name)
        if cached is not None and cached[0] is index:
            return cached[1]
        found = newest_sessions(index, NEWEST_LINES) if index is not None else {}
        self._newest_cache[source.name] = (index, found)
        return found

    def _summary(
        self, sid: str, file: SessionFile | None, log: SessionStats | None, now: float, indexed: bool = True
    ) -> SessionSummary:
        jsonl: InteractionStats | None = file.stats if file is not None else None
        changed = [t for t in (file.changed_at if file else None, self._appended_at.get(sid)) if t]
        growing = bool(changed) and now - max(changed) < GROWING_SECONDS
        # Thousands of sessions, few of which change between two lists: a summary
        # is made again only when what it is made of changed.
        inputs = (jsonl, file.name if file is not None else None, log, growing, log is not None or not indexed)
        cached = self._summaries.get(sid)
        if cached is not None and cached[0] == inputs:
            return cached[1]
        summary = make_summary(sid, file, jsonl, log, growing, indexed)
        self._summaries[sid] = (inputs, summary)
        return summary

    @threadcheck.off_ui
    def resolve(self, query: str) -> str:
        """A session id from an id, a unique prefix, or ``latest``."""
        return resolve_session([s.id for s in self.sessions()], query)

    @threadcheck.off_ui
    def state(self) -> CatalogState:
        """The session list and the progress, for a view (see :class:`CatalogState`)."""
        return CatalogState(tuple(self.sessions()), self.progress(), self.total_lines(), bool(self.sources),
                            bool(self.sources) and all(s.restored for s in self.sources))

    # ------------------------------------------------------------------- reading
    @threadcheck.off_ui
    def snapshot(self, session_id: str | None) -> Snapshot:
        """A session's lines (None: every line) for a live view: fixed in length, and
        what they cover, so that lines the live feed brings later join them without
        a gap or a line twice. Reads from disk."""
        parts: list[LineSource] = []
        covered: dict[str, int] = {}
        partial = False
        for source in list(self.sources):
            index = source.index
            if index is None:
                continue
            lines, covered[source.name] = index_snapshot(index, session_id)
            # A preview without lines is partial too (its scan may have given up):
            # the view is read again when the index completes.
            partial = partial or getattr(lines, "partial", False)
            if len(lines) or session_id is None:
                parts.append(lines)
        if len(parts) == 1:
            return Snapshot(parts[0], covered, partial)
        if session_id is None:
            return Snapshot(ConcatLines(parts), covered, partial)
        in_memory = [part.lines for part in parts if isinstance(part, ListLines)]
        lazily = merge_lazily(in_memory) if len(in_memory) == len(parts) else None
        if lazily is not None:  # lines found ahead of the index: made when the view reads them
            return Snapshot(ListLines(lazily, partial=partial), covered, partial)
        merged = merge_by_time(part.read(0, len(part)) for part in parts)
        return Snapshot(ListLines(list(merged), partial=partial), covered, partial)

    @threadcheck.off_ui
    def read_session(self, session_id: str | None) -> SessionRead:
        """A session's snapshot and interactions, read for a view (in a worker)."""
        interactions = self.files.read_all(session_id) if session_id else LoadedInteractions((), 0, 0)
        return SessionRead(session_id, self.snapshot(session_id), interactions)


    # ------------------------------------------------------------------- reading
    @threadcheck.off_ui
    def session_lines(self, session_id: str | None) -> LineSource:
        """The lines of a session (None: every line), for a view to read by range.

        May read from disk: call it from a worker thread.
        """
        indexes = [s.index for s in self.sources if s.index is not None]
        if session_id is None:
            if len(indexes) == 1:
                return AllLines(indexes[0])
            return ConcatLines([AllLines(index) for index in indexes])
        having = [index for index in indexes if index.session_line_count(session_id) or not index.complete]
        if len(having) == 1:
            return SessionLines(having[0], session_id)
        if not having:
            return ListLines([])
        streams = [SessionLines(index, session_id) for index in having]
        return ListLines(list(merge_by_time(stream.read(0, len(stream)) for stream in streams)))

    @threadcheck.off_ui
    def iter_session_lines(self, session_id: str) -> Iterator[LogLine]:
        """Every line of a session in log order (across rotations and sources)."""
        source = self.session_lines(session_id)
        step = 4096
        for start in range(0, len(source), step):
            yield from source.read(start, start + step)

    @threadcheck.off_ui
    def interactions(self, session_id: str) -> list[Interaction]:
        """The session's interactions (every complete line of its file)."""
        return self.files.interactions(session_id)

    # ------------------------------------------------------------------- polling
    @threadcheck.off_ui
    def poll(self, shown: str | None = None, *, showing: bool = False,
             changed: set[str] | None = None) -> list[Change]:
        """Follow every file once; what changed since the last call.

        With ``showing``, the appended lines of session ``shown`` (every line when
        None) come in :class:`LinesAppended` and its new interactions in
        :class:`InteractionsAppended`, each read once. ``changed``: the paths that
        file-system events named, when there are events (see
        :meth:`SessionFiles.poll`).
        """
        changes: list[Change] = []
        sessions_changed = self._dirty.is_set()
        self._dirty.clear()
        appended: set[str] = set()
        streams: list[tuple[LogLine, ...]] = []
        now = time.monotonic()

        for source in list(self.sources):
            event = source.poll(shown, want_lines=showing)
            if event.problem:
                changes.append(Problem(event.problem))
            if event.reset:
                changes.append(LogReset(source.name))
                sessions_changed = True
            appended |= event.appended_sessions
            if event.lines:
                streams.append(event.lines)
        lines = streams[0] if len(streams) == 1 else tuple(merge_by_time(streams))
        for sid in appended:
            if sid not in self._appended_at:
                sessions_changed = True
            self._appended_at[sid] = now
        if appended:
            self.last_change = now
        if appended:
            changes.append(LinesAppended(frozenset(appended), lines))
            # Counts and badges of sessions already listed are refreshed once a
            # second while lines stream in, not with every line.
            if now - self._counts_refreshed_at >= _COUNTS_REFRESH:
                sessions_changed = True
        if sessions_changed:
            self._counts_refreshed_at = now

        for change in self.files.poll(shown if showing else None, changed):
            if change.reset:
                changes.append(InteractionsReset(change.session_id))
            elif showing and change.session_id == shown and not change.new:
                changes.append(InteractionsAppended(change.session_id, change.appended, change.pending))
            if change.appended or change.reset or change.new or change.removed:
                sessions_changed = True
                self.last_change = now

        if self._app_log_watcher is not None:
            for file_event in self._app_log_watcher.poll():
                if isinstance(file_event, NewFile) and not any(s.path == Path(file_event.path) for s in self.sources):
                    with self._lock:
                        self._add_source(Path(file_event.path))
                    changes.append(LogReset(Path(file_event.path).name))
                    sessions_changed = True

        progress = self.progress()
        key = (progress.done, progress.total, progress.complete)
        if key != self._progress_seen:
            if progress.complete and not (self._progress_seen or (0, 0, False))[2]:
                sessions_changed = True  # a build just ended: exact counts for all
            self._progress_seen = key
            changes.append(progress)
        changes.extend(Problem(p) for p in self.problems())
        if sessions_changed:
            self._version += 1
            changes.insert(0, SessionsChanged())
        return changes


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
