"""``session-explorer demo OUT_DIR [--sessions N] [--seed S] [--live [--rate R]]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from session_explorer.demo.output_dir import DemoDirectoryError
from session_explorer.demo.runner import DEFAULT_RATE, DEFAULT_SEED, DEFAULT_SESSIONS, generate, run_live

PROG = "session-explorer demo"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text}")
    return value


def add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of the ``demo`` command."""
    parser.add_argument(
        "out_dir",
        type=Path,
        metavar="OUT_DIR",
        help="where to write the logs: a new or empty directory, or a previous demo output",
    )
    parser.add_argument(
        "--sessions",
        type=_positive_int,
        metavar="N",
        help=f"number of sessions (default: {DEFAULT_SESSIONS}; with --live: run until interrupted)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        metavar="S",
        help=f"random seed: the same seed writes the same bytes (default: {DEFAULT_SEED}; "
        "with --live: a new one each run)",
    )
    parser.add_argument(
        "--live",
        action="store_true",
        help="keep writing sessions and lines on the real clock until Ctrl+C",
    )
    parser.add_argument(
        "--rate",
        type=_positive_float,
        metavar="R",
        help=f"with --live: new sessions per minute (default: {DEFAULT_RATE:g})",
    )


def run_demo_command(args: argparse.Namespace) -> int:
    """Run the ``demo`` command; 0 on success, 2 when OUT_DIR cannot be used."""
    out_dir: Path = args.out_dir
    try:
        if args.live:
            return run_live(
                out_dir, args.rate or DEFAULT_RATE, seed=args.seed, sessions=args.sessions
            )
        if args.rate is not None:
            print(f"{PROG}: --rate goes with --live", file=sys.stderr)
            return 2
        seed = DEFAULT_SEED if args.seed is None else args.seed
        result = generate(out_dir, args.sessions or DEFAULT_SESSIONS, seed)
    except DemoDirectoryError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 2
    print(
        f"Wrote {result.sessions} sessions ({result.llm_calls} LLM calls) to {out_dir}; "
        f"explore them with: session-explorer {out_dir}"
    )
    return 0
