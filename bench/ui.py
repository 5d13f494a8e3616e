"""The explorer's speed as a user sees it, measured in tmux against a bare Textual app.

For each figure the screen is read with ``tmux capture-pane`` in a tight loop:

* launch: from starting the command to the first full screen (the session list and
  the newest session's lines), compared with the first paint of bench/hello_app.py
  in the same run (median of several launches each); and, as the explorer's floor,
  its first paint on an empty directory;
* switching session (``]``): until the new session's title and lines are on screen,
  right after launch (index still building) and after the index is complete;
* tail: from appending a line to the app log until it is on screen (median);
* peak RSS (VmHWM) of the explorer and of the bare app.

    python bench/ui.py [--logs bench/data/1g] [--launches 3] [--writes 20]

Generate the logs first: ``python bench/gen_logs.py --size 1G --sessions 2000``.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
SESSION = "se-bench"
WIDTH, HEIGHT = 160, 45
PYTHON = sys.executable


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", SESSION)


def start(command: str) -> float:
    tmux("kill-session", "-t", SESSION)
    t0 = time.perf_counter()
    tmux("new-session", "-d", "-x", str(WIDTH), "-y", str(HEIGHT), "-s", SESSION, f"exec {command}")
    return t0


def wait_for(predicate, timeout: float = 60.0) -> float:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        text = screen()
        if predicate(text):
            return time.perf_counter()
        time.sleep(0.002)
    raise TimeoutError("the screen never showed what was expected:\n" + screen())


def pane_pid() -> int:
    return int(tmux("display-message", "-p", "-t", SESSION, "#{pane_pid}").strip())


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


TIME_LINE = re.compile(r"\d\d:\d\d:\d\d\.\d{3} +[A-Z]+ ")


def full_screen(session_id: str):
    def check(text: str) -> bool:
        return f"App log · {session_id}" in text and len(TIME_LINE.findall(text)) >= 10
    return check


def newest_sessions(logs: Path, n: int = 2) -> list[str]:
    """The first sessions of the explorer's list (asked of ``session-explorer list``)."""
    out = subprocess.run(
        [PYTHON, "-m", "session_explorer", "list", str(logs), "--json"],
        capture_output=True, text=True, check=True,
    ).stdout
    return [row["id"] for row in json.loads(out)][:n]


def explorer_command(logs: Path) -> str:
    return f"{shlex.quote(PYTHON)} -m session_explorer {shlex.quote(str(logs))}"


def measure_launch(logs: Path, newest: str, launches: int) -> tuple[float, float, float, float]:
    hello, explore, hello_rss, explore_rss = [], [], [], []
    for _ in range(launches):
        t0 = start(f"{shlex.quote(PYTHON)} {shlex.quote(str(HERE / 'hello_app.py'))}")
        hello.append(wait_for(lambda s: "Hello, bench" in s) - t0)
        hello_rss.append(peak_rss_mib(pane_pid()))
        t0 = start(explorer_command(logs))
        explore.append(wait_for(full_screen(newest)) - t0)
        explore_rss.append(peak_rss_mib(pane_pid()))
    tmux("kill-session", "-t", SESSION)
    return statistics.median(hello), statistics.median(explore), max(hello_rss), max(explore_rss)


def measure_empty(launches: int) -> float:
    """The explorer's own floor: its first paint on an empty directory (no data to
    read, the same widgets and imports), median of ``launches``."""
    import tempfile

    times = []
    with tempfile.TemporaryDirectory() as empty:
        for _ in range(launches):
            t0 = start(explorer_command(Path(empty)))
            times.append(wait_for(lambda s: "No sessions yet" in s) - t0)
    tmux("kill-session", "-t", SESSION)
    return statistics.median(times)


def measure_switch(logs: Path, target: str) -> float:
    t0 = time.perf_counter()
    tmux("send-keys", "-t", SESSION, "]")
    return wait_for(full_screen(target)) - t0


def measure_tail(logs: Path, newest: str, writes: int) -> list[float]:
    log = logs / "app.log"
    latencies = []
    for _ in range(writes):
        marker = f"bench-{uuid.uuid4().hex[:10]}"
        line = f"[{newest}] - 2025-11-05 23:59:59,000 - bench - INFO - {marker}\n".encode()
        t0 = time.perf_counter()
        with open(log, "ab") as fh:
            fh.write(line)
        latencies.append(wait_for(lambda s, m=marker: m in s, timeout=10) - t0)
        time.sleep(0.05)
    return latencies


def compile_bytecode() -> None:
    """Compile the package as an install does (``pip install`` writes the .pyc files):
    an editable install under PYTHONDONTWRITEBYTECODE would otherwise compile every
    module from source at each launch, while Textual's come compiled."""
    package = Path(__file__).resolve().parents[1] / "src" / "session_explorer"
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(package)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", type=Path, default=HERE / "data" / "1g")
    parser.add_argument("--launches", type=int, default=3)
    parser.add_argument("--writes", type=int, default=20)
    args = parser.parse_args()
    logs = args.logs.resolve()
    compile_bytecode()
    newest, older = newest_sessions(logs)
    size = sum(p.stat().st_size for p in logs.glob("*.log*"))
    print(f"logs: {logs} ({size / 2**30:.2f} GiB app log, newest session {newest})")

    hello, explore, hello_rss, explore_rss = measure_launch(logs, newest, args.launches)
    print(f"first paint, bare Textual app:      {hello * 1000:7.0f} ms")
    print(f"first full screen, explorer:        {explore * 1000:7.0f} ms  ratio {explore / hello:.2f} (goal <= 1.5)")
    empty = measure_empty(args.launches)
    print(f"first paint, explorer, empty dir:   {empty * 1000:7.0f} ms  ratio {empty / hello:.2f} "
          f"(its widgets and imports alone)")

    t0 = start(explorer_command(logs))
    wait_for(full_screen(newest))
    before = measure_switch(logs, older)
    print(f"switch session while indexing:      {before * 1000:7.0f} ms  (goal <= 300)")
    tmux("send-keys", "-t", SESSION, "[")
    wait_for(full_screen(newest))
    wait_for(lambda s: "indexed" in s and "indexing" not in s, timeout=120)
    print(f"index complete after launch:        {time.perf_counter() - t0:7.1f} s")
    after = [measure_switch(logs, older)]
    for _ in range(4):
        tmux("send-keys", "-t", SESSION, "[")
        wait_for(full_screen(newest))
        after.append(measure_switch(logs, older))
    print(f"switch session after the index:     {statistics.median(after) * 1000:7.0f} ms median, "
          f"{max(after) * 1000:.0f} ms max  (goal <= 50)")
    tmux("send-keys", "-t", SESSION, "[")
    wait_for(full_screen(newest))
    lat = measure_tail(logs, newest, args.writes)
    print(f"write to screen (tail):             {statistics.median(lat) * 1000:7.0f} ms median, "
          f"{max(lat) * 1000:.0f} ms max  (goal <= 50 median)")
    rss = peak_rss_mib(pane_pid())
    tmux("kill-session", "-t", SESSION)
    print(f"peak RSS: bare app {hello_rss:.0f} MiB, explorer {max(rss, explore_rss):.0f} MiB, "
          f"difference {max(rss, explore_rss) - hello_rss:.0f} MiB (goal <= 120)")


if __name__ == "__main__":
    main()
