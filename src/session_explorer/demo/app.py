"""The demo application: a fake cycling-coach agent (``cycling_ai``).

It is written as an ordinary LLM application would be: modules log through
``logging.getLogger("cycling_ai....")``, each session opens an
:class:`~session_explorer.tracing.InteractionLogger`, and concurrent work goes
through the tracing core's propagation helpers. Nothing around them is specific
to the demo, which is the point: the log files it leaves are what the explorer
reads in real life.

A session is a generator (see :func:`.scripts.run_session`): it yields the number of
seconds of application time it waits (an LLM call, a user reading an answer), and
:mod:`.runner` interleaves the sessions on one timeline, so that the app log shows
several sessions at once, in a reproducible order.
"""

from __future__ import annotations

import asyncio
import importlib.resources
import logging
import os
import random
import threading
import types
from collections.abc import Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from session_explorer.demo.clock import Timeline
from session_explorer.demo.conversation import RateLimited, Reply, ToolCall, Turn
from session_explorer.demo.plans import SessionPlan
from session_explorer.demo.providers import PROVIDERS, FakeProvider
from session_explorer.demo.tools import TOOL_SPECS, Tools
from session_explorer.tracing import (
    ContextThreadPoolExecutor,
    InteractionLogger,
    bind_context,
    run_in_executor,
    start_thread,
)

T = TypeVar("T")
#: A piece of session work: yields seconds of waiting, returns its result.
Steps = Generator[float, None, T]

agent_log = logging.getLogger("cycling_ai.agent")
api_log = logging.getLogger("cycling_ai.api")
calendar_log = logging.getLogger("cycling_ai.integrations.calendar")
notify_log = logging.getLogger("cycling_ai.notifications")
files_log = logging.getLogger("cycling_ai.storage")

SYSTEM_PROMPT = (
    "You are Cadence, a friendly and precise cycling coach. Use the tools to look at the "
    "athlete's rides, profile, routes and weather before giving advice. Give power targets "
    "in watts based on the athlete's FTP, keep plans realistic for the time available, and "
    "say so when data is missing."
)

#: Where the fake application's modules seem to live, in tracebacks.
APP_SOURCE_ROOT = "/srv/cycling-ai/src/cycling_ai"


def load_app_module(name: str) -> types.ModuleType:
    """Load ``demo/<name>.py`` as the module ``cycling_ai.<name>``.

    The code object gets the fixed file name ``/srv/cycling-ai/src/cycling_ai/<name>.py``
    and the module no loader, so a traceback through it shows that path and no
    source lines: the same text on every machine and Python version.
    """
    source = importlib.resources.files(__package__).joinpath(f"{name}.py").read_text("utf-8")
    code = compile(source, f"{APP_SOURCE_ROOT}/{name}.py", "exec", dont_inherit=True)
    module = types.ModuleType(f"cycling_ai.{name}")
    exec(code, module.__dict__)  # our own packaged source
    return module


class SessionIds:
    """The session ids of one reproducible run, picked as ``InteractionLogger`` does.

    ``InteractionLogger`` remembers every id it handed out in this process, so a
    second reproducible run in the same process would get ``_2`` ids; the run keeps
    its own record instead and passes the id explicitly.
    """

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def claim(self, timeline: Timeline) -> str:
        from session_explorer.tracing.context import session_id_candidates

        for candidate in session_id_candidates(timeline.now()):
            if candidate not in self._taken:
                self._taken.add(candidate)
                return candidate
        raise AssertionError("unreachable")  # pragma: no cover


_cwd_lock = threading.Lock()


@contextmanager
def working_directory(path: Path) -> Iterator[None]:
    """Run a block in ``path`` (process-wide: only for short, synchronous blocks)."""
    with _cwd_lock:
        previous = os.getcwd()
        os.chdir(path)
        try:
            yield
        finally:
            os.chdir(previous)


@dataclass
class RunEnv:
    """What the sessions of one run share."""

    out_dir: Path
    timeline: Timeline
    rng: random.Random
    tools: Tools
    storage: types.ModuleType
    ids: SessionIds | None  # None: InteractionLogger picks ids (live mode)
    relative_paths: bool = False  # log "llm_interactions/..." rather than the full path
    sessions_started: int = 0
    sessions_finished: int = 0
    llm_calls: int = 0

    def open_interactions(self) -> InteractionLogger:
        if self.ids is None:
            return InteractionLogger(self.out_dir / "llm_interactions")
        session_id = self.ids.claim(self.timeline)
        if self.relative_paths:
            # The file is named relative to the output directory, so that the
            # "Log file: ..." line reads the same wherever the output goes.
            with working_directory(self.out_dir):
                return InteractionLogger(
                    Path("llm_interactions"), session_id=session_id, clock=self.timeline.now
                )
        return InteractionLogger(
            self.out_dir / "llm_interactions", session_id=session_id, clock=self.timeline.now
        )


