"""A small in-memory clinic for planner tests: one New York site, weekdays 08:00-18:00."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from planner.domain.calendar import OpeningHours, SiteCalendar, to_utc
from planner.domain.clinic import ClinicState, Patient, Room, SessionType, Site
from planner.domain.intervals import Interval
from planner.domain.planning import PlanningProblem, Preferences
from planner.domain.protocols import AFTER_DOSE, BEFORE_FIRST, Phase, Protocol, TherapyLink
from planner.domain.staffing import Credential, RoleNeed, Roster, Shift, StaffMember

ZONE = "America/New_York"
START = date(2026, 6, 15)  # a Monday
NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
ALL_CREDS = tuple(Credential(k, date(2020, 1, 1), date(2030, 1, 1)) for k in ("licence", "acls", "bls", "rems_training"))
PRESCRIBERS = frozenset({"MD", "DO", "NP", "PA"})
MONITORS = frozenset({"RN", "NP", "MD"})

IV = SessionType(1, "iv", "IV ketamine infusion", "dosing", "IV", 40, 65, "infusion_pump_monitor", (
    RoleNeed("supervising_prescriber", PRESCRIBERS, frozenset({"licence", "acls"})),
    RoleNeed("monitoring_clinician", MONITORS, frozenset({"licence", "bls"}))))
PREP = SessionType(2, "prep", "Preparation", "preparation", "none", 50, 0, "therapy", (
    RoleNeed("therapist", frozenset({"therapist"}), frozenset({"licence"})),))
INTEGRATION = SessionType(3, "integration", "Integration", "integration", "none", 50, 0, "therapy", (
    RoleNeed("therapist", frozenset({"therapist"}), frozenset({"licence"})),))
TYPES = {t.key: t for t in (IV, PREP, INTEGRATION)}

IV_INDUCTION = Protocol("iv-induction", "IV induction", "iv",
                        (Phase("induction", 6, 1, 7, 2, 3, 21),),
                        (TherapyLink("prep", BEFORE_FIRST, None, -14, -1),
                         TherapyLink("integration", AFTER_DOSE, None, 1, 3)))


@dataclass
class World:
    """Knobs for a tiny clinic; build() gives a planning problem."""

    chairs: int = 2
    offices: int = 1
    nurses: int = 2
    therapists: int = 2
    days: int = 28
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    shift: tuple[str, str] = ("08:00", "18:00")
    opening: tuple[str, str] = ("08:00", "18:00")
    slot_minutes: int = 15
    nurse_days: set[int] | None = None  # weekdays the nurses work (None = all open days)
    therapist_days: dict[int, set[int]] = field(default_factory=dict)  # therapist index -> weekdays
    # Staff id -> {day offset from START: (from, to)}: a person who works only these stretches.
    stretches: dict[int, dict[int, tuple[str, str]]] = field(default_factory=dict)

    def build(self, protocol: Protocol = IV_INDUCTION, preferences: Preferences = Preferences(),
              horizon: int = 28) -> PlanningProblem:
        opens, closes = (time.fromisoformat(t) for t in self.opening)
        calendar = SiteCalendar(ZONE, tuple(OpeningHours(d, opens, closes) for d in self.weekdays))
        site = Site(1, "Midtown", calendar, slot_minutes=self.slot_minutes)
        rooms = {i: Room(i, 1, f"Chair {i}", "infusion_chair", frozenset({"infusion_pump_monitor"}))
                 for i in range(1, self.chairs + 1)}
        rooms.update({100 + i: Room(100 + i, 1, f"Office {i}", "therapy_office", frozenset({"therapy"}))
                      for i in range(self.offices)})
        staff = {}

        def person(sid, name, disciplines, weekdays):
            shifts = []
            for k in range(self.days + 1):
                day = START + timedelta(days=k)
                hours = self.stretches[sid].get(k) if sid in self.stretches else (
                    self.shift if day.weekday() in weekdays else None)
                if hours is not None:
                    shifts.append(Shift(1, Interval(to_utc(day, time.fromisoformat(hours[0]), ZONE),
                                                    to_utc(day, time.fromisoformat(hours[1]), ZONE))))
            staff[sid] = StaffMember(sid, name, frozenset(disciplines), ALL_CREDS, tuple(shifts))

        person(1, "Dr Adams", {"MD"}, set(self.weekdays))
        for n in range(self.nurses):
            person(10 + n, f"Nurse {n}", {"RN"}, self.nurse_days if self.nurse_days is not None else set(self.weekdays))
        for n in range(self.therapists):
            person(20 + n, f"Therapist {n}", {"therapist"}, self.therapist_days.get(n, set(self.weekdays)))
        state = ClinicState(site, rooms, Roster(staff, {}), [])
        patient = Patient(1, "MRN-1", screening="cleared", consent="signed")
        return PlanningProblem(protocol, TYPES, state, patient, preferences, START, horizon, NOW)
