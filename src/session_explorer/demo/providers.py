"""Fake LLM providers that speak the real payload shapes of Gemini, OpenAI and Anthropic.

The demo's agent keeps its conversation in a small neutral form (:class:`Turn`);
each provider turns it into its own request body and wraps the scripted model
reply (:class:`Reply`) in its own response body, exactly as the real SDKs would
put them in an interaction record:

* Gemini ``generateContent``: ``contents``/``parts`` with ``functionCall`` and
  ``functionResponse``, ``systemInstruction``, ``usageMetadata``, ``modelVersion``;
* OpenAI Chat Completions: ``messages``, assistant ``tool_calls`` whose
  ``function.arguments`` is a JSON string, ``tool`` messages with ``tool_call_id``,
  ``choices``/``usage``;
* Anthropic Messages: top-level ``system``, content blocks, ``tool_use`` and
  ``tool_result`` (in a user message), ``stop_reason``, ``usage``.

Ids, token counts and latencies come from the ``random.Random`` they are given,
and times from the demo's timeline, so a seed reproduces every byte.
"""

from __future__ import annotations

import json
import random
from typing import Any, ClassVar

from session_explorer.demo.clock import Timeline
from session_explorer.demo.conversation import (
    RateLimited,
    Reply,
    ToolCall,
    ToolSpec,
    Turn,
    Usage,
    estimate_tokens,
    token_id,
)


class FakeProvider:
    """The shared part of the fake providers; subclasses own the payload shapes."""

    name = ""
    label = ""
    models: tuple[str, ...] = ()

    def __init__(self, rng: random.Random, timeline: Timeline, model: str | None = None) -> None:
        self.rng = rng
        self.timeline = timeline
        self.model = model or self.models[0]

    # -- to be provided by each shape
    def build_request(self, system: str, turns: list[Turn], tools: list[ToolSpec]) -> dict[str, Any]:
        raise NotImplementedError

    def build_response(self, reply: Reply, usage: Usage) -> dict[str, Any]:
        raise NotImplementedError

    def rate_limit_error(self, retry_after: float) -> RateLimited:
        raise NotImplementedError

    def new_call_id(self) -> str:
        raise NotImplementedError

    # -- shared
    def usage_for(self, request: dict[str, Any], reply: Reply) -> Usage:
        output = estimate_tokens(reply.text) if reply.text else 0
        for call in reply.tool_calls:
            output += estimate_tokens(call.arguments) + 8
        return Usage(input_tokens=estimate_tokens(request), output_tokens=max(output, 1))

    def latency(self, usage: Usage) -> float:
        """Seconds a call takes: a base plus output-token time, with some jitter."""
        return round(0.45 + usage.output_tokens / self.rng.uniform(70.0, 130.0) + self.rng.uniform(0, 0.8), 3)


