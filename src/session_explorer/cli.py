"""Command line: ``session-explorer [DIR]`` opens the explorer; ``list``, ``show``,
``export`` and ``demo`` are the headless commands.

Only the standard library is imported here, so ``--help`` and ``--version`` answer
at once; the explorer (Textual) and the demo are imported when they are used.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from session_explorer import __version__
from session_explorer.errors import PROG, CliError

COMMANDS = ("list", "show", "export", "demo", "cache")

DESCRIPTION = """\
See what your LLM application did, session by session.

Opens a live terminal explorer over a logs directory: the sessions found in
DIR/llm_interactions/session_<id>.jsonl and in the application logs DIR/*.log,
each session's app-log lines and its LLM interactions side by side.

commands (session-explorer COMMAND --help for details):
  list DIR              the sessions of DIR, newest first (--json for scripts)
  show DIR SESSION      one session's app-log lines (or --interactions)
  export DIR SESSION    one session as a Markdown or JSON bundle
  demo OUT_DIR          write a demo logs directory (or --live: keep writing)
  cache info|clear      the persistent index in your cache directory
"""


def _add_layout_options(parser: argparse.ArgumentParser, *, short_interactions: bool = True) -> None:
    """``--app-log FILE`` and ``--interactions DIR`` (``--interactions-dir`` in ``show``,
    where ``--interactions`` prints the JSONL lines)."""
    parser.add_argument(
        "--app-log",
        action="append",
        type=Path,
        metavar="FILE",
        help="an application log to read (repeatable); default: DIR/*.log",
    )
    names = ["--interactions", "--interactions-dir"] if short_interactions else ["--interactions-dir"]
    parser.add_argument(
        *names,
        dest="interactions",
        type=Path,
        metavar="DIR",
        help="the directory of session_<id>.jsonl files; default: DIR/llm_interactions",
    )
    parser.add_argument(
        "--no-cache", action="store_true",
        help="neither read nor write the persistent index (in your cache directory)",
    )


def explorer_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "directory", nargs="?", type=Path, metavar="DIR", help="logs directory (default: ./logs)"
    )
    _add_layout_options(parser)
    parser.add_argument(
        "--session", metavar="ID", help="open on this session (an id, a unique prefix, or 'latest')"
    )
    parser.add_argument("--no-follow", action="store_true", help="start with live follow off")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run a built-in demo application writing into a temporary directory, and explore it",
    )
    parser.add_argument(
        "--keep", action="store_true", help="with --demo: keep the temporary directory and print its path"
    )
    return parser


def list_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} list", description="List the sessions of a logs directory, newest first."
    )
    parser.add_argument("directory", type=Path, metavar="DIR")
    _add_layout_options(parser)
    parser.add_argument("--json", action="store_true", help="one JSON array of session objects")
    return parser


def show_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} show",
        description="Print one session's app-log lines in log order (byte for byte to a pipe).",
    )
    parser.add_argument("directory", type=Path, metavar="DIR")
    parser.add_argument("session", metavar="SESSION", help="an id, a unique prefix, or 'latest'")
    _add_layout_options(parser, short_interactions=False)
    parser.add_argument(
        "--interactions", dest="show_interactions", action="store_true",
        help="print the session's JSONL lines instead",
    )
    return parser


def export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} export",
        description="Write one session as a Markdown transcript or a JSON bundle.",
    )
    parser.add_argument("directory", type=Path, metavar="DIR")
    parser.add_argument("session", metavar="SESSION", help="an id, a unique prefix, or 'latest'")
    _add_layout_options(parser)
    parser.add_argument("--format", choices=("md", "json"), default="md")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="default: standard output")
    parser.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    return parser


def demo_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} demo",
        description="Run the built-in demo LLM application (a fake provider, no API key) "
        "and write its logs into OUT_DIR.",
    )
    from session_explorer.demo.cli import add_demo_arguments

    add_demo_arguments(parser)
    return parser


def cache_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} cache",
        description="The persistent index: what a later launch reuses so that reopening logs "
        "costs only what was appended. It lives in your cache directory, never in the logs.",
    )
    parser.add_argument("action", choices=("info", "clear"), help="show its size and entries, or empty it")
    return parser


def run_cache_command(args: argparse.Namespace) -> int:
    from session_explorer.core.cache.store import CacheStore

    store = CacheStore()
    try:
        if store.problem:
            print(f"{PROG}: {store.problem}", file=sys.stderr)
        if args.action == "clear":
            removed = store.clear()
            print(f"removed {removed} entr{'y' if removed == 1 else 'ies'} from {store.path}")
            return 0
        info = store.info()
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(info.by_kind.items())) or "none"
        print(f"cache: {info.path}")
        print(f"entries: {info.entries} ({kinds})")
        print(f"size: {info.bytes / 1024:.1f} KiB of entries (cap {store.max_bytes >> 20} MiB), journal {info.journal}")
        return 0
    finally:
        store.close()


def check_directory(path: Path) -> Path:
    """Fail with one clear line unless ``path`` is a readable directory."""
    if not path.exists():
        raise CliError(f"{PROG}: {path}: no such directory")
    if not path.is_dir():
        raise CliError(f"{PROG}: {path}: not a directory")
    if not os.access(path, os.R_OK | os.X_OK):
        raise CliError(f"{PROG}: {path}: permission denied")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    _allow_index_workers()
    try:
        if args and args[0] in COMMANDS:
            return _run_command(args[0], args[1:])
        return _run_explorer(explorer_parser().parse_args(args))
    except CliError as error:
        print(error, file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader of a pipe went away (``show ... | head``): not an error.
        _silence_stdout()
        return 0
    except OSError as error:
        print(f"{PROG}: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return 2


def _run_command(command: str, rest: list[str]) -> int:
    if command == "demo":
        from session_explorer.demo.cli import run_demo_command

        return run_demo_command(demo_parser().parse_args(rest))
    if command == "cache":
        return run_cache_command(cache_parser().parse_args(rest))

    from session_explorer import commands

    parser = {"list": list_parser, "show": show_parser, "export": export_parser}[command]()
    parsed = parser.parse_args(rest)
    _use_cache(parsed)
    if command == "list":
        return commands.list_sessions(parsed)
    if command == "show":
        return commands.show_session(parsed)
    return commands.export_session(parsed)


def _use_cache(args: argparse.Namespace) -> None:
    """The command line keeps the index between launches unless ``--no-cache``."""
    from session_explorer.core.cache.store import use_default_store

    use_default_store(not getattr(args, "no_cache", False))


def _run_explorer(args: argparse.Namespace) -> int:
    if args.keep and not args.demo:
        raise CliError(f"{PROG}: --keep goes with --demo")
    if args.demo:
        from session_explorer.ui.launch import run_demo_explorer

        return run_demo_explorer(args)
    if args.directory is None:
        args.directory = Path("logs")
    check_directory(args.directory)
    _use_cache(args)
    from session_explorer.ui.launch import run_explorer

    return run_explorer(args)


def _allow_index_workers() -> None:
    """Big logs are indexed by worker processes when run as the command (whose
    ``__main__`` is guarded); the core alone never starts processes unasked."""
    main_module = sys.modules.get("__main__")
    guarded = getattr(getattr(main_module, "__spec__", None), "name", "") == "session_explorer.__main__"
    script = Path(getattr(main_module, "__file__", "") or "").name
    if guarded or script in ("session-explorer", "session-explorer.exe"):
        from session_explorer.core.background import allow_worker_processes

        allow_worker_processes()


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main())
