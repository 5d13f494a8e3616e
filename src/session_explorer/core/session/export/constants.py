"""What the export's parts share: the formats, marks and limits, and its error."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    pass


Format = Literal["md", "json"]
FORMATS: tuple[str, ...] = ("md", "json")
JSON_FORMAT_NAME = "session-explorer-export"
JSON_FORMAT_VERSION = 1

ERROR_MARK = "\u2716"  # ✖
WARNING_MARK = "\u26a0"  # ⚠
#: How much of a message the list of warnings and errors quotes (the timeline has all).
SNIPPET_CHARS = 200
#: Sessions up to this many app-log lines are read once and kept while writing; longer
#: ones are read a second time instead of being held in memory.
KEEP_LINES = 200_000


class ExportError(Exception):
    """The export cannot be written where it was asked to go (one line for the user)."""
