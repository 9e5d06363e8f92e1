"""Psychotherapy and dose times around a chosen set of dose days: the earliest end, then the fewest off-time doses.

The dose days are fixed here; what is left is which day each psychotherapy session takes
(within its window) and, on each day, the times of its sessions. Days only meet through the
sessions each holds, so the exact answer is a search over days per session with a memo: the
sessions are taken earliest deadline first, and once no session left can reach back to a day,
that day is settled and drops out of the state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from planner.domain.planning.packing import ANY_START, DayPacker
from planner.domain.planning.therapy import TherapyItem

NEVER = 10**9  # the cost of a day whose sessions cannot fit


class Budget:
    """Search steps left; the search stops, unproven, when they run out."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0

    def spend(self) -> bool:
        """Count one step; False once the budget is gone."""
        self.used += 1
        return self.used <= self.limit

    @property
    def exhausted(self) -> bool:
        """True when the search ran out of steps."""
        return self.used > self.limit


@dataclass
class Placement:
    """A way to hold a course on its dose days: every start, the course's end and its doses off the usual time."""

    end: date
    cost: int
    dose_starts: list[datetime]
    therapy: list[tuple[TherapyItem, datetime]]


@dataclass
class Course:
    """The dose days chosen, with what the placement needs to know about them."""

    days: list[date]
    fixed: dict[int, datetime]  # dose index -> start kept as it is (re-planning)
    usual: time | None


