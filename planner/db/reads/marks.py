"""The change marks a cached read checks: the clinic's configuration version and per-date versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session as OrmSession

from planner.db.reads.sql import fetch


@dataclass(frozen=True)
class Marks:
    """The marks seen at one moment: the config version and, per UTC date, every site's version."""

    config: int | None
    days: dict[date, tuple[tuple[int, int], ...]]
    first: date = date.max
    last: date = date.min

    def cover(self, first: date, last: date) -> bool:
        """True when these marks were read for every date from first to last."""
        return self.first <= first and last <= self.last

    def of(self, day: date) -> tuple:
        """What a piece filed under this UTC date depends on."""
        return self.config, self.days.get(day, ())


def date_runs(days: list[date]) -> list[list[date]]:
    """Ascending dates grouped into runs of consecutive days (each run is read in one go)."""
    runs: list[list[date]] = []
    for day in days:
        if runs and runs[-1][-1] + timedelta(days=1) == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def read_marks(session: OrmSession, first: date, last: date) -> Marks:
    """The marks for UTC dates first to last, in one round trip (read before the data they vouch for)."""
    found = fetch(session, "SELECT 0, NULL, version FROM config_marks WHERE id = 1 UNION ALL "
                           "SELECT site_id, day, version FROM day_marks WHERE day >= ? AND day <= ?",
                  [first, last])
    config = None
    days: dict[date, list[tuple[int, int]]] = {}
    for site_id, day, version in found:
        if day is None:
            config = version
        else:
            day = date.fromisoformat(day) if isinstance(day, str) else day
            days.setdefault(day, []).append((site_id, version))
    return Marks(config, {day: tuple(sorted(versions)) for day, versions in days.items()}, first, last)


def config_mark(session: OrmSession) -> int | None:
    """The clinic configuration's version (None before anything was configured)."""
    found = fetch(session, "SELECT version FROM config_marks WHERE id = 1", [])
    return found[0][0] if found else None
