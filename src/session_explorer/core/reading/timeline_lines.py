"""The merged timeline as a line source: a session's app-log lines and its
interactions in one time-ordered stream (see :func:`.timeline.merge_timeline`).

The log view reads it like any other source; an interaction comes back as an
:class:`InteractionRow`, which the view draws as a one-line summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from session_explorer.core.interactions.oneline import INTERACTION_RULE, interaction_summary
from session_explorer.core.models import Interaction, LogLine, RecordHead
from session_explorer.core.reading.sources import LineSource
from session_explorer.core.reading.timeline import TimelineItem


@dataclass(frozen=True, slots=True)
class InteractionRow:
    """An interaction in the merged timeline; shaped like a continuation line so
    that the view and the search read it without a special case (``raw`` is the
    summary the row shows)."""

    interaction: Interaction
    index: int  # in the session's interactions
    session_id: str = ""
    raw: bytes = b""
    ending: bytes = b"\n"
    head: RecordHead | None = None
    record_head: RecordHead | None = None
    source: str = ""
    line_number: int = -1
    offset: int = 0

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8", "replace")

    @property
    def level(self) -> str | None:
        return None

    @property
    def timestamp(self) -> datetime | None:  # the interaction's time
        return self.interaction.timestamp


def interaction_row(interaction: Interaction, index: int, session_id: str = "") -> InteractionRow:
    summary = f"{INTERACTION_RULE} {interaction_summary(interaction)}"
    return InteractionRow(interaction, index, session_id, summary.encode("utf-8"))


class TimelineSource:
    """``items`` (lines of ``lines`` and interactions) as one source.

    ``lines`` is the session's (possibly filtered) source: a ``line`` item's index
    is a position in it.
    """

    def __init__(
        self,
        lines: LineSource,
        interactions: Sequence[Interaction],
        items: Sequence[TimelineItem],
        session_id: str = "",
    ) -> None:
        self.lines = lines
        self.items = list(items)
        self.rows = [
            interaction_row(interactions[item.index], item.index, session_id)
            if item.kind == "interaction" else None
            for item in self.items
        ]

    def __len__(self) -> int:
        return len(self.items)

    def item(self, position: int) -> TimelineItem:
        return self.items[position]

    def position_of_line(self, line: int) -> int:
        """The position of line ``line`` of ``lines`` (or of the row after it)."""
        for position, item in enumerate(self.items):
            if item.kind == "line" and item.index >= line:
                return position
        return max(0, len(self.items) - 1)

    def read(self, start: int, stop: int) -> list[LogLine | InteractionRow]:
        wanted = self.items[max(start, 0):max(stop, 0)]
        numbers = [item.index for item in wanted if item.kind == "line"]
        read: dict[int, LogLine] = {}
        if numbers:
            first, last = min(numbers), max(numbers)
            for offset, line in enumerate(self.lines.read(first, last + 1)):
                read[first + offset] = line
        out: list[LogLine | InteractionRow] = []
        for position, item in enumerate(wanted, start=max(start, 0)):
            if item.kind == "interaction":
                row = self.rows[position]
                assert row is not None
                out.append(row)
            elif item.index in read:
                out.append(read[item.index])
            else:
                break
        return out
