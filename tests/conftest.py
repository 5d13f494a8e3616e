"""Test-wide settings: the persistent index lives in a temporary directory, and the
command line's choice to use it does not leak from one test into the next."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

from session_explorer.core.cache import store

os.environ["SESSION_EXPLORER_CACHE_DIR"] = tempfile.mkdtemp(prefix="session-explorer-cache-")


@pytest.fixture(autouse=True)
def _no_default_cache() -> Iterator[None]:
    yield
    store.use_default_store(False)
