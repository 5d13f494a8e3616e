"""``python -m session_explorer``."""

import sys

from session_explorer.cli import main

# The guard matters: the index starts worker processes, which import this module.
if __name__ == "__main__":
    sys.exit(main())
