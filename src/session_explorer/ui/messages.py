"""Messages from the workers to the app."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.message import Message

from session_explorer.core.catalog import Change
from session_explorer.core.models import Interaction, LogLine
from session_explorer.ui.sources import LineSource


class CatalogOpened(Message):
    """The catalog has its first listing (indexing may go on in the background).

    ``first``: the session the opening worker reads next and posts as
    :class:`SessionLoaded` (None: none).
    """

    def __init__(self, first: str | None = None) -> None:
        super().__init__()
        self.first = first


@dataclass(frozen=True, slots=True)
class NewLines:
    """Lines ``start`` on of ``source``, read by the tail worker after an append."""

    source: LineSource
    start: int
    lines: list[LogLine]


class CatalogChanged(Message):
    """What one poll of the catalog found (new lines, interactions, sessions...).

    ``new_lines``: the shown session's new lines, when the worker read them.
    """

    def __init__(self, changes: Sequence[Change], new_lines: NewLines | None = None) -> None:
        super().__init__()
        self.changes = tuple(changes)
        self.new_lines = new_lines


class SessionLoaded(Message):
    """A session's lines and interactions are ready to show."""

    def __init__(
        self,
        session_id: str | None,
        source: LineSource,
        interactions: Sequence[Interaction],
        *,
        keep_position: bool = False,
    ) -> None:
        super().__init__()
        self.session_id = session_id
        self.source = source
        self.interactions = list(interactions)
        self.keep_position = keep_position


class WorkerFailed(Message):
    """A background task failed: shown to the user, the app goes on."""

    def __init__(self, what: str, error: BaseException) -> None:
        super().__init__()
        self.what = what
        self.error = error
