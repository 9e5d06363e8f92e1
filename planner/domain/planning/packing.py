"""One local day of the patient's course: whether its dose and psychotherapy fit side by side, and when."""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, datetime, timedelta

from planner.domain.planning.slots import SlotTable

# The dose may take any start the day offers (it costs one dose off the usual time).
ANY_START = "any"
DOSE = ("", False)  # the dose's place among the day's sessions, told apart from every therapy type


class DayPacker:
    """Exact answers to "do these sessions fit on this day, and at what starts?" for one set of tables.

    The patient cannot be in two sessions at once, and psychotherapy tied to the day's own dose
    comes after it has ended. The sessions of a day follow one another in some order; for a
    given order, taking each at the earliest start after the one before is best (an earlier
    end never hurts what follows), so trying every order of the few sessions of a day is exact.
    """

    def __init__(self, doses: SlotTable, dose_length: timedelta, tables: dict[str, SlotTable],
                 lengths: dict[str, timedelta], beside_doses: bool = True):
        # beside_doses=False: psychotherapy may ignore the doses (to tell what binds when nothing fits).
        self.doses = doses
        self.dose_length = dose_length
        self.tables = tables
        self.lengths = lengths
        self.beside_doses = beside_doses
        self._starts: dict[tuple[str, date], list[datetime]] = {}
        self._memo: dict[tuple, tuple | None] = {}

    def fits(self, day: date, dose, items: tuple[tuple[str, bool], ...]) -> tuple | None:
        """(dose start, therapy starts in the order of items), or None when they cannot all fit.

        dose: None (no dose that day), a start instant (kept exactly) or ANY_START;
        items: (session type, tied to this day's dose) for every psychotherapy session, sorted.
        """
        if not self.beside_doses:
            dose = None
            items = tuple((key, False) for key, _ in items)
        key = (day, dose, items)
        if key not in self._memo:
            self._memo[key] = self._fit(day, dose, items)
        return self._memo[key]

    def _fit(self, day: date, dose, items: tuple[tuple[str, bool], ...]) -> tuple | None:
        entries = ([DOSE] if dose is not None else []) + list(items)
        chosen: list[datetime | None] = [None] * len(entries)
        used = [False] * len(entries)

        def place(cursor: datetime | None, placed: int, dose_done: bool) -> bool:
            if placed == len(entries):
                return True
            tried = set()
            for n, entry in enumerate(entries):
                if used[n] or entry in tried or (entry[1] and not dose_done):
                    continue  # each kind once per position; tied sessions only once the dose is over
                tried.add(entry)
                start = self._dose_start(day, dose, cursor) if entry is DOSE else self._earliest(entry[0], day, cursor)
                if start is None:
                    continue
                length = self.dose_length if entry is DOSE else self.lengths[entry[0]]
                used[n], chosen[n] = True, start
                if place(start + length, placed + 1, dose_done or entry is DOSE):
                    return True
                used[n] = False
            return False

        if not place(None, 0, False):
            return None
        if dose is None:
            return (None, tuple(chosen))
        return (chosen[0], tuple(chosen[1:]))

    def _dose_start(self, day: date, dose, cursor: datetime | None) -> datetime | None:
        if dose == ANY_START:
            return self._first_from(self._day_starts("", day), cursor)
        return dose if cursor is None or dose >= cursor else None

    def _earliest(self, key: str, day: date, cursor: datetime | None) -> datetime | None:
        return self._first_from(self._day_starts(key, day), cursor)

    def _day_starts(self, key: str, day: date) -> list[datetime]:
        found = self._starts.get((key, day))
        if found is None:
            table = self.doses if key == "" else self.tables[key]
            found = self._starts[(key, day)] = sorted(start for _, start in table.starts(day))
        return found

    @staticmethod
    def _first_from(starts: list[datetime], cursor: datetime | None) -> datetime | None:
        if cursor is None:
            return starts[0] if starts else None
        index = bisect_left(starts, cursor)
        return starts[index] if index < len(starts) else None
