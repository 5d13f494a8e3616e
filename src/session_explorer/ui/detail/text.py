"""Literal text for the detail screen: never markup, clipped and folded to limits,
with notes saying what was hidden."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from session_explorer.core.text import visible_pieces
from session_explorer.ui.detail.styles import CONTROL, EXPANDED, NOTE, PIECE_CHARS, Limits
from session_explorer.ui.render import TAB_SIZE

# --- literal text -----------------------------------------------------------------


def literal(value: str, style: Style = Style()) -> Text:
    """``value`` as Text, shown as written: newlines kept, tabs expanded, controls visible."""
    text = Text(end="")
    if "\t" in value:
        value = value.expandtabs(TAB_SIZE)
    for piece, is_picture in visible_pieces(value):
        text.append(piece, CONTROL if is_picture else style)
    return text


def clip(value: str, limits: Limits) -> tuple[str, int]:
    """The shown start of ``value`` and how many characters are left out.

    A cut by characters goes back to the last line break when there is one in the
    last fifth of what is shown, so a cut field does not end in half a line.
    """
    shown = value[: limits.chars]
    if len(value) > limits.chars and value[limits.chars] != "\n":
        newline = shown.rfind("\n", limits.chars - limits.chars // 5)
        if newline > 0:
            shown = shown[:newline]
    if limits.lines:
        position = -1
        for _ in range(limits.lines):
            position = shown.find("\n", position + 1)
            if position < 0:
                break
        else:
            shown = shown[:position]
    return shown, len(value) - len(shown)


def hidden_chars_note(hidden: int, *, expanded: bool, bound: int = EXPANDED.chars) -> Text:
    """The line that says how much of a field is not shown (``bound``: the expanded cap)."""
    if expanded:
        return Text(
            f"… {hidden:,} more characters not shown "
            f"(the view stops at {bound:,}; y copies all of it)",
            NOTE,
        )
    return Text(f"… {hidden:,} more characters (press e to expand)", NOTE)


def hidden_lines_note(hidden: int, *, expanded: bool, capped: bool = False) -> Text:
    """The line that says how many lines of a JSON value are not shown."""
    count = f"more than {hidden:,}" if capped else f"{hidden:,}"
    unit = "line" if hidden == 1 and not capped else "lines"
    if expanded:
        return Text(f"… {count} more {unit} not shown (y copies all of it)", NOTE)
    return Text(f"… {count} more {unit} (press e to expand)", NOTE)


class Pieces:
    """Lines gathered into ``Text`` pieces of at most about :data:`PIECE_CHARS`."""

    def __init__(self) -> None:
        self.pieces: list[Text] = []
        self._current: Text | None = None
        #: True once a field was cut (something is left out).
        self.truncated = False

    def add(self, line: Text) -> None:
        """Add one or more whole lines."""
        current = self._current
        if current is not None and len(current) + len(line) > PIECE_CHARS:
            self.pieces.append(current)
            current = None
        if current is None:
            current = Text(end="")
        else:
            current.append("\n")
        current.append_text(line)
        self._current = current

    def finish(self) -> list[Text]:
        if self._current is not None:
            self.pieces.append(self._current)
            self._current = None
        return self.pieces


def add_text_field(
    out: Pieces, value: str, limits: Limits, *, expanded: bool, style: Style = Style(),
    indent: int = 0,
) -> None:
    """A free-text field, cut to ``limits``, in pieces, with its hidden-characters line."""
    shown, hidden = clip(value, limits)
    margin = " " * indent
    start = 0
    while start < len(shown):
        end = start + PIECE_CHARS
        next_start = end
        if end < len(shown):
            newline = shown.rfind("\n", start, end)
            if newline > start:
                end, next_start = newline, newline + 1
        chunk = shown[start:end]
        if indent:
            chunk = margin + chunk.replace("\n", "\n" + margin)
        out.add(literal(chunk, style))
        start = next_start
    if hidden:
        out.truncated = True
        out.add(Text(margin) + hidden_chars_note(hidden, expanded=expanded, bound=limits.chars))
