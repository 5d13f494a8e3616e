"""What an empty logs directory shows: what is looked for, and how to produce it."""

from __future__ import annotations

from pathlib import Path

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from session_explorer.core.session.layout import Layout

TRACING_SNIPPET = """\
from session_explorer.tracing import configure_logging, InteractionLogger
configure_logging()                     # every log line gets [session id]
interaction_logger = InteractionLogger()  # one JSONL file per session
"""


class EmptyState(Static):
    """Shown instead of the panes while the directory holds no session and no log."""

    DEFAULT_CSS = """
    EmptyState {
        height: 1fr;
        padding: 1 2;
        border: round $primary;
        border-title-color: $text-primary;
    }
    """

    def __init__(self, layout: Layout, label: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.logs_layout = layout
        self.label = label
        self.border_title = "No sessions yet"
        self.display = False

    def on_mount(self) -> None:
        self.update(self._body())

    def _shown(self, path: Path) -> str:
        """A path as the user named the directory (``logs/llm_interactions``)."""
        try:
            return str(Path(self.label) / path.relative_to(self.logs_layout.root))
        except ValueError:
            return str(path)

    def _body(self) -> Group:
        layout = self.logs_layout
        inter = self._shown(layout.interactions_dir)
        logs = (
            ", ".join(self._shown(p) for p in layout.app_logs)
            if layout.app_log_dir is None
            else self._shown(layout.app_log_dir / "*.log")
        )
        looked_for = Text.assemble(
            ("Watching for\n", "bold"),
            ("  • LLM sessions  ", ""),
            (f"{inter}/session_<id>.jsonl\n", "bold"),
            ("  • app logs      ", ""),
            (f"{logs}\n\n", "bold"),
            "Sessions appear here as soon as your application writes them.\n\n",
            ("Add session tracing to your application:\n", "bold"),
        )
        code = Text(TRACING_SNIPPET, style="bold")
        code.highlight_regex(r"#.*", "dim")
        code.stylize("italic", 0, len(TRACING_SNIPPET.splitlines()[0]))
        demo = Text.assemble(
            "\nOr watch a demo: ",
            ("session-explorer --demo", "bold"),
        )
        return Group(looked_for, code, demo)
