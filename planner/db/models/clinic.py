"""Sites, their calendars and policy, rooms, and session types."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Time, UniqueConstraint, true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db.types import UTCDateTime
from planner.extensions import db


class Site(db.Model):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    esketamine_certified: Mapped[bool] = mapped_column(Boolean, default=False)
    distinct_roles: Mapped[bool] = mapped_column(Boolean, default=True)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=15)
    phone: Mapped[str | None] = mapped_column(String(32))
    # A deactivated site keeps its rows (sessions and shifts name it) and offers nothing (migration 0009).
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    hours: Mapped[list[OpeningHours]] = relationship(back_populates="site", cascade="all, delete-orphan",
                                                     order_by="OpeningHours.weekday, OpeningHours.opens")
    closures: Mapped[list[Closure]] = relationship(back_populates="site", cascade="all, delete-orphan",
                                                   order_by="Closure.day")
    limits: Mapped[list[StaffingLimit]] = relationship(back_populates="site", cascade="all, delete-orphan")
    rooms: Mapped[list[Room]] = relationship(back_populates="site", order_by="Room.name")


class OpeningHours(db.Model):
    __tablename__ = "opening_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday, local wall time
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)

    site: Mapped[Site] = relationship(back_populates="hours")


class Closure(db.Model):
    __tablename__ = "closures"
    __table_args__ = (UniqueConstraint("site_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")

    site: Mapped[Site] = relationship(back_populates="closures")


class StaffingLimit(db.Model):
    """Concurrent patients one person may carry in a role at a site (clinic policy)."""

    __tablename__ = "staffing_limits"
    __table_args__ = (UniqueConstraint("site_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    max_concurrent: Mapped[int] = mapped_column(Integer)

    site: Mapped[Site] = relationship(back_populates="limits")


class Room(db.Model):
    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("site_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))
    capabilities: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    site: Mapped[Site] = relationship(back_populates="rooms")


class SessionType(db.Model):
    __tablename__ = "session_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    route: Mapped[str] = mapped_column(String(20))
    active_minutes: Mapped[int] = mapped_column(Integer)
    observation_minutes: Mapped[int] = mapped_column(Integer, default=0)
    room_capability: Mapped[str | None] = mapped_column(String(40))
    # [{"role": ..., "disciplines": [...], "credentials": [...], "part": "whole"|"active"}]
    role_requirements: Mapped[list] = mapped_column(JSON, default=list)
    # Hours before a session that the patient is reminded; None is the clinic default (72, 24, 2).
    reminder_hours: Mapped[list | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
