"""Coverage at a site over a local day: dosing load against the people on site who can carry it.

The day is cut into quarter hours of real time, from local midnight to the next local midnight,
so a spring-forward day has 92 quarters and a fall-back day 100 (domain.md, "Times are stored in
UTC and read in the site's IANA zone"). In each quarter:

- load: the most dosing sessions under way at once (their dose and observation window);
- supervising capacity: prescribers on shift at the site for the whole quarter, not on leave,
  with a valid licence, each times the supervising-prescriber ratio (domain.md, "Concurrency
  limits": 4 by default);
- monitoring capacity: the other clinicians who may monitor (supervision.MONITORS less the
  prescribers, so nobody counts twice), with a valid licence and BLS, times the monitoring ratio
  (2 by default);
- ACLS/BLS presence: someone with ACLS on site, and a second person with BLS (or ACLS), at every
  instant of the quarter, a handover inside it counted as the presence check does (issue 12,
  part 1): the view and the booking rules say the same of a quarter.

A ratio is the route's own where the site's policy gives the route one (IV 1 nurse : 2,
intranasal 1 : 3), else the site's. Each dose weighs on capacity by its route's ratio, as a duty
weighs on its person in the booking rules (staffing.Ratios): the capacity shown is the patients
of the quarter's mix of routes the people on site can carry, so a quarter is a gap exactly when
the doses' weighed load is more than the people on site.

A quarter with load is a gap when the load is above either capacity or the ACLS/BLS pair is
missing, near the limit when the load equals a capacity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from planner.domain.booking import team_cover_reasons
from planner.domain.calendar import day_start
from planner.domain.clinic import ClinicState, SessionRequest, SessionType, Site
from planner.domain.errors import Reason
from planner.domain.intervals import Interval
from planner.domain.presence import on_site_within, shortfall, whole_window
from planner.domain.staffing import (
    FULL_LOAD, MONITORING_CLINICIAN, PRESCRIBERS, SUPERVISING_PRESCRIBER, StaffMember,
)
from planner.domain.supervision import MONITORS

QUARTER = timedelta(minutes=15)
GAP, NEAR, OK, IDLE = "gap", "near", "ok", "idle"
# What the cover check (services.cover) counts as a lost cover; the same set judges a booked session here.
COVER_CODES = frozenset({"staff_on_leave", "staff_off_shift", "credential_not_valid", "staff_at_another_site",
                         "staff_over_capacity", "staff_unknown", "staff_wrong_discipline", "role_missing",
                         "no_acls_on_site", "no_second_bls_on_site"})


@dataclass(frozen=True)
class Quarter:
    """One quarter hour of a site's day: load, capacities and the ACLS/BLS pair."""

    span: Interval
    load: int
    supervising: int
    monitoring: int
    acls: bool          # someone with ACLS on site at every instant of the quarter (a handover counts)
    second_bls: bool    # besides them, someone else with BLS (or ACLS), at every instant too

    @property
    def problems(self) -> tuple[str, ...]:
        """Why this quarter is a gap, in words (empty when it is not)."""
        if not self.load:
            return ()
        found = []
        if self.load > self.supervising:
            found.append(f"{self.load} dosing for supervising capacity {self.supervising}")
        if self.load > self.monitoring:
            found.append(f"{self.load} dosing for monitoring capacity {self.monitoring}")
        if not self.acls:
            found.append("no ACLS holder on site")
        elif not self.second_bls:
            found.append("no second BLS holder on site")
        return tuple(found)

    @property
    def state(self) -> str:
        """gap, near (load at a capacity), ok, or idle (no dosing)."""
        if not self.load:
            return IDLE
        if self.problems:
            return GAP
        return NEAR if self.load in (self.supervising, self.monitoring) else OK


def quarters_of(day: date, zone: str) -> list[Interval]:
    """The quarter hours of a local day in real time: 96, or 92/100 on a DST change day."""
    start, end = day_start(day, zone), day_start(day + timedelta(days=1), zone)
    found = []
    while start < end:
        found.append(Interval.trusted(start, min(start + QUARTER, end)))
        start += QUARTER
    return found


def _holds(member: StaffMember, kinds: Iterable[str], day: date) -> bool:
    return not member.missing_credentials(kinds, day)


def peak_concurrent(windows: list[Interval], span: Interval) -> int:
    """The most windows under way at one instant inside span (one ending as another begins: not at once)."""
    return _peak([(window, 1) for window in windows], span)


