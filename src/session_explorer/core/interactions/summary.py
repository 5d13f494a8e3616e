"""What one interactions line adds to its file's summary, read without normalising it.

A file's summary (:class:`~session_explorer.core.interactions.stats.JsonlSummary`) counts, per line:
whether it is malformed, whether the call failed, its model, its token total and
its time. Those come from a handful of small fields (the record's own ``model``,
``usage``, ``error`` and time, the request's ``model``, the response's model,
usage, error and creation time), while the bulk of a line is the conversation so
far and the tool schemas. :func:`line_facts` reads just those fields.

With ``msgspec`` installed, a typed schema decodes the fields the normaliser reads
and skips everything else without building it (the JSON is still checked as it
is skipped). The schema is not a second copy of the normaliser's rules: the key
names are found by calling the normaliser's own field readers
(:func:`~session_explorer.core.interactions.payloads.fields.model_of`, ``usage_of``, ``error_of``,
``timestamp_of``) on mappings that note which keys they are asked for, and the
values found are turned into a model, a token total, an error and a time by those
same readers; a streamed response is folded by
:func:`~session_explorer.core.interactions.payloads.streams.assemble_stream`, as the normaliser does.

Whatever the fast decoder does not take is read exactly as before, by
:func:`~session_explorer.core.interactions.reader.parse_line` (the stdlib ``json`` module and the light
normaliser): a line that is not JSON or not an object, a blank line, a byte-order
mark, raw control characters in strings (which the ``json`` module accepts),
``NaN``, a lone surrogate, invalid UTF-8 in a field that is read, a number out
of msgspec's range, an integer longer than Python's ``int`` allows (which the
``json`` module rejects and msgspec would skip), nesting near the recursion
limit. So the two agree on every line; without ``msgspec`` every line goes
that way (:data:`DECODER` says which is in use).

The normaliser keeps a line that defeats it as "unknown", without model, usage or
time. The steps it takes on what is read here (folding a stream, telling the
shape of a bare-list request) are taken here too, and a line that fails one is
read the exact way, to the same end. Only a failure inside the conversation,
which the full normaliser alone reads, would go unseen.

Pure standard library plus the optional ``msgspec``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple, Union

from session_explorer.core.interactions.payloads.fields import error_of, model_of, timestamp_of, usage_of
from session_explorer.core.interactions.payloads.shapes import request_shape
from session_explorer.core.interactions.payloads.streams import assemble_stream
from session_explorer.core.interactions.reader import parse_line
from session_explorer.core.models import Interaction

try:
    import msgspec
except ImportError:  # the summary still works, at the json module's pace
    msgspec = None  # type: ignore[assignment]  # the optional module is left unset


class LineFacts(NamedTuple):
    """One line's share of the summary (a malformed line counts, nothing more)."""

    malformed: bool = False
    failed: bool = False  # the call failed: the interaction's ``error`` is set
    model: str | None = None
    tokens: int = 0  # the usage total, 0 when there is none
    timestamp: datetime | None = None


MALFORMED = LineFacts(malformed=True)


def facts_of(interaction: Interaction) -> LineFacts:
    """The facts of an interaction the normaliser has already read."""
    if interaction.parse_error is not None:
        return MALFORMED
    return LineFacts(
        failed=interaction.error is not None,
        model=interaction.model,
        tokens=interaction.usage.total or 0,
        timestamp=interaction.timestamp,
    )


def exact_line_facts(raw: bytes) -> LineFacts | None:
    """The facts of one line (no ``\\n``) as the normaliser reads it; None for a blank line."""
    interaction = parse_line(raw, line_number=1, offset=0, light=True)
    return None if interaction is None else facts_of(interaction)


def line_facts(raw: bytes) -> LineFacts | None:
    """The facts of one JSONL line (without its ``\\n``); None for a blank line.

    The same as :func:`exact_line_facts`, faster: only the fields that the
    summary needs are decoded.
    """
    if _decode is not None:
        try:
            record = _decode_deeper(raw, _HEADROOM)
            if not _has_long_digit_run(raw):
                return _facts(record)
        except Exception:  # anything unusual is read the exact way
            pass
    return exact_line_facts(raw)


