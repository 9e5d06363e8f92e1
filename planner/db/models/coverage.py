"""Coverage alerts: what the daily coverage check found, open until a later run finds it gone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from planner.db.types import UTCDateTime
from planner.extensions import db

ALERT_KINDS = ("session_uncovered", "credential_expiring")


class CoverageAlert(db.Model):
    """One problem the coverage check found: a booked session without cover, or a credential about to lapse."""

    __tablename__ = "coverage_alerts"
    # One open alert per problem, whichever run found it (the check may run twice, or in two processes);
    # resolved ones are kept, with when they were resolved.
    __table_args__ = (Index("uq_coverage_alerts_open_key", "key", unique=True,
                            sqlite_where=text("resolved_at IS NULL"), postgresql_where=text("resolved_at IS NULL")),
                      Index("ix_coverage_alerts_resolved", "resolved_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(80))  # "session:12", "credential:7:30d": what makes two findings one
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    credential_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: the alert outlives an edit
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the session's start, or the credential's expiry
    message: Mapped[str] = mapped_column(String(2000))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the last run that found it
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
