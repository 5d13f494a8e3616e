"""Benchmark ``show`` (the direct scan) against grep on the same log, in one run.

    python bench/gen_logs.py --preset realistic-1g --out /work/data/realistic-1g
    python bench/show.py /work/data/realistic-1g [--repeat 3] [--check]

For a few sessions - the newest (``bench-meta.json`` names it, else the last
record of the app log), an old one (the first of the app log) and one that also
writes to ``worker.log`` - times the command as a user runs it, a new process
each time::

    session-explorer show DIR SESSION > /dev/null

against ``grep -c '^\\[SESSION\\]' DIR/app.log`` (its count read from a pipe:
to /dev/null GNU grep stops at the first match), and prints the ratio. Goal: at
most 3x. Both read the page-cached files: one read of every log warms the cache
first. Each is run ``--repeat`` times and the best time kept. ``--check`` exits
with 1 when a ratio is over ``--max-ratio``. ``--session ID`` (repeatable) times
these sessions instead.

Nothing is written to the logs directory.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

_HEAD = re.compile(rb"^\[([^\]\n]*)\] - ")


def best_time(command: list[str], repeat: int, *, devnull: bool = True) -> float:
    """The best wall time of ``repeat`` runs, output to /dev/null (or a pipe: GNU
    grep stops at the first match when its output is /dev/null)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.DEVNULL if devnull else subprocess.PIPE,
                              stderr=subprocess.PIPE, check=False)
        times.append(time.perf_counter() - t0)
        if done.returncode not in (0, 1):  # grep -c answers 1 when it counts 0
            raise SystemExit(f"{' '.join(command)}: exit {done.returncode}: {done.stderr.decode()[:200]}")
    return min(times)


def warm(paths: list[Path]) -> None:
    for path in paths:
        with open(path, "rb") as handle:
            while handle.read(16 << 20):
                pass


def heads(path: Path, *, from_end: bool = False, limit: int = 4 << 20) -> list[str]:
    """Session ids of the record heads in the first (or last) ``limit`` bytes."""
    with open(path, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - limit) if from_end else 0)
        data = handle.read(limit)
    ids = [m.group(1).decode("utf-8", "replace") for line in data.split(b"\n") if (m := _HEAD.match(line))]
    return [sid for sid in ids if sid != "in-progress"]


def pick_sessions(root: Path, app_log: Path) -> list[tuple[str, str]]:
    meta_path = root / "bench-meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    newest = meta.get("newest_session") or heads(app_log, from_end=True)[-1]
    picked = [("newest", newest), ("old", heads(app_log)[0])]
    worker = root / meta.get("worker_log", "worker.log")
    if worker.is_file():
        in_app = set(heads(app_log, limit=64 << 20))
        shared = [sid for sid in heads(worker, limit=64 << 20) if sid in in_app and sid not in {newest}]
        if shared:
            picked.append(("also in worker.log", shared[0]))
    return picked


def grep_pattern(sid: str) -> str:
    """``^\\[SID\\]`` as a basic regular expression."""
    return "^\\[" + re.sub(r"([\[\]\\.*^$])", r"\\\1", sid) + "\\]"


def explorer_command() -> list[str]:
    script = Path(sys.executable).with_name("session-explorer")
    if script.is_file():
        return [str(script)]
    found = shutil.which("session-explorer")
    return [found] if found else [sys.executable, "-m", "session_explorer"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--app-log", default=None,
                        help="the app log grep reads (default: from bench-meta.json, else app.log)")
    parser.add_argument("--session", action="append", help="time this session (repeatable)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="exit 1 when a ratio is over --max-ratio")
    parser.add_argument("--max-ratio", type=float, default=3.0)
    args = parser.parse_args()

    root = args.directory
    meta_path = root / "bench-meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    app_log = root / (args.app_log or meta.get("app_log", "app.log"))
    sessions = [("given", sid) for sid in args.session] if args.session else pick_sessions(root, app_log)
    warm(sorted(root.glob("*.log*")))
    show = explorer_command()

    print(f"{app_log} ({app_log.stat().st_size / 1e9:.2f} GB), best of {args.repeat}")
    print(f"{'session':<28} {'show':>8} {'grep':>8} {'ratio':>6}")
    worst = 0.0
    for label, sid in sessions:
        t_show = best_time([*show, "show", str(root), sid], args.repeat)
        t_grep = best_time(["grep", "-c", grep_pattern(sid), str(app_log)], args.repeat, devnull=False)
        ratio = t_show / t_grep
        worst = max(worst, ratio)
        print(f"{sid:<28} {t_show:7.2f}s {t_grep:7.2f}s {ratio:5.2f}x  ({label})")
    verdict = "ok" if worst <= args.max_ratio else "over"
    print(f"worst ratio {worst:.2f}x (goal <= {args.max_ratio:g}x): {verdict}")
    return 1 if args.check and worst > args.max_ratio else 0


if __name__ == "__main__":
    sys.exit(main())