# ==================================================================== the keys
class _KeyNotes(dict[str, Any]):
    """An empty mapping that notes the keys it is asked for, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def _note(self, key: str) -> None:
        if key not in self.asked:
            self.asked.append(key)

    def get(self, key: str, default: Any = None) -> Any:
        self._note(key)
        return default

    def __getitem__(self, key: str) -> Any:
        self._note(key)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        self._note(str(key))
        return False


def _keys_read(call: Callable[[_KeyNotes], object]) -> tuple[str, ...]:
    notes = _KeyNotes()
    call(notes)
    return tuple(notes.asked)


#: Where the normaliser finds the request and the response (the first present and
#: not null of each pair, as :func:`~session_explorer.core.interactions.payloads.normalise` takes them).
REQUEST_KEYS = ("input", "request")
RESPONSE_KEYS = ("output", "response")
#: The keys the field readers ask the record, the request and the response for:
#: with nothing found, each reader asks for every key it knows.
RECORD_FIELDS = _keys_read(
    lambda record: (
        model_of(record, {}, None), usage_of(record, None), error_of(record, None), timestamp_of(record, None)
    )
)
REQUEST_FIELDS = _keys_read(lambda request: model_of({}, request, None))
RESPONSE_FIELDS = _keys_read(
    lambda response: (
        model_of({}, {}, response), usage_of({}, response), error_of({}, response), timestamp_of({}, response)
    )
)


# ================================================================== the schema
_Scalar = str | int | float | bool | None


def _struct(name: str, fields: list[tuple[str, Any]]) -> Any:
    """A msgspec Struct of ``(JSON key, type)`` fields, each None when absent.

    Attribute names are generated (``f0``, ``f1``, …) so any key can be a field.
    """
    attributes = [(f"f{index}", kind, None) for index, (_, kind) in enumerate(fields)]
    rename = {f"f{index}": key for index, (key, _) in enumerate(fields)}
    return msgspec.defstruct(name, attributes, rename=rename, gc=False)


if msgspec is not None:
    _RequestHead = _struct("RequestHead", [(key, Any) for key in REQUEST_FIELDS])
    _ResponseHead = _struct("ResponseHead", [(key, Any) for key in RESPONSE_FIELDS])
    # A list request (rare: the bare contents or messages) and a list response (a
    # stream) are decoded whole, for the normaliser's shape check and stream folding.
    _Request: Any = Union[_RequestHead, list[Any], _Scalar]  # noqa: UP007 - a value for msgspec, built at run time
    _Response: Any = Union[_ResponseHead, list[Any], _Scalar]  # noqa: UP007 - a value for msgspec, built at run time
    _Record = _struct("Record", [
        *((key, Any) for key in RECORD_FIELDS),
        *((key, _Request) for key in REQUEST_KEYS),
        *((key, _Response) for key in RESPONSE_KEYS),
    ])
    _decode: Callable[[bytes], Any] | None = msgspec.json.Decoder(_Record).decode
    _astuple = msgspec.structs.astuple
else:
    _decode = None

#: "msgspec" when the fast decoder is in use, else "json" (every line read exactly).
DECODER = "msgspec" if _decode is not None else "json"


def _facts(record: Any) -> LineFacts:
    """The facts of a decoded record, by the normaliser's field readers.

    Raises what the normaliser would raise on the same fields (the line is then
    read the exact way, to the same end).
    """
    values = _astuple(record)
    fields = len(RECORD_FIELDS)
    obj = dict(zip(RECORD_FIELDS, values[:fields], strict=True))
    request = _first_not_none(values[fields : fields + len(REQUEST_KEYS)])
    response = _first_not_none(values[fields + len(REQUEST_KEYS) :])
    if isinstance(request, _RequestHead):
        request = dict(zip(REQUEST_FIELDS, _astuple(request), strict=True))
    elif isinstance(request, list):
        # The normaliser tells the shape of a list request from its items, and keeps
        # the line without its fields (as "unknown") should that fail: so here too.
        request_shape(request, hint=None)
    if isinstance(response, _ResponseHead):
        response = dict(zip(RESPONSE_FIELDS, _astuple(response), strict=True))
    else:
        response = assemble_stream(response)
    return LineFacts(
        failed=error_of(obj, response) is not None,
        model=model_of(obj, request, response),
        tokens=usage_of(obj, response).total or 0,
        timestamp=timestamp_of(obj, response),
    )


def _first_not_none(values: tuple[Any, ...]) -> Any:
    return next((value for value in values if value is not None), None)


# ============================================ where msgspec and json disagree
#: Python frames between the caller and the json module's parser when
#: :func:`parse_line` reads a line is 4; msgspec is called this many frames
#: deeper, so that on interpreters where the recursion limit counts Python frames
#: it gives up on deep nesting no later than the json module would (the line then
#: goes the exact way, and the json module decides).
_HEADROOM = 8


def _decode_deeper(raw: bytes, frames: int) -> Any:
    if frames:
        return _decode_deeper(raw, frames - 1)
    return _decode(raw)  # type: ignore[misc]  # called only when the decoder is set


_DIGITS = b"0123456789"
_DIGIT_RUN = re.compile(rb"[0-9]*")


def _has_long_digit_run(raw: bytes) -> bool:
    """True when ``raw`` has more consecutive digits than Python's ``int`` reads.

    The json module rejects such an integer (ValueError: the line is malformed)
    while msgspec skips it when it is in a field that is not read. Such a run
    covers one of the bytes at every ``limit``-th position: only those are looked
    at first.
    """
    limit = sys.get_int_max_str_digits()
    if limit <= 0 or len(raw) <= limit:
        return False
    probes = raw[limit - 1 :: limit]
    if len(probes.translate(None, _DIGITS)) == len(probes):
        return False  # no probe is a digit: no run that long
    for index in range(limit - 1, len(raw), limit):
        if 48 <= raw[index] <= 57:
            end = _DIGIT_RUN.match(raw, index).end()  # type: ignore[union-attr]  # [0-9]* always matches
            if end > limit and raw[end - limit - 1 : end].isdigit():
                return True
    return False


__all__ = [
    "DECODER",
    "MALFORMED",
    "RECORD_FIELDS",
    "REQUEST_FIELDS",
    "REQUEST_KEYS",
    "RESPONSE_FIELDS",
    "RESPONSE_KEYS",
    "LineFacts",
    "exact_line_facts",
    "facts_of",
    "line_facts",
]
