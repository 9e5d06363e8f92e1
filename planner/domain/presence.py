"""Who must be on site while a dose is under way: ACLS and BLS holders, whoever they are assigned to.

domain.md: "The one giving IV ketamine, or someone on site, holds current ACLS; a second
BLS-certified person is on site during dosing". The session's team need not be them: anyone on
shift at the site, not on leave and not on shift elsewhere, counts while they are there, with the
credential valid on the session's local date. The rule holds at every instant of the dose and
observation window, not per person over the whole of it: a handover (one ACLS holder until
12:00, another from 12:00) keeps the window covered, a minute between them does not. The
coverage view (coverage.py) counts its quarter hours by the same sweep, so both say the same.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import datetime

from planner.domain.calendar import local
from planner.domain.clinic import ClinicState, SessionRequest, SessionType, Site
from planner.domain.errors import Reason
from planner.domain.intervals import Interval, merge, subtract
from planner.domain.policy import policy_for
from planner.domain.staffing import StaffMember

# The codes a lost presence is reported with (a cover problem as much as a nurse on leave).
PRESENCE_CODES = frozenset({"no_acls_on_site", "no_second_bls_on_site"})


def presence_reasons(request: SessionRequest, state: ClinicState) -> list[Reason]:
    """Why too few ACLS or BLS holders are on site at some instant of a dosing request's window (empty when enough are)."""
    return short_on_site(request.site, request.session_type, request.start, state)


def short_on_site(site: Site, stype: SessionType, start: datetime, state: ClinicState) -> list[Reason]:
    """presence_reasons for a session type starting at start at a site (what a search asks before any patient)."""
    if not stype.is_dosing:
        return []
    policy = policy_for(site.policies, stype.route)
    window, day = stype.window(start), site.calendar.local_day(start)
    acls = bls = 0
    partial: list[tuple[bool, list[Interval]]] = []  # holders on site for part of the window: (ACLS, when here)
    # Asked at every start a search tries: people here for the whole window are counted first, and
    # the count stops as soon as they make the numbers; only when they do not are handovers swept.
    for member in people_at(state):
        holds_acls = not member.missing_credentials(("acls",), day)
        if not holds_acls and member.missing_credentials(("bls",), day):
            continue
        if whole_window(member, site.id, window):
            acls, bls = acls + holds_acls, bls + 1
            if acls >= policy.acls_on_site and bls >= policy.bls_on_site:
                return []
        elif member.active:
            here = on_site_within(member, site.id, window)
            if here:
                partial.append((holds_acls, here))
    if not partial:
        return _short(site, window, policy.acls_on_site, policy.bls_on_site, acls, bls, None)
    # Handovers: the fewest holders on site at any instant, the whole-window ones counted at every instant.
    acls_gap = shortfall([here for holds, here in partial if holds], window, policy.acls_on_site - acls)
    if acls_gap is not None:
        return _short(site, window, policy.acls_on_site, policy.bls_on_site, acls + acls_gap[1], None, acls_gap[0])
    bls_gap = shortfall([here for _, here in partial], window, policy.bls_on_site - bls)
    if bls_gap is not None:
        return _short(site, window, policy.acls_on_site, policy.bls_on_site, policy.acls_on_site, bls + bls_gap[1],
                      bls_gap[0])
    return []


def people_at(state: ClinicState) -> Iterable[StaffMember]:
    """Everyone the snapshot knows near the window: the roster, then the others on shift at the site."""
    yield from state.roster.staff.values()
    for staff_id, member in state.present.items():
        if staff_id not in state.roster.staff:
            yield member


def whole_window(member: StaffMember, site_id: int, window: Interval) -> bool:
    """True when the person is on site for the whole window (on shift here, not on leave, not on shift elsewhere)."""
    return (member.active and member.on_shift(site_id, window) and not member.on_leave(window)
            and not member.on_shift_elsewhere(site_id, window))


def on_site_within(member: StaffMember, site_id: int, span: Interval) -> list[Interval]:
    """The stretches of span the person is on site: shifts here, joined, less leave and shifts elsewhere."""
    here = [Interval.trusted(max(part.start, span.start), min(part.end, span.end))
            for part in member.shift_cover(site_id) if part.overlaps(span)]
    if not here:
        return []
    away = [off for off in member.time_off if off.overlaps(span)]
    away += [s.interval for s in member.shifts if s.site_id != site_id and s.interval.overlaps(span)]
    return subtract(here, merge(away)) if away else here


