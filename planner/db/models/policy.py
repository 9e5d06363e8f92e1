"""The clinic's staffing policy per site and drug route (issue 12, part 1); absent rows mean domain.md's defaults."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from planner.db.types import UTCDateTime
from planner.extensions import db


class StaffingPolicy(db.Model):
    """What every dosing session of one route at one site needs on site besides its team."""

    __tablename__ = "staffing_policies"
    __table_args__ = (UniqueConstraint("site_id", "route"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    route: Mapped[str] = mapped_column(String(20))
    acls_on_site: Mapped[int] = mapped_column(Integer)
    bls_on_site: Mapped[int] = mapped_column(Integer)
    distinct_monitor: Mapped[bool] = mapped_column(Boolean)
    # The route's own ratios (concurrent dosing patients per person); NULL: the site's (staffing_limits) apply.
    supervising_prescriber_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    monitoring_clinician_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
