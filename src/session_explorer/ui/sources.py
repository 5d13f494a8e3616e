"""What the log view reads its lines from."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from session_explorer.core.models import LogLine


@runtime_checkable
class LineSource(Protocol):
    """A sequence of app-log lines that can be read a range at a time.

    ``__len__`` must be cheap (it is called on the UI thread). ``read`` may block on
    disk: the log view calls it only from a thread worker. It returns the lines
    ``start`` to ``stop`` (fewer when the source is shorter), in order.
    """

    def __len__(self) -> int: ...

    def read(self, start: int, stop: int) -> list[LogLine]: ...


class EmptySource:
    """A source without lines: what the log view shows before it is given one."""

    def __len__(self) -> int:
        return 0

    def read(self, start: int, stop: int) -> list[LogLine]:
        return []


EMPTY_SOURCE = EmptySource()
