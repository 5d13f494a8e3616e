"""Cost of stamping the session id on every log record.

Logs N records through a FileHandler on the root logger in each of several rounds of
one run, the two set-ups alternating in small chunks, and compares CPU time:

* without: a plain FileHandler with the seed's format minus the session id;
* with: ``configure_logging`` (record factory + SessionLogFilter + DETAILED_FORMAT),
  inside a session so the id is a real one.

Prints each round's times and the median ratio with/without (goal: at most 1.03).

    python bench/logging_overhead.py [--records 200000] [--rounds 5] [--chunks 20]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from pathlib import Path

from session_explorer.tracing import (
    configure_logging,
    session,
    uninstall_record_factory,
)

PLAIN_FORMAT = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"


def reset_root() -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    uninstall_record_factory()


def run(n: int, logger: logging.Logger) -> float:
    """CPU seconds to log ``n`` records (CPU time: steadier than wall time on a VM)."""
    start = time.process_time()
    for i in range(n):
        logger.info("Processing user message %d", i)
    return time.process_time() - start


def without_id(path: Path, n: int) -> float:
    reset_root()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(PLAIN_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        return run(n, logging.getLogger("cycling_ai.agent"))
    finally:
        reset_root()


def with_id(path: Path, n: int) -> float:
    reset_root()
    configure_logging(log_file=path, console=False)
    try:
        with session("20251105_143052"):
            return run(n, logging.getLogger("cycling_ai.agent"))
    finally:
        reset_root()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--chunks", type=int, default=20, help="alternations per round")
    args = parser.parse_args()

    ratios = []
    per_chunk = max(1, args.records // args.chunks)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        without_id(out / "warm.log", 10_000)
        with_id(out / "warm2.log", 10_000)
        for i in range(args.rounds):
            wo = w = 0.0
            pair_ratios = []
            # Both set-ups alternate in small chunks, so that drift on a noisy
            # machine falls on both sides alike; each adjacent pair gives a ratio.
            for k in range(args.chunks):
                if k % 2:
                    a = with_id(out / f"with{i}.log", per_chunk)
                    b = without_id(out / f"without{i}.log", per_chunk)
                else:
                    b = without_id(out / f"without{i}.log", per_chunk)
                    a = with_id(out / f"with{i}.log", per_chunk)
                w, wo = w + a, wo + b
                pair_ratios.append(a / b)
            ratios.extend(pair_ratios)
            n = per_chunk * args.chunks
            print(
                f"round {i + 1}: {n} records each, without {wo:.3f} s, with {w:.3f} s CPU, "
                f"ratio {w / wo:.3f}, median of its {len(pair_ratios)} pairs "
                f"{statistics.median(pair_ratios):.3f}  ({wo / n * 1e6:.2f} vs {w / n * 1e6:.2f} µs/record)"
            )
    print(
        f"median ratio with/without session id over {len(ratios)} alternating pairs: "
        f"{statistics.median(ratios):.3f} (goal <= 1.03)"
    )


if __name__ == "__main__":
    main()
