"""All tables, importable from one place."""

from planner.db.models.accounts import ApiToken, AuditEvent, User
from planner.db.models.courses import Course, CourseEvent, ProtocolVersion
from planner.db.models.marks import ConfigMark, DayMark
from planner.db.models.messages import ClinicSettings, FeedToken, LinkUse, OutboxEvent, OutboxMessage, PatientRequest
from planner.db.models.clinic import Closure, OpeningHours, Room, SessionType, Site, StaffingLimit
from planner.db.models.rems import MonitoringForm
from planner.db.models.people import Credential, Patient, Shift, Staff, TimeOff
from planner.db.models.sessions import Session, SessionStaff

__all__ = [
    "ApiToken", "AuditEvent", "User", "Closure", "OpeningHours", "Room", "SessionType", "Site",
    "StaffingLimit", "Credential", "Patient", "Shift", "Staff", "TimeOff", "Session", "SessionStaff",
    "Course", "CourseEvent", "ProtocolVersion", "ConfigMark", "DayMark", "ClinicSettings", "FeedToken", "LinkUse",
    "OutboxEvent", "OutboxMessage", "PatientRequest", "MonitoringForm",
]

from planner.db.models.coverage import CoverageAlert  # noqa: E402  (issue 12, part 6)

__all__ += ["CoverageAlert"]

from planner.db.models.callouts import Callout  # noqa: E402  (issue 12, part 5)

__all__ += ["Callout"]
from planner.db.models.policy import StaffingPolicy  # noqa: E402  (issue 12, part 1)

__all__ += ["StaffingPolicy"]
from planner.db.models.courses import ProtocolRetirement  # noqa: E402  (issue 12, part 2: protocols)

__all__ += ["ProtocolRetirement"]
from planner.db.models.outcomes import OutcomeEntry  # noqa: E402  (issue 13, part 5)

__all__ += ["OutcomeEntry"]
from planner.db.models.screening import ConsentRecord, ScreeningRecord  # noqa: E402  (issue 13, part 4)

__all__ += ["ConsentRecord", "ScreeningRecord"]
from planner.db.models.vitals import VitalsReading, VitalsThreshold  # noqa: E402  (issue 13, part 3: check-in)

__all__ += ["VitalsReading", "VitalsThreshold"]
