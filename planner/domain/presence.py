"""Who must be on site while a dose is under way: ACLS and BLS holders, whoever they are assigned to.

domain.md: "The one giving IV ketamine, or someone on site, holds current ACLS; a second
BLS-certified person is on site during dosing". The session's team need not be them: anyone on
shift at the site for the whole dose and observation window, not on leave, counts, with the
credential valid on the session's local date.
"""

from __future__ import annotations

from datetime import datetime

from planner.domain.clinic import ClinicState, SessionRequest, SessionType, Site
from planner.domain.errors import Reason
from planner.domain.policy import policy_for
from planner.domain.staffing import StaffMember

# The codes a lost presence is reported with (a cover problem as much as a nurse on leave).
PRESENCE_CODES = frozenset({"no_acls_on_site", "no_second_bls_on_site"})


def presence_reasons(request: SessionRequest, state: ClinicState) -> list[Reason]:
    """Why too few ACLS or BLS holders are on site for a dosing request's whole window (empty when enough are)."""
    return short_on_site(request.site, request.session_type, request.start, state)


def short_on_site(site: Site, stype: SessionType, start: datetime, state: ClinicState) -> list[Reason]:
    """presence_reasons for a session type starting at start at a site (what a search asks before any patient)."""
    if not stype.is_dosing:
        return []
    policy = policy_for(site.policies, stype.route)
    window, day = stype.window(start), site.calendar.local_day(start)
    acls = bls = 0
    # Asked at every start a search tries: stop at the first people who make the numbers.
    for people in (state.roster.staff, state.present):
        for member in people.values():
            if people is state.present and member.id in state.roster.staff:
                continue
            holds_acls = not member.missing_credentials(("acls",), day)
            if not holds_acls and member.missing_credentials(("bls",), day):
                continue
            if not _on_site(member, site.id, window):
                continue
            acls, bls = acls + holds_acls, bls + 1
            if acls >= policy.acls_on_site and bls >= policy.bls_on_site:
                return []
    if acls < policy.acls_on_site:
        return [Reason("no_acls_on_site", f"{_count(policy.acls_on_site, 'ACLS holder')} must be on site at "
                       f"{site.name} for the whole dose and observation; {acls} would be.", "start")]
    return [Reason("no_second_bls_on_site", f"{_count(policy.bls_on_site, 'BLS holder')} (the ACLS holder "
                   f"counted) must be on site at {site.name} for the whole dose and observation; "
                   f"{bls} would be.", "start")]


def _on_site(member: StaffMember, site_id: int, window) -> bool:
    return (member.active and member.on_shift(site_id, window) and not member.on_leave(window)
            and not member.on_shift_elsewhere(site_id, window))


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'s' if n != 1 else ''}"
