"""What one interactions file amounts to, for the session catalog: counts, models, tokens, times.

:class:`JsonlSummary` accumulates interactions as they are read, batch by batch
(:meth:`JsonlSummary.add_new` takes what a :class:`JsonlReader` has completed since
its previous call, for a live file), and hands out a frozen :class:`InteractionStats`
to pass between threads. :func:`summarise_file` summarises a file without keeping
its interactions (constant memory, and a third faster than reading them all
first); :func:`summarise_interactions` summarises interactions already read.

Pure standard library.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from .interactions import JsonlReader
from .models import Interaction


@dataclass(frozen=True, slots=True)
class InteractionStats:
    """The summary of an interactions file.

    ``count`` counts every interaction, malformed lines included (blank lines are
    not interactions); ``errors`` those whose call failed (``error`` set);
    ``models`` the model names by number of interactions, most used first (ties
    in the order first seen); ``tokens`` the sum of the usage totals;
    ``first_ts`` / ``last_ts`` the earliest and latest timestamps (file order
    does not matter); ``first_user_text`` the text of the first user message of
    the first interaction that has one: what the session was started with.
    """

    count: int = 0
    malformed: int = 0
    errors: int = 0
    models: tuple[str, ...] = ()
    tokens: int = 0
    first_ts: datetime | None = None
    last_ts: datetime | None = None
    first_user_text: str = ""

    @property
    def last_user_text_first(self) -> str:
        """The same as ``first_user_text`` (the name the catalog asked for)."""
        return self.first_user_text

    @property
    def main_model(self) -> str | None:
        return self.models[0] if self.models else None


class JsonlSummary:
    """Running totals of an interactions file, fed batch by batch.

    Feed each interaction once. :meth:`add_new` does that with a reader: it
    starts over when the reader does (file truncated or replaced) and never sees
    a torn last line until it is complete. Whoever calls :meth:`add` with the
    reader's ``read_new()`` instead calls :meth:`reset` when ``last_reset`` is set.
    """

    __slots__ = ("count", "malformed", "errors", "tokens", "first_ts", "last_ts", "first_user_text", "_models")

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget everything added so far."""
        self.count = 0
        self.malformed = 0
        self.errors = 0
        self.tokens = 0
        self.first_ts: datetime | None = None
        self.last_ts: datetime | None = None
        self.first_user_text = ""
        self._models: dict[str, int] = {}  # insertion order is first-seen order

    def add(self, interactions: Iterable[Interaction]) -> None:
        """Count a batch of interactions, in file order."""
        models = self._models
        for interaction in interactions:
            self.count += 1
            if interaction.parse_error is not None:
                self.malformed += 1
                continue
            if interaction.error is not None:
                self.errors += 1
            if interaction.model is not None:
                models[interaction.model] = models.get(interaction.model, 0) + 1
            self.tokens += interaction.usage.total or 0
            if (moment := interaction.timestamp) is not None:
                if self.first_ts is None or moment < self.first_ts:
                    self.first_ts = moment
                if self.last_ts is None or moment > self.last_ts:
                    self.last_ts = moment
            if not self.first_user_text:
                self.first_user_text = _first_user_text(interaction)

    def add_new(self, reader: JsonlReader) -> None:
        """Add the lines ``reader`` completed since its previous call (streamed, not kept).

        Only the first line's conversation is read (for ``first_user_text``): the
        counts need the model, usage, time and error of each line, not its messages.
        """
        found = reader.iter_new(light=True)
        first = next(found, None)  # the reader checks for a restart on its first step
        if reader.last_reset is not None:
            self.reset()
        if first is not None:
            self.add(chain((first,), found))

    @property
    def models(self) -> tuple[str, ...]:
        """Model names, most interactions first; ties in the order first seen."""
        counts = self._models
        return tuple(sorted(counts, key=lambda model: -counts[model]))  # sorted() is stable

    def stats(self) -> InteractionStats:
        """A frozen copy of the totals so far."""
        return InteractionStats(
            count=self.count,
            malformed=self.malformed,
            errors=self.errors,
            models=self.models,
            tokens=self.tokens,
            first_ts=self.first_ts,
            last_ts=self.last_ts,
            first_user_text=self.first_user_text,
        )


def summarise_file(path: str | os.PathLike[str]) -> InteractionStats:
    """The summary of a JSONL file's complete lines (a torn last line is left out).

    Raises FileNotFoundError for a missing file.
    """
    reader = JsonlReader(path)
    summary = JsonlSummary()
    summary.add_new(reader)
    if not reader.exists:
        raise FileNotFoundError(path)
    return summary.stats()


def summarise_interactions(interactions: Iterable[Interaction]) -> InteractionStats:
    """The summary of a whole file's interactions (as :func:`read_interactions` gives them)."""
    summary = JsonlSummary()
    summary.add(interactions)
    return summary.stats()


def _first_user_text(interaction: Interaction) -> str:
    for message in interaction.messages:
        if message.role == "user" and message.text:
            return message.text
    return ""


__all__ = ["InteractionStats", "JsonlSummary", "summarise_file", "summarise_interactions"]
