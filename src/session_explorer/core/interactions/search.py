"""Searching a session's interactions with the query typed after ``/``.

An interaction matches when the query (:class:`~session_explorer.core.query.Query`, the same rules as
the app-log search: smart case, ``re:``) matches one of its texts on its own: the
provider and the model, each message's text (tool results included), the name and
the arguments of each tool call (requested in a message or in the output), the
output text, the error, and for a malformed line its raw text. The caller may add
texts of its own (what the interactions table shows in the row).

Texts are matched one at a time, so a match never runs from one field into the next.
Tool-call arguments are matched as compact JSON and, string by string, as written
(``"Paris\\nFrance"`` matches ``Paris`` followed by a line break).

:func:`matching_interactions` searches a whole session; it reports progress and can
be cancelled, for a thread (a long session holds tens of megabytes of text).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from typing import Any

from session_explorer.core.models import Interaction, ToolCall
from session_explorer.core.query import Query

#: Interactions matched between two looks at ``cancel`` (and progress reports).
PROGRESS_EVERY = 64
#: Characters JSON writes as an escape (``ensure_ascii=False``).
_ESCAPED = re.compile(r'["\\\x00-\x1f]')
#: Joins the texts of an interaction for a plain query, which cannot contain it:
#: one scan instead of one per text, and still no match across two texts.
_SEPARATOR = "\x00"


def interaction_texts(interaction: Interaction) -> Iterator[str]:
    """The texts of ``interaction`` a search looks at, each on its own."""
    for value in (interaction.provider, interaction.model):
        if value:
            yield value
    for message in interaction.messages:
        if message.text:
            yield message.text
        if message.name:
            yield message.name
        for call in message.tool_calls:
            yield from _call_texts(call)
    if interaction.output_text:
        yield interaction.output_text
    for call in interaction.output_tool_calls:
        yield from _call_texts(call)
    if interaction.error:
        yield interaction.error
    if interaction.parse_error is not None and interaction.raw_text:
        yield interaction.raw_text


def _call_texts(call: ToolCall) -> Iterator[str]:
    if call.name:
        yield call.name
    arguments = call.arguments
    if isinstance(arguments, str):
        if arguments:
            yield arguments
        return
    if arguments is None:
        return
    yield json.dumps(arguments, ensure_ascii=False, default=str)
    yield from _strings(arguments)


def _strings(value: Any) -> Iterator[str]:
    """The strings inside a parsed JSON value that JSON writes otherwise (with
    escapes: line breaks, quotes, backslashes, controls), as written."""
    if isinstance(value, str):
        if _ESCAPED.search(value):
            yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(str(key))
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def interaction_matches(query: Query, interaction: Interaction, extra: Iterable[str] = ()) -> bool:
    """Whether ``query`` matches one of ``extra`` or of the interaction's texts."""
    texts = chain(extra, interaction_texts(interaction))
    if not query.is_regex and _SEPARATOR not in query.pattern:
        return query.matches(_SEPARATOR.join(texts))
    return any(query.matches(text) for text in texts if text)


def matching_interactions(
    query: Query,
    interactions: Sequence[Interaction],
    extra: Callable[[Interaction], Iterable[str]] | None = None,
    *,
    cancel: threading.Event | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[int]:
    """Indexes (ascending) of the interactions that match; ``extra(interaction)``
    gives more texts of an interaction (its row in a table).

    ``progress(done, total)`` is called every :data:`PROGRESS_EVERY` interactions;
    when ``cancel`` is set the indexes found so far are returned.
    """
    found: list[int] = []
    total = len(interactions)
    for index, interaction in enumerate(interactions):
        if index % PROGRESS_EVERY == 0 and index:
            if cancel is not None and cancel.is_set():
                return found
            if progress is not None:
                progress(index, total)
        if interaction_matches(query, interaction, extra(interaction) if extra is not None else ()):
            found.append(index)
    return found
