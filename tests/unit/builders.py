"""In-memory builders for the pure domain, with keyword defaults.

Every builder makes a valid, bookable object unless told otherwise, so a test only
spells out the one thing it is about. The default world is one New York site open
Monday to Friday 08:00–18:00, on Monday 15 June 2026, with everyone on shift
07:00–20:00 and every credential valid for years.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone

from planner.domain.calendar import OpeningHours, SiteCalendar, to_utc
from planner.domain.clinic import (
    BookedSession,
    ClinicState,
    Patient,
    Placement,
    Room,
    SessionRequest,
    SessionType,
    Site,
)
from planner.domain.intervals import Interval
from planner.domain.staffing import (
    ACTIVE,
    CREDENTIAL_KINDS,
    DEFAULT_LIMITS,
    MONITORING_CLINICIAN,
    SUPERVISING_PRESCRIBER,
    THERAPIST,
    WHOLE,
    Credential,
    Duty,
    RoleNeed,
    Roster,
    Shift,
    StaffMember,
)

UTC = timezone.utc
NEW_YORK = "America/New_York"
LONDON = "Europe/London"
SYDNEY = "Australia/Sydney"

DAY = date(2026, 6, 15)  # a Monday
NOW = datetime(2026, 6, 8, 12, 0, tzinfo=UTC)  # a week before DAY
LONG_AGO = date(2020, 1, 1)
FAR_AHEAD = date(2030, 12, 31)

PRESCRIBERS = frozenset({"MD", "DO", "NP", "PA"})
MONITORS = frozenset({"RN", "NP", "MD", "DO", "PA"})
THERAPISTS = frozenset({"therapist"})

SITE_ID = 1
CHAIR, CHAIR_2, OFFICE = 1, 2, 3
DR_ADAMS, NURSE_BAKER, NURSE_CHEN, THERAPIST_DIAZ, NP_EVANS = 1, 2, 3, 4, 5


def at(hh: int, mm: int = 0, day: date = DAY, zone: str = NEW_YORK) -> datetime:
    """The UTC instant of a wall-clock time at the site."""
    return to_utc(day, time(hh, mm), zone)


def span(start: datetime, minutes: int) -> Interval:
    """An interval of some minutes from start."""
    return Interval(start, start + timedelta(minutes=minutes))


def hours(opens: str = "08:00", closes: str = "18:00", weekdays: Iterable[int] = range(5)) -> tuple[OpeningHours, ...]:
    """The same opening block on each of the given weekdays (0 = Monday)."""
    return tuple(OpeningHours(d, time.fromisoformat(opens), time.fromisoformat(closes)) for d in weekdays)


def make_calendar(zone: str = NEW_YORK, opening: tuple[OpeningHours, ...] | None = None,
                  closures: Iterable[date] = ()) -> SiteCalendar:
    return SiteCalendar(zone, hours() if opening is None else opening, frozenset(closures))


def make_site(id: int = SITE_ID, name: str = "Midtown", zone: str = NEW_YORK,
              opening: tuple[OpeningHours, ...] | None = None, closures: Iterable[date] = (),
              esketamine_certified: bool = True, limits: dict[str, int] | None = None,
              distinct_roles: bool = True, slot_minutes: int = 15) -> Site:
    return Site(id, name, make_calendar(zone, opening, closures), esketamine_certified,
                dict(DEFAULT_LIMITS) if limits is None else limits, distinct_roles, slot_minutes)


def make_room(id: int = CHAIR, site_id: int = SITE_ID, name: str | None = None, kind: str = "infusion_chair",
              capabilities: Iterable[str] = ("infusion_pump_monitor", "pulse_oximeter"),
              active: bool = True) -> Room:
    return Room(id, site_id, name or f"Room {id}", kind, frozenset(capabilities), active)


def make_credentials(kinds: Iterable[str] = CREDENTIAL_KINDS, issued_on: date = LONG_AGO,
                     expires_on: date | None = FAR_AHEAD) -> tuple[Credential, ...]:
    return tuple(Credential(kind, issued_on, expires_on) for kind in kinds)


def make_shift(opens: str = "07:00", closes: str = "20:00", day: date = DAY, site_id: int = SITE_ID,
               zone: str = NEW_YORK) -> Shift:
    return Shift(site_id, Interval(to_utc(day, time.fromisoformat(opens), zone),
                                   to_utc(day, time.fromisoformat(closes), zone)))


def make_staff(id: int = DR_ADAMS, name: str | None = None, disciplines: Iterable[str] = ("MD",),
               credentials: tuple[Credential, ...] | None = None, shifts: tuple[Shift, ...] | None = None,
               time_off: tuple[Interval, ...] = (), active: bool = True) -> StaffMember:
    return StaffMember(id, name or f"Staff {id}", frozenset(disciplines),
                       make_credentials() if credentials is None else credentials,
                       (make_shift(),) if shifts is None else shifts, time_off, active)


def make_patient(id: int = 1, mrn: str | None = None, rems_enrolled_on: date | None = LONG_AGO,
                 screening: str = "cleared", consent: str = "signed", home_site_id: int | None = None) -> Patient:
    """A patient ready for treatment (screening cleared, consent signed) unless told otherwise."""
    return Patient(id, mrn or f"MRN-{id}", f"Patient {id}", rems_enrolled_on, screening, consent, home_site_id)


def prescriber_need(part: str = WHOLE, credentials: Iterable[str] = ("licence", "acls")) -> RoleNeed:
    return RoleNeed(SUPERVISING_PRESCRIBER, PRESCRIBERS, frozenset(credentials), part)


def monitor_need(part: str = WHOLE, credentials: Iterable[str] = ("licence", "bls")) -> RoleNeed:
    return RoleNeed(MONITORING_CLINICIAN, MONITORS, frozenset(credentials), part)


def therapist_need(part: str = WHOLE, credentials: Iterable[str] = ("licence",)) -> RoleNeed:
    return RoleNeed(THERAPIST, THERAPISTS, frozenset(credentials), part)


def make_session_type(id: int = 1, key: str = "iv-dose", name: str = "IV ketamine infusion", kind: str = "dosing",
                      route: str = "IV", active_minutes: int = 45, observation_minutes: int = 60,
                      room_capability: str | None = "infusion_pump_monitor",
                      needs: tuple[RoleNeed, ...] | None = None) -> SessionType:
    return SessionType(id, key, name, kind, route, active_minutes, observation_minutes, room_capability,
                       (prescriber_need(), monitor_need()) if needs is None else needs)


def iv_infusion(**overrides) -> SessionType:
    """IV ketamine: 45 min infusion + 60 min recovery in a chair with pump and monitor."""
    return make_session_type(**overrides)


def esketamine(**overrides) -> SessionType:
    """Spravato: 30 min dosing + 2 h observation, pulse oximeter, prescriber on site."""
    values = dict(id=2, key="esk-dose", name="Esketamine nasal spray", route="intranasal", active_minutes=30,
                  observation_minutes=120, room_capability="pulse_oximeter",
                  needs=(prescriber_need(credentials=("licence", "rems_training")), monitor_need()))
    values.update(overrides)
    return make_session_type(**values)


def kap_dosing(**overrides) -> SessionType:
    """Ketamine-assisted psychotherapy (IM): prescriber, monitoring nurse and therapist throughout, pulse oximeter."""
    values = dict(id=3, key="kap-dose", name="KAP dosing", route="IM", active_minutes=60, observation_minutes=90,
                  room_capability="pulse_oximeter", needs=(therapist_need(), prescriber_need(), monitor_need()))
    values.update(overrides)
    return make_session_type(**values)


def reviewed_preparation(**overrides) -> SessionType:
    """Preparation psychotherapy with a prescriber's review in its first hour: a role for part of the session."""
    values = dict(id=5, key="reviewed-prep", name="Preparation with review", kind="preparation", route="none",
                  active_minutes=60, observation_minutes=90, room_capability="therapy",
                  needs=(therapist_need(), prescriber_need(part=ACTIVE)))
    values.update(overrides)
    return make_session_type(**values)


