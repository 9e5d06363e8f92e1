"""Branch-and-bound search for the best dose days, with dose times and psychotherapy placed around them.

Score, compared in order (lower is better):
  1. the day the course ends (last session), counted from the first planning day;
  2. doses not at the course's usual local start time;
  3. psychotherapy not all with one therapist (0 or 1).
Within its node budget the search is exact for all three (docs/planning.md says how).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from planner.domain.planning.bounds import GapBounds
from planner.domain.planning.cadence import day_range, dose_rules, phase_weeks, week_of, weekly_ok
from planner.domain.planning.packing import DayPacker
from planner.domain.planning.placement import Budget, Course, Placement, TherapyPlacer
from planner.domain.planning.slots import SlotTable
from planner.domain.planning.therapy import TherapyItem


@dataclass
class Found:
    """The best course found so far."""

    score: tuple[int, int, int]
    dose_starts: list[datetime]
    therapy: list[tuple[TherapyItem, datetime]]
    therapist_id: int | None
    usual_time: time | None


class CourseSearch:
    """Finds dose days under the cadence rules, then dose times and therapy around them."""

    def __init__(self, problem, doses: SlotTable, items: list[TherapyItem], any_therapist: dict[str, SlotTable],
                 one_therapist: Callable[[int, str], SlotTable], therapists: list[int], beside_doses: bool = True,
                 any_course: bool = False):
        # beside_doses=False: psychotherapy may ignore the doses' times; any_course: stop at the
        # first course found, best or not (both only to explain why nothing fits).
        self.p = problem
        self.doses = doses
        self.items = items
        self.any_therapist = any_therapist
        self.one_therapist = one_therapist
        self.therapists = therapists
        self.beside_doses = beside_doses
        self.any_course = any_course
        self.rules = dose_rules(problem.protocol)
        self.count = len(self.rules)
        self.first_day = problem.first_day
        self.last_day = problem.first_day + timedelta(days=problem.horizon_days)
        self.dose_length = problem.types[problem.protocol.dosing_type].duration
        self.lengths = {key: problem.types[key].duration for key in {it.type_key for it in items}}
        self.day_list = doses.days()
        self.fixed = {f.number - 1: f for f in problem.fixed_doses}
        self.tail = self._tail_min_days()
        self.gaps = GapBounds(self.rules, self.tail, self.day_list, {j: f.day for j, f in self.fixed.items()},
                              self.first_day)
        self.band: list[list[date]] | None = None  # per dose, the days a course ending by cap can use
        self.band_times: list[set[time]] = []  # per dose, every time its band's days offer
        self.tried: list[list[date]] = []  # per dose, the days the bound leaves worth trying, in order
        self.throughout: set[time] = set()  # the times a course ending by cap could keep for every dose
        self.times_by_day = {day: {at for at, _ in doses.starts(day)} for day in self.day_list}
        self.budget = Budget(problem.node_budget)
        self.placer = self._placer(any_therapist)
        self.placers: dict[int, TherapyPlacer] = {}
        self.soonest: list[dict[date, tuple[int, int]]] = []
        self.best: Found | None = None
        self.usual: time | None = None
        self.cap: int | None = None  # once known, the earliest end any course can have
        self.dead: set[tuple] = set()  # search states proven to lead to no course

    @property
    def exhausted(self) -> bool:
        """True when the node budget ran out (the result is then not proven best)."""
        return self.budget.exhausted

    def run(self) -> Found | None:
        """Search every usual time of day that could still do better; keep the best course."""
        times = self._usual_times()
        while times:
            if self.best is not None:
                if self.best.score[1:] == (0, 0) or self.any_course:
                    break  # nothing scores lower at the earliest end (or any course was all that was asked)
                if self.cap is None:
                    # The dose times are free at every leaf, so the first full pass found the
                    # earliest end whatever the usual time: the others only compete at it.
                    self.cap = self.best.score[0]
                    self.band = self.gaps.band(self.cap)
                    self.band_times = [set().union(*(self.times_by_day.get(d, ()) for d in days)) for days in self.band]
                    self.throughout = self.gaps.times_kept_throughout(self.band, self.times_by_day)
                times = self._worth_trying(times)
                if not times:
                    break
            self.usual = times.pop(0)
            self.soonest = self._soonest_ends()
            self.tried = [sorted(ends) for ends in self.soonest]
            self._dfs(0, [], 0)
            if self.exhausted or self.best is None:
                break  # out of budget, or no course at all (which does not depend on the usual time)
        return self.best

    def _usual_times(self) -> list[time]:
        # Times offered on the most days first: they are the likeliest to serve every dose.
        counts: dict[time, int] = {}
        for times in self.times_by_day.values():
            for at in times:
                counts[at] = counts.get(at, 0) + 1
        return sorted(counts, key=lambda at: (-counts[at], at))

    def _worth_trying(self, times: list[time]) -> list[time]:
        """The usual times that could still beat the best course, most promising first."""
        kept = []
        for at in times:
            # A dose none of whose possible days offers this time is off it, whatever else happens;
            # and a time no course can keep throughout costs at least one.
            fewest_off = sum(1 for i, there in enumerate(self.band_times) if i not in self.fixed and at not in there)
            fewest_off = max(fewest_off, 0 if at in self.throughout else 1)
            if (self.cap, fewest_off, 0) < self.best.score:
                kept.append((fewest_off, at))
        return [at for _, at in sorted(kept, key=lambda pair: pair[0])]

    def _tail_min_days(self) -> list[int]:
        # Fewest days from dose i to the end of the course: later minimum gaps, then integration.
        after_last = max((it.min_days for it in self.items if it.anchor == self.count and it.min_days > 0), default=0)
        tail = [0] * (self.count + 1)
        tail[self.count - 1] = after_last
        for i in range(self.count - 2, -1, -1):
            tail[i] = tail[i + 1] + self.rules[i + 1].min_gap
        return tail

    def _soonest_ends(self) -> list[dict[date, tuple[int, int]]]:
        """The bound for the current usual time (docs/planning.md): (end day, doses off the usual time)."""
        usual = self.usual
        off_time = {d: 0 if usual is None or usual in self.times_by_day.get(d, ()) else 1
                    for d in (self.day_list if self.band is None else {d for days in self.band for d in days})}
        if self.cap is None:
            return self.gaps.soonest(off_time)
        # Only a course ending at the earliest end that costs less than the best (or as much,
        # with one therapist where the best has two) can still win.
        limit = self.best.score[1] - 1 + self.best.score[2]
        return self.gaps.soonest(off_time, self.cap, self.band, limit)

    def _bound(self, day: date, i: int, cost_before: int) -> tuple[int, int, int]:
        end, cost_from_here = self.soonest[i][day]
        return (end, cost_before + cost_from_here, 0)

    def _dfs(self, i: int, days: list[date], cost: int) -> bool:
        """Search from dose i on; False when the subtree is a proven dead end (no set of dose days in it)."""
        if not self.budget.spend() or (self.any_course and self.best is not None):
            return True
        if i == self.count:
            self._leaf(days)
            return True
        # Dead ends are remembered on the first pass only: later passes leave out days by cost.
        key = self._state_key(i, days) if self.cap is None else None
        if key in self.dead:
            return False
        alive = False
        for day, extra in self._choices(i, days):
            if self.best is not None and self._bound(day, i, cost) >= self.best.score:
                alive = True  # cut by the bound, not proven empty
                continue
            days.append(day)
            alive |= self._dfs(i + 1, days, cost + extra)
            days.pop()
            if self.exhausted:
                return True
        if not alive and key is not None:
            # No set of dose days exists below here; whether one does depends only on this
            # state, not on how the doses before it were reached, so remember it.
            self.dead.add(key)
        return alive or key is None

    def _state_key(self, i: int, days: list[date]) -> tuple:
        """What the rest of the search depends on: the last dose, its phase's start and week, the course start."""
        if not days:
            return (i,)
        phase = self.rules[i - 1].phase
        phase_days = [d for j, d in enumerate(days) if self.rules[j].phase == phase]
        week = week_of(days[-1])
        return (i, days[-1], phase_days[0], sum(1 for d in phase_days if week_of(d) == week),
                days[0] if self.p.protocol.course_window_days is not None else None)

    def _choices(self, i: int, days: list[date]):
        """Each day dose i may take (among those the bound leaves), with 1 when it cannot be at the usual time."""
        if i in self.fixed:
            if self.fixed[i].day in self.soonest[i] and self._cadence_ok(i, self.fixed[i].day, days):
                yield self.fixed[i].day, 0
            return
        course_first = days[0] if days else None
        low, high = day_range(self.rules, i, days, course_first, self.p.protocol.course_window_days,
                              self.first_day, self.last_day)
        weeks = phase_weeks(self.rules, i, days)  # the same for every day tried here
        tried = self.tried[i]
        usual = self.usual
        for index in range(bisect_left(tried, low), len(tried)):
            day = tried[index]
            if day > high:
                break
            if not weekly_ok(self.rules, i, day, days, weeks) or not self._therapy_possible(i, day):
                continue
            yield day, 0 if usual is not None and usual in self.times_by_day[day] else 1

    def _cadence_ok(self, i: int, day: date, days: list[date]) -> bool:
        low, high = day_range(self.rules, i, days, days[0] if days else None, self.p.protocol.course_window_days,
                              date.min, date.max)
        return low <= day <= high and weekly_ok(self.rules, i, day, days)

    def _therapy_possible(self, i: int, day: date) -> bool:
        # A quick necessary check: every session tied to this dose has some free day in its window.
        for item in self.items:
            if item.anchor == i + 1:
                low, high = item.window(day, self.first_day, self.last_day)
                table = self.any_therapist[item.type_key]
                if not any(table.starts(low + timedelta(days=k)) for k in range((high - low).days + 1)):
                    return False
        return True

    def _leaf(self, days: list[date]) -> None:
        """Dose times and psychotherapy for these dose days: the best they allow, if it beats the best so far."""
        course = Course(list(days), {j: f.start for j, f in self.fixed.items()}, self.usual)
        latest = self.first_day + timedelta(days=self.best.score[0]) if self.best else None
        found = self.placer.best(course, latest)
        if found is None:
            return
        end = (found.end - self.first_day).days
        if self.best is not None and (end, found.cost, 0) >= self.best.score:
            return
        if not self.items or self.any_course:
            self._offer(found, None, 0)
            return
        for therapist in self._therapist_order():
            # One therapist can only do as well as anyone, never better: is it as well?
            alone = self._placer_for(therapist).best(course, found.end, exact_end=True)
            if alone is not None and alone.cost == found.cost:
                self._offer(alone, therapist, 0)
                return
            if self.exhausted:
                break  # out of budget: the course stands, its therapists unproven
        self._offer(found, None, 1)

    def _placer(self, tables: dict[str, SlotTable]) -> TherapyPlacer:
        packer = DayPacker(self.doses, self.dose_length, tables, self.lengths, self.beside_doses)
        return TherapyPlacer(self.items, packer, self.first_day, self.last_day, self.budget)

    def _placer_for(self, therapist: int) -> TherapyPlacer:
        if therapist not in self.placers:
            self.placers[therapist] = self._placer({key: self.one_therapist(therapist, key) for key in self.lengths})
        return self.placers[therapist]

    def _therapist_order(self) -> list[int]:
        wanted = self.p.preferences.therapist_id
        found = self.best.therapist_id if self.best else None
        order = [t for t in (wanted, found) if t is not None and t in self.therapists]
        return order + [t for t in self.therapists if t not in order]

    def _offer(self, placed: Placement, therapist: int | None, split: int) -> None:
        score = ((placed.end - self.first_day).days, placed.cost, split)
        if self.best is None or score < self.best.score:
            self.best = Found(score, placed.dose_starts, placed.therapy, therapist, self.usual)
