"""configure_logging, the record factory, queue listeners and the JSON formatter."""

from __future__ import annotations

import json
import logging
import logging.handlers
import queue
import re
import subprocess
import sys

from session_explorer.tracing import (
    DETAILED_FORMAT,
    JsonFormatter,
    configure_logging,
    session,
    session_id_context,
    start_thread,
)

ASCTIME = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"


def test_configure_twice_does_not_duplicate(tmp_path, capsys) -> None:
    log_file = tmp_path / "app.log"
    configure_logging(log_file=log_file)
    configure_logging(log_file=log_file)
    logging.getLogger("dup").info("once")
    assert capsys.readouterr().err.count("once") == 1
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert log_file.read_text().count("once") == 1


def test_configure_keeps_foreign_handlers(tmp_path) -> None:
    foreign = logging.NullHandler()
    logging.getLogger().addHandler(foreign)
    configure_logging(log_file=tmp_path / "a.log")
    configure_logging(log_file=tmp_path / "a.log")
    assert foreign in logging.getLogger().handlers
    logging.getLogger().removeHandler(foreign)


def test_default_file_and_directory_created(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    configure_logging(app_name="my-app", console=False)
    logging.getLogger("m").warning("w")
    assert (tmp_path / "logs" / "my-app.log").read_text().endswith(" - m - WARNING - w\n")


def test_child_loggers_and_late_handlers_carry_the_id(tmp_path) -> None:
    """A handler added after configure_logging, without our filter, still formats."""
    configure_logging(log_file=tmp_path / "a.log", console=False)
    stream = _Collect()
    late = logging.StreamHandler(stream)
    late.setFormatter(logging.Formatter(DETAILED_FORMAT))
    child = logging.getLogger("pkg.sub.module")
    child.addHandler(late)
    try:
        with session("late_session"):
            child.error("from a child logger")
    finally:
        child.removeHandler(late)
    assert re.fullmatch(
        rf"\[late_session\] - {ASCTIME} - pkg\.sub\.module - ERROR - from a child logger\n",
        stream.text,
    )


def test_queue_listener_keeps_the_emitting_context(tmp_path) -> None:
    """The id is the one current when the record was made, not in the listener thread."""
    configure_logging(log_file=False, console=False)
    q: queue.Queue = queue.Queue()
    stream = _Collect()
    target = logging.StreamHandler(stream)
    target.setFormatter(logging.Formatter("%(session_id)s|%(message)s"))
    listener = logging.handlers.QueueListener(q, target)
    logger = logging.getLogger("queued")
    logger.propagate = False
    qh = logging.handlers.QueueHandler(q)
    logger.addHandler(qh)
    listener.start()
    try:
        with session("listener_outer"):
            listener_ctx_thread = start_thread(lambda: logger.info("from a helper thread"))
            listener_ctx_thread.join()
            with session("nested"):
                logger.info("inner")
            logger.info("outer")
        logger.info("outside")
    finally:
        listener.stop()
        logger.removeHandler(qh)
        logger.propagate = True
    assert stream.text.splitlines() == [
        "listener_outer|from a helper thread",
        "nested|inner",
        "listener_outer|outer",
        "in-progress|outside",
    ]


def test_json_formatter(tmp_path) -> None:
    configure_logging(log_file=tmp_path / "a.jsonl", json_lines=True, console=False)
    logger = logging.getLogger("cycling_ai.agent")
    with session("20251105_143052"):
        logger.info("Processing %s", "message", extra={"user": "ana", "when": object()})
        try:
            1 / 0  # noqa: B018 - raises, for a real traceback
        except ZeroDivisionError:
            logger.exception("failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    first, second = (json.loads(line) for line in (tmp_path / "a.jsonl").read_text().splitlines())
    assert list(first)[:5] == ["timestamp", "session_id", "logger", "level", "message"]
    assert first["session_id"] == "20251105_143052"
    assert first["logger"] == "cycling_ai.agent"
    assert first["level"] == "INFO"
    assert first["message"] == "Processing message"
    assert first["user"] == "ana"
    assert first["when"].startswith("<object object")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}", first["timestamp"])
    assert second["level"] == "ERROR"
    assert "ZeroDivisionError" in second["exception"]


def test_json_formatter_standalone_record() -> None:
    record = logging.makeLogRecord({"msg": "hi", "levelname": "INFO", "name": "n"})
    doc = json.loads(JsonFormatter().format(record))
    assert doc["message"] == "hi"
    assert doc["session_id"] == session_id_context.get()


def test_rotating_file(tmp_path) -> None:
    log_file = tmp_path / "app.log"
    configure_logging(log_file=log_file, console=False, max_bytes=200, backup_count=2)
    for i in range(20):
        logging.getLogger("r").info("line %d", i)
    assert (tmp_path / "app.log.1").exists()


def test_tracing_import_leaves_ui_libraries_out() -> None:
    code = (
        "import sys, session_explorer.tracing, session_explorer.core, session_explorer.cli;"
        "print(','.join(m for m in ('textual', 'rich') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


class _Collect:
    def __init__(self) -> None:
        self.text = ""

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass
