"""Lower bounds for the course search, worked out over the free days from the gaps between doses alone.

Weekly counts, windows and psychotherapy can only make a course end later or cost more, so
these never overestimate: a branch whose bound cannot beat the best course so far is cut.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, timedelta

from planner.domain.planning.cadence import DoseRule


class GapBounds:
    """Which free days each dose can take and what the course can still reach from there."""

    def __init__(self, rules: list[DoseRule], tail: list[int], day_list: list[date], fixed: dict[int, date],
                 first_day: date):
        self.rules = rules
        self.tail = tail  # fewest days from dose i to the course's end
        self.day_list = day_list
        self.fixed = fixed
        self.gaps = [(timedelta(days=r.min_gap), timedelta(days=r.max_gap) if r.max_gap is not None else None)
                     for r in rules]
        self.first_day = first_day
        self.count = len(rules)

    def _following(self, i: int, day: date, days: list[date]) -> tuple[int, int]:
        """The slice of days (sorted) that dose i + 1 may take after dose i on day."""
        low, high = self.gaps[i + 1]
        return bisect_left(days, day + low), (bisect_right(days, day + high) if high is not None else len(days))

    def _candidates(self, i: int, days: list[list[date]] | None) -> list[date]:
        if i in self.fixed:
            return [self.fixed[i]]
        return days[i] if days is not None else self.day_list

    def soonest(self, off_time: dict[date, int], cap: int | None = None, days: list[list[date]] | None = None,
                limit: int | None = None) -> list[dict[date, tuple[int, int]]]:
        """For each dose and free day: the best (end day, doses off the usual time) reachable from there.

        Days missing cannot finish the course at all. With cap (the earliest end, once known)
        only courses ending by then count, and the value is (cap, fewest doses off the usual
        time). days: the days worth trying per dose (all free days if not given); limit: values
        costing more are of no interest and left out.
        """
        ends: list[dict[date, tuple[int, int]]] = [{} for _ in range(self.count)]
        following: list[date] = []
        values: list[tuple[int, int]] = []
        for i in range(self.count - 1, -1, -1):
            fixed = i in self.fixed
            candidates = self._candidates(i, days)
            if limit is not None and not fixed:
                candidates = [day for day in candidates if off_time.get(day, 0) <= limit]
            mine = ends[i]
            for day in candidates:
                cost = 0 if fixed else off_time.get(day, 0)
                if i == self.count - 1:
                    end = (day - self.first_day).days + self.tail[i]
                    if cap is None:
                        mine[day] = (end, cost)
                    elif end <= cap:
                        mine[day] = (cap, cost)
                    continue
                low, high = self._following(i, day, following)
                if low < high:
                    best = min(values[low:high])
                    if limit is None or best[1] + cost <= limit:
                        mine[day] = (best[0], best[1] + cost)
            following = [day for day in candidates if day in mine]
            values = [mine[day] for day in following]
        return ends

    def band(self, cap: int) -> list[list[date]]:
        """Per dose, the free days a course ending by cap could give it (reached from dose 1, able to finish)."""
        finishing = self.soonest({}, cap)
        band: list[list[date]] = []
        reached: list[date] | None = None
        for i in range(self.count):
            candidates = self._candidates(i, None) if reached is None else reached
            days = [day for day in candidates if day in finishing[i]]
            band.append(days)
            if i + 1 < self.count:
                nxt = self._candidates(i + 1, None)
                chosen: set[date] = set()
                for day in days:
                    low, high = self._following(i, day, nxt)
                    chosen.update(nxt[low:high])
                reached = sorted(chosen)
        return band

    def times_kept_throughout(self, band: list[list[date]], times_by_day: dict) -> set:
        """The local times at which a course on the band's days could give every dose not kept (gaps only).

        One pass for all times at once: for each dose and day, the times that day offers
        and every later dose can keep too.
        """
        every = set().union(*times_by_day.values())
        following: list[date] = []
        kept: list[set] = []
        for i in range(self.count - 1, -1, -1):
            mine: dict[date, set] = {}
            for day in band[i]:
                here = every if i in self.fixed else times_by_day.get(day, set())
                if i < self.count - 1:
                    low, high = self._following(i, day, following)
                    here = here & set().union(*kept[low:high])
                if here:
                    mine[day] = here
            following = [day for day in band[i] if day in mine]
            kept = [mine[day] for day in following]
        return set().union(*kept)
