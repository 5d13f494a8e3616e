"""The committed ``sample_logs/`` directory: what generates it, and where it lives.

Regenerate it from the repository's top level with either::

    session-explorer demo sample_logs --sessions 6 --seed 1
    python -m session_explorer.demo
"""

from __future__ import annotations

from pathlib import Path

from session_explorer.demo.runner import DemoResult, generate

SAMPLE_SESSIONS = 6
SAMPLE_SEED = 1
SAMPLE_DIR_NAME = "sample_logs"


def default_sample_dir() -> Path:
    """``sample_logs/`` at the top of the source checkout (``src/`` layout) this
    package runs from; ``./sample_logs`` for an installed package."""
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "pyproject.toml").is_file() and (checkout / "src" / "session_explorer").is_dir():
        return checkout / SAMPLE_DIR_NAME
    return Path(SAMPLE_DIR_NAME)


def generate_sample_logs(out_dir: str | Path | None = None) -> DemoResult:
    """Write the sample logs (6 sessions, seed 1) into ``out_dir`` (default: the checkout's)."""
    return generate(out_dir if out_dir is not None else default_sample_dir(), SAMPLE_SESSIONS, SAMPLE_SEED)
