"""session-explorer: see what your LLM application did, session by session."""

__version__ = "0.1.0"
