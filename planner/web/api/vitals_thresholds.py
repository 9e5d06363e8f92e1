"""API for each site's check-in blood pressure threshold: read it (the default 140/90 when unset) and set it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from flask import jsonify
from pydantic import Field

from planner.services.inputs import Strict
from planner.services.vitals_thresholds import SiteThreshold, set_threshold, threshold_of
from planner.web.access import actor, now
from planner.web.api import api
from planner.web.api.common import body, instant
from planner.web.api.describe import operation
from planner.web.api.schemas import Out

# Wide bounds only keep absurd numbers out of the service; the clinical bounds (domain/vitals.py,
# 120-180 systolic, 80-110 diastolic, systolic above diastolic) answer 422 naming the field.
Pressure = Annotated[int, Field(ge=0, le=1000)]


class ThresholdIn(Strict):
    systolic: Pressure = Field(description="Hold a dose whose pre-dose systolic pressure is above this, mmHg (120-180)")
    diastolic: Pressure = Field(description="Hold a dose whose pre-dose diastolic pressure is above this, mmHg (80-110)")


class ThresholdOut(Out):
    """A site's threshold; is_default while the site has not set its own (140/90 applies)."""

    site_id: int
    site: str
    systolic: int
    diastolic: int
    is_default: bool
    updated_at: datetime | None = Field(description="When the site's own threshold was last set; null: the default")


_THRESHOLD = {200: ThresholdOut}


@api.get("/sites/<id:site_id>/vitals-threshold")
@operation("admin", answers=_THRESHOLD)
def vitals_threshold(site_id: int):
    """A site's blood pressure threshold for the check-in gate (the default 140/90 while it has none of its own)."""
    return jsonify(_shown(threshold_of(site_id)))


@api.put("/sites/<id:site_id>/vitals-threshold")
@operation("admin", body=ThresholdIn, answers=_THRESHOLD)
def set_vitals_threshold(site_id: int):
    """Set a site's threshold; check-ins from now on are judged by it, doses already checked in keep their judgement."""
    args = body(ThresholdIn)
    return jsonify(_shown(set_threshold(site_id, args.systolic, args.diastolic, actor(), now())))


def _shown(threshold: SiteThreshold) -> dict:
    return {**threshold.as_dict(), "updated_at": instant(threshold.updated_at)}
