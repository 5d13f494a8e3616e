"""Start the explorer from the command line (imported only when it is used)."""

from __future__ import annotations

import argparse
import contextlib
import gc
import shutil
import sys
import tempfile
from pathlib import Path

from session_explorer.core.session.layout import LayoutError, discover
from session_explorer.errors import PROG, CliError
from session_explorer.ui.app import directory_label, make_app


def run_explorer(args: argparse.Namespace) -> int:
    try:
        layout = discover(args.directory, args.app_log, args.interactions)
    except LayoutError as error:
        raise CliError(f"{PROG}: {error}") from None
    _prepare_index_workers(layout.app_logs)
    _steady_collector()
    app = make_app(
        layout,
        session=args.session,
        follow=not args.no_follow,
        label=directory_label(args.directory),
    )
    app.run()
    return app.return_code or 0


#: Allocations between two collections of the young generation (Python's default: 700).
GC_YOUNG = 10_000


def _steady_collector() -> None:
    """Keep the cyclic garbage collector's pauses out of the way of keys and lines.

    A full collection walks every container the process holds, with every thread
    stopped: with Textual's widgets and the session list that took 25 to 90 ms,
    several times during an index. What exists before the app runs (modules,
    classes) is frozen out of the collector's sight, and the young generation is
    collected less often (rendering makes and drops many small objects).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])


def _prepare_index_workers(app_logs: tuple[Path, ...]) -> None:
    """Start multiprocessing's resource tracker before the terminal is taken over.

    Big logs are indexed by worker processes; the tracker they need is started
    with the process's stderr, which the running app has replaced.
    """
    from session_explorer.core.applog.index import PARALLEL_MIN_BYTES
    from session_explorer.core.background import keep_a_core_for_live, worker_processes_allowed

    keep_a_core_for_live()
    if not worker_processes_allowed():
        return
    total = 0
    for path in app_logs:
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    if total >= PARALLEL_MIN_BYTES:
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()


def run_demo_explorer(args: argparse.Namespace) -> int:
    """The live demo writing into a fresh temporary directory, and the explorer on it."""
    from session_explorer.demo import LiveDemo

    out_dir = Path(tempfile.mkdtemp(prefix="session-explorer-demo-"))
    demo = LiveDemo()
    try:
        demo.start(out_dir)
        app = make_app(
            discover(out_dir),
            session=args.session,
            follow=not args.no_follow,
            label=f"demo: {out_dir}",
        )
        app.run()
    finally:
        demo.stop(timeout=5.0)
        if args.keep:
            print(f"demo logs kept in {out_dir}", file=sys.stderr)
        else:
            shutil.rmtree(out_dir, ignore_errors=True)
    if demo.error is not None:
        print(f"{PROG}: the demo stopped: {demo.error}", file=sys.stderr)
    return app.return_code or 0
