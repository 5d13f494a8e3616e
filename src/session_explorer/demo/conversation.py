"""The demo agent's neutral conversation: turns, tool calls, the scripted reply, usage,
and the ids and token estimates the fake providers give them."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def token_id(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(_ALNUM) for _ in range(length))


def estimate_tokens(value: Any) -> int:
    """Roughly four characters per token, like the providers' own rule of thumb."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return max(1, (len(text) + 3) // 4)


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass
class Turn:
    """One conversation entry: ``user`` or ``assistant`` text, assistant tool calls,
    or a ``tool`` result answering ``tool_call_id``."""

    role: str
    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str = ""
    name: str = ""
    result: Any = None
    is_error: bool = False


@dataclass(frozen=True)
class Reply:
    """What the scripted model answers: text, tool calls, or both."""

    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    truncated: bool = False


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def as_record(self) -> dict[str, int]:
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "total_tokens": self.total_tokens,
        }


class RateLimited(Exception):
    """The provider answered 429; ``body`` is its error payload."""

    def __init__(self, provider: str, message: str, body: dict[str, Any], retry_after: float) -> None:
        super().__init__(message)
        self.provider = provider
        self.body = body
        self.retry_after = retry_after
        self.status = 429
