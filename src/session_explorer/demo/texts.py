"""What the demo's users ask and what its scripted model answers.

Every text is built from the tool results and the run's ``random.Random``, so the
conversation reads plausibly and a seed reproduces it.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from session_explorer.demo.tools import Athlete

WORKOUTS = {
    "rest": "Rest day. Easy walk or 20 minutes of mobility work.",
    "endurance": "Endurance ride, {hours} in zone 2 ({low}-{high} W). Keep cadence around 90 rpm.",
    "sweet_spot": "Sweet spot: 3 x 15 min at {ss_low}-{ss_high} W with 5 min easy between.",
    "vo2": "VO2max: 5 x 4 min at {vo2} W, 4 min recovery. Warm up for 20 minutes first.",
    "recovery": "Recovery spin, 45-60 min below {rec} W, flat roads.",
    "long": "Long ride, {long_hours} mostly zone 2 with the climbs at tempo ({tempo} W).",
    "indoor": "Indoor session on the trainer: 60 min tempo blocks, 2 x 20 min at {tempo} W.",
}

PLAN_QUESTIONS = (
    "Can you plan my training week? I have about {hours} hours this week.",
    "Plan my next 7 days please. Goal is {goal}, and I can ride about {hours} hours.",
    "What should my week look like? Around {hours} hours available, weekdays before work.",
)
REVIEW_QUESTIONS = (
    "How did my last month of riding go? Am I on track for {goal}?",
    "Can you look at my recent rides and tell me if I'm overdoing it?",
    "Review my training over the past weeks, please.",
)
FOLLOW_UPS = (
    ("Can I swap the long ride to Sunday?", "swap"),
    ("What should I eat during the long ride?", "fuel"),
    ("My legs feel heavy today. Should I still do the intervals?", "fatigue"),
    ("Could I do Thursday's workout indoors instead?", "indoor"),
)
QUICK_QUESTIONS = (
    ("What should I eat the evening before a 3-hour ride?", "fuel"),
    ("Is it fine to ride two days in a row at high intensity?", "fatigue"),
    ("How much should I drink per hour when it's warm?", "hydration"),
)
WEEKEND_QUESTIONS = (
    "Which of my saved routes should I ride this weekend, given the weather?",
    "I want two good rides this weekend. Compare my saved routes with the forecast?",
)

SHORT_ANSWERS = {
    "swap": (
        "Yes, that works. Move the long ride to Sunday and make Saturday an easy endurance "
        "ride of an hour so you start Sunday fresh. Keep the day after the long ride easy."
    ),
    "fuel": (
        "Aim for 60-80 g of carbohydrate per hour from the first hour on: a bottle of drink "
        "mix plus a bar or a couple of gels per hour. Eat a normal carbohydrate-rich meal "
        "the evening before, nothing new or very fibrous."
    ),
    "fatigue": (
        "Heavy legs after a hard block are normal, but intervals on tired legs rarely pay off. "
        "Ride 45 minutes easy today and do the intervals tomorrow if your legs feel better; "
        "if not, drop them this week."
    ),
    "indoor": (
        "Sure. Indoors, do the same structure but shorten it by about 15%: time on the "
        "trainer is more demanding, with no coasting. Use a fan and keep a bottle close."
    ),
    "hydration": (
        "Start with 500-750 ml per hour and add electrolytes (around 500 mg of sodium per "
        "litre). In real heat, weigh yourself before and after a ride to learn your sweat rate."
    ),
}


def pick(rng: random.Random, options: tuple[Any, ...]) -> Any:
    return options[rng.randrange(len(options))]


def plan_question(rng: random.Random, athlete: Athlete) -> str:
    return pick(rng, PLAN_QUESTIONS).format(hours=rng.randint(6, 12), goal=athlete.goal)


def review_question(rng: random.Random, athlete: Athlete) -> str:
    return pick(rng, REVIEW_QUESTIONS).format(goal=athlete.goal)


def week_plan(
    rng: random.Random, athlete: Athlete, forecast: list[dict[str, Any]], history: dict[str, Any] | None
) -> str:
    """A long Markdown answer: a week of workouts fitted to the forecast."""
    ftp = athlete.ftp
    values = {
        "hours": f"{rng.choice((1.5, 2, 2.5))} h",
        "long_hours": f"{rng.choice((3, 3.5, 4))} h",
        "low": int(ftp * 0.56),
        "high": int(ftp * 0.75),
        "ss_low": int(ftp * 0.88),
        "ss_high": int(ftp * 0.94),
        "vo2": int(ftp * 1.12),
        "rec": int(ftp * 0.55),
        "tempo": int(ftp * 0.82),
    }
    order = ["rest", "sweet_spot", "endurance", "vo2", "recovery", "long", "endurance"]
    lines = [f"# Your training week, {athlete.name}", ""]
    if history:
        lines += [
            f"Over the last {history['weeks']} weeks you rode {history['ride_count']} times for "
            f"{history['total_km']:.0f} km and {history['total_elevation_m']} m of climbing. "
            f"That is a solid base for {athlete.goal}, so this week builds a little on it.",
            "",
        ]
    lines += ["| Day | Weather | Workout |", "| --- | --- | --- |"]
    for index, day in enumerate(forecast[:7]):
        kind = order[index % len(order)]
        if day["condition"] in ("light rain", "showers") and kind in ("long", "sweet_spot", "vo2"):
            kind = "indoor"
        name = date.fromisoformat(day["date"]).strftime("%A %d %b")
        weather = f"{day['condition']}, {day['temp_c']['min']}-{day['temp_c']['max']} °C"
        lines.append(f"| {name} | {weather} | {WORKOUTS[kind].format(**values)} |")
    lines += [
        "",
        "## Why this week looks like this",
        "",
        "- The two quality sessions (sweet spot and VO2max) are separated by an endurance day, "
        "so you arrive at each one recovered enough to hit the numbers.",
        "- Wet days carry the indoor version of the workout: the structure matters more "
        "than the scenery, and you avoid a cold, risky descent.",
        f"- Power targets use your current FTP of {ftp} W "
        f"({ftp / athlete.weight_kg:.2f} W/kg). If the sweet spot intervals feel easy, "
        "we can test your FTP at the end of next week.",
        "- The long ride sits at the end of the week, when the forecast is best and you "
        "have the most time.",
        "",
        "## The key sessions in detail",
        "",
        f"**Sweet spot.** Warm up for 15 minutes, including three 30-second efforts at "
        f"{values['vo2']} W to wake the legs up. Then ride 3 x 15 minutes at "
        f"{values['ss_low']}-{values['ss_high']} W, seated, cadence 85-95 rpm, with 5 minutes "
        "easy spinning between. Breathing should be deep but controlled: you can say a short "
        "sentence, not hold a conversation. Cool down for 10 minutes.",
        "",
        f"**VO2max.** After a 20-minute warm-up, ride 5 x 4 minutes at about {values['vo2']} W "
        "with 4 minutes of easy spinning between. The first two should feel hard but "
        "manageable; if you cannot hold the power in the fourth, stop there: the session has "
        "done its job. Choose a road without junctions, or do it on the trainer.",
        "",
        f"**Long ride.** Keep it conversational ({values['low']}-{values['high']} W) on the "
        f"flat and let the climbs go up to tempo ({values['tempo']} W), never above. Eat from "
        "the first hour and drink to thirst. The last hour is where the endurance is built, "
        "so keep the pace even rather than finishing with a sprint.",
        "",
        "## Fuelling and recovery",
        "",
        "- Eat 60-80 g of carbohydrate per hour on rides longer than 90 minutes.",
        "- After the hard days, have a meal with 25-30 g of protein within two hours.",
        "- Sleep is the cheapest performance gain there is: aim for eight hours this week.",
        "",
        "Tell me if something in your schedule changes and I will move the sessions around.",
    ]
    return "\n".join(lines)


def review(rng: random.Random, athlete: Athlete, history: dict[str, Any]) -> str:
    per_week = history["total_km"] / max(1, history["weeks"])
    trend = rng.choice(("steadily rising", "flat", "a little uneven"))
    return (
        f"You rode {history['ride_count']} times in {history['weeks']} weeks, about "
        f"{per_week:.0f} km a week, and your volume has been {trend}. Your longest recent ride "
        f"was {max(r['distance_km'] for r in history['rides']):.0f} km. For {athlete.goal} "
        "you are on track; the one thing I would add is a weekly ride at tempo, because your "
        "rides are mostly easy or very hard, with little in between.\n\n"
        "Next step: keep the volume, make one weekday ride a 2 x 20 min tempo session, and "
        "take an easy week every fourth week."
    )


def partial_review(athlete: Athlete) -> str:
    return (
        "I could not read your most recent ride export: the file seems to have a damaged row, "
        "so I only have part of this month's data. From what I can see, your training is "
        f"consistent and heading the right way for {athlete.goal}.\n\n"
        "Could you re-sync your rides from your head unit or app? Once the export is fixed "
        "I can give you a complete review, including your weekly load and intensity balance."
    )


def weekend_advice(routes: list[dict[str, Any]], forecast: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """The answer about weekend routes and the two routes it recommends."""
    ranked = sorted(routes, key=lambda r: (-r["climbing_m"], r["route_id"]))
    saturday, sunday = ranked[0], ranked[-1]
    weather = forecast[-2:] if len(forecast) >= 2 else forecast
    text = (
        f"Saturday: {saturday['name']} ({saturday['distance_km']:.0f} km, "
        f"{saturday['climbing_m']} m). The forecast says {weather[0]['condition']}, which suits "
        "the climbing day.\n"
        f"Sunday: {sunday['name']} ({sunday['distance_km']:.0f} km, {sunday['climbing_m']} m), "
        f"an easier day; expect {weather[-1]['condition']}.\n\n"
        "I have added both rides to your calendar."
    )
    return text, [saturday["route_id"], sunday["route_id"]]