class TherapyPlacer:
    """Places psychotherapy (and picks dose times) for one set of therapy tables: any therapist, or one."""

    def __init__(self, items: list[TherapyItem], packer: DayPacker, first_day: date, last_day: date, budget: Budget):
        self.items = items
        self.packer = packer
        self.first_day = first_day
        self.last_day = last_day
        self.budget = budget

    def best(self, course: Course, latest_end: date | None = None, exact_end: bool = False) -> Placement | None:
        """The placement with the earliest end (not after latest_end), then the fewest doses off the usual time.

        exact_end: only an end on latest_end itself is of interest (the caller knows none ends sooner).
        """
        ordered = sorted(self.items, key=lambda it: (course.days[it.anchor - 1] + timedelta(days=it.max_days),
                                                     it.anchor, it.index))  # earliest deadline first
        windows = self._windows(course, ordered)
        if windows is None:
            return None
        days = course.days
        low = max([days[-1], *(w[0] for w in windows)])
        high = max([days[-1], *(w[-1] for w in windows)])
        if latest_end is not None:
            high = min(high, latest_end)
            if exact_end:
                low = max(low, latest_end)
        if low > high:
            return None
        # Most dose days reach their soonest possible end; when they do not, the latest end
        # tells at once whether they can take the course at all.
        soonest = self._cheapest(course, ordered, windows, low)
        if soonest is not None or low == high:
            return soonest
        widest = self._cheapest(course, ordered, windows, high)
        if widest is None:
            return None
        for end in _days(low + timedelta(days=1), high - timedelta(days=1)):
            found = self._cheapest(course, ordered, windows, end)
            if found is not None or self.budget.exhausted:
                return found
        return widest

    def _windows(self, course: Course, ordered: list[TherapyItem]) -> list[list[date]] | None:
        """The days each session could take, or None when one has none."""
        windows = []
        for item in ordered:
            anchor_day = course.days[item.anchor - 1]
            low, high = item.window(anchor_day, self.first_day, self.last_day)
            table = self.packer.tables[item.type_key]
            open_days = [day for day in _days(low, high) if table.starts(day)]
            if not open_days:
                return None
            windows.append(open_days)
        return windows

    def _cheapest(self, course: Course, ordered: list[TherapyItem], windows: list[list[date]],
                  end: date) -> Placement | None:
        """The fewest doses off the usual time with every session on or before end, or None."""
        capped = [[day for day in w if day <= end] for w in windows]
        if any(not w for w in capped):
            return None
        dose_of = {day: j for j, day in enumerate(course.days)}
        # The first day any session still to place may take: days before it are settled.
        settled_before = [min(w[0] for w in capped[k:]) for k in range(len(capped))] + [date.max]
        memo: dict[tuple, tuple[int, date | None]] = {}

        def day_cost(day: date, held: tuple) -> int:
            return self._day_cost(course, dose_of.get(day), day, held)

        def rest(k: int, open_days: tuple) -> int:
            """The least extra cost of placing sessions k.. given what the open days already hold."""
            if k == len(capped):
                return 0
            key = (k, open_days)
            if key in memo:
                return memo[key][0]
            if not self.budget.spend():
                return NEVER
            held = dict(open_days)
            item = ordered[k]
            anchor_day = course.days[item.anchor - 1]
            best, choice = NEVER, None
            for day in capped[k]:
                before = held.get(day, ())
                after = tuple(sorted((*before, (item.type_key, day == anchor_day))))
                extra = day_cost(day, after)
                if extra >= NEVER:
                    continue
                extra -= day_cost(day, before)
                if extra >= best:
                    continue
                kept = tuple((d, h) for d, h in sorted({**held, day: after}.items()) if d >= settled_before[k + 1])
                total = extra + rest(k + 1, kept)
                if total < best:
                    best, choice = total, day
                    if best == 0:
                        break  # nothing can cost less
            memo[key] = (best, choice)
            return best

        if rest(0, ()) >= NEVER:
            return None
        # Replay the choices, then fix every start day by day.
        held: dict[date, tuple] = {}
        chosen_day: list[date] = []
        open_days: tuple = ()
        for k, item in enumerate(ordered):
            day = memo[(k, open_days)][1]
            chosen_day.append(day)
            held[day] = tuple(sorted((*held.get(day, ()), (item.type_key, day == course.days[item.anchor - 1]))))
            open_days = tuple((d, h) for d, h in sorted(held.items()) if d >= settled_before[k + 1])
        return self._starts(course, ordered, chosen_day, held, end=max([course.days[-1], *chosen_day]))

    def _day_cost(self, course: Course, dose: int | None, day: date, held: tuple) -> int:
        """0 or 1 (a dose off the usual time) when the day's sessions fit, NEVER when they cannot."""
        if dose is None:
            return 0 if self.packer.fits(day, None, held) is not None else NEVER
        mode, cost = self._dose_mode(course, dose, day, held)
        return cost if mode is not None else NEVER

    def _dose_mode(self, course: Course, dose: int, day: date, held: tuple):
        """How the day's dose can be held with these sessions: (dose argument for the packer, cost)."""
        if dose in course.fixed:
            fixed = course.fixed[dose]
            return (fixed, 0) if self.packer.fits(day, fixed, held) is not None else (None, NEVER)
        usual = self.packer.doses.at(day, course.usual) if course.usual is not None else None
        if usual is not None and self.packer.fits(day, usual, held) is not None:
            return usual, 0
        if self.packer.fits(day, ANY_START, held) is not None:
            return ANY_START, 1
        return None, NEVER

    def _starts(self, course: Course, ordered: list[TherapyItem], chosen_day: list[date], held: dict[date, tuple],
                end: date) -> Placement:
        dose_starts, cost = [], 0
        for j, day in enumerate(course.days):
            mode, extra = self._dose_mode(course, j, day, held.get(day, ()))
            cost += extra
            dose_starts.append(self.packer.fits(day, mode, held.get(day, ()))[0])
        therapy_at: dict[tuple[date, tuple[str, bool]], list[datetime]] = {}
        dose_of = {day: j for j, day in enumerate(course.days)}
        for day, sessions in held.items():
            j = dose_of.get(day)
            mode = None if j is None else self._dose_mode(course, j, day, sessions)[0]
            _, starts = self.packer.fits(day, mode, sessions)
            for entry, start in zip(sessions, starts):
                therapy_at.setdefault((day, entry), []).append(start)
        therapy = []
        for item, day in zip(ordered, chosen_day):
            entry = (item.type_key, day == course.days[item.anchor - 1])
            therapy.append((item, therapy_at[(day, entry)].pop(0)))
        return Placement(end, cost, dose_starts, therapy)


def _days(low: date, high: date):
    day = low
    while day <= high:
        yield day
        day += timedelta(days=1)