class FakeGemini(FakeProvider):
    name = "gemini"
    label = "Gemini"
    models = ("gemini-2.5-flash", "gemini-2.5-pro")

    def build_request(self, system: str, turns: list[Turn], tools: list[ToolSpec]) -> dict[str, Any]:
        contents: list[dict[str, Any]] = []
        for turn in turns:
            if turn.role == "user":
                contents.append({"role": "user", "parts": [{"text": turn.text}]})
            elif turn.role == "assistant":
                parts: list[dict[str, Any]] = []
                if turn.text:
                    parts.append({"text": turn.text})
                parts += [
                    {"functionCall": {"name": c.name, "args": c.arguments}} for c in turn.tool_calls
                ]
                contents.append({"role": "model", "parts": parts})
            else:
                part = {"functionResponse": {"name": turn.name, "response": _as_object(turn.result)}}
                # Consecutive tool results travel together in one user turn.
                if contents and contents[-1]["role"] == "user" and "functionResponse" in contents[-1]["parts"][0]:
                    contents[-1]["parts"].append(part)
                else:
                    contents.append({"role": "user", "parts": [part]})
        request: dict[str, Any] = {
            "contents": contents,
            "systemInstruction": {"parts": [{"text": system}]},
        }
        if tools:
            request["tools"] = [
                {
                    "functionDeclarations": [
                        {"name": t.name, "description": t.description, "parameters": t.parameters}
                        for t in tools
                    ]
                }
            ]
        request["generationConfig"] = {"temperature": 0.4, "topP": 0.95, "maxOutputTokens": 4096}
        return request

    def build_response(self, reply: Reply, usage: Usage) -> dict[str, Any]:
        parts: list[dict[str, Any]] = []
        if reply.text:
            parts.append({"text": reply.text})
        parts += [{"functionCall": {"name": c.name, "args": c.arguments}} for c in reply.tool_calls]
        return {
            "candidates": [
                {
                    "content": {"role": "model", "parts": parts},
                    "finishReason": "MAX_TOKENS" if reply.truncated else "STOP",
                    "avgLogprobs": -round(self.rng.uniform(0.05, 0.6), 4),
                    "index": 0,
                }
            ],
            "usageMetadata": {
                "promptTokenCount": usage.input_tokens,
                "candidatesTokenCount": usage.output_tokens,
                "totalTokenCount": usage.total_tokens,
            },
            "modelVersion": self.model,
            "responseId": token_id(self.rng, 22),
        }

    def rate_limit_error(self, retry_after: float) -> RateLimited:
        body = {
            "error": {
                "code": 429,
                "message": "Resource has been exhausted (e.g. check quota).",
                "status": "RESOURCE_EXHAUSTED",
            }
        }
        return RateLimited(self.name, "429 RESOURCE_EXHAUSTED", body, retry_after)

    def new_call_id(self) -> str:
        # Gemini function calls carry no id; the agent still needs one internally.
        return "gemini-call-" + token_id(self.rng, 8)


