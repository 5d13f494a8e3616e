"""The seed document's examples, run with only the import path changed."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from pathlib import Path

import pytest

from session_explorer.tracing import (
    DETAILED_FORMAT,
    SIMPLE_FORMAT,
    InteractionLogger,
    SessionLogFilter,
    configure_logging,
    session_id_context,
)

SID = r"\d{8}_\d{6}(?:_\d+)?"
ASCTIME = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


def test_formats_are_the_seeds() -> None:
    assert DETAILED_FORMAT == "[%(session_id)s] - %(asctime)s - %(name)s - %(levelname)s - %(message)s"
    assert SIMPLE_FORMAT == "[%(session_id)s] - %(levelname)s - %(message)s"


def test_example_1_normal_workflow(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    configure_logging(level=logging.INFO, app_name="cycling-ai")
    logger = logging.getLogger("my_module")

    logger.info("Starting application")
    interaction_logger = InteractionLogger()
    logger.info("Processing user request")
    logger.info("Calling LLM API")

    sid = interaction_logger.session_id
    assert re.fullmatch(SID, sid)
    assert interaction_logger.session_file == Path("logs/llm_interactions") / f"session_{sid}.jsonl"
    assert interaction_logger.session_file.exists()
    assert lines(capsys.readouterr().err) == [
        "[in-progress] - INFO - Starting application",
        f"[{sid}] - INFO - LLM interaction logging enabled. Log file: "
        f"logs/llm_interactions/session_{sid}.jsonl",
        f"[{sid}] - INFO - Processing user request",
        f"[{sid}] - INFO - Calling LLM API",
    ]
    # The file handler writes the detailed format to logs/<app>.log.
    file_lines = lines((tmp_path / "logs" / "cycling-ai.log").read_text())
    assert re.fullmatch(rf"\[in-progress\] - {ASCTIME} - my_module - INFO - Starting application", file_lines[0])
    assert re.fullmatch(
        rf"\[{sid}\] - {ASCTIME} - session_explorer\.tracing\.interaction_logger - INFO - "
        rf"LLM interaction logging enabled\. Log file: logs/llm_interactions/session_{sid}\.jsonl",
        file_lines[1],
    )
    assert re.fullmatch(rf"\[{sid}\] - {ASCTIME} - my_module - INFO - Calling LLM API", file_lines[3])
    interaction_logger.close()


def test_example_2_manual_context_control(tmp_path, capsys) -> None:
    configure_logging(level=logging.INFO, log_file=tmp_path / "app.log")
    logger = logging.getLogger("test")
    session_id_context.set("custom_session_123")
    logger.info("Custom session log")
    session_id_context.set("in-progress")
    logger.info("Back to default")
    assert lines(capsys.readouterr().err) == [
        "[custom_session_123] - INFO - Custom session log",
        "[in-progress] - INFO - Back to default",
    ]


def test_example_3_threads_that_set_their_own_id(tmp_path, capsys) -> None:
    configure_logging(level=logging.INFO, log_file=tmp_path / "app.log")
    logger = logging.getLogger("thread_test")

    def worker(session_id: str) -> None:
        session_id_context.set(session_id)
        logger.info("Worker processing")

    threads = [
        threading.Thread(target=worker, args=("session_001",)),
        threading.Thread(target=worker, args=("session_002",)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(lines(capsys.readouterr().err)) == [
        "[session_001] - INFO - Worker processing",
        "[session_002] - INFO - Worker processing",
    ]
    # Setting the id inside a thread never touches the caller's context.
    assert session_id_context.get() == "in-progress"


def test_technical_details_async_propagation() -> None:
    seen: list[str] = []

    async def async_task() -> None:
        seen.append(session_id_context.get())

    async def main() -> None:
        session_id_context.set("async_session")
        await async_task()

    asyncio.run(main())
    assert seen == ["async_session"]


def test_technical_details_thread_safety() -> None:
    errors: list[str] = []

    def worker(worker_id: int) -> None:
        session_id_context.set(f"worker_{worker_id}")
        time.sleep(0.01)
        if session_id_context.get() != f"worker_{worker_id}":
            errors.append(f"worker_{worker_id}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_technical_details_log_filter_order(capsys) -> None:
    session_filter = SessionLogFilter()
    detailed_formatter = logging.Formatter(DETAILED_FORMAT)
    console_handler = logging.StreamHandler()
    console_handler.addFilter(session_filter)
    console_handler.setFormatter(detailed_formatter)
    logger = logging.getLogger("filter_order")
    logger.addHandler(console_handler)
    logger.propagate = False
    try:
        session_id_context.set("20251105_143052")
        logger.warning("Filtered then formatted")
    finally:
        logger.removeHandler(console_handler)
        logger.propagate = True
    (line,) = lines(capsys.readouterr().err)
    assert re.fullmatch(
        rf"\[20251105_143052\] - {ASCTIME} - filter_order - WARNING - Filtered then formatted", line
    )


def test_manual_test_section(tmp_path, capsys) -> None:
    configure_logging(level=logging.INFO, verbose=True, log_file=tmp_path / "app.log")
    logger = logging.getLogger("test")
    logger.info("Before session")
    interaction_logger = InteractionLogger(log_dir=tmp_path / "test")
    logger.info("After session")
    session_id_context.set("custom")
    logger.info("Custom session")

    sid = interaction_logger.session_id
    out = lines(capsys.readouterr().err)
    patterns = [
        rf"\[in-progress\] - {ASCTIME} - test - INFO - Before session",
        rf"\[{sid}\] - {ASCTIME} - session_explorer\.tracing\.interaction_logger - INFO - "
        rf"LLM interaction logging enabled\. Log file: {re.escape(str(tmp_path / 'test'))}/session_{sid}\.jsonl",
        rf"\[{sid}\] - {ASCTIME} - test - INFO - After session",
        rf"\[custom\] - {ASCTIME} - test - INFO - Custom session",
    ]
    assert len(out) == len(patterns)
    for line, pattern in zip(out, patterns, strict=True):
        assert re.fullmatch(pattern, line), line
    assert re.fullmatch(SID, sid)


@pytest.mark.parametrize("verbose,fmt", [(False, "simple"), (True, "detailed")])
def test_console_format_follows_verbose(tmp_path, capsys, verbose, fmt) -> None:
    configure_logging(verbose=verbose, log_file=tmp_path / "a.log")
    logging.getLogger("x.y").warning("hello")
    (line,) = lines(capsys.readouterr().err)
    if fmt == "simple":
        assert line == "[in-progress] - WARNING - hello"
    else:
        assert re.fullmatch(rf"\[in-progress\] - {ASCTIME} - x\.y - WARNING - hello", line)
