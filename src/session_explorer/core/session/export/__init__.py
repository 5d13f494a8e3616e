"""One session written out as a readable bundle: a Markdown transcript or a JSON file.

This is the one place the tool writes. :func:`export` renders a session of a
:class:`~session_explorer.core.session.catalog.Catalog` and writes it to standard output or to a file the user
names; it refuses to write into the logs directory (the layout's root, its
interaction directory, any app-log directory, or over a log file, all compared as
resolved paths) and to replace an existing file unless asked to. A file is written
to a temporary name in its target directory first and then renamed over the target,
so a reader never sees half an export and a failed export leaves nothing behind.

**Markdown transcript** (:func:`markdown_chunks`). A header with the session's
summary, a list of its warnings and errors with their times, then the session as a
time-ordered story (:func:`.timeline.merge_timeline`): runs of app-log lines in
``text`` fences, each run labelled with the interaction it was logged during (see
:func:`.timeline.interaction_windows`), and each interaction as a chat (system, user,
assistant and tool messages under role headings, tool calls with their arguments as
pretty JSON, the output, usage, latency and status, its error called out). Messages
an interaction repeats from the one before it are named, not printed again. Lines
logged before the first interaction and after the last are there too, and a
malformed JSONL line shows its raw text and parse error.

Everything taken from the logs is data: it goes in fences (a fence is made longer
than any backtick run inside it) or code spans, and control, bidi and zero-width
characters are made visible (:func:`.text.make_visible`). The output depends only
on the logs: no export time, and file names relative to the logs directory.

**JSON bundle** (:func:`json_chunks`). One UTF-8 object, keys in a fixed order::

    {"format": "session-explorer-export", "version": 1,
     "session": {...the summary of ``list --json``, plus "app_logs"...},
     "app_log": [{"source", "line_number", "session_id", "timestamp", "level",
                  "logger", "text", "continuation"}, ...],
     "interactions": [{"number", "line_number", "timestamp", "provider", "model",
                       "shape", "status", "usage", "duration_ms", "error",
                       "parse_error", "messages", "output_text",
                       "output_tool_calls", "raw", "raw_text"}, ...]}

The session and each interaction are written one key a line, each app-log line as
one line of JSON. ``line_number`` is 1-based in both lists (an app-log line's number
counts in its source's logical log, rotations included). Times are ISO 8601 without
a zone, as the logs have them. Non-finite numbers in a record become null and unpaired surrogates
are written as ``\\uXXXX`` escapes, so the file is always valid JSON and valid UTF-8.

Both renderers are generators of text pieces: a long session streams to its target
instead of being built in memory (past :data:`KEEP_LINES` app-log lines, the lines
are read twice, once for their times and once to write them, rather than kept).

Pure standard library.
"""

from session_explorer.core.session.export.constants import FORMATS, ExportError, Format
from session_explorer.core.session.export.write import (
    check_target,
    export,
    json_chunks,
    markdown_chunks,
    render,
)

__all__ = ["FORMATS", "ExportError", "Format", "check_target", "export", "json_chunks", "markdown_chunks", "render"]
