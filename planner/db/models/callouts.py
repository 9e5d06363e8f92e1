"""Call-outs: someone marked away at short notice, and what was done about their sessions (issue 12, part 5)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from planner.db.types import UTCDateTime
from planner.extensions import db


class Callout(db.Model):
    """One call-out applied: the time off it recorded, each session's repair, and who was told."""

    __tablename__ = "callouts"
    __table_args__ = (Index("ix_callouts_made_at", "made_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    time_off_id: Mapped[int] = mapped_column(ForeignKey("time_off.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    made_by: Mapped[str] = mapped_column(String(200), default="")
    # [{"session_id", "action", "words"}]: as applied, kept as history whatever the sessions become later.
    repairs: Mapped[list] = mapped_column(JSON, default=list)
    told: Mapped[list] = mapped_column(JSON, default=list)  # ["Ann Lee (RN): cancelled", ...]