def integration(**overrides) -> SessionType:
    """A 50-minute integration psychotherapy session with a therapist."""
    values = dict(id=4, key="integration", name="Integration psychotherapy", kind="integration", route="none",
                  active_minutes=50, observation_minutes=0, room_capability="therapy", needs=(therapist_need(),))
    values.update(overrides)
    return make_session_type(**values)


def duty(staff_id: int, role: str, start: datetime, minutes: int, session_id: int | None = None
         ) -> tuple[int, Duty]:
    return staff_id, Duty(span(start, minutes), role, session_id)


def make_booked(id: int = 100, patient_id: int = 99, start: datetime | None = None, minutes: int = 105,
                room_id: int | None = CHAIR, site_id: int = SITE_ID,
                duties: Iterable[tuple[int, str]] | Iterable[tuple[int, Duty]] = (), dosing: bool = False
                ) -> BookedSession:
    """A session already on the books; duties as (staff_id, role) cover its whole window."""
    start = at(10) if start is None else start
    full: list[tuple[int, Duty]] = []
    for staff_id, what in duties:
        full.append((staff_id, what if isinstance(what, Duty) else Duty(span(start, minutes), what, id)))
    return BookedSession(id, patient_id, site_id, room_id, span(start, minutes), tuple(full), dosing)


