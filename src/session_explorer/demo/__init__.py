"""The built-in demo: a fake LLM application that logs through the tracing core.

``generate(out_dir, sessions, seed)`` writes a reproducible logs directory (the
committed ``sample_logs/`` is ``generate_sample_logs()``); ``LiveDemo`` keeps
writing sessions in a background thread, for ``session-explorer --demo``.
"""

from __future__ import annotations

from session_explorer.demo.output_dir import MARKER, DemoDirectoryError, prepare_output_dir
from session_explorer.demo.runner import (
    DEFAULT_RATE,
    DEFAULT_SEED,
    DEFAULT_SESSIONS,
    DemoResult,
    LiveDemo,
    generate,
    run_live,
)
from session_explorer.demo.sample import SAMPLE_SEED, SAMPLE_SESSIONS, default_sample_dir, generate_sample_logs

__all__ = [
    "DEFAULT_RATE",
    "DEFAULT_SEED",
    "DEFAULT_SESSIONS",
    "MARKER",
    "SAMPLE_SEED",
    "SAMPLE_SESSIONS",
    "DemoDirectoryError",
    "DemoResult",
    "LiveDemo",
    "default_sample_dir",
    "generate",
    "generate_sample_logs",
    "prepare_output_dir",
    "run_live",
]
