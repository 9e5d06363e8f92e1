"""Re-checking the synthetic clinic against the planner's own booking rules."""

from __future__ import annotations

import random
from datetime import time, timedelta

from sqlalchemy import select

from planner.db.models import Patient, Session, SessionStaff
from planner.domain.calendar import to_utc


def verify(session, clinic, sample: int = 300, seed: int | None = None, after_id: int = 0) -> list[str]:
    """Re-check a sample of booked sessions with the planner's own rules; returns the problems.

    Each session is checked as if booked again at its own place and time, ignoring itself: an empty
    list means the generator placed it as the booking service would have allowed.
    """
    from bench.synthetic import SEED, ZONE  # here, not at the top: bench.synthetic imports this module
    from planner.db.reads import fresh as rows
    from planner.domain.booking import check_session
    from planner.domain.clinic import Placement, SessionRequest

    table, placed = Session.__table__, SessionStaff.__table__
    ids = session.scalars(select(table.c.id).where(table.c.status == "booked", table.c.id > after_id)
                          .order_by(table.c.id)).all()
    site = rows.site_rules(session, clinic.site_id)
    stype = rows.load_session_type(session, clinic.iv_type_id)
    problems = []
    before = to_utc(clinic.first - timedelta(days=1), time(0), ZONE)
    for session_id in random.Random(SEED if seed is None else seed).sample(ids, min(sample, len(ids))):
        row = session.execute(select(table).where(table.c.id == session_id)).one()
        staff = session.execute(select(placed.c.staff_id, placed.c.role).where(placed.c.session_id == session_id))
        patient = rows.patient_rules(session.get(Patient, row.patient_id))
        request = SessionRequest(patient, site, stype, row.starts_at, row.room_id,
                                 tuple(Placement(s.staff_id, s.role) for s in staff))
        state = rows.reference(session, site, request.window, {p.staff_id for p in request.placements},
                                  {patient.id})
        for reason in check_session(request, state, before, ignore_session_id=session_id):
            problems.append(f"session {session_id}: {reason.code}: {reason.message}")
    return problems
