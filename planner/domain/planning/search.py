"""Branch-and-bound search for the best dose days and times, with psychotherapy placed around them.

Score, compared in order (lower is better):
  1. the day the course ends (last session), counted from the first planning day;
  2. doses not at the course's usual local start time;
  3. psychotherapy not all with one therapist (0 or 1).
The search is exhaustive within its node budget for the usual times it tries; it stops
trying further usual times once a course keeps one time and one therapist, which is exact
except when psychotherapy must squeeze beside a different dose on the same day.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from planner.domain.intervals import Interval
from planner.domain.planning.cadence import day_range, dose_rules, phase_weeks, week_of, weekly_ok
from planner.domain.planning.slots import SlotTable
from planner.domain.planning.therapy import TherapyItem, place_therapy


# How many candidate usual times are searched once a course exists (times offered on the
# most days come first); a course that can keep one time nearly always keeps one of these.
USUAL_TIMES_TRIED = 6


@dataclass
class Found:
    """The best course found so far."""

    score: tuple[int, int, int]
    dose_starts: list[datetime]
    therapy: list[tuple[TherapyItem, datetime]]
    therapist_id: int | None
    usual_time: time | None


class CourseSearch:
    """Finds dose days and times under the cadence rules, and therapy around them."""

    def __init__(self, problem, doses: SlotTable, items: list[TherapyItem], any_therapist: dict[str, SlotTable],
                 one_therapist: Callable[[int, str], SlotTable], therapists: list[int]):
        self.p = problem
        self.doses = doses
        self.items = items
        self.any_therapist = any_therapist
        self.one_therapist = one_therapist
        self.therapists = therapists
        self.rules = dose_rules(problem.protocol)
        self.count = len(self.rules)
        self.first_day = problem.first_day
        self.last_day = problem.first_day + timedelta(days=problem.horizon_days)
        self.dose_length = problem.types[problem.protocol.dosing_type].duration
        self.lengths = {key: problem.types[key].duration for key in {it.type_key for it in items}}
        self.day_list = doses.days()
        self.fixed = {f.number - 1: f for f in problem.fixed_doses}
        self.tail = self._tail_min_days()
        self.soonest: list[dict[date, tuple[int, int]]] = []
        self.nodes = 0
        self.exhausted = False
        self.best: Found | None = None
        self.usual: time | None = None
        self.dead: set[tuple] = set()  # search states proven to lead to no course

    def run(self) -> Found | None:
        """Search every usual time of day; keep the best course."""
        for tried, usual in enumerate(self._usual_times()):
            if tried >= USUAL_TIMES_TRIED and self.best is not None:
                break  # the times offered on the most days had their chance
            self.usual = usual
            self.soonest = self._soonest_ends()
            self._dfs(0, [], [], 0)
            # Which days can take a dose does not depend on the usual time, so once a
            # course keeps one time and one therapist, other times cannot end it sooner
            # (short of psychotherapy squeezed beside another dose on the same day).
            if self.exhausted or (self.best and self.best.score[1:] == (0, 0)):
                break
        return self.best

    def _usual_times(self) -> list[time]:
        # Times offered on the most days first: they are the likeliest to serve every dose.
        counts: dict[time, int] = {}
        for day in self.day_list:
            for at, _ in self.doses.starts(day):
                counts[at] = counts.get(at, 0) + 1
        return sorted(counts, key=lambda at: (-counts[at], at))

    def _tail_min_days(self) -> list[int]:
        # Fewest days from dose i to the end of the course: later minimum gaps, then integration.
        after_last = max((it.min_days for it in self.items if it.anchor == self.count and it.min_days > 0), default=0)
        tail = [0] * (self.count + 1)
        tail[self.count - 1] = after_last
        for i in range(self.count - 2, -1, -1):
            tail[i] = tail[i + 1] + self.rules[i + 1].min_gap
        return tail

    def _soonest_ends(self) -> list[dict[date, tuple[int, int]]]:
        """For each dose and free day: the best (end day, doses off the usual time) reachable from there.

        A backward pass over free days honouring the gaps between doses (not the weekly
        counts or windows, so it never overestimates): a lower bound for the search, and
        days from which no course can be finished at all are never tried.
        """
        never = (10**6, 0)
        offsets = {d: (d - self.first_day).days for d in self.day_list}
        off_time = {d: 0 if self.usual is None or self.doses.at(d, self.usual) is not None else 1
                    for d in self.day_list}
        ends: list[dict[date, tuple[int, int]]] = [{} for _ in range(self.count)]
        following: dict[date, tuple[int, int]] | None = None
        reachable: list[tuple[int, int]] = []
        reachable_days: list[date] = []
        for i in range(self.count - 1, -1, -1):
            candidates = [self.fixed[i].day] if i in self.fixed else self.day_list
            for day in candidates:
                cost = 0 if i in self.fixed else off_time.get(day, 0)
                if following is None:
                    ends[i][day] = (offsets.get(day, (day - self.first_day).days) + self.tail[i], cost)
                    continue
                rule = self.rules[i + 1]
                low = day + timedelta(days=rule.min_gap)
                high = day + timedelta(days=rule.max_gap) if rule.max_gap is not None else self.last_day
                best = min(reachable[bisect_left(reachable_days, low):bisect_right(reachable_days, high)],
                           default=never)
                if best < never:
                    ends[i][day] = (best[0], best[1] + cost)
            following = ends[i]
            # A fixed dose may fall on a day with no other free start (the patient's own dose takes it).
            reachable_days = sorted(set(self.day_list) | set(following))
            reachable = [following.get(day, never) for day in reachable_days]  # aligned with reachable_days
        return ends

    def _bound(self, day: date, i: int, cost_before: int) -> tuple[int, int, int]:
        end, cost_from_here = self.soonest[i][day]
        return (end, cost_before + cost_from_here, 0)

    def _dfs(self, i: int, days: list[date], starts: list[datetime], cost: int) -> bool:
        """Search from dose i on; False when the subtree is a proven dead end (no course at all in it)."""
        if self.exhausted:
            return True
        self.nodes += 1
        if self.nodes > self.p.node_budget:
            self.exhausted = True
            return True
        if i == self.count:
            self._leaf(days, starts, cost)
            return True
        key = self._state_key(i, days)
        if key in self.dead:
            return False
        alive = False
        for day, start, extra in self._choices(i, days):
            if day not in self.soonest[i]:
                continue  # no way to finish the course from here
            if self.best is not None and self._bound(day, i, cost) >= self.best.score:
                alive = True  # cut by the bound, not proven empty
                continue
            days.append(day)
            starts.append(start)
            alive |= self._dfs(i + 1, days, starts, cost + extra)
            days.pop()
            starts.pop()
        if not alive:
            # No complete set of dose days exists below here; whether one does depends only
            # on this state, not on how the doses before it were reached, so remember it.
            self.dead.add(key)
        return alive

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
        if i in self.fixed:
            fixed = self.fixed[i]
            if self._cadence_ok(i, fixed.day, days):
                yield fixed.day, fixed.start, 0
            return
        course_first = days[0] if days else None
        low, high = day_range(self.rules, i, days, course_first, self.p.protocol.course_window_days,
                              self.first_day, self.last_day)
        weeks = phase_weeks(self.rules, i, days)  # the same for every day tried here
        for index in range(bisect_left(self.day_list, low), len(self.day_list)):
            day = self.day_list[index]
            if day > high:
                break
            if not weekly_ok(self.rules, i, day, days, weeks) or not self._therapy_possible(i, day):
                continue
            exact = self.doses.at(day, self.usual) if self.usual is not None else None
            if exact is not None:
                yield day, exact, 0
            else:
                yield day, self.doses.starts(day)[0][1], 1

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

    def _leaf(self, days: list[date], starts: list[datetime], cost: int) -> None:
        spans = [Interval(s, s + self.dose_length) for s in starts]
        busy: dict[date, list[Interval]] = {}
        for day, span in zip(days, spans):
            busy.setdefault(day, []).append(span)
        mixed = place_therapy(self.items, spans, days, busy, self.any_therapist, self.lengths, self.first_day,
                              self.last_day)
        if mixed is None:
            return  # with any therapist at all it cannot be done; one therapist cannot do better
        if not self.items:
            self._offer(days, starts, cost, mixed, None, 0)
            return
        soonest = self._end(days, mixed)
        for therapist in self._therapist_order():
            tables = {key: self.one_therapist(therapist, key) for key in self.lengths}
            placed = place_therapy(self.items, spans, days, busy, tables, self.lengths, self.first_day, self.last_day)
            if placed is not None:
                self._offer(days, starts, cost, placed, therapist, 0)
                if self._end(days, placed) == soonest:
                    return  # one therapist, and as soon as anyone could: nothing better here
        self._offer(days, starts, cost, mixed, None, 1)

    def _therapist_order(self) -> list[int]:
        if not self.items:
            return []
        wanted = self.p.preferences.therapist_id
        found = self.best.therapist_id if self.best else None
        order = [t for t in (wanted, found) if t is not None]
        return order + [t for t in self.therapists if t not in order]

    def _end(self, days: list[date], placed) -> date:
        # The course ends on the latest of its dose days and therapy days (site-local).
        return max([days[-1], *(self._local_day(at) for _, at in placed)])

    def _offer(self, days, starts, cost, placed, therapist, split) -> None:
        score = ((self._end(days, placed) - self.first_day).days, cost, split)
        if self.best is None or score < self.best.score:
            self.best = Found(score, list(starts), placed, therapist, self.usual)

    def _local_day(self, at: datetime) -> date:
        return self.p.state.site.calendar.local_day(at)
