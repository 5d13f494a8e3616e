"""The one classification of log levels: which names are errors, warnings, debug.

Every consumer (the scanner's counts, the sessions pane's ✖ and ▲ badges, the level
filter, ``list``, the export, the log pane's colours) asks this module, so a level
counts the same everywhere. Names compare case-insensitively (``severe`` is
``SEVERE``). Ranks order the level filter's steps:

* debug: ``DEBUG``, ``TRACE``, ``NOTSET``, ``VERBOSE``, ``SPAM``, ``FINE``, ``FINER``,
  ``FINEST``;
* info: ``INFO``, ``NOTICE``, ``SUCCESS``, any other name, and no level at all;
* warning: ``WARNING``, ``WARN``;
* error: ``ERROR``, ``CRITICAL``, ``FATAL``, ``SEVERE``, ``CRIT``, ``ALERT``, ``EMERG``,
  ``EMERGENCY``, ``EXCEPTION``.
"""

from __future__ import annotations

import re
from typing import Final, Literal

DEBUG_RANK: Final = 0
INFO_RANK: Final = 1
WARNING_RANK: Final = 2
ERROR_RANK: Final = 3

DEBUG_LEVELS: Final = frozenset({"DEBUG", "TRACE", "NOTSET", "VERBOSE", "SPAM", "FINE", "FINER", "FINEST"})
WARNING_LEVELS: Final = frozenset({"WARNING", "WARN"})
ERROR_LEVELS: Final = frozenset({"ERROR", "CRITICAL", "FATAL", "SEVERE", "CRIT", "ALERT", "EMERG", "EMERGENCY",
                                 "EXCEPTION"})

#: Rank by upper-case level name (names not here rank as info).
RANKS: Final = {
    **dict.fromkeys(DEBUG_LEVELS, DEBUG_RANK),
    **dict.fromkeys(WARNING_LEVELS, WARNING_RANK),
    **dict.fromkeys(ERROR_LEVELS, ERROR_RANK),
}

Severity = Literal["error", "warning"]


def level_rank(level: str | None) -> int:
    """The rank of a level name; unknown and missing levels rank as info."""
    if not level:
        return INFO_RANK
    return RANKS.get(level.upper(), INFO_RANK)


def severity(level: str | None) -> Severity | None:
    """``"error"``, ``"warning"``, or None for any other level (or none)."""
    rank = level_rank(level)
    return "error" if rank == ERROR_RANK else "warning" if rank == WARNING_RANK else None


def is_error(level: str | None) -> bool:
    return level_rank(level) == ERROR_RANK


def is_warning(level: str | None) -> bool:
    return level_rank(level) == WARNING_RANK


#: A bytes pattern matching the warning and error names as a bracket record writes
#: them (the record grammar's level token is upper case, as ``logging`` writes it;
#: longest first, so ``WARNING`` is not read as ``WARN``). The scanner counts records
#: with it; a case-insensitive pattern made that pass 2.7 times slower.
WARN_ERROR_PATTERN: Final = (
    rb"(?:" + b"|".join(re.escape(n.encode()) for n in sorted(WARNING_LEVELS | ERROR_LEVELS, key=len, reverse=True))
    + rb")"
)


def warn_error(level: bytes) -> tuple[bool, bool]:
    """(is a warning, is an error) for a level name in bytes (ASCII, any case)."""
    rank = RANKS.get(level.decode("ascii", "replace").upper(), INFO_RANK)
    return rank == WARNING_RANK, rank == ERROR_RANK