def _peak(weighed: list[tuple[Interval, int]], span: Interval) -> int:
    """The highest sum of the weights of the windows under way at one instant inside span."""
    events = []
    for window, weight in weighed:
        if window.overlaps(span):
            events.append((max(window.start, span.start), 1, weight))
            events.append((min(window.end, span.end), 0, weight))
    events.sort()  # at one instant, ends (0) sort before starts (1): back-to-back windows do not add up
    load = peak = 0
    for _, is_start, weight in events:
        load = load + weight if is_start else load - weight
        peak = max(peak, load)
    return peak


def _capacity(people: int, load: int, units: int, idle_limit: int) -> int:
    """Patients of this quarter's mix the people can carry: people x the ratio when one route is under way."""
    if not load:
        return people * idle_limit
    # units / load is the mean share of one dose; floor, so load > capacity exactly when units > people.
    return people * FULL_LOAD * load // units


def coverage_curve(site: Site, day: date, dosing: list[Interval], staff: Iterable[StaffMember],
                   routes: list[str | None] | None = None) -> list[Quarter]:
    """Each quarter hour of the site's local day with its dosing load, capacities and ACLS/BLS pair.

    routes: each dose's drug route, in the order of dosing (None: every dose by the site's ratios).
    """
    ratios = site.ratios
    people = list(staff)
    # Credentials are judged on the local day, as a booking judges them (Credential.valid_on).
    prescribers = {m.id for m in people if m.disciplines & PRESCRIBERS and _holds(m, ("licence",), day)}
    monitors = {m.id for m in people if m.id not in prescribers and m.disciplines & MONITORS
                and _holds(m, ("licence", "bls"), day)}
    acls = {m.id for m in people if _holds(m, ("acls",), day)}
    bls = acls | {m.id for m in people if _holds(m, ("bls",), day)}
    doses = sorted(zip(dosing, routes if routes is not None else [None] * len(dosing)), key=lambda d: d[0].start)
    idle_supervise, idle_monitor = ratios.limit(SUPERVISING_PRESCRIBER), ratios.limit(MONITORING_CLINICIAN)
    quarters = []
    for span in quarters_of(day, site.calendar.zone):
        here = {m.id for m in people if whole_window(m, site.id, span)}
        under_way = [(window, route) for window, route in doses if window.overlaps(span)]
        load = peak_concurrent([window for window, _ in under_way], span)
        supervising = _capacity(len(here & prescribers), load, _peak(
            [(w, ratios.share(SUPERVISING_PRESCRIBER, r)) for w, r in under_way], span), idle_supervise)
        monitoring = _capacity(len(here & monitors), load, _peak(
            [(w, ratios.share(MONITORING_CLINICIAN, r)) for w, r in under_way], span), idle_monitor)
        quarters.append(Quarter(span, load, supervising, monitoring, _present(people, site.id, span, here, acls, 1),
                                _present(people, site.id, span, here, bls, 2)))
    return quarters


def _present(people: list[StaffMember], site_id: int, span: Interval, here: set[int], holders: set[int],
             needed: int) -> bool:
    """True when at least needed holders are on site at every instant of span (handovers inside it counted)."""
    whole = len(here & holders)
    if whole >= needed:
        return True
    partial = [found for m in people if m.id in holders and m.id not in here and m.active
               and (found := on_site_within(m, site_id, span))]
    return shortfall(partial, span, needed - whole) is None


@dataclass(frozen=True)
class Stretch:
    """Consecutive quarters in one state: how the table and the chart's marks read a day."""

    span: Interval
    state: str
    problems: tuple[str, ...]
    peak_load: int


def stretches(quarters: list[Quarter]) -> list[Stretch]:
    """Gaps and near-limits joined into stretches (idle and ok quarters left out)."""
    found: list[Stretch] = []
    for quarter in quarters:
        if quarter.state not in (GAP, NEAR):
            continue
        last = found[-1] if found else None
        if last and last.state == quarter.state and last.span.end == quarter.span.start \
                and last.problems == quarter.problems:
            found[-1] = Stretch(Interval.trusted(last.span.start, quarter.span.end), last.state, last.problems,
                                max(last.peak_load, quarter.load))
        else:
            found.append(Stretch(quarter.span, quarter.state, quarter.problems, quarter.load))
    return found


def needs_credential(session_type: SessionType, role: str, kind: str) -> bool:
    """True when the role in a session of this type asks for that credential kind (so its holder's lapse matters)."""
    return any(need.role == role and kind in need.credentials for need in session_type.needs)


def uncovered_reasons(request: SessionRequest, state: ClinicState, session_id: int) -> list[Reason]:
    """Why a booked session has lost cover (leave, off shift, a lapsed credential, over capacity, ...); empty if covered."""
    return [r for r in team_cover_reasons(request, state, session_id) if r.code in COVER_CODES]