class FakeOpenAI(FakeProvider):
    name = "openai"
    label = "OpenAI"
    models = ("gpt-4o-mini", "gpt-4.1")
    _snapshots: ClassVar[dict[str, str]] = {"gpt-4o-mini": "gpt-4o-mini-2024-07-18", "gpt-4.1": "gpt-4.1-2025-04-14"}

    def build_request(self, system: str, turns: list[Turn], tools: list[ToolSpec]) -> dict[str, Any]:
        messages: list[dict[str, Any]] = [{"role": "system", "content": system}]
        for turn in turns:
            if turn.role == "user":
                messages.append({"role": "user", "content": turn.text})
            elif turn.role == "assistant":
                message: dict[str, Any] = {"role": "assistant", "content": turn.text or None}
                if turn.tool_calls:
                    message["tool_calls"] = [_openai_tool_call(c) for c in turn.tool_calls]
                messages.append(message)
            else:
                messages.append(
                    {
                        "role": "tool",
                        "tool_call_id": turn.tool_call_id,
                        "content": json.dumps(turn.result, ensure_ascii=False),
                    }
                )
        request: dict[str, Any] = {"model": self.model, "messages": messages}
        if tools:
            request["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": t.name,
                        "description": t.description,
                        "parameters": t.parameters,
                    },
                }
                for t in tools
            ]
            request["tool_choice"] = "auto"
        request["temperature"] = 0.3
        request["max_completion_tokens"] = 4096
        return request

    def build_response(self, reply: Reply, usage: Usage) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
        if reply.tool_calls:
            message["tool_calls"] = [_openai_tool_call(c) for c in reply.tool_calls]
        message["refusal"] = None
        if reply.truncated:  # noqa: SIM108 - a nested conditional expression would read worse
            finish = "length"
        else:
            finish = "tool_calls" if reply.tool_calls else "stop"
        return {
            "id": "chatcmpl-" + token_id(self.rng, 29),
            "object": "chat.completion",
            "created": self.timeline.epoch(),
            "model": self._snapshots.get(self.model, self.model),
            "system_fingerprint": "fp_" + token_id(self.rng, 10).lower(),
            "service_tier": "default",
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            "usage": {
                "prompt_tokens": usage.input_tokens,
                "completion_tokens": usage.output_tokens,
                "total_tokens": usage.total_tokens,
                "prompt_tokens_details": {"cached_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0},
            },
        }

    def rate_limit_error(self, retry_after: float) -> RateLimited:
        message = (
            f"Rate limit reached for {self.model} on tokens per min (TPM): Limit 200000, "
            f"Used 198862, Requested 2411. Please try again in {retry_after:.3f}s."
        )
        body = {
            "error": {
                "message": message,
                "type": "tokens",
                "param": None,
                "code": "rate_limit_exceeded",
            }
        }
        return RateLimited(self.name, "Error code: 429 - rate_limit_exceeded", body, retry_after)

    def new_call_id(self) -> str:
        return "call_" + token_id(self.rng, 24)


class FakeAnthropic(FakeProvider):
    name = "anthropic"
    label = "Anthropic"
    models = ("claude-sonnet-4-5", "claude-haiku-4-5")
    _snapshots: ClassVar[dict[str, str]] = {
        "claude-sonnet-4-5": "claude-sonnet-4-5-20250929",
        "claude-haiku-4-5": "claude-haiku-4-5-20251001",
    }

    def build_request(self, system: str, turns: list[Turn], tools: list[ToolSpec]) -> dict[str, Any]:
        messages: list[dict[str, Any]] = []
        for turn in turns:
            if turn.role == "user":
                messages.append({"role": "user", "content": turn.text})
            elif turn.role == "assistant":
                messages.append({"role": "assistant", "content": _anthropic_blocks(turn.text, turn.tool_calls)})
            else:
                block: dict[str, Any] = {
                    "type": "tool_result",
                    "tool_use_id": turn.tool_call_id,
                    "content": json.dumps(turn.result, ensure_ascii=False),
                }
                if turn.is_error:
                    block["is_error"] = True
                # Tool results go back in one user message, after the tool_use turn.
                last = messages[-1] if messages else None
                if last and last["role"] == "user" and isinstance(last["content"], list):
                    last["content"].append(block)
                else:
                    messages.append({"role": "user", "content": [block]})
        request: dict[str, Any] = {
            "model": self.model,
            "max_tokens": 4096,
            "system": system,
            "messages": messages,
        }
        if tools:
            request["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.parameters}
                for t in tools
            ]
        request["temperature"] = 0.5
        return request

    def build_response(self, reply: Reply, usage: Usage) -> dict[str, Any]:
        if reply.truncated:  # noqa: SIM108 - a nested conditional expression would read worse
            stop = "max_tokens"
        else:
            stop = "tool_use" if reply.tool_calls else "end_turn"
        return {
            "id": "msg_01" + token_id(self.rng, 22),
            "type": "message",
            "role": "assistant",
            "model": self._snapshots.get(self.model, self.model),
            "content": _anthropic_blocks(reply.text, reply.tool_calls),
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {
                "input_tokens": usage.input_tokens,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
                "output_tokens": usage.output_tokens,
                "service_tier": "standard",
            },
        }

    def rate_limit_error(self, retry_after: float) -> RateLimited:
        body = {
            "type": "error",
            "error": {
                "type": "rate_limit_error",
                "message": "This request would exceed the rate limit for your organization "
                "of 80,000 input tokens per minute.",
            },
        }
        return RateLimited(self.name, "Error code: 429 - rate_limit_error", body, retry_after)

    def new_call_id(self) -> str:
        return "toolu_01" + token_id(self.rng, 22)


def _as_object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {"result": value}


def _openai_tool_call(call: ToolCall) -> dict[str, Any]:
    return {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": json.dumps(call.arguments, ensure_ascii=False)},
    }


def _anthropic_blocks(text: str, calls: tuple[ToolCall, ...] | list[ToolCall]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if text:
        blocks.append({"type": "text", "text": text})
    blocks += [{"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments} for c in calls]
    return blocks


PROVIDERS: dict[str, type[FakeProvider]] = {
    "gemini": FakeGemini,
    "openai": FakeOpenAI,
    "anthropic": FakeAnthropic,
}
