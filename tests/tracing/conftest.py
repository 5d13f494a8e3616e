"""Isolate the global logging state and the session context for each tracing test."""

from __future__ import annotations

import logging

import pytest

from session_explorer.tracing import session_id_context


@pytest.fixture(autouse=True)
def clean_logging(monkeypatch: pytest.MonkeyPatch):
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    factory = logging.getLogRecordFactory()
    token = session_id_context.set("in-progress")
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    logging.setLogRecordFactory(factory)
    session_id_context.reset(token)
