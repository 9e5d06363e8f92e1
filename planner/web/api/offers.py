"""API for bookable offers: times with a room and a full team, not bare windows."""

from __future__ import annotations

from flask import jsonify
from pydantic import Field

from planner.domain.calendar import local
from planner.services.inputs import Day, Id, Strict
from planner.services.offers import MOST, find_offers
from planner.web.access import now
from planner.web.api import api
from planner.web.api.common import instant, query
from planner.web.api.describe import ANY_STAFF, operation
from planner.web.api.schemas import OffersOut


class OffersQuery(Strict):
    site_id: Id
    session_type_id: Id
    first: Day = Field(alias="from")
    last: Day | None = Field(default=None, alias="to", description="The last local day (at most 6 after `from`); "
                                                                   "left out, the one day `from`.")
    patient_id: Id | None = None
    limit: int = Field(default=20, ge=1, le=MOST)
    more: bool = Field(default=False, description="Every free start time, not only offers an hour or more apart "
                                                  "(the default, as reception's pages show them).")


@api.get("/offers")
@operation(*ANY_STAFF, query=OffersQuery, answers={200: OffersOut}, tag="sessions")
def offers():
    """Bookable offers for a day or a week: start, room and a full team that pass every booking rule, best first."""
    args = query(OffersQuery)
    found = find_offers(args.site_id, args.session_type_id, args.first, args.last or args.first, now(),
                        args.patient_id, args.limit, args.more)
    zone = found.zone
    return jsonify({"site_id": args.site_id, "session_type_id": args.session_type_id, "patient_id": args.patient_id,
                    "timezone": zone, "from": found.first.isoformat(), "to": found.last.isoformat(),
                    "offers": [{"rank": o.rank, "start": instant(o.start), "end": instant(o.end),
                                "local_start": local(o.start, zone).isoformat(),
                                "local_end": local(o.end, zone).isoformat(), "timezone": zone,
                                "room_id": o.room_id, "room": o.room_name,
                                "staff": [{"staff_id": m.staff_id, "name": m.name, "role": m.role,
                                           "sessions_that_day": m.sessions_that_day} for m in o.team],
                                "why": list(o.why)} for o in found.offers],
                    "reasons": [r.as_dict() for r in found.reasons], "closer_times": found.closer})
