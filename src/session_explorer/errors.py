"""What the command line, the headless commands and the UI's launcher share: the
program's name and the error that becomes one line on stderr (no import cycle)."""

from __future__ import annotations

PROG = "session-explorer"


class CliError(Exception):
    """A problem with the user's input: one line on stderr and an exit code."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code
