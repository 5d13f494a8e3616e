"""``python -m session_explorer``."""

import sys

from session_explorer.cli import main

sys.exit(main())
