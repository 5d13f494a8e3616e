"""Start-up settings of the explorer's process."""

from __future__ import annotations

import subprocess
import sys


def test_the_collector_is_steadied_before_the_app_runs() -> None:
    """What exists before the app runs is frozen out of the collector's sight, and
    young objects are collected less often (in a process of its own: the settings
    are process-wide)."""
    code = (
        "import gc\n"
        "from session_explorer.ui import launch\n"
        "launch._steady_collector()\n"
        "print(gc.get_freeze_count() > 1000, gc.get_threshold()[0] == launch.GC_YOUNG)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["True", "True"]
