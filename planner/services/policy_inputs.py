"""Validated input for changing a site's staffing policy (the PATCH body); the floor is checked after, by the domain."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from planner.domain.policy import DOSING_ROUTES, ROUTE_RATIOS
from planner.services.inputs import Role, Strict

Route = Literal[DOSING_ROUTES]  # type: ignore[valid-type]
RouteRatio = Literal[ROUTE_RATIOS]  # type: ignore[valid-type]  # the therapist stays 1:1 on every route
# Wide bounds here so that a value below the floor gets the floor's own words (policy.below_floor).
Count = Annotated[int, Field(ge=0, le=100)]


class RoutePolicyChange(Strict):
    """The route's rules to change; a field left out keeps its value."""

    acls_on_site: Count | None = None
    bls_on_site: Count | None = None
    distinct_monitor: bool | None = None
    # The route's own ratios: a role left out keeps its value, null goes back to the site's ratio.
    limits: dict[RouteRatio, Count | None] | None = None


class PolicyChange(Strict):
    """A site's staffing policy: per route, and the site's ratios (concurrent dosing patients per person)."""

    routes: dict[Route, RoutePolicyChange] | None = None
    limits: dict[Role, Count] | None = None

    @model_validator(mode="after")
    def _something(self):
        if not self.routes and not self.limits:
            raise ValueError("give at least one route's rule or one ratio to change")
        return self
