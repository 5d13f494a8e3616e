"""The UI side of the live feed: what the shown session is, and how lines join it.

:class:`ShownSession` lives on the UI thread. It asks the feed to watch a session
(:meth:`ShownSession.begin`, which returns the token a loading worker waits for),
takes the session's snapshot when the worker has read it (:meth:`loaded`), and adds
the lines and interactions of each :class:`~session_explorer.core.live.feed.LiveBatch`
(:meth:`take`). Lines that arrive before the snapshot are kept and joined to it;
lines the snapshot already holds (before its coverage) are left out, so every line
is shown once and in order. Nothing here reads a file or takes a lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from textual.message import Message

from session_explorer.core.live.feed import LiveBatch
from session_explorer.core.models import Interaction, LogLine
from session_explorer.core.reading.sources import LiveLines
from session_explorer.core.session.catalog import CatalogState, SessionRead

#: A session shown live keeps at most this many lines in memory beyond its
#: snapshot; past that it is read again (from the index).
MAX_APPENDED = 50_000


class LiveBatchArrived(Message):
    """A batch of the live feed (lines, interactions, resets, progress)."""

    def __init__(self, batch: LiveBatch) -> None:
        super().__init__()
        self.batch = batch


class CatalogStateArrived(Message):
    """A new session list and progress, made off the UI thread."""

    def __init__(self, state: CatalogState) -> None:
        super().__init__()
        self.state = state


class SessionReadArrived(Message):
    """A session's snapshot and interactions, read by a worker for ``token``."""

    def __init__(self, token: int, read: SessionRead, keep_position: bool) -> None:
        super().__init__()
        self.token = token
        self.read = read
        self.keep_position = keep_position


@dataclass(slots=True)
class Joined:
    """What a batch added to the shown session: lines at ``start`` of its source,
    and interactions (``pending``: the unfinished JSONL line's bytes, None: same)."""

    start: int
    lines: list[LogLine]
    interactions: list[Interaction]
    pending: int | None
    reload: bool = False  # the session must be read again (reset, overflow, too long)


@dataclass(slots=True)
class ShownSession:
    """The session on screen and its live state (UI thread only)."""

    token: int = -1
    session_id: str | None = None
    source: LiveLines | None = None
    covered: dict[str, int] | None = None
    interactions_covered: int = 0
    _early_lines: list[LogLine] = field(default_factory=list)
    _early_interactions: list[Interaction] = field(default_factory=list)
    _early_pending: int | None = None
    _early_reload: bool = False
    #: While the shown session is read again, the lines keep joining what is shown.
    _previous: LiveLines | None = None
    _previous_covered: dict[str, int] | None = None
    _previous_interactions_covered: int = 0

    @property
    def loaded(self) -> bool:
        return self.source is not None

    def begin(self, session_id: str | None, token: int, *, again: bool = False) -> None:
        """A session is being read for ``token``: batches until then are kept.
        ``again``: the shown session read anew (after its index completed, say):
        meanwhile its lines keep joining the view on screen."""
        same = again and session_id == self.session_id and self.source is not None
        self._previous = self.source if same else None
        self._previous_covered = self.covered if same else None
        self._previous_interactions_covered = self.interactions_covered
        self.token = token
        self.session_id = session_id
        self.source = None
        self.covered = None
        self._early_lines = []
        self._early_interactions = []
        self._early_pending = None
        self._early_reload = False

    def loaded_read(self, read: SessionRead) -> tuple[LiveLines, list[Interaction], int, bool]:
        """Take the worker's read: (the lines to show, the interactions, the pending
        bytes, whether to read again at once because it is already stale)."""
        snapshot = read.lines
        self.covered = dict(snapshot.covered)
        self.interactions_covered = read.interactions.covered
        self.source = LiveLines(snapshot.source, self._join_lines(self._early_lines))
        interactions = [*read.interactions.interactions, *self._join_interactions(self._early_interactions)]
        pending = self._early_pending if self._early_pending is not None else read.interactions.pending
        reload = self._early_reload
        self._previous = self._previous_covered = None
        self._early_lines, self._early_interactions = [], []
        self._early_pending, self._early_reload = None, False
        return self.source, interactions, pending, reload

    def take(self, batch: LiveBatch) -> Joined | None:
        """Join a batch to the shown session (None: not for it, or not read yet)."""
        if batch.token != self.token:
            return None
        # Any app log starting over is read again (a view may draw on several).
        reload = bool(batch.overflow or batch.interactions_reset or batch.log_resets)
        if self.source is None:
            self._early_lines.extend(batch.lines)
            self._early_interactions.extend(batch.interactions)
            if batch.pending is not None:
                self._early_pending = batch.pending
            self._early_reload |= reload
            return self._join_previous(batch, reload)
        start = len(self.source)
        lines = self._join_lines(batch.lines)
        if lines:
            self.source.append(lines)
        reload |= len(self.source.appended) > MAX_APPENDED
        return Joined(start, lines, self._join_interactions(batch.interactions), batch.pending, reload)

    def _join_previous(self, batch: LiveBatch, reload: bool) -> Joined | None:
        """Lines of a batch that comes while the shown session is read again, added
        to the view on screen (the new reading takes them too)."""
        previous, covered = self._previous, self._previous_covered
        if previous is None or covered is None or reload:
            return None
        start = len(previous)
        lines = [line for line in batch.lines if line.offset >= covered.get(line.source, 0)]
        if lines:
            previous.append(lines)
        interactions = [i for i in batch.interactions if i.offset >= self._previous_interactions_covered]
        return Joined(start, lines, interactions, batch.pending)

    def _join_lines(self, lines: Sequence[LogLine]) -> list[LogLine]:
        covered = self.covered
        if covered is None:  # not read yet
            return []
        return [line for line in lines if line.offset >= covered.get(line.source, 0)]

    def _join_interactions(self, interactions: Sequence[Interaction]) -> list[Interaction]:
        return [i for i in interactions if i.offset >= self.interactions_covered]