def default_rooms() -> list[Room]:
    return [make_room(CHAIR), make_room(CHAIR_2),
            make_room(OFFICE, kind="therapy_office", capabilities=("therapy",))]


def default_staff() -> list[StaffMember]:
    return [make_staff(DR_ADAMS, "Dr Adams", ("MD",)),
            make_staff(NURSE_BAKER, "Nurse Baker", ("RN",)),
            make_staff(NURSE_CHEN, "Nurse Chen", ("RN",)),
            make_staff(THERAPIST_DIAZ, "Dr Diaz", ("therapist",)),
            make_staff(NP_EVANS, "Evans NP", ("NP",))]


def make_state(site: Site | None = None, rooms: Iterable[Room] | None = None,
               staff: Iterable[StaffMember] | None = None, sessions: Iterable[BookedSession] = (),
               extra_duties: Iterable[tuple[int, Duty]] = ()) -> ClinicState:
    """A snapshot whose roster carries every duty of the booked sessions (plus extra duties)."""
    state = ClinicState(site or make_site(), {r.id: r for r in (default_rooms() if rooms is None else rooms)},
                        Roster({m.id: m for m in (default_staff() if staff is None else staff)}, {}))
    for session in sessions:
        state.add(session)
    for staff_id, extra in extra_duties:
        state.roster.duties.setdefault(staff_id, []).append(extra)
    return state


def make_request(session_type: SessionType | None = None, start: datetime | None = None,
                 room_id: int | None = CHAIR, placements: Iterable[tuple[int, str]] | None = None,
                 patient: Patient | None = None, site: Site | None = None) -> SessionRequest:
    """An IV infusion at 10:00 in chair 1 with Dr Adams supervising and Nurse Baker monitoring."""
    if placements is None:
        placements = [(DR_ADAMS, SUPERVISING_PRESCRIBER), (NURSE_BAKER, MONITORING_CLINICIAN)]
    return SessionRequest(patient or make_patient(), site or make_site(), session_type or iv_infusion(),
                          at(10) if start is None else start, room_id,
                          tuple(Placement(staff_id, role) for staff_id, role in placements))


def codes(reasons) -> list[str]:
    """The reason codes, in order, for compact assertions."""
    return [reason.code for reason in reasons]
