"""The demo clinic's fixed parts as plain data: sites, rooms, session types, staff, logins, patients' plans.

Every person is invented. Phone numbers are in ranges kept free for fiction (+1 555-01xx, +44 7700 900xxx,
+44 20 7946 0xxx); emails are at example.org or demo.clinic. Dates are day offsets from the anchor Monday.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

BROOKLYN, CAMDEN = "Brooklyn Heights", "Camden"
PRESCRIBER = ["MD", "DO", "NP", "PA"]
MONITOR = ["RN", "NP", "MD", "DO", "PA"]
DEMO_PASSWORD = "demo-password-1"

SITES = [
    {"name": BROOKLYN, "timezone": "America/New_York", "esketamine_certified": True, "phone": "+17185550100",
     "hours": [{"weekday": d, "opens": "07:30", "closes": "19:00"} for d in range(5)]
     + [{"weekday": 5, "opens": "08:00", "closes": "13:00"}],
     "closures": [{"day": "2026-11-26", "reason": "Thanksgiving"}, {"day": "2026-12-25", "reason": "Christmas Day"},
                  {"day": "2027-01-01", "reason": "New Year's Day"}],
     "limits": {"supervising_prescriber": 4, "monitoring_clinician": 2}},
    {"name": CAMDEN, "timezone": "Europe/London", "esketamine_certified": False, "phone": "+442079460321",
     "hours": [{"weekday": d, "opens": "08:00", "closes": "18:00"} for d in range(5)],
     "closures": [{"day": "2026-12-25", "reason": "Christmas Day"},
                  {"day": "2026-12-28", "reason": "Boxing Day (substitute day)"},
                  {"day": "2027-01-01", "reason": "New Year's Day"}],
     "limits": {"supervising_prescriber": 3, "monitoring_clinician": 2}},
]

_CHAIR = ["infusion_pump_monitor", "pulse_oximeter"]
ROOMS = [
    *({"site": BROOKLYN, "name": f"Infusion Chair {i}", "kind": "infusion_chair", "capabilities": _CHAIR}
      for i in (1, 2, 3)),
    {"site": BROOKLYN, "name": "Spravato Room A", "kind": "treatment_room", "capabilities": ["pulse_oximeter"]},
    {"site": BROOKLYN, "name": "Spravato Room B", "kind": "treatment_room", "capabilities": ["pulse_oximeter"]},
    {"site": BROOKLYN, "name": "KAP Suite", "kind": "treatment_room", "capabilities": ["pulse_oximeter", "therapy"]},
    {"site": BROOKLYN, "name": "Therapy Office 1", "kind": "therapy_office", "capabilities": ["therapy"]},
    {"site": BROOKLYN, "name": "Therapy Office 2", "kind": "therapy_office", "capabilities": ["therapy"]},
    {"site": BROOKLYN, "name": "Telehealth Room", "kind": "telehealth", "capabilities": ["telehealth", "therapy"]},
    *({"site": CAMDEN, "name": f"Infusion Chair {i}", "kind": "infusion_chair", "capabilities": _CHAIR}
      for i in (1, 2)),
    {"site": CAMDEN, "name": "Treatment Room", "kind": "treatment_room", "capabilities": ["pulse_oximeter", "therapy"]},
    {"site": CAMDEN, "name": "Therapy Room", "kind": "therapy_office", "capabilities": ["therapy"]},
]


def _need(role: str, disciplines: list[str], *credentials: str) -> dict:
    return {"role": role, "disciplines": disciplines, "credentials": list(credentials), "part": "whole"}


_IV_STAFF = [_need("supervising_prescriber", PRESCRIBER, "licence", "acls"),
             _need("monitoring_clinician", MONITOR, "licence", "bls")]
_THERAPIST = _need("therapist", ["therapist"], "licence")
SESSION_TYPES = [
    {"key": "iv-infusion", "name": "IV ketamine infusion", "kind": "dosing", "route": "IV", "active_minutes": 40,
     "observation_minutes": 65, "room_capability": "infusion_pump_monitor", "role_requirements": _IV_STAFF},
    {"key": "iv-booster", "name": "IV ketamine booster", "kind": "booster", "route": "IV", "active_minutes": 40,
     "observation_minutes": 65, "room_capability": "infusion_pump_monitor", "role_requirements": _IV_STAFF},
    {"key": "esketamine", "name": "Esketamine nasal spray", "kind": "dosing", "route": "intranasal",
     "active_minutes": 30, "observation_minutes": 120, "room_capability": "pulse_oximeter",
     "role_requirements": [_need("supervising_prescriber", PRESCRIBER, "licence", "rems_training"),
                           _need("monitoring_clinician", MONITOR, "licence", "bls")]},
    {"key": "kap-im", "name": "Ketamine-assisted psychotherapy (IM)", "kind": "dosing", "route": "IM",
     "active_minutes": 150, "observation_minutes": 30, "room_capability": "pulse_oximeter",
     "role_requirements": [*_IV_STAFF, _THERAPIST]},
    {"key": "pain-infusion", "name": "Ketamine infusion for chronic pain", "kind": "dosing", "route": "IV",
     "active_minutes": 240, "observation_minutes": 60, "room_capability": "infusion_pump_monitor",
     "role_requirements": _IV_STAFF},
    {"key": "intake", "name": "Intake assessment", "kind": "intake", "route": "none", "active_minutes": 60,
     "room_capability": "therapy", "role_requirements": [_need("supervising_prescriber", PRESCRIBER, "licence")]},
    {"key": "preparation", "name": "Preparation psychotherapy", "kind": "preparation", "route": "none",
     "active_minutes": 50, "room_capability": "therapy", "role_requirements": [_THERAPIST]},
    {"key": "integration", "name": "Integration psychotherapy", "kind": "integration", "route": "none",
     "active_minutes": 50, "room_capability": "therapy", "role_requirements": [_THERAPIST]},
]

# Shift patterns in each site's wall time.
HOURS = {BROOKLYN: {"early": ("07:30", "15:30"), "mid": ("09:00", "17:00"), "late": ("11:00", "19:00")},
         CAMDEN: {"early": ("08:00", "16:00"), "mid": ("09:00", "17:00"), "late": ("10:00", "18:00")}}
SATURDAY = ("08:00", "13:00")
_LONG = 3650  # a licence renewed well ahead


def _person(name, email, site, disciplines, pattern, phone, credentials, **extra) -> dict:
    return {"name": name, "email": f"{email}@demo.clinic", "phone": phone, "disciplines": disciplines,
            "credentials": credentials, "site": site, "pattern": pattern, **extra}


def _clinician(licence: str, *, acls=True, bls=True, rems=False, bls_expires=540) -> list[tuple]:
    creds = [("licence", licence, -2200, 700)]
    if acls:
        creds.append(("acls", f"AHA-ACLS-{licence[-5:]}", -400, 330))
    if bls:
        creds.append(("bls", f"AHA-BLS-{licence[-5:]}", -190, bls_expires))
    if rems:
        creds.append(("rems_training", f"SPRAVATO-{licence[-5:]}", -300, _LONG))
    return creds


def _therapist(licence: str) -> list[tuple]:
    return [("licence", licence, -1800, 500)]


STAFF = [
    _person("Dr Maya Patel", "maya.patel", BROOKLYN, ["MD"], "early", "+17185550111",
            _clinician("NY-MD-284517", rems=True), saturdays=0),
    _person("Dr Jonah Feldman", "jonah.feldman", BROOKLYN, ["DO"], "late", "+17185550112",
            _clinician("NY-DO-193402", rems=True), saturdays=1),
    _person("Alicia Romero", "alicia.romero", BROOKLYN, ["NP"], "mid", "+17185550113",
            _clinician("NY-NP-550981", rems=True)),
    _person("Marcus Bell", "marcus.bell", BROOKLYN, ["PA"], "late", "+17185550114",
            _clinician("NY-PA-061177"), weekdays=[1, 2, 3, 4]),
    _person("Grace O'Neill", "grace.oneill", BROOKLYN, ["RN"], "early", "+17185550115",
            _clinician("NY-RN-775321"), saturdays=1),
    # Her BLS runs out in the third week: the planner should warn, and no session after it may use her.
    _person("Daniel Okafor", "daniel.okafor", BROOKLYN, ["RN"], "late", "+17185550116",
            _clinician("NY-RN-640218", acls=False, bls_expires=18)),
    _person("Priya Shah", "priya.shah", BROOKLYN, ["RN"], "mid", "+17185550117",
            _clinician("NY-RN-702944", acls=False), leave=(7, 13)),
    _person("Luis Moreno", "luis.moreno", BROOKLYN, ["RN"], "late", "+17185550118",
            _clinician("NY-RN-688130", acls=False), saturdays=0),
    _person("Tom Reyes", "tom.reyes", BROOKLYN, ["LPN"], "early", "+17185550119",
            _clinician("NY-LPN-31876", acls=False), weekdays=[0, 1, 2, 3]),
    _person("Dr Hannah Levin", "hannah.levin", BROOKLYN, ["therapist"], "mid", "+17185550120",
            _therapist("NY-PSY-021984"), saturdays=0),
    _person("Samuel Brooks", "samuel.brooks", BROOKLYN, ["therapist"], "late", "+17185550121",
            _therapist("NY-LCSW-88412"), saturdays=1),
    _person("Nina Alvarez", "nina.alvarez", BROOKLYN, ["reception"], "early", "+17185550122", [], saturdays=0),
    _person("Carla Jensen", "carla.jensen", BROOKLYN, ["admin"], "mid", "+17185550123", []),
    _person("Dr Oliver Hughes", "oliver.hughes", CAMDEN, ["MD"], "early", "+447700900111",
            _clinician("GMC-7123456")),
    _person("Dr Amara Okonkwo", "amara.okonkwo", CAMDEN, ["MD"], "late", "+447700900112",
            _clinician("GMC-7234567")),
    _person("Fiona MacLeod", "fiona.macleod", CAMDEN, ["NP"], "mid", "+447700900113",
            _clinician("NMC-12A3456E"), weekdays=[0, 1, 2]),
    _person("Emily Clarke", "emily.clarke", CAMDEN, ["RN"], "early", "+447700900114",
            _clinician("NMC-09B7781C", acls=False)),
    _person("Kwame Mensah", "kwame.mensah", CAMDEN, ["RN"], "late", "+447700900115",
            _clinician("NMC-15C2290A", acls=False)),
    _person("Isla Thompson", "isla.thompson", CAMDEN, ["therapist"], "early", "+447700900116",
            _therapist("HCPC-PYL03311")),
    _person("Rhys Evans", "rhys.evans", CAMDEN, ["therapist"], "late", "+447700900117",
            _therapist("BACP-412877")),
    _person("Sophie Turner", "sophie.turner", CAMDEN, ["reception"], "early", "+447700900118", []),
]

USERS = [
    {"email": "admin@demo.clinic", "name": "Carla Jensen", "role": "admin", "staff": "carla.jensen@demo.clinic",
     "password": DEMO_PASSWORD},
    {"email": "clinician@demo.clinic", "name": "Dr Maya Patel", "role": "clinician",
     "staff": "maya.patel@demo.clinic", "password": DEMO_PASSWORD},
    {"email": "reception@demo.clinic", "name": "Nina Alvarez", "role": "reception",
     "staff": "nina.alvarez@demo.clinic", "password": DEMO_PASSWORD},
    # A therapist's login: she reads the clinical record only of the patients she treats.
    {"email": "therapist@demo.clinic", "name": "Dr Hannah Levin", "role": "clinician",
     "staff": "hannah.levin@demo.clinic", "password": DEMO_PASSWORD},
]


def shift_pattern(member: dict, day: date, week: int) -> tuple[str, str] | None:
    """A member's (start, end) on a day in their site's wall time, or None when they do not work."""
    if day.weekday() == 5:
        return SATURDAY if member.get("saturdays") == week % 2 and member["site"] == BROOKLYN else None
    if day.weekday() in member.get("weekdays", range(5)):
        return HOURS[member["site"]][member["pattern"]]
    return None


def _plan(*wishes: tuple[str, list[int]]) -> list[tuple[str, list[int]]]:
    return list(wishes)


_ESK = _plan(("esketamine", [0, 1]), ("esketamine", [3, 4, 5]), ("esketamine", [7, 8]), ("esketamine", [10, 11, 12]))
# The same twice-weekly rhythm later in each week, so Fridays and Saturdays have doses too.
_ESK_LATE = _plan(("esketamine", [1, 2]), ("esketamine", [5, 4]), ("esketamine", [8, 9]), ("esketamine", [12, 11]))
_ESK_FRIDAY = _plan(("esketamine", [2, 1]), ("esketamine", [4, 5]), ("esketamine", [9, 8]), ("esketamine", [11, 12]))
_IV = _plan(("iv-infusion", [0, 1]), ("integration", [1, 2]), ("iv-infusion", [2, 3]), ("iv-infusion", [4, 5]),
            ("iv-infusion", [7, 8]), ("iv-infusion", [9, 10]))
_KAP = _plan(("intake", [0, 1]), ("preparation", [2, 4]), ("kap-im", [7, 8]), ("integration", [8, 9, 10]))
# (MRN, site, [(session type, day offsets to try in order)])
# Every open day of the anchor week and the next has sessions at both sites (build_demo.py checks),
# so the demo, moved to the current week, shows a working clinic on whatever day it is started.
PATIENT_PLANS = [
    *((f"BH-{1001 + i}", BROOKLYN, _ESK) for i in range(2)),
    ("BH-1003", BROOKLYN, _ESK_LATE),
    ("BH-1004", BROOKLYN, _ESK_FRIDAY),
    *((f"BH-{1005 + i}", BROOKLYN, _IV) for i in range(3)),
    ("BH-1008", BROOKLYN, _KAP),
    ("BH-1009", BROOKLYN, _plan(("pain-infusion", [7]), ("pain-infusion", [8]), ("pain-infusion", [9]))),
    ("BH-1010", BROOKLYN, _plan(("iv-booster", [1, 2]))),
    ("BH-1011", BROOKLYN, _plan(("iv-booster", [8, 9]))),
    ("BH-1012", BROOKLYN, _plan(("intake", [4]))),
    ("BH-1013", BROOKLYN, _plan(("intake", [10, 11]))),
    *((f"CA-{2001 + i}", CAMDEN, _IV) for i in range(2)),
    ("CA-2003", CAMDEN, _plan(("preparation", [0, 1]), ("kap-im", [3]), ("integration", [4]))),
    ("CA-2004", CAMDEN, _plan(("intake", [1, 2]))),
    ("CA-2005", CAMDEN, _plan(("intake", [8, 9]))),
    ("CA-2006", CAMDEN, _plan(("pain-infusion", [7]), ("pain-infusion", [8]))),
    ("CA-2007", CAMDEN, _plan(("intake", [10]), ("preparation", [11]))),
]
ESKETAMINE_PATIENTS = {f"BH-{1001 + i}" for i in range(4)} | {"BH-1014", "BH-1015"}
WITH_SESSIONS = {mrn for mrn, _, _ in PATIENT_PLANS}
# Screened and consented, with nothing booked yet: ready for a course (the README's examples use them).
READY_FOR_A_COURSE = {"BH-1014", "BH-1015", "BH-1016", "CA-2008"}

US_FIRST = ["Olivia", "Marcus", "Sofia", "Ethan", "Aaliyah", "Noah", "Isabella", "Darnell", "Mei", "Lucas", "Gabriela",
            "Jamal", "Hannah", "Diego", "Chloe", "Andre", "Priscilla", "Kevin", "Layla", "Victor", "Rosa", "Tyler",
            "Naomi", "Samir", "Brianna", "Owen"]
US_LAST = ["Nguyen", "Washington", "Goldberg", "Ramirez", "Okoye", "Sullivan", "Chen", "Morales", "Kowalski",
           "Haddad", "Brennan", "Castillo", "Fischer", "Johnson", "Park", "Rivera", "Delgado", "Murphy", "Singh",
           "Baptiste", "Levy", "Torres", "Kim", "Hernandez", "Russo", "Abernathy"]
UK_FIRST = ["Amelia", "Harry", "Priya", "George", "Niamh", "Callum", "Zara", "Oscar", "Freya", "Tariq", "Ellie",
            "Dev", "Poppy", "Jack"]
UK_LAST = ["Whitaker", "Osei", "Patel", "Hughes", "Byrne", "Fraser", "Ahmed", "Lloyd", "Kerr", "Hussain", "Barker",
           "Mistry", "Doyle", "Pemberton"]


def make_patients(rng: random.Random, anchor: date) -> list[dict]:
    """Forty invented patients: 26 at Brooklyn Heights (BH-), 14 at Camden (CA-)."""
    patients = []
    us = list(zip(US_FIRST, rng.sample(US_LAST, len(US_LAST)), strict=True))
    uk = list(zip(UK_FIRST, rng.sample(UK_LAST, len(UK_LAST)), strict=True))
    for i, (first, last) in enumerate(us):
        patients.append(_patient(rng, anchor, f"BH-{1001 + i}", first, last, f"+1718555{150 + i:04d}"))
    for i, (first, last) in enumerate(uk):
        patients.append(_patient(rng, anchor, f"CA-{2001 + i}", first, last, f"+447700900{200 + i:03d}"))
    return patients


def _patient(rng: random.Random, anchor: date, mrn: str, first: str, last: str, phone: str) -> dict:
    born = date(1958, 1, 1) + timedelta(days=rng.randrange(0, 44 * 365))
    preferred = rng.choice(["email", "email", "sms"])
    consented = sorted({preferred, *rng.sample(["email", "sms"], rng.randint(0, 2))})
    ready = mrn in WITH_SESSIONS or mrn in READY_FOR_A_COURSE
    patient = {"mrn": mrn, "name": f"{first} {last}", "date_of_birth": born.isoformat(),
               "email": f"{first}.{last}@example.org".lower(), "phone": phone, "preferred_channel": preferred,
               "consented_channels": consented, "screening_status": "cleared" if ready else "pending",
               "consent_status": "signed" if ready else "pending",
               "home_site": BROOKLYN if mrn.startswith("BH") else CAMDEN}
    if rng.random() < 0.7:
        escort = rng.choice(US_FIRST if mrn.startswith("BH") else UK_FIRST)
        patient["escort_name"] = f"{escort} {last}"
        patient["escort_phone"] = phone[:-2] + f"{(int(phone[-2:]) + 50) % 100:02d}"
    if mrn in ESKETAMINE_PATIENTS:
        patient["rems_patient_id"] = f"SPR-{rng.randrange(10**6, 10**7)}"
        patient["rems_enrolled_on"] = (anchor - timedelta(days=rng.randint(10, 200))).isoformat()
    return patient
