"""Cost of stamping the session id on every log record.

Logs N records through a FileHandler on the root logger, alternating two set-ups in
several rounds of one run:

* without: a plain FileHandler with the seed's format minus the session id;
* with: ``configure_logging`` (record factory + SessionLogFilter + DETAILED_FORMAT),
  inside a session so the id is a real one.

Prints each round's times and the median ratio with/without (goal: at most 1.03).

    python bench/logging_overhead.py [--records 200000] [--rounds 7]
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
    start = time.perf_counter()
    for i in range(n):
        logger.info("Processing user message %d", i)
    return time.perf_counter() - start


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
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        without_id(out / "warm.log", 10_000)
        with_id(out / "warm2.log", 10_000)
        for i in range(args.rounds):
            # Alternate the order so drift on a noisy machine hits both sides alike.
            if i % 2:
                w = with_id(out / f"with{i}.log", args.records)
                wo = without_id(out / f"without{i}.log", args.records)
            else:
                wo = without_id(out / f"without{i}.log", args.records)
                w = with_id(out / f"with{i}.log", args.records)
            ratios.append(w / wo)
            print(
                f"round {i + 1}: without {wo:.3f} s, with {w:.3f} s, ratio {w / wo:.3f}"
                f"  ({wo / args.records * 1e6:.2f} vs {w / args.records * 1e6:.2f} µs/record)"
            )
    print(f"median ratio with/without session id: {statistics.median(ratios):.3f} (goal <= 1.03)")


if __name__ == "__main__":
    main()
