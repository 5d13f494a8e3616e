"""Measure the tail's latency: from a line written to a log to its Appended event.

A writer thread appends numbered lines (one ``write`` each, unbuffered, as a logging
handler that flushes does) at random moments, so the writes fall uniformly between
polls; ``Tailer.run`` polls in its own thread at the chosen interval and a callback
stamps each line's arrival. Also prints what an idle poll costs, per followed file.

    python bench/tail_latency.py [--writes 200] [--interval 0.02] [--idle-files 1000]
    python bench/tail_latency.py --dormant --writes 60 --gap 0.15
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

from session_explorer.core.tail import DEFAULT_IDLE_INTERVAL, Appended, Tailer, TailEvent


def measure_latency(
    directory: Path, writes: int, interval: float, gap: float, idle_after: float | None
) -> list[float]:
    """Latencies in milliseconds, one per written line."""
    log = directory / "app.log"
    log.write_bytes(b"")
    tailer = Tailer(interval=interval, idle_after=idle_after)
    tailer.follow(log)
    tailer.poll()
    written: dict[int, int] = {}
    arrived: dict[int, int] = {}
    all_in = threading.Event()

    def on_events(events: list[TailEvent]) -> None:
        now = time.perf_counter_ns()
        for event in events:
            if isinstance(event, Appended):
                for line in event.data.splitlines():
                    arrived[int(line.split()[0])] = now
        if len(arrived) == writes:
            all_in.set()

    thread, stop = tailer.start(on_events)
    rng = random.Random(4)
    with open(log, "ab", buffering=0) as handle:
        for number in range(writes):
            time.sleep(rng.uniform(0, 2 * gap))
            written[number] = time.perf_counter_ns()
            handle.write(b"%d - INFO - a line of the application log\n" % number)
    all_in.wait(10)
    stop.set()
    thread.join(5)
    tailer.close()
    return [(arrived[n] - written[n]) / 1e6 for n in written if n in arrived]


def measure_idle_poll(directory: Path, files: int, rounds: int = 200) -> float:
    """Microseconds per idle ``Tailer.poll()`` per followed file."""
    tailer = Tailer()
    for number in range(files):
        path = directory / f"session_{number:05d}.jsonl"
        path.write_bytes(b'{"n": 1}\n')
        tailer.follow(path, start_offset=9)
    tailer.poll()
    began = time.perf_counter()
    for _ in range(rounds):
        tailer.poll()
    elapsed = time.perf_counter() - began
    tailer.close()
    return elapsed / rounds / files * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.02, help="poll interval (s)")
    parser.add_argument("--gap", type=float, default=0.025, help="mean gap between writes")
    parser.add_argument("--idle-files", type=int, default=1000)
    parser.add_argument(
        "--dormant",
        action="store_true",
        help="every write hits a file idle for longer than idle_after (slow polling); "
        "use a larger --gap, e.g. 0.15",
    )
    args = parser.parse_args()
    idle_after = args.gap / 4 if args.dormant else None
    with tempfile.TemporaryDirectory() as tmp:
        latencies = measure_latency(
            Path(tmp), args.writes, args.interval, args.gap, idle_after
        )
    with tempfile.TemporaryDirectory() as tmp:
        per_file_us = measure_idle_poll(Path(tmp), args.idle_files)
    ordered = sorted(latencies)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    mode = "dormant file (idle polling)" if args.dormant else "active file"
    print(f"interval {args.interval * 1000:.0f} ms, {mode}, "
          f"{len(latencies)}/{args.writes} lines")
    print(f"latency median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, "
          f"max {ordered[-1]:.1f} ms")
    print(f"idle poll {per_file_us:.2f} us per followed file")
    for every in (args.interval, DEFAULT_IDLE_INTERVAL):
        cpu = per_file_us * args.idle_files / (every * 1e6) * 100
        print(f"  {args.idle_files} files polled every {every * 1000:.0f} ms: "
              f"~{cpu:.1f}% of a core")


if __name__ == "__main__":
    main()
