"""The JSON API: one module per area, all under /api."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request

from planner.extensions import csrf
from planner.web.api.describe import IdConverter, described

api = Blueprint("api", __name__)
# The API authenticates with bearer tokens only, never the session cookie, so it needs
# no CSRF token and a page open in a browser cannot be made to call it.
csrf.exempt(api)
# <id:name> in a route: before the routes below register, so their rules can use it.
api.record_once(lambda state: state.app.url_map.converters.setdefault("id", IdConverter))


@api.before_request
def bearer_tokens_only():
    """Refuse API calls that do not carry a bearer token (a signed-in browser is not enough)."""
    operation = described(current_app.view_functions.get(request.endpoint))
    if operation is not None and not operation.roles:
        return None  # public: the OpenAPI document
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        from planner.web.access import log_refusal

        log_refusal("API call without a bearer token")
        abort(401)

from planner.web.api import clinic, courses, offers, openapi, sessions  # noqa: E402,F401  (routes register on import)
from planner.web.api import clinic_changes  # noqa: E402,F401
from planner.web.api import rems  # noqa: E402,F401  (routes register on import)
from planner.web.api import shift_patterns  # noqa: E402,F401  (routes register on import)
from planner.web.api import callouts  # noqa: E402,F401  (issue 12, part 5)
from planner.web.api import policy  # noqa: E402,F401  (issue 12, part 1: staffing policy)
from planner.web.api import fhir  # noqa: E402,F401  (issue 13, part 6: FHIR R4 export)
from planner.web.api import protocols  # noqa: E402,F401  (issue 12, part 2: protocols)
from planner.web.api import accounts  # noqa: E402,F401  (issue 12, part 2: user accounts and API tokens)
from planner.web.api import outcomes  # noqa: E402,F401  (issue 13, part 5: outcome measures)
from planner.web.api import screening  # noqa: E402,F401  (issue 13, part 4: screening and consent)
from planner.web.api import vitals  # noqa: E402,F401  (issue 13, part 3: check-in gate)
from planner.web.api import vitals_reads  # noqa: E402,F401  (issue 13, part 7: vitals read by the patient's clinicians)
from planner.web.api import vitals_thresholds  # noqa: E402,F401  (issue 13, part 3: each site's threshold)
