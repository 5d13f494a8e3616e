"""The demo application's ride storage (``cycling_ai.storage``).

The demo does not import this file as ``session_explorer.demo.storage``: it loads
its source as the module ``cycling_ai.storage`` under a fixed file name (see
``app.load_app_module``), so the traceback that :meth:`RideStore.load_history`
logs reads the same on every machine and every Python version (no install path,
no source lines with version-dependent caret marks).

It only uses the standard library.
"""

import logging

logger = logging.getLogger(__name__)


class RideDataError(Exception):
    """An athlete's ride export could not be read."""


class RideStore:
    """Ride exports, one CSV text per athlete and month, parsed on demand."""

    def __init__(self, exports):
        self.exports = exports

    def load_history(self, athlete_id, months):
        rides = []
        for month in months:
            path = f"exports/{athlete_id}/{month}.csv"
            logger.info("Reading ride export %s", path)
            try:
                rides.extend(self._read_export(self.exports[(athlete_id, month)]))
            except ValueError as exc:
                logger.exception("Could not parse ride export %s", path)
                raise RideDataError(f"unreadable ride export {path}") from exc
        return rides

    def _read_export(self, text):
        rows = []
        # A plain loop: a comprehension would add a frame on some Python versions.
        for line in text.splitlines()[1:]:
            rows.append(self._parse_row(line))
        return rows

    def _parse_row(self, line):
        day, name, distance, moving, elevation, heart_rate = line.split(",")
        return {
            "date": day,
            "name": name,
            "distance_km": float(distance),
            "moving_time": moving,
            "elevation_m": int(elevation),
            "avg_hr": int(heart_rate),
        }
