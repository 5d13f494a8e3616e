"""Recognise secrets in interaction payloads so they never reach the JSONL file."""

from __future__ import annotations

import re

# Keys (compared lower-case, with "-" read as "_") whose values are secrets.
SECRET_KEYS = frozenset(
    {
        "api_key",
        "apikey",
        "x_api_key",
        "x_goog_api_key",
        "authorization",
        "proxy_authorization",
        "password",
        "passwd",
        "secret",
        "client_secret",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "auth_token",
        "api_token",
        "bearer_token",
        "session_token",
        "private_key",
    }
)

# Values that look like provider credentials, wherever they appear in a string.
_SECRET_VALUE = re.compile(
    r"""
      \bsk-(?:proj-|ant-(?:api\d+-)?|svcacct-|admin-)?[A-Za-z0-9_-]{16,}   # OpenAI / Anthropic
    | \bAIza[0-9A-Za-z_-]{30,}                                            # Google
    | (?<=\bBearer\ )[A-Za-z0-9._~+/-]{8,}=*                              # bearer tokens
    """,
    re.VERBOSE,
)


def is_secret_key(key: str) -> bool:
    """True for keys such as ``api_key``, ``Authorization``, ``x-api-key``, ``token``.

    Counters such as ``max_tokens`` or ``prompt_tokens`` are not secrets.
    """
    norm = key.strip().lower().replace("-", "_")
    return norm in SECRET_KEYS or norm.endswith(("_api_key", "_secret", "_password"))


def scrub_secrets(text: str) -> str:
    """Replace credential-looking substrings with ``[REDACTED]``."""
    if "sk-" not in text and "AIza" not in text and "Bearer " not in text:
        return text
    return _SECRET_VALUE.sub("[REDACTED]", text)
