"""Session traceability for stdlib ``logging`` (stdlib only: no Textual, no Rich).

Drop-in use::

    from session_explorer.tracing import configure_logging, InteractionLogger

    configure_logging()                        # [in-progress] - INFO - ...
    interaction_logger = InteractionLogger()   # starts session 20251105_143052
    logging.getLogger("my_app").info("Processing user request")
    # [20251105_143052] - 2025-11-05 14:30:52,123 - my_app - INFO - Processing user request

The id matches ``logs/llm_interactions/session_20251105_143052.jsonl``.
"""

from session_explorer.tracing.context import (
    DEFAULT_SESSION_ID,
    ContextThreadPoolExecutor,
    bind_context,
    context_thread,
    new_session_id,
    run_in_executor,
    session,
    session_id_context,
    start_thread,
)
from session_explorer.tracing.interaction_logger import DEFAULT_LOG_DIR, InteractionLogger
from session_explorer.tracing.logconfig import (
    DETAILED_FORMAT,
    SIMPLE_FORMAT,
    JsonFormatter,
    SessionFormatter,
    SessionLogFilter,
    configure_logging,
    install_record_factory,
    uninstall_record_factory,
)
from session_explorer.tracing.redact import is_secret_key, scrub_secrets

__all__ = [
    "DEFAULT_LOG_DIR",
    "DEFAULT_SESSION_ID",
    "DETAILED_FORMAT",
    "SIMPLE_FORMAT",
    "ContextThreadPoolExecutor",
    "InteractionLogger",
    "JsonFormatter",
    "SessionFormatter",
    "SessionLogFilter",
    "bind_context",
    "configure_logging",
    "context_thread",
    "install_record_factory",
    "is_secret_key",
    "new_session_id",
    "run_in_executor",
    "scrub_secrets",
    "session",
    "session_id_context",
    "start_thread",
    "uninstall_record_factory",
]
