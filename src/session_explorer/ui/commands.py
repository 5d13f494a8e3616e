"""Command palette: go to a session by id, model or first prompt, and the explorer's
actions by name (search, filters, the merged timeline, export...)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from session_explorer.core.filters import LevelStep

if TYPE_CHECKING:
    from session_explorer.ui.app import ExplorerApp


class SessionCommands(Provider):
    """``Go to session …`` for every session, plus follow, wrap, maximise, help,
    search, the level and logger filters, jumps, the merged timeline and export."""

    def _commands(self) -> list[tuple[str, str, object]]:
        app: ExplorerApp = self.app  # type: ignore[assignment]
        commands: list[tuple[str, str, object]] = [
            ("Toggle follow", "Keep the newest line in view (f)", app.log_pane.action_toggle_follow),
            ("Toggle wrap", "Wrap long app-log lines (w)", app.log_pane.action_toggle_wrap),
            ("Maximise pane", "Give the focused pane the whole screen (z)", app.action_maximize),
            ("Show keys", "Every key of every pane (?)", app.action_help),
            ("Go to all lines", "The whole app log", partial(app.action_go_to_session, None)),
            ("Search the focused pane", "App log or interactions: text, Text (exact case) or re:expression (/)",
             app.action_search),
            *(
                (f"Filter by level: {step.label}", "The app log's level filter (l cycles)",
                 partial(app.set_level, step))
                for step in LevelStep
            ),
            ("Filter by logger…", "Show one logger (and its children) in the app log", app.action_filter_logger),
            ("Clear filters", "Every line of the session again", app.clear_filters),
            ("Next warning or error", "In the focused pane (e; E: previous)", partial(app.action_jump_alert, 1)),
        ]
        if app.current_session is not None:
            commands += [
                ("Toggle merged timeline", "App-log lines and interactions in time order (t)",
                 app.action_toggle_timeline),
                ("Export session…", "Write the session to a Markdown or JSON file (x)", app.action_export),
            ]
        for summary in app.sessions_pane.summaries:
            details = " · ".join(
                part
                for part in (summary.main_model or "", summary.prompt[:80] if summary.prompt else "")
                if part
            )
            commands.append(
                (f"Go to session {summary.id}", details, partial(app.action_go_to_session, summary.id))
            )
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands()[:5]:
            yield DiscoveryHit(name, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = max(matcher.match(name), matcher.match(f"{name} {help_text}") * 0.9)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)  # type: ignore[arg-type]
