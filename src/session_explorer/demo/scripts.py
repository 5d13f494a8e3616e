"""The demo sessions' scripts: what the coach does for each kind of request, and one
request run from the HTTP line to the closed interaction file."""

from __future__ import annotations

from collections.abc import Iterator

from session_explorer.demo import texts
from session_explorer.demo.app import Agent, RunEnv, Steps, agent_log, api_log
from session_explorer.demo.conversation import Reply
from session_explorer.demo.plans import SessionPlan


def _follow_up(agent: Agent) -> Steps[None]:
    yield agent.rng.uniform(15.0, 50.0)  # the user reads the answer
    question, key = texts.pick(agent.rng, texts.FOLLOW_UPS)
    agent.user(question)
    yield from agent.complete(Reply(text=texts.SHORT_ANSWERS[key]))


def script_plan(agent: Agent) -> Steps[None]:
    athlete = agent.plan.athlete
    agent.user(texts.plan_question(agent.rng, athlete))
    calls = (
        agent.tool_call("get_athlete_profile", athlete_id=athlete.id),
        agent.tool_call("get_ride_history", athlete_id=athlete.id, weeks=4),
        agent.tool_call("get_weather", location=athlete.city, days=7),
    )
    yield from agent.complete(Reply(tool_calls=calls))
    yield from agent.run_tools(calls)
    plan = texts.week_plan(
        agent.rng, athlete, agent.results["get_weather"]["days"], agent.results.get("get_ride_history")
    )
    yield from agent.complete(Reply(text=plan))
    if agent.plan.follow_up:
        yield from _follow_up(agent)


def script_review(agent: Agent) -> Steps[None]:
    athlete = agent.plan.athlete
    agent.user(texts.review_question(agent.rng, athlete))
    calls = (agent.tool_call("get_ride_history", athlete_id=athlete.id, weeks=6),)
    yield from agent.complete(Reply(tool_calls=calls))
    yield from agent.run_tools(calls)
    history = agent.results.get("get_ride_history")
    answer = texts.review(agent.rng, athlete, history) if history else texts.partial_review(athlete)
    yield from agent.complete(Reply(text=answer))
    if agent.plan.follow_up:
        yield from _follow_up(agent)


def script_broken_export(agent: Agent) -> Steps[None]:
    athlete = agent.plan.athlete
    agent.user(texts.review_question(agent.rng, athlete))
    calls = (agent.tool_call("get_ride_history", athlete_id=athlete.id, weeks=3),)
    yield from agent.complete(Reply(text="Let me look at your recent rides first.", tool_calls=calls))
    # Set right before the tool runs (same step): other sessions cannot take it.
    agent.env.tools.corrupt_export_for = athlete.id
    yield from agent.run_tools(calls)
    yield from agent.complete(Reply(text=texts.partial_review(athlete)))
    if agent.plan.follow_up:
        yield from _follow_up(agent)


def script_weekend(agent: Agent) -> Steps[None]:
    athlete = agent.plan.athlete
    agent.user(texts.pick(agent.rng, texts.WEEKEND_QUESTIONS))
    calls = (
        agent.tool_call("get_route_profile", route_id="rt-col"),
        agent.tool_call("get_route_profile", route_id="rt-hills"),
        agent.tool_call("get_route_profile", route_id="rt-lakeloop"),
        agent.tool_call("get_weather", location=athlete.city, days=3),
    )
    yield from agent.complete(Reply(tool_calls=calls))
    agent.run_tools_in_pool(calls)
    yield agent.rng.uniform(0.05, 0.2)
    text, chosen = texts.weekend_advice(agent.results["get_route_profile"], agent.results["get_weather"][0]["days"])
    yield from agent.complete(Reply(text=text))
    agent.sync_calendar(chosen)
    yield agent.rng.uniform(0.05, 0.2)
    agent.notify(f"{len(chosen)} weekend rides planned")


def script_quick(agent: Agent) -> Steps[None]:
    question, key = texts.pick(agent.rng, texts.QUICK_QUESTIONS)
    agent.user(question)
    yield from agent.complete(Reply(text=texts.SHORT_ANSWERS[key]))
    if agent.plan.follow_up:
        yield from _follow_up(agent)


SCRIPTS = {
    "plan": script_plan,
    "review": script_review,
    "broken_export": script_broken_export,
    "weekend": script_weekend,
    "quick": script_quick,
}
ROUTES = {"plan": "plan", "review": "review", "broken_export": "review", "weekend": "routes", "quick": "chat"}


def run_session(env: RunEnv, plan: SessionPlan) -> Iterator[float]:
    """One request to the coach, from the HTTP line to the closed interaction file."""
    route = f"/v1/coach/{ROUTES[plan.kind]}"
    api_log.info("POST %s athlete=%s", route, plan.athlete.id)
    started = env.timeline.now()
    env.sessions_started += 1
    with env.open_interactions() as interactions:
        agent = Agent(env, plan, interactions)
        agent_log.info(
            "Session for %s (%s): %s via %s %s",
            plan.athlete.name, plan.athlete.id, plan.kind, plan.provider, plan.model,
        )
        try:
            yield from SCRIPTS[plan.kind](agent)
        except GeneratorExit:
            agent_log.warning("Session interrupted: the application is shutting down")
            raise
        agent_log.info(
            "Session finished: %d LLM calls, %d tokens, %.1fs waiting for the model",
            agent.calls, agent.tokens, agent.llm_seconds,
        )
    env.sessions_finished += 1
    elapsed = (env.timeline.now() - started).total_seconds()
    api_log.info("POST %s -> 200 (%.1fs)", route, elapsed)
