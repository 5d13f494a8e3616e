"""The demo application's tools: weather, ride history, athlete profile, routes.

Each tool logs through its own ``cycling_ai.tools.<name>`` logger, as the tools
of a real application would, and makes its data up from the run's
``random.Random`` so that a seed reproduces it.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from session_explorer.demo.clock import Timeline
from session_explorer.demo.conversation import ToolSpec

weather_log = logging.getLogger("cycling_ai.tools.weather")
rides_log = logging.getLogger("cycling_ai.tools.rides")
profile_log = logging.getLogger("cycling_ai.tools.profile")
routes_log = logging.getLogger("cycling_ai.tools.routes")


@dataclass(frozen=True)
class Athlete:
    id: str
    name: str
    city: str
    ftp: int
    weight_kg: float
    goal: str


ATHLETES = (
    Athlete("ath-104", "Lena", "Annecy", 248, 61.5, "the Étape du Tour in July"),
    Athlete("ath-117", "Marco", "Girona", 301, 72.0, "a first 200 km audax"),
    Athlete("ath-122", "Priya", "Boulder", 232, 57.8, "a gravel race in May"),
    Athlete("ath-139", "Tom", "Bergen", 275, 80.3, "losing 4 kg before spring"),
    Athlete("ath-145", "Aiko", "Lyon", 219, 54.1, "climbing Mont Ventoux"),
    Athlete("ath-151", "Sam", "Stellenbosch", 288, 69.4, "the Cape Town Cycle Tour"),
)

CONDITIONS = ("sunny", "partly cloudy", "overcast", "light rain", "showers", "windy", "fog")

ROUTES = {
    "rt-lakeloop": ("Lake loop", 42.5),
    "rt-col": ("Col climb", 68.0),
    "rt-coffee": ("Coffee ride", 31.2),
    "rt-hills": ("Rolling hills", 85.4),
}

TOOL_SPECS = {
    "get_weather": ToolSpec(
        "get_weather",
        "Daily weather forecast for a location.",
        {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "City name"},
                "days": {"type": "integer", "minimum": 1, "maximum": 10},
            },
            "required": ["location"],
        },
    ),
    "get_ride_history": ToolSpec(
        "get_ride_history",
        "The athlete's recorded rides over the last weeks.",
        {
            "type": "object",
            "properties": {
                "athlete_id": {"type": "string"},
                "weeks": {"type": "integer", "minimum": 1, "maximum": 12},
            },
            "required": ["athlete_id"],
        },
    ),
    "get_athlete_profile": ToolSpec(
        "get_athlete_profile",
        "FTP, weight and goal of an athlete.",
        {
            "type": "object",
            "properties": {"athlete_id": {"type": "string"}},
            "required": ["athlete_id"],
        },
    ),
    "get_route_profile": ToolSpec(
        "get_route_profile",
        "Distance and climbing of a saved route.",
        {
            "type": "object",
            "properties": {"route_id": {"type": "string", "enum": sorted(ROUTES)}},
            "required": ["route_id"],
        },
    ),
}


class Tools:
    """The tool implementations, sharing the run's random generator and timeline."""

    def __init__(self, rng: random.Random, timeline: Timeline, store: Any) -> None:
        self.rng = rng
        self.timeline = timeline
        self.store = store  # a cycling_ai.storage.RideStore
        #: The athlete whose next export read fails (a corrupt row), once.
        self.corrupt_export_for: str | None = None

    # ---------------------------------------------------------------- weather
    def get_weather(self, location: str, days: int = 7) -> dict[str, Any]:
        weather_log.info("Fetching %d-day forecast for %s", days, location)
        self.timeline.pause(self.rng.uniform(0.08, 0.35))
        if self.rng.random() < 0.25:
            age = self.rng.randint(3, 9)
            weather_log.warning(
                "Weather service slow to answer; using cached forecast for %s (%d hours old)",
                location,
                age,
            )
        today = self.timeline.now().date()
        forecast: list[dict[str, Any]] = []
        for offset in range(days):
            day = today + timedelta(days=offset)
            condition = self.rng.choice(CONDITIONS)
            wet = condition in ("light rain", "showers")
            forecast.append(
                {
                    "date": day.isoformat(),
                    "condition": condition,
                    "temp_c": {"min": self.rng.randint(1, 9), "max": self.rng.randint(10, 19)},
                    "wind_kph": self.rng.randint(5, 42 if condition == "windy" else 24),
                    "precip_mm": round(self.rng.uniform(1.5, 14.0), 1) if wet else 0.0,
                }
            )
        weather_log.info("Forecast for %s: %s", location, ", ".join(d["condition"] for d in forecast[:3]) + ", ...")
        return {"location": location, "units": "metric", "days": forecast}

    # ------------------------------------------------------------------ rides
    def ride_export(self, athlete: Athlete, month: date, rides: int, corrupt: bool) -> str:
        """A month of rides as the CSV text that the storage parses."""
        lines = ["date,name,distance_km,moving_time,elevation_m,avg_hr"]
        names = ("Morning ride", "Lunch loop", "Evening spin", "Long ride", "Hill repeats", "Recovery")
        bad_row = self.rng.randint(1, rides) if corrupt else -1
        for number in range(1, rides + 1):
            day = month.replace(day=min(28, number * 2 + self.rng.randint(0, 1)))
            distance = round(self.rng.uniform(18, 110), 1)
            minutes = int(distance / self.rng.uniform(24, 31) * 60)
            text_distance = "n/a" if number == bad_row else f"{distance}"
            lines.append(
                f"{day.isoformat()},{self.rng.choice(names)},{text_distance},"
                f"{minutes // 60}:{minutes % 60:02d}:00,{self.rng.randint(80, 1900)},"
                f"{self.rng.randint(118, 156)}"
            )
        return "\n".join(lines) + "\n"

    def get_ride_history(self, athlete_id: str, weeks: int = 4) -> dict[str, Any]:
        rides_log.info("Loading ride history for %s (last %d weeks)", athlete_id, weeks)
        now = self.timeline.now()
        months = _months_back(now, weeks)
        athlete = athlete_by_id(athlete_id)
        corrupt = self.corrupt_export_for == athlete_id
        self.corrupt_export_for = None
        for month in months:
            self.store.exports[(athlete_id, month.strftime("%Y-%m"))] = self.ride_export(
                athlete, month, self.rng.randint(5, 11), corrupt and month == months[-1]
            )
        rides = self.store.load_history(athlete_id, [m.strftime("%Y-%m") for m in months])
        self.timeline.pause(self.rng.uniform(0.02, 0.12))
        total = round(sum(r["distance_km"] for r in rides), 1)
        rides_log.info("Loaded %d rides for %s: %.1f km", len(rides), athlete_id, total)
        return {
            "athlete_id": athlete_id,
            "weeks": weeks,
            "ride_count": len(rides),
            "total_km": total,
            "total_elevation_m": sum(r["elevation_m"] for r in rides),
            "rides": rides[-6:],
        }

    # ---------------------------------------------------------------- profile
    def get_athlete_profile(self, athlete_id: str) -> dict[str, Any]:
        athlete = athlete_by_id(athlete_id)
        profile_log.info("Profile of %s: FTP %d W, %.1f kg", athlete_id, athlete.ftp, athlete.weight_kg)
        return {
            "athlete_id": athlete.id,
            "name": athlete.name,
            "home": athlete.city,
            "ftp_w": athlete.ftp,
            "weight_kg": athlete.weight_kg,
            "w_per_kg": round(athlete.ftp / athlete.weight_kg, 2),
            "goal": athlete.goal,
        }

    # ----------------------------------------------------------------- routes
    def get_route_profile(self, route_id: str) -> dict[str, Any]:
        name, distance = ROUTES[route_id]
        climbing = self.rng.randint(180, 1650)
        routes_log.info("Route %s (%s): %.1f km, %d m climbing", route_id, name, distance, climbing)
        return {
            "route_id": route_id,
            "name": name,
            "distance_km": distance,
            "climbing_m": climbing,
            "max_gradient_pct": round(self.rng.uniform(4.0, 13.5), 1),
        }

    def call(self, name: str, arguments: dict[str, Any]) -> Any:
        method = getattr(self, name)
        return method(**arguments)


def athlete_by_id(athlete_id: str) -> Athlete:
    for athlete in ATHLETES:
        if athlete.id == athlete_id:
            return athlete
    raise KeyError(athlete_id)


def _months_back(now: datetime, weeks: int) -> list[date]:
    first = (now - timedelta(weeks=weeks)).date().replace(day=1)
    months = []
    current = first
    while current <= now.date():
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months
