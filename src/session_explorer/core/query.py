"""The query typed after ``/``, and how it matches a line.

Query syntax (:func:`compile_query`):

* plain text is searched as typed, case-insensitively unless it has a capital
  letter ("smart case": ``timeout`` finds ``Timeout``; ``Timeout`` does not find
  ``timeout``);
* a leading ``re:`` makes the rest a regular expression (Python syntax). It is
  case-sensitive; write ``(?i)`` to ignore case. (Smart case is not applied to
  expressions: ``\\S`` or ``\\W`` would count as capitals.) An invalid expression
  raises :class:`QueryError` with a one-line message whose position counts from
  the start of the query as typed (``re:`` included).

A line matches when its content (without the line ending) contains the query; a line
is counted once however many times it contains it. Lines are bytes, so matching a
line is defined on its raw bytes (:meth:`Query.matches_raw`): plain text is encoded
in UTF-8; case-insensitive ASCII text compares ASCII-lowered bytes, non-ASCII text
compares the decoded, lowered text; an ASCII regular expression is matched on the
bytes (``.`` is one byte, ``\\w`` ``\\d`` ``\\s`` are ASCII), one with non-ASCII
characters or ``\\u`` escapes on the decoded text. :meth:`Query.matches` and
:meth:`Query.spans` work on display text, for highlighting; :meth:`Query.hits` finds
matching lines in a chunk of whole lines at C speed (what :mod:`.reading.search`
runs over whole logs).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import Any

#: What the scanners search: a chunk of whole lines, as ``str`` or as ``bytes`` or
#: ``bytearray``; its needles, line endings and patterns are of the same kind.
_Chunk = Any
#: ``finder(hay, pos, end)``: (start, stop) of the next candidate at or after ``pos``.
_Finder = Callable[[_Chunk, int, int], tuple[int, int] | None]
_Pattern = re.Pattern[str] | re.Pattern[bytes]

REGEX_PREFIX = "re:"
#: A case-insensitive search through an exact part of the query (see
#: ``Query._anchored_hits``) gives up on a chunk where that part is found more often.
ANCHOR_HITS_PER_MIB = 64
#: Failed tries at occurrences of an expression's literal start before letting the
#: regular expression engine scan on by itself.
PREFIX_TRIES = 32

#: Pattern parts whose meaning depends on what lies beyond the line (anchors,
#: lookarounds, scoped flags) or that cannot backtrack out of a line ending (atomic
#: groups, possessive quantifiers): an expression containing one is matched line by
#: line instead of over a whole chunk.
_BOUNDARY_SENSITIVE = ("$", "\\A", "\\Z", "(?=", "(?!", "(?<", "(?-", "(?>", "*+", "++", "?+", "}+")


class QueryError(ValueError):
    """The query cannot be searched (its message is one line, for the status bar)."""


class Query:
    """A compiled search query; see the module docstring for the rules."""

    __slots__ = (
        "_anchor",
        "_bytes_re",
        "_linewise",
        "_needle",
        "_needle_b",
        "_prefix",
        "_raw_mode",
        "_text_re",
        "ignore_case",
        "is_regex",
        "pattern",
        "text",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        self.is_regex = text.startswith(REGEX_PREFIX)
        self.pattern = text[len(REGEX_PREFIX):] if self.is_regex else text
        if not self.pattern:
            raise QueryError("empty query")
        self._bytes_re: re.Pattern[bytes] | None = None
        self._linewise = False
        self._anchor: tuple[bytes, int] | None = None
        self._prefix: bytes | None = None
        if self.is_regex:
            self._compile_regex()
        else:
            self._compile_plain()

    def _compile_plain(self) -> None:
        text = self.pattern
        self.ignore_case = not any(ch.isupper() for ch in text)
        self._needle = text.lower() if self.ignore_case else text
        self._needle_b = self._needle.encode("utf-8")
        flags = re.IGNORECASE if self.ignore_case else 0
        self._text_re = re.compile(re.escape(text), flags)
        if not self.ignore_case or text.lower() == text.upper():
            self._raw_mode = "bytes"  # case-sensitive, or nothing with a case: exact bytes
        elif text.isascii():
            self._raw_mode = "lower"
            self._anchor = _uncased_anchor(self._needle_b)
        else:
            self._raw_mode = "text"

    def _compile_regex(self) -> None:
        source = self.pattern
        try:
            self._text_re = re.compile(source, re.MULTILINE)
        except re.error as exc:
            raise QueryError(_regex_message(exc)) from None
        self.ignore_case = bool(self._text_re.flags & re.IGNORECASE)
        self._needle = self._needle_b = None  # type: ignore[assignment]  # a regex has no needle
        self._raw_mode = "text"
        if source.isascii():
            try:
                self._bytes_re = re.compile(source.encode("ascii"), re.MULTILINE)
                self._raw_mode = "bytes"
                self._prefix = _literal_prefix(source)
            except re.error:  # e.g. \u escapes: valid on text only
                self._bytes_re = None
        self._linewise = any(part in source for part in _BOUNDARY_SENSITIVE)

    def __repr__(self) -> str:
        return f"Query({self.text!r})"

    # -- display text --------------------------------------------------------------

    def matches(self, text: str) -> bool:
        """Whether a line's display text contains the query."""
        if self.is_regex:
            return self._text_re.search(text) is not None
        if self.ignore_case:
            return self._needle in text.lower()
        return self._needle in text

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each non-empty, non-overlapping match in ``text``, in order."""
        return [m.span() for m in self._text_re.finditer(text) if m.end() > m.start()]

    # -- raw bytes -----------------------------------------------------------------

    def matches_raw(self, raw: bytes) -> bool:
        """Whether a line's content (raw bytes, without ending) contains the query.

        This is the rule :func:`search_lines` applies and :func:`search_index` follows.
        """
        mode = self._raw_mode
        if self.is_regex:
            if mode == "bytes":
                return self._bytes_re.search(raw) is not None  # type: ignore[union-attr]  # set in bytes mode
            return self._text_re.search(raw.decode("utf-8", "replace")) is not None
        if mode == "bytes":
            return self._needle_b in raw
        if mode == "lower":
            return self._needle_b in raw.lower()
        return self._needle in raw.decode("utf-8", "replace").lower()

    def line_hits(self, data: bytes | bytearray, end: int | None = None) -> list[int]:
        """The bytes-level searcher: 0-based numbers of the lines of ``data[:end]`` that
        match, each once, in order.

        ``data`` holds whole lines (``\\n`` or ``\\r\\n`` endings; the last line may
        lack one); the result equals ``matches_raw`` applied to each line.
        """
        end = len(data) if end is None else end
        mode = self._raw_mode
        if mode == "text":
            hay = str(memoryview(data)[:end], "utf-8", "replace")
            if self.is_regex:
                return self._regex_hits(hay, len(hay), self._text_re, "\n", "\r")
            hay = hay.lower()
            return _scan(hay, len(hay), _plain_finder(self._needle), self._needle.__contains__, "\n", "\r")
        if self.is_regex:
            assert self._bytes_re is not None  # set in bytes mode
            return self._regex_hits(data, end, self._bytes_re, b"\n", b"\r")
        if mode == "lower":
            hits = self._anchored_hits(data, end)
            if hits is not None:
                return hits
            data = data.lower()
        return _scan(data, end, _plain_finder(self._needle_b), self._needle_b.__contains__, b"\n", b"\r")

    def _anchored_hits(self, data: bytes | bytearray, end: int) -> list[int] | None:
        """Case-insensitive hits found through the needle's longest part without
        letters (found exactly, so without lowering the chunk); None when that part
        is missing or too common in this chunk to pay off."""
        if self._anchor is None:
            return None
        anchor, offset = self._anchor
        needle = self._needle_b
        size = len(needle)
        limit = max(ANCHOR_HITS_PER_MIB * end >> 20, 16)
        starts: list[int] = []
        i = data.find(anchor, offset, end)
        seen = 0
        while i >= 0:
            seen += 1
            if seen > limit:
                return None
            start = i - offset
            if start + size <= end and data[start:start + size].lower() == needle:
                starts.append(start)
            i = data.find(anchor, i + 1, end)

        def finder(hay: _Chunk, pos: int, stop: int) -> tuple[int, int] | None:
            k = bisect.bisect_left(starts, pos)
            return (starts[k], starts[k] + size) if k < len(starts) else None
        return _scan(data, end, finder, lambda content: needle in content.lower(), b"\n", b"\r")

    def _regex_hits(self, hay: _Chunk, end: int, pattern: _Pattern, nl: str | bytes, cr: str | bytes) -> list[int]:
        if self._linewise:
            return _linewise_hits(hay, end, pattern, nl, cr)

        prefix = self._prefix if pattern is self._bytes_re else None

        def finder(h: _Chunk, pos: int, stop: int) -> tuple[int, int] | None:
            if prefix is not None:  # every match starts with it: go from one to the next
                i = h.find(prefix, pos, stop)
                tries = 0
                while i >= 0 and tries < PREFIX_TRIES:
                    m = pattern.match(h, i, stop)
                    if m:
                        return m.span()
                    tries += 1
                    i = h.find(prefix, i + 1, stop)
                if i < 0:
                    return None
                pos = i
            m = pattern.search(h, pos, stop)
            return m.span() if m else None
        return _scan(hay, end, finder, lambda content: pattern.search(content) is not None, nl, cr)


def compile_query(text: str) -> Query:
    """A :class:`Query` for what the user typed; raises :class:`QueryError`."""
    return Query(text)


def _regex_message(exc: re.error) -> str:
    message = str(exc.msg) if getattr(exc, "msg", None) else str(exc)
    if exc.pos is not None:
        message += f" at position {exc.pos + len(REGEX_PREFIX)}"
    return "invalid regular expression: " + message


def _uncased_anchor(needle: bytes, shortest: int = 3) -> tuple[bytes, int] | None:
    """The longest run of the (ASCII) needle without letters, and where it starts."""
    best: tuple[bytes, int] | None = None
    for m in re.finditer(rb"[^A-Za-z]+", needle):
        if m.end() - m.start() >= shortest and (best is None or m.end() - m.start() > len(best[0])):
            best = (m.group(), m.start())
    return best


def _literal_prefix(source: str, shortest: int = 3) -> bytes | None:
    """The literal text every match of an (ASCII) expression starts with, or None.

    Conservative: only the plain characters at the very start (after an optional
    ``^``) count, and an expression with ``|`` anywhere has none.
    """
    if "|" in source:
        return None
    text = source[1:] if source.startswith("^") else source
    end = 0
    while end < len(text) and text[end] not in ".^$*+?{}[]\\|()":
        end += 1
    if end < len(text) and text[end] in "*+?{":
        end -= 1  # the character before a quantifier is not required
    return text[:end].encode("ascii") if end >= shortest else None


def _plain_finder(needle: str | bytes) -> _Finder:
    size = len(needle)

    def finder(hay: _Chunk, pos: int, stop: int) -> tuple[int, int] | None:
        i = hay.find(needle, pos, stop)
        return (i, i + size) if i >= 0 else None
    return finder


def _scan(hay: _Chunk, end: int, finder: _Finder, check: Callable[[_Chunk], bool],
          nl: str | bytes, cr: str | bytes) -> list[int]:
    """Line numbers of matches in ``hay[:end]`` (bytes or str of whole lines).

    ``finder(hay, pos, end)`` gives the next candidate (start, stop) at or after
    ``pos`` over the whole chunk; a candidate within its line's content is a match,
    one reaching into the line ending (or beyond) is decided by ``check(content)``
    on that line alone. After each candidate the scan goes on at the next line, so a
    line is counted once.
    """
    hits: list[int] = []
    pos = counted = line = 0
    while pos < end:
        found = finder(hay, pos, end)
        if found is None:
            break
        start, stop = found
        line_end = hay.find(nl, start, end)
        if line_end < 0:
            line_end = next_pos = content_end = end
        else:
            next_pos = line_end + 1
            content_end = line_end - 1 if line_end > 0 and hay.startswith(cr, line_end - 1) else line_end
        if stop <= content_end:
            ok = True
        else:
            line_start = hay.rfind(nl, 0, start) + 1
            ok = check(hay[line_start:max(content_end, line_start)])
        if ok:
            line += hay.count(nl, counted, start)
            counted = start
            hits.append(line)
        pos = next_pos
    return hits


def _linewise_hits(hay: _Chunk, end: int, pattern: _Pattern, nl: str | bytes, cr: str | bytes) -> list[int]:
    """Line numbers of lines matching ``pattern`` on their own (the slow path)."""
    if end <= 0:
        return []
    text = hay[:end]
    terminated = text.endswith(nl)
    lines = text.split(nl)
    if terminated:
        lines.pop()  # the empty piece after the final newline
    last = len(lines) - 1
    search = pattern.search
    hits = []
    for i, content in enumerate(lines):
        if (terminated or i < last) and content.endswith(cr):
            content = content[:-1]
        if search(content) is not None:
            hits.append(i)
    return hits


