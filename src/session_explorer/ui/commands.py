"""Command palette: go to a session by id, model or first prompt, and the explorer's
actions by name (search, filters, the merged timeline, export...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider

#: A palette entry: its name, its help line, what it does.
PaletteCommand = tuple[str, str, Callable[[], object]]


@runtime_checkable
class PaletteHost(Protocol):
    """The app that this provider serves: it says which commands there are now."""

    def palette_commands(self) -> list[PaletteCommand]: ...


class SessionCommands(Provider):
    """``Go to session …`` for every session, plus follow, wrap, maximise, help,
    search, the level and logger filters, jumps, the merged timeline and export."""

    def _commands(self) -> list[PaletteCommand]:
        host = self.app
        return host.palette_commands() if isinstance(host, PaletteHost) else []

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands()[:5]:
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = max(matcher.match(name), matcher.match(f"{name} {help_text}") * 0.9)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
