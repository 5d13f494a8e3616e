"""Making text safe to show: control characters become visible, never interpreted.

One implementation for every place that puts log text on a terminal: the CLI's
``show``/``sessions`` output (plain strings, :func:`make_visible`) and the explorer's
panes (styled pieces, :func:`visible_pieces`). Three kinds of characters are
replaced by a visible stand-in (see :func:`control_picture`):

* C0 controls, DEL and C1 controls: they move the cursor, start escape sequences
  or ring the bell (``\\x1b`` shows as ``␛``, ``\\x9b`` as ``\\x9b``);
* characters that reorder text (bidi embeddings, overrides and isolates, the
  Arabic letter mark) - the "Trojan Source" trick;
* characters that take no room (zero-width space/joiners, word joiner, invisible
  operators, BOM) and the Unicode line/paragraph separators.

Tab and newline are kept by default (the CLI prints multi-line text); a caller
that lays text out on one row passes ``keep=""`` (or expands tabs first).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

#: Tab and newline: kept as they are unless a caller asks otherwise.
LAYOUT_CHARS = "\t\n"

#: Everything that gets a stand-in, as a regular-expression character class body.
_INVISIBLE_CLASS = (
    "\x00-\x1f\x7f-\x9f"  # C0 controls, DEL, C1 controls
    "\u061c"  # ARABIC LETTER MARK (bidi)
    "\u200b-\u200f"  # zero-width space/non-joiner/joiner, LRM, RLM
    "\u2028\u2029"  # line and paragraph separators
    "\u202a-\u202e"  # bidi embeddings and overrides (LRE RLE PDF LRO RLO)
    "\u2060-\u2064"  # word joiner, invisible operators
    "\u2066-\u2069"  # bidi isolates (LRI RLI FSI PDI)
    "\ufeff"  # zero-width no-break space / BOM
)


@lru_cache(maxsize=8)
def invisible_pattern(keep: str = LAYOUT_CHARS) -> re.Pattern[str]:
    """The characters :func:`make_visible` replaces, except those in ``keep``."""
    body = _INVISIBLE_CLASS
    if keep:
        return re.compile(f"(?![{re.escape(keep)}])[{body}]")
    return re.compile(f"[{body}]")


#: The default pattern: everything but tab and newline.
INVISIBLE = invisible_pattern()


def control_picture(char: str) -> str:
    """The visible stand-in for one character matched by :data:`INVISIBLE`.

    C0 controls as their Control Pictures (``␛`` for ESC, ``␀`` for NUL), DEL as
    ``␡``, C1 controls as ``\\x9b``, and everything else (bidi, zero-width) as
    ``<U+202E>``.
    """
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"  # ␡
    if code <= 0x9F:
        return f"\\x{code:02x}"
    return f"<U+{code:04X}>"


def visible_pieces(text: str, keep: str = LAYOUT_CHARS) -> Iterator[tuple[str, bool]]:
    """``text`` cut into ``(piece, is_picture)``: literal runs and stand-ins, in order.

    A stand-in piece is one character's :func:`control_picture`; callers style the
    two kinds differently (the explorer shows stand-ins dimmed and reversed).
    """
    pattern = invisible_pattern(keep)
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            yield text[position : match.start()], False
        yield control_picture(match.group()), True
        position = match.end()
    if position < len(text):
        yield text[position:], False


def make_visible(text: str, keep: str = LAYOUT_CHARS) -> str:
    """Replace control, bidi and zero-width characters with visible stand-ins."""
    pattern = invisible_pattern(keep)
    if not pattern.search(text):
        return text
    return pattern.sub(lambda m: control_picture(m.group()), text)
