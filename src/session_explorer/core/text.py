"""Making text safe to show: control characters become visible, never interpreted."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and the C1 controls (0x80-0x9f).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def control_picture(char: str) -> str:
    """The visible stand-in for one control character: ``␛`` for ESC, ``␀`` for NUL."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\x{code:02x}"


def make_visible(text: str) -> str:
    """Replace control characters (escape sequences included) with visible symbols."""
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub(lambda m: control_picture(m.group()), text)
