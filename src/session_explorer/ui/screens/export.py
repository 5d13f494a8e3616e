"""Export the current session (``x``): ask for a file, write it in a worker.

The format follows the file's extension (``.json``: the JSON bundle, anything else:
the Markdown transcript). An existing file is replaced only after a second Enter;
anything :func:`~session_explorer.core.session.export.export` refuses (the logs directory,
a missing directory...) is shown in the dialog, which stays open.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from session_explorer.core.session.export import ExportError, Format, check_target, export

if TYPE_CHECKING:
    from session_explorer.core.session.catalog import Catalog


def export_format(path: Path) -> Format:
    """``json`` for a ``.json`` file, else ``md``."""
    return "json" if path.suffix.lower() == ".json" else "md"


def default_export_path(session_id: str) -> Path:
    """``./<session>.md`` in the current working directory."""
    return Path(f"{session_id}.md")


class ExportScreen(ModalScreen[Path | None]):
    """Where to write session ``session_id``; dismisses with the file written (or None).

    | Key(s) | Id | Description |
    | :- | :- | :- |
    | enter | | Write the file (again, after the warning: overwrite it). |
    | escape | `export.cancel` | Close without writing. |
    """

    DEFAULT_CSS = """
    ExportScreen {
        align: center middle;
        & > Vertical {
            width: 76;
            max-width: 100%;
            height: auto;
            border: round $primary;
            border-title-color: $text-primary;
            border-subtitle-color: $text-muted;
            background: $surface;
            padding: 0 1;
        }
        & Input { margin: 1 0 0 0; }
        & #export-help { color: $text-muted; }
        & #export-status { height: auto; margin-top: 1; }
        & #export-status.-error { color: $text-error; text-style: bold; }
        & #export-status.-confirm { color: $text-warning; text-style: bold; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
    ]

    def __init__(self, catalog: Catalog, session_id: str, default: Path | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.session_id = session_id
        self.default = default or default_export_path(session_id)
        self._confirm: Path | None = None
        self.status_text = ""

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Export session {self.session_id}"
            box.border_subtitle = "enter writes · esc cancels"
            yield Label("File (.md: Markdown transcript, .json: JSON bundle)", id="export-help", markup=False)
            yield Input(str(self.default), id="export-path")
            yield Static("", id="export-status", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def _status(self, text: str, kind: str = "") -> None:
        self.status_text = text
        status = self.query_one("#export-status", Static)
        status.update(text)
        status.set_class(kind == "error", "-error")
        status.set_class(kind == "confirm", "-confirm")

    @on(Input.Changed)
    def _changed(self) -> None:
        if self._confirm is not None:
            self._confirm = None
            self._status("")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if not value:
            self._status("Name a file to write.", "error")
            return
        path = Path(value).expanduser()
        force = self._confirm is not None and self._confirm == path
        self._status("Writing…")
        self.write(path, force)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def write(self, path: Path, force: bool) -> None:
        try:
            written = export(self.catalog, self.session_id, fmt=export_format(path),
                             output=path, force=force)
        except ExportError as error:
            exists = False
            if not force and (path.exists() or path.is_symlink()):
                try:
                    check_target(self.catalog, path, force=True)
                    exists = True
                except ExportError:
                    exists = False
            self.app.call_from_thread(self._failed, path, str(error), exists)
            return
        except Exception as error:  # shown in the dialog
            self.app.call_from_thread(self._failed, path, f"{type(error).__name__}: {error}", False)
            return
        self.app.call_from_thread(self._written, written or path)

    def _failed(self, path: Path, message: str, exists: bool) -> None:
        if exists:
            self._confirm = path
            self._status(f"{path} exists. Press enter again to overwrite it, esc to cancel.", "confirm")
        else:
            self._confirm = None
            self._status(message, "error")

    def _written(self, path: Path) -> None:
        self.app.notify(f"Wrote {path.resolve()}", title="Export")
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "export")
        self.dismiss(None)
