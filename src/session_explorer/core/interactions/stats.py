"""What one interactions file amounts to, for the session catalog: counts, models, tokens, times.

:class:`JsonlSummary` accumulates interactions as they are read, batch by batch
(:meth:`JsonlSummary.add_new` takes what a :class:`JsonlReader` has completed since
its previous call, for a live file), and hands out a frozen :class:`InteractionStats`
to pass between threads. :func:`summarise_file` summarises a file without keeping
its interactions; :func:`summarise_interactions` summarises interactions already read.

Lines read from a file are not normalised: :func:`~session_explorer.core.interactions.summary.line_facts`
decodes only the fields the totals need (see :mod:`session_explorer.core.interactions.summary`), with the same
results as the normaliser. Only until the first user text is found are lines
normalised whole, for their conversation.

Pure standard library, plus ``msgspec`` when it is installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

from session_explorer.core.interactions.reader import JsonlReader, parse_line
from session_explorer.core.interactions.summary import LineFacts, facts_of, line_facts
from session_explorer.core.models import Interaction


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

    __slots__ = ("_models", "count", "errors", "first_ts", "first_user_text", "last_ts", "malformed", "tokens")

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
        for interaction in interactions:
            self.add_facts(facts_of(interaction))
            if not self.first_user_text:
                self.first_user_text = _first_user_text(interaction)

    def add_facts(self, facts: LineFacts) -> None:
        """Count one line from its facts (see :mod:`session_explorer.core.interactions.summary`)."""
        self.count += 1
        if facts.malformed:
            self.malformed += 1
            return
        if facts.failed:
            self.errors += 1
        if (model := facts.model) is not None:
            self._models[model] = self._models.get(model, 0) + 1
        self.tokens += facts.tokens
        if (moment := facts.timestamp) is not None:
            if self.first_ts is None or moment < self.first_ts:
                self.first_ts = moment
            if self.last_ts is None or moment > self.last_ts:
                self.last_ts = moment

    def add_lines(self, lines: Iterable[bytes]) -> None:
        """Count raw JSONL lines (without their ``\\n``), in file order; blank ones are skipped.

        The same totals as :meth:`add` of the lines' interactions, without
        normalising them: only the fields the totals need are decoded. Lines are
        normalised whole only until one gives the first user text.
        """
        for raw in lines:
            if self.first_user_text:
                if (facts := line_facts(raw)) is not None:
                    self.add_facts(facts)
            elif (interaction := parse_line(raw, line_number=1, offset=0)) is not None:
                self.add((interaction,))

    def add_new(self, reader: JsonlReader) -> None:
        """Add the lines ``reader`` completed since its previous call (streamed, not kept).

        Each new complete line is decoded once, and only for the fields the totals
        need (see :meth:`add_lines`); a torn last line waits for its end.
        """
        found = reader.iter_new_lines()
        first = next(found, None)  # the reader checks for a restart on its first step
        if reader.last_reset is not None:
            self.reset()
        if first is not None:
            self.add_lines(chain((first,), found))

    def state(self) -> dict[str, object]:
        """The totals as plain values (for the persistent index)."""
        return {
            "count": self.count, "malformed": self.malformed, "errors": self.errors, "tokens": self.tokens,
            "first_ts": self.first_ts.isoformat() if self.first_ts else None,
            "last_ts": self.last_ts.isoformat() if self.last_ts else None,
            "first_user_text": self.first_user_text, "models": list(self._models.items()),
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Take totals :meth:`state` gave (raises on a malformed state)."""
        self.reset()
        self.count = int(state["count"])
        self.malformed = int(state["malformed"])
        self.errors = int(state["errors"])
        self.tokens = int(state["tokens"])
        first, last = state["first_ts"], state["last_ts"]
        self.first_ts = datetime.fromisoformat(first) if isinstance(first, str) else None
        self.last_ts = datetime.fromisoformat(last) if isinstance(last, str) else None
        self.first_user_text = str(state["first_user_text"])
        self._models = {str(model): int(count) for model, count in state["models"]}

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
