"""Benchmark the app-log index and the headless commands on generated logs.

    python bench/gen_logs.py --preset realistic-1g --out /work/data/realistic-1g
    python bench/core.py /work/data/realistic-1g/app.log [--workers N] [--samples 9] [--check]

Prints: `grep -c '^\\['` time in the same run (min of three runs before the index and
three after, as other processes share the cores), full index time, its ratio to grep
and its CPU time (index process plus worker processes) per MiB, first
page of random sessions before the index (idle and while the build runs) and after
it (median / max), tail_lines time, peak RSS, and ``session-explorer list --json`` on the
log's directory (its time beyond the full index). Each measurement that needs a
fresh process runs in a child (``--child``) so its peak RSS is its own.

With a logs directory around the log (``llm_interactions/`` beside it), also:

* ``list --json`` cold (an empty cache directory of its own: no persistent index)
  against ``grep -c '^\\['`` of the app log, goal <= 10x;
* ``list --json`` warm (the cache filled by a first run, then the log grown by 1 %:
  the last 1 % of its bytes appended again), goal <= 1 s. This appends to the data;
* the JSONL summaries in MB/s of CPU time (``summarise_file`` over every file), goal
  >= 150 MB/s per core;
* the index inside the explorer (in tmux, until the status line says "indexed",
  an empty cache) against lnav's load of the same log (``lnav -n``), when lnav is
  installed; goal: no later than lnav.

``--check`` exits non-zero when a goal is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from session_explorer.core.applog.index import LogIndex
from session_explorer.core.background import allow_worker_processes, shutdown_shared_pool

PAGE = 50


def rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and its finished children."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))


def pick_sessions(path: Path, count: int, seed: int) -> list[str]:
    """Session ids of the generated log, from its JSONL directory (no index needed)."""
    names = sorted(p.stem[len("session_"):] for p in (path.parent / "llm_interactions").glob("session_*.jsonl"))
    return random.Random(seed).sample(names, min(count, len(names)))


def timed_pages(index: LogIndex, sids: list[str]) -> tuple[list[float], int]:
    times, short = [], 0
    for sid in sids:
        t0 = time.perf_counter()
        page = index.session_page(sid, 0, PAGE)
        times.append((time.perf_counter() - t0) * 1000)
        short += len(page.lines) < PAGE
    return times, short


def child(args: argparse.Namespace) -> None:
    allow_worker_processes()  # as the session-explorer command does (this module is guarded)
    path = Path(args.log)
    sids = pick_sessions(path, args.samples, args.seed)
    out: dict[str, object] = {}
    with LogIndex([path], "app", workers=args.workers) as index:
        t0 = time.perf_counter()
        out["tail_before_ms"] = (index.tail_lines(100) and (time.perf_counter() - t0) * 1000)
        out["before_idle_ms"], out["before_idle_short"] = timed_pages(index, sids)
        out["rss_before_build"] = rss_mib()
        cpu0 = cpu_seconds()
        t0 = time.perf_counter()
        index.start()
        out["during_build_ms"], _ = timed_pages(index, sids[:3])
        index.wait()
        out["index_s"] = time.perf_counter() - t0
        shutdown_shared_pool()  # its processes' CPU and memory are counted as children
        out["index_cpu_s"] = cpu_seconds() - cpu0
        out["lines"] = index.line_count
        t0 = time.perf_counter()
        stats = index.session_stats()
        out["stats_s"] = time.perf_counter() - t0
        out["sessions"] = len(stats)
        out["after_ms"], out["after_short"] = timed_pages(index, sids)
        t0 = time.perf_counter()
        index.tail_lines(100)
        out["tail_after_ms"] = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        index.read_lines(index.line_count // 2, index.line_count // 2 + PAGE)
        out["line_n_ms"] = (time.perf_counter() - t0) * 1000
    out["rss_self"] = rss_mib()
    out["rss_workers"] = rss_mib(resource.RUSAGE_CHILDREN)
    print(json.dumps(out))


def grep_time(path: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(["grep", "-c", r"^\[", str(path)], check=False, capture_output=True)
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description="benchmark the app-log index")
    parser.add_argument("log", nargs="?", default=str(Path(__file__).parent / "data" / "1g" / "app.log"))
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--samples", type=int, default=9)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--check", action="store_true", help="exit non-zero when a goal is missed")
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0
    path = Path(args.log)
    size = path.stat().st_size
    subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=False)  # warm the page cache
    grep_before = min(grep_time(path) for _ in range(3))
    cmd = [sys.executable, __file__, str(path), "--child", "--samples", str(args.samples), "--seed", str(args.seed)]
    if args.workers is not None:
        cmd += ["--workers", str(args.workers)]
    result = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    grep_after = min(grep_time(path) for _ in range(3))
    grep_s = min(grep_before, grep_after)

    def med_max(values: list[float]) -> str:
        return f"median {statistics.median(values):7.1f} ms   max {max(values):7.1f} ms"

    print(f"log                     {path}  ({size / (1 << 20):.0f} MiB, {result['lines']:,} lines, "
          f"{result['sessions']} sessions)")
    mib = size / (1 << 20)
    print(f"grep -c '^\\['           {grep_s:7.2f} s   "
          f"(min of 3 before: {grep_before:.2f} s, 3 after: {grep_after:.2f} s)")
    print(f"full index              {result['index_s']:7.2f} s   ratio to grep {result['index_s'] / grep_s:5.1f}x"
          f"   ({mib / result['index_s']:.0f} MiB/s, {result['index_s'] * 1000 / mib:.2f} ms/MiB wall)")
    print(f"index CPU (all procs)   {result['index_cpu_s']:7.2f} s   {result['index_cpu_s'] * 1000 / mib:.2f} ms/MiB"
          f"   (self + worker processes, user + system)")
    print(f"session_stats()         {result['stats_s'] * 1000:7.1f} ms")
    print(f"first page before index {med_max(result['before_idle_ms'])}   "
          f"(idle, {args.samples} sessions, {result['before_idle_short']} short)")
    print(f"first page during build {med_max(result['during_build_ms'])}")
    print(f"first page after index  {med_max(result['after_ms'])}   ({result['after_short']} short)")
    print(f"line N (middle) page    {result['line_n_ms']:7.1f} ms")
    print(f"tail_lines(100)         before {result['tail_before_ms']:.1f} ms   after {result['tail_after_ms']:.1f} ms")
    print(f"peak RSS                index process {result['rss_self']:.0f} MiB   "
          f"(before build {result['rss_before_build']:.0f} MiB)   workers max {result['rss_workers']:.0f} MiB")
    failed: list[str] = []
    if (path.parent / "llm_interactions").is_dir():
        failed += directory_figures(path, grep_s, args)
    if failed:
        print("goals missed: " + "; ".join(failed))
    return 1 if args.check and failed else 0


def goal(failed: list[str], ok: bool, what: str) -> str:
    if not ok:
        failed.append(what)
    return "PASS" if ok else "FAIL"


def directory_figures(path: Path, grep_s: float, args: argparse.Namespace) -> list[str]:
    failed: list[str] = []
    directory = path.parent
    listed, cold = time_list(directory, cache=None)
    print(f"list --json, cold       {cold:7.2f} s   {listed} sessions, ratio to grep {cold / grep_s:5.1f}x"
          f"   (goal <= 10x: {goal(failed, cold <= 10 * grep_s, 'list cold')})")
    with tempfile.TemporaryDirectory(prefix="se-cache-") as cache:
        time_list(directory, cache=cache)  # fills the cache
        grow(path, 0.01)
        _, warm = time_list(directory, cache=cache, runs=1)
    print(f"list --json, warm       {warm:7.2f} s   (cache valid, log grown by 1 %; goal <= 1 s: "
          f"{goal(failed, warm <= 1.0, 'list warm')})")
    mb_s, jsonl_mb = jsonl_speed(directory / "llm_interactions")
    print(f"JSONL summaries         {mb_s:7.0f} MB/s of CPU ({jsonl_mb:.0f} MB; goal >= 150: "
          f"{goal(failed, mb_s >= 150, 'JSONL MB/s')})")
    if shutil.which("tmux"):
        with tempfile.TemporaryDirectory(prefix="se-cache-") as cache:
            inside = explorer_index_seconds(directory, cache)  # cold: fills the cache
            warm_inside = explorer_index_seconds(directory, cache, warm=True)
        print(f"explorer, warm cache    {warm_inside:7.2f} s   until every session is counted and the status "
              f"line says 'from the cache' (goal <= 1 s: {goal(failed, warm_inside <= 1.0, 'explorer warm')})")
        lnav = lnav_seconds(path) if shutil.which("lnav") else None
        if lnav is None:
            print(f"index inside explorer   {inside:7.2f} s   (lnav not installed: no comparison)")
        else:
            print(f"index inside explorer   {inside:7.2f} s   lnav's load {lnav:.2f} s   (goal: no later: "
                  f"{goal(failed, inside <= lnav, 'index inside the explorer vs lnav')})")
    return failed


def time_list(directory: Path, *, cache: str | None, runs: int = 2) -> tuple[int, float]:
    """``session-explorer list DIR --json`` as a user runs it (the best of ``runs``);
    ``cache`` None: an empty cache directory for each run (cold)."""
    best, count = float("inf"), 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="se-cold-") as empty:
            env = {**os.environ, "SESSION_EXPLORER_CACHE_DIR": cache or empty}
            t0 = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "session_explorer", "list", str(directory), "--json"],
                                 check=True, capture_output=True, text=True, env=env,
                                 cwd=Path(__file__).resolve().parents[1] / "src")
            best = min(best, time.perf_counter() - t0)
        count = len(json.loads(out.stdout))
    return count, best


def grow(path: Path, share: float) -> None:
    """Append the log's last ``share`` of bytes again (whole lines): it grew."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        fh.seek(max(0, size - int(size * share)))
        tail = fh.read()
    tail = tail[tail.find(b"\n") + 1:]
    with open(path, "ab") as fh:
        fh.write(tail)


