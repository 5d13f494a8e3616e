"""Exporting a session: the entry point, and writing the bundle where it was asked to go
(never into the logs directory, never over a file without ``force``, atomically)."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from session_explorer.core.session.catalog import Catalog

from session_explorer.core.session.export.constants import FORMATS, ExportError, Format
from session_explorer.core.session.export.gather import gather, resolved
from session_explorer.core.session.export.json_bundle import json_bundle
from session_explorer.core.session.export.markdown import markdown_bundle

# --------------------------------------------------------------------------- entry point


def export(
    catalog: Catalog,
    session_id: str,
    *,
    fmt: Format = "md",
    output: Path | None = None,
    force: bool = False,
) -> Path | None:
    """Write session ``session_id`` of ``catalog`` as ``fmt`` ("md" or "json").

    With ``output`` None (or ``-``) the bundle goes to standard output and None is
    returned; otherwise it is written to ``output``, which is returned. Raises
    :class:`ExportError` for an unknown format or session, a target inside the logs
    directory, an existing target without ``force``, or a write that failed; the
    target is checked before anything is read.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    if output is not None and str(output) == "-":
        output = None
    if output is not None:
        check_target(catalog, output, force=force)
    chunks = render(catalog, session_id, fmt)
    if output is None:
        _write_stdout(chunks)
        return None
    _write_file(Path(output), chunks, force=force)
    return Path(output)


def render(catalog: Catalog, session_id: str, fmt: Format = "md") -> Iterator[str]:
    """The export of a session as text pieces (see the module docstring)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    data = gather(catalog, session_id)
    return _one_final_newline(markdown_bundle(catalog, data)) if fmt == "md" else json_bundle(catalog, data)


def _one_final_newline(chunks: Iterator[str]) -> Iterator[str]:
    """``chunks`` ending in exactly one newline (the blocks each end with a blank line)."""
    held = ""
    for chunk in chunks:
        if chunk:
            if held:
                yield held
            held = chunk
    yield held.rstrip("\n") + "\n"


def markdown_chunks(catalog: Catalog, session_id: str) -> Iterator[str]:
    """The Markdown transcript of a session, piece by piece."""
    return render(catalog, session_id, "md")


def json_chunks(catalog: Catalog, session_id: str) -> Iterator[str]:
    """The JSON bundle of a session, piece by piece."""
    return render(catalog, session_id, "json")


# --------------------------------------------------------------------------- where to write


def check_target(catalog: Catalog, output: Path, *, force: bool) -> None:
    """Raise :class:`ExportError` unless ``output`` is a file the export may write."""
    output = Path(output)
    try:
        target = output.resolve()
    except (OSError, RuntimeError) as error:  # a symlink loop
        raise ExportError(f"{output}: {_reason(error)}") from None
    parent = target.parent
    if not parent.is_dir():
        raise ExportError(f"{output}: no such directory {str(output.parent)!r}")
    if target.is_dir():
        raise ExportError(f"{output}: is a directory")

    layout = catalog.layout
    guarded = {resolved(layout.root), resolved(layout.interactions_dir)}
    if layout.app_log_dir is not None:
        guarded.add(resolved(layout.app_log_dir))
    log_files: set[Path] = set()
    for path in layout.app_logs:
        guarded.add(resolved(path.parent))
        log_files.add(resolved(path))
    for source in catalog.sources:
        guarded.add(resolved(source.path.parent))
        log_files.add(resolved(source.path))
    log_files.update(resolved(path) for path in layout.session_files().values())
    inside_interactions = resolved(layout.interactions_dir) in (parent, *parent.parents)
    if parent in guarded or inside_interactions or target in log_files:
        raise ExportError(
            f"{output}: refusing to write into the logs directory {str(layout.root)!r}; choose a file elsewhere"
        )
    if (output.exists() or output.is_symlink()) and not force:
        raise ExportError(f"{output}: file exists (use --force to overwrite it)")


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower() if error.strerror[:1].isupper() else error.strerror
    return str(error) or type(error).__name__


def _write_stdout(chunks: Iterable[str]) -> None:
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        sys.stdout.flush()
        return
    sys.stdout.flush()
    for chunk in chunks:
        buffer.write(_encode(chunk))
    buffer.flush()


def _write_file(output: Path, chunks: Iterable[str], *, force: bool) -> None:
    """Write to a temporary file next to ``output``, then move it into place."""
    directory = output.parent
    try:
        handle, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{output.name}.", suffix=".tmp")
    except OSError as error:
        raise ExportError(f"{output}: cannot write in {str(directory)!r}: {_reason(error)}") from None
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            for chunk in chunks:
                stream.write(_encode(chunk))
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, _new_file_mode(output))
        if force:
            os.replace(temp, output)
        else:
            _move_without_replacing(temp, output)
    except BaseException as error:
        temp.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise ExportError(f"{output}: {_reason(error)}") from None
        raise


def _move_without_replacing(temp: Path, output: Path) -> None:
    """Rename ``temp`` to ``output`` unless ``output`` appeared meanwhile."""
    try:
        os.link(temp, output)  # fails when output exists: no window for a race
    except FileExistsError:
        raise ExportError(f"{output}: file exists (use --force to overwrite it)") from None
    except OSError:  # no hard links on this file system
        if output.exists():
            raise ExportError(f"{output}: file exists (use --force to overwrite it)") from None
        os.replace(temp, output)
    else:
        temp.unlink()


def _new_file_mode(output: Path) -> int:
    try:
        return output.stat().st_mode & 0o777  # overwriting: keep the file's mode
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _encode(chunk: str) -> bytes:
    return chunk.encode("utf-8", "backslashreplace")  # an unpaired surrogate shows as \udXXX
