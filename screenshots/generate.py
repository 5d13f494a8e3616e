"""Make the README's screenshots from the app factory and the bundled sample_logs.

    python screenshots/generate.py        # writes screenshots/*.svg and, with rsvg-convert, *.png

The logs are copied to a temporary directory with old modification times, so that
no session looks live, and the app runs headless at a fixed size and theme.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from session_explorer.core.session.layout import discover  # noqa: E402
from session_explorer.ui.app import make_app  # noqa: E402
from tests.ui.app_helpers import settle  # noqa: E402  (the snapshot tests' wait)

OLD_MTIME = 1_700_000_000


async def capture(logs: Path, name: str, keys: Sequence[str] = (), size=(150, 42), **options) -> Path:
    app = make_app(discover(logs), poll_interval=None, label="sample_logs", **options)
    app.theme = "textual-dark"
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(app, pilot, rounds=1)
        await pilot.pause(0.1)
        target = HERE / f"{name}.svg"
        app.save_screenshot(filename=target.name, path=str(HERE))
    return target


SHOTS: list[tuple[str, dict]] = [
    ("explorer", {}),
    ("error-session", {"session": "20251112_085857", "keys": ("2", "g")}),
    ("all-lines", {"keys": ("1", "g")}),
    ("help", {"keys": ("question_mark",)}),
    ("narrow", {"size": (80, 24)}),
    ("detail", {"session": "20251112_085857", "keys": ("3", "g", "enter")}),
    ("timeline", {"session": "20251112_085857", "keys": ("2", "t", "g")}),
    ("search", {"session": "20251112_085857", "keys": ("2", "slash", *"ride export", "enter", "n")}),
    ("correlation", {"session": "20251112_085857", "keys": ("3", "g")}),
    ("search-interactions", {"keys": ("3", "slash", *"legs", "enter")}),
]


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        logs = Path(shutil.copytree(ROOT / "sample_logs", Path(tmp) / "sample_logs"))
        for path in [logs, *logs.rglob("*")]:
            os.utime(path, (OLD_MTIME, OLD_MTIME))
        for name, spec in SHOTS:
            spec = dict(spec)
            keys = spec.pop("keys", ())
            svg = await capture(logs, name, keys, **spec)
            png = svg.with_suffix(".png")
            if shutil.which("rsvg-convert"):
                subprocess.run(["rsvg-convert", "-o", str(png), str(svg)], check=True)
                print(f"wrote {svg.name} and {png.name}")
            else:
                print(f"wrote {svg.name} (install librsvg2-bin for the PNG)")


if __name__ == "__main__":
    asyncio.run(main())