def jsonl_speed(directory: Path) -> tuple[float, float]:
    """MB/s of CPU time of the JSONL summaries (every file, page cache warm)."""
    from session_explorer.core.interactions.stats import summarise_file

    files = sorted(directory.glob("session_*.jsonl"))
    total = sum(f.stat().st_size for f in files) / 1e6
    for f in files:  # warm the page cache
        f.read_bytes()
    t0 = time.process_time()
    for f in files:
        summarise_file(f)
    return total / (time.process_time() - t0), total


def explorer_index_seconds(directory: Path, cache: str, *, warm: bool = False) -> float:
    """From launching the explorer until its status line says the logs are indexed
    (tmux, 160x45); ``warm``: from the cache (an earlier launch filled ``cache``)."""
    import ui  # bench/ui.py: the tmux helpers

    command = (f"env SESSION_EXPLORER_CACHE_DIR={shlex.quote(cache)} "
               f"{shlex.quote(sys.executable)} -m session_explorer {shlex.quote(str(directory))}")
    t0 = ui.start(command)
    if warm:
        done = ui.wait_for(lambda text: "(from the cache)" in text, timeout=60)
    else:
        done = ui.wait_for(lambda text: "indexed" in text and "indexing" not in text, timeout=300)
        ui.wait_for(lambda text: "indexed" in text, timeout=5)
        time.sleep(3)  # the interaction summaries and the cache are written by now
    ui.tmux("send-keys", "-t", ui.SESSION, "q")
    time.sleep(1)
    ui.tmux("kill-session", "-t", ui.SESSION)
    return done - t0


def lnav_seconds(path: Path) -> float:
    """lnav's headless load of the log (best of two)."""
    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        subprocess.run(["lnav", "-n", "-c", ";SELECT 1", str(path)], capture_output=True, check=False)
        best = min(best, time.perf_counter() - t0)
    return best


if __name__ == "__main__":
    raise SystemExit(main())
