"""What each session of a demo run will do: its kind, provider, model and athlete,
the first ones fixed so that even a short run shows every case."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from session_explorer.demo.providers import PROVIDERS
from session_explorer.demo.tools import ATHLETES, Athlete


@dataclass
class SessionPlan:
    """What one session will do."""

    index: int
    kind: str  # one of SCRIPTS
    provider: str
    model: str
    athlete: Athlete
    rate_limits: int = 0
    slow: bool = False
    follow_up: bool = True
    same_second: bool = False  # starts in the same second as the previous session


#: The first sessions of every run, so that even a short run shows every case.
OPENING: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("plan", "gemini", {"follow_up": True}),
    ("review", "openai", {"rate_limits": 1}),
    ("broken_export", "anthropic", {"slow": True, "follow_up": False}),
    ("weekend", "gemini", {"follow_up": False}),
    ("quick", "anthropic", {"same_second": True}),
    ("plan", "openai", {"follow_up": True}),
)
KINDS = ("plan", "plan", "review", "review", "quick", "quick", "weekend", "broken_export")


def plan_session(index: int, rng: random.Random) -> SessionPlan:
    athlete = ATHLETES[rng.randrange(len(ATHLETES))]
    if index < len(OPENING):
        kind, provider, options = OPENING[index]
        model = PROVIDERS[provider].models[0]
        return SessionPlan(index, kind, provider, model, athlete, **options)
    kind = KINDS[rng.randrange(len(KINDS))]
    provider = ("gemini", "openai", "anthropic")[rng.randrange(3)]
    models = PROVIDERS[provider].models
    return SessionPlan(
        index,
        kind,
        provider,
        models[rng.randrange(len(models))],
        athlete,
        rate_limits=rng.choice((1, 2)) if rng.random() < 0.08 else 0,
        slow=rng.random() < 0.06,
        follow_up=rng.random() < 0.6,
        same_second=rng.random() < 0.03,
    )
