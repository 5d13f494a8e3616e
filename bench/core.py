"""Benchmark the app-log index on a generated log (see bench/gen_logs.py).

    python bench/gen_logs.py --size 1G --sessions 2000 --out bench/data/1g
    python bench/core.py bench/data/1g/app.log [--workers N] [--samples 9]

Prints: `grep -c '^\\['` time in the same run (min of three runs before the index and
three after, as other processes share the cores), full index time, its ratio to grep
and its CPU time (index process plus worker processes) per MiB, first
page of random sessions before the index (idle and while the build runs) and after
it (median / max), tail_lines time, peak RSS, and ``session-explorer list --json`` on the
log's directory (its time beyond the full index). Each measurement that needs a
fresh process runs in a child (``--child``) so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from session_explorer.core.index import LogIndex, allow_worker_processes  # noqa: E402

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
    print(f"grep -c '^\\['           {grep_s:7.2f} s   (min of 3 before: {grep_before:.2f} s, 3 after: {grep_after:.2f} s)")
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
    if path.name == "app.log" and (path.parent / "llm_interactions").is_dir():
        listed, list_s = time_list(path.parent)
        print(f"list --json             {list_s:7.2f} s   {listed} sessions, "
              f"{list_s - result['index_s']:.2f} s beyond the full index (whole command: start-up, "
              f"index, JSONL summaries, output)")
    return 0


def time_list(directory: Path) -> tuple[int, float]:
    """``session-explorer list DIR --json`` as a user runs it (the best of two)."""
    best, count = float("inf"), 0
    for _ in range(2):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "session_explorer", "list", str(directory), "--json"],
                             check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1] / "src")
        best = min(best, time.perf_counter() - t0)
        count = len(json.loads(out.stdout))
    return count, best


if __name__ == "__main__":
    raise SystemExit(main())