def shortfall(stretches: list[list[Interval]], span: Interval, needed: int) -> tuple[Interval, int] | None:
    """The first stretch of span in which fewer than needed of these people are on site, and the fewest then.

    stretches: per person, when they are on site (disjoint, inside span). A person who leaves at
    the instant another arrives hands over: nobody is missing at that instant.
    """
    if needed <= 0:
        return None
    events = sorted((at, step) for here in stretches for part in here for at, step in ((part.start, 1), (part.end, -1)))
    count, k, at = 0, 0, span.start
    short_from, fewest = None, needed
    while at < span.end:
        while k < len(events) and events[k][0] == at:
            count += events[k][1]
            k += 1
        if count < needed:
            if short_from is None:
                short_from, fewest = at, count
            fewest = min(fewest, count)
        elif short_from is not None:
            return Interval.trusted(short_from, at), fewest
        at = events[k][0] if k < len(events) else span.end
    return (Interval.trusted(short_from, span.end), fewest) if short_from is not None else None


def enough_on_site(site: Site, stype: SessionType, state: ClinicState, span: Interval) -> tuple[list[Interval],
                                                                                             list[Interval]]:
    """Within span (one local day's opening), when enough ACLS holders are on site, and when enough BLS holders are.

    A search asks this once per block of opening hours instead of short_on_site at every start:
    a start fits exactly when its window lies inside both (credentials judged on the span's local day).
    """
    return enough_on_site_by_block(site, stype, state, [span])[0]


def enough_on_site_by_block(site: Site, stype: SessionType, state: ClinicState,
                            opening: list[Interval]) -> list[tuple[list[Interval], list[Interval]]]:
    """enough_on_site for every block of opening hours of a search, each person's time on site worked out once."""
    policy = policy_for(site.policies, stype.route)
    span = Interval.trusted(opening[0].start, opening[-1].end)
    people = [(member, here) for member in people_at(state) if member.active
              and (here := on_site_within(member, site.id, span))]
    found = []
    for block in opening:
        day = site.calendar.local_day(block.start)
        acls: list[list[Interval]] = []
        bls: list[list[Interval]] = []
        for member, here in people:
            holds_acls = not member.missing_credentials(("acls",), day)
            if not holds_acls and member.missing_credentials(("bls",), day):
                continue
            within = _clipped(here, block)
            if within:
                bls.append(within)
                if holds_acls:
                    acls.append(within)
        found.append((at_least(acls, block, policy.acls_on_site), at_least(bls, block, policy.bls_on_site)))
    return found


def _clipped(stretches: list[Interval], span: Interval) -> list[Interval]:
    """The parts of sorted disjoint stretches inside span, found by bisection."""
    k = bisect_right(stretches, span.start, key=lambda part: part.end)
    found = []
    while k < len(stretches) and stretches[k].start < span.end:
        part = stretches[k]
        found.append(Interval.trusted(max(part.start, span.start), min(part.end, span.end)))
        k += 1
    return found


def at_least(stretches: list[list[Interval]], span: Interval, needed: int) -> list[Interval]:
    """The parts of span in which at least needed of these people are on site (sorted, disjoint)."""
    if needed <= 0:
        return [span]
    events = sorted((at, step) for here in stretches for part in here for at, step in ((part.start, 1), (part.end, -1)))
    found: list[Interval] = []
    count, since = 0, None
    for k, (at, step) in enumerate(events):
        count += step
        if k + 1 < len(events) and events[k + 1][0] == at:
            continue  # a handover: everyone leaving and arriving at this instant is counted first
        if count >= needed and since is None:
            since = at
        elif count < needed and since is not None:
            found.append(Interval.trusted(since, at))
            since = None
    return found


def _short(site: Site, window: Interval, acls_needed: int, bls_needed: int, acls: int, bls: int | None,
           when: Interval | None) -> list[Reason]:
    """The reason, in the clinic's words; when: the first stretch short of holders, if only part of the window is."""
    if when is None or when == window:
        span = "for the whole dose and observation; {} would be."
    else:
        zone = site.calendar.zone
        span = (f"throughout the dose and observation; from {local(when.start, zone):%H:%M} "
                f"to {local(when.end, zone):%H:%M} there would be {{}}.")
    if bls is None or acls < acls_needed:
        return [Reason("no_acls_on_site", f"{_count(acls_needed, 'ACLS holder')} must be on site at {site.name} "
                       + span.format(acls), "start")]
    return [Reason("no_second_bls_on_site", f"{_count(bls_needed, 'BLS holder')} (the ACLS holder counted) must be on "
                   f"site at {site.name} " + span.format(bls), "start")]


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'s' if n != 1 else ''}"
