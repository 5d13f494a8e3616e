"""``python -m session_explorer.demo [OUT_DIR]``: regenerate the sample logs."""

from __future__ import annotations

import sys

from session_explorer.demo.output_dir import DemoDirectoryError
from session_explorer.demo.sample import generate_sample_logs


def main(argv: list[str]) -> int:
    try:
        result = generate_sample_logs(argv[0] if argv else None)
    except DemoDirectoryError as error:
        print(f"session-explorer demo: {error}", file=sys.stderr)
        return 2
    print(f"Wrote {result.sessions} sessions to {result.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