class Agent:
    """One session's conversation with one provider, and the tools it runs."""

    def __init__(self, env: RunEnv, plan: SessionPlan, interactions: InteractionLogger) -> None:
        self.env = env
        self.plan = plan
        self.rng = env.rng
        self.timeline = env.timeline
        self.interactions = interactions
        self.provider: FakeProvider = PROVIDERS[plan.provider](env.rng, env.timeline, plan.model)
        self.provider_log = logging.getLogger(f"cycling_ai.providers.{plan.provider}")
        self.turns: list[Turn] = []
        self.results: dict[str, Any] = {}
        self.calls = 0
        self.tokens = 0
        self.llm_seconds = 0.0

    # ------------------------------------------------------------ conversation
    def user(self, text: str) -> None:
        agent_log.info("User message (%d chars): %s", len(text), _shorten(text))
        self.turns.append(Turn("user", text))

    def tool_call(self, name: str, **arguments: Any) -> ToolCall:
        return ToolCall(self.provider.new_call_id(), name, arguments)

    def complete(self, reply: Reply) -> Steps[Reply]:
        """One LLM call answered by ``reply``: rate limits and retries, slowness, logging."""
        provider, plan = self.provider, self.plan
        specs = [TOOL_SPECS[name] for name in sorted(TOOL_SPECS)]
        request = provider.build_request(SYSTEM_PROMPT, self.turns, specs)
        attempts = plan.rate_limits + 1
        plan.rate_limits = 0  # a session meets the rate limit once
        for attempt in range(1, attempts + 1):
            self.provider_log.info(
                "Calling %s API: model=%s, turns=%d, tools=%d",
                provider.label, provider.model, len(self.turns), len(specs),
            )
            if attempt < attempts:
                failure = provider.rate_limit_error(retry_after=round(self.rng.uniform(1.0, 4.0), 1))
                waited = yield from self._wait_for_provider(self.rng.uniform(0.15, 0.5))
                self._record(request, failure.body, None, waited, error=_error_record(failure), attempt=attempt)
                self.provider_log.warning(
                    "%s rate limit (%s); retrying in %.1fs (attempt %d of %d)",
                    provider.label, failure, failure.retry_after, attempt, attempts,
                )
                yield failure.retry_after
                continue
            usage = provider.usage_for(request, reply)
            latency = self.rng.uniform(22.0, 36.0) if plan.slow else provider.latency(usage)
            waited = yield from self._wait_for_provider(latency)
            response = provider.build_response(reply, usage)
            self._record(request, response, usage.as_record(), waited, attempt=attempt if attempt > 1 else None)
            self.tokens += usage.total_tokens
            self.provider_log.info(
                "%s response: %s, %d input / %d output tokens in %.2fs",
                provider.label, _finish_reason(response), usage.input_tokens, usage.output_tokens, waited,
            )
            if plan.slow:
                self.provider_log.warning(
                    "Slow response from %s: %.1fs (threshold 15.0s)", provider.label, waited
                )
                plan.slow = False
        self.turns.append(Turn("assistant", reply.text, list(reply.tool_calls)))
        if reply.tool_calls:
            agent_log.info(
                "Model requested %d tool call(s): %s",
                len(reply.tool_calls), ", ".join(c.name for c in reply.tool_calls),
            )
        else:
            agent_log.info("Assistant answered (%d chars)", len(reply.text))
        return reply

    def _wait_for_provider(self, seconds: float) -> Steps[float]:
        """Wait for the provider; returns the seconds that really passed."""
        yield seconds
        return round(seconds * self.timeline.scale, 3)

    def _record(
        self, request: Any, response: Any, usage: Any, seconds: float, *, error: Any = None, attempt: int | None = None
    ) -> None:
        extra = {"attempt": attempt} if attempt is not None else {}
        self.interactions.log_interaction(
            self.provider.name,
            self.provider.model,
            request,
            response,
            usage=usage,
            duration_ms=round(seconds * 1000, 1),
            error=error,
            **extra,
        )
        self.calls += 1
        self.llm_seconds += seconds
        self.env.llm_calls += 1

    # ------------------------------------------------------------------ tools
    def run_tools(self, calls: tuple[ToolCall, ...]) -> Steps[None]:
        """Run the requested tools one after the other, answering each call."""
        for call in calls:
            agent_log.info("Executing tool %s(%s)", call.name, _arguments(call))
            try:
                result = self.env.tools.call(call.name, call.arguments)
            except self.env.storage.RideDataError as exc:
                agent_log.warning("Tool %s failed: %s; telling the model", call.name, exc)
                self.turns.append(
                    Turn("tool", tool_call_id=call.id, name=call.name, result={"error": str(exc)}, is_error=True)
                )
            else:
                self.results[call.name] = result
                self.turns.append(Turn("tool", tool_call_id=call.id, name=call.name, result=result))
            yield self.rng.uniform(0.05, 0.4)

    def run_tools_in_pool(self, calls: tuple[ToolCall, ...]) -> None:
        """Run the tool calls on a worker pool whose jobs keep the session id.

        The jobs really run on pool threads; each waits for the previous one's
        completion callback, so the log order does not depend on thread timing.
        The callbacks run in the worker thread *outside* the job's context, hence
        :func:`bind_context`.
        """
        gates = [threading.Event() for _ in range(len(calls) + 1)]
        results: list[Future[Any]] = []
        with ContextThreadPoolExecutor(max_workers=3, thread_name_prefix="cycling-ai-tools") as pool:
            for index, call in enumerate(calls):
                future = pool.submit(self._pool_job, call, gates[index])
                future.add_done_callback(bind_context(partial(self._pool_job_done, call, gates[index + 1])))
                results.append(future)
            agent_log.info("Dispatched %d tool calls to the worker pool", len(calls))
            gates[0].set()
            gates[-1].wait()
        for call, future in zip(calls, results, strict=True):
            result = future.result()
            self.results.setdefault(call.name, []).append(result)
            self.turns.append(Turn("tool", tool_call_id=call.id, name=call.name, result=result))

    def _pool_job(self, call: ToolCall, gate: threading.Event) -> Any:
        gate.wait()
        agent_log.info("Worker running %s(%s)", call.name, _arguments(call))
        self.timeline.pause(self.rng.uniform(0.1, 0.6))
        return self.env.tools.call(call.name, call.arguments)

    def _pool_job_done(self, call: ToolCall, gate: threading.Event, future: Future[Any]) -> None:
        agent_log.info("Tool %s done on the worker pool", call.name)
        gate.set()

    # ------------------------------------------------------- asyncio and threads
    def sync_calendar(self, route_ids: list[str]) -> None:
        """Add the planned rides to the athlete's calendar with asyncio tasks."""
        asyncio.run(self._sync_calendar(route_ids))

    async def _sync_calendar(self, route_ids: list[str]) -> None:
        calendar_log.info("Syncing %d rides to %s's calendar", len(route_ids), self.plan.athlete.name)
        turns = [asyncio.Event() for _ in range(len(route_ids) + 1)]
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="cycling-ai-files") as files:
            tasks = [
                asyncio.create_task(self._add_event(index, route_id, turns, files))
                for index, route_id in enumerate(route_ids)
            ]
            turns[0].set()
            await asyncio.gather(*tasks)
        calendar_log.info("Calendar up to date (%d events)", len(route_ids))

    async def _add_event(
        self, index: int, route_id: str, turns: list[asyncio.Event], files: ThreadPoolExecutor
    ) -> None:
        await turns[index].wait()
        day = ("Saturday", "Sunday")[index % 2]
        calendar_log.info("Creating event '%s ride' for %s", day, route_id)
        self.timeline.pause(self.rng.uniform(0.05, 0.3))
        await asyncio.sleep(0)
        path = await run_in_executor(files, self._write_event_file, route_id, day)
        calendar_log.info("Event for %s stored as %s", route_id, path)
        turns[index + 1].set()

    def _write_event_file(self, route_id: str, day: str) -> str:
        path = f"calendar/{self.plan.athlete.id}/{day.lower()}-{route_id}.ics"
        self.timeline.pause(self.rng.uniform(0.01, 0.05))
        files_log.info("Wrote %s (%d bytes)", path, self.rng.randint(380, 520))
        return path

    def notify(self, text: str) -> None:
        """Send a push notification from a helper thread that keeps the session id."""
        thread = start_thread(self._send_notification, text, name="cycling-ai-notify")
        thread.join()

    def _send_notification(self, text: str) -> None:
        self.timeline.pause(self.rng.uniform(0.05, 0.2))
        notify_log.info("Push notification sent to %s: %s", self.plan.athlete.name, text)


def _shorten(text: str, width: int = 72) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _arguments(call: ToolCall) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in call.arguments.items())


def _finish_reason(response: dict[str, Any]) -> str:
    if "choices" in response:
        return f"finish_reason={response['choices'][0]['finish_reason']}"
    if "candidates" in response:
        return f"finishReason={response['candidates'][0]['finishReason']}"
    return f"stop_reason={response.get('stop_reason')}"


def _error_record(failure: RateLimited) -> dict[str, Any]:
    return {"type": "RateLimitError", "status": failure.status, "message": str(failure)}


__all__ = ["Agent", "RunEnv", "SessionIds", "load_app_module"]
