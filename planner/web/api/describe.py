"""Each API view says who may call it and what it reads and answers; the OpenAPI document is built from that."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from werkzeug.routing import BaseConverter

from planner.services.inputs import MAX_ID
from planner.web.access import roles_required

ANY_STAFF = ("reception", "clinician", "admin")


def at_most(limit: int) -> str:
    """A regular expression for the decimal numbers 1 to limit, without leading zeros."""
    digits = str(limit)
    options = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        lowest = 1 if i == 0 else 0
        if int(digit) > lowest:
            options.append(f"{digits[:i]}[{lowest}-{int(digit) - 1}][0-9]{{{len(digits) - i - 1}}}")
    options.append(digits)
    return "(?:" + "|".join(options) + ")"


class IdConverter(BaseConverter):
    """A row id in a path: 1 to 2**31 - 1 in ASCII digits; anything else matches no route (404).

    The bound lives in the pattern, not in to_python: werkzeug compares methods before it converts,
    so a refusal there would turn POST /courses/<too big>/replan into a 405 (GET has that path too).
    """

    regex = at_most(MAX_ID)

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: Any) -> str:
        return str(int(value))


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says about one view."""

    roles: tuple[str, ...]                    # empty: public, no token needed
    answers: dict[int, Any]                   # success status -> pydantic model or list[model]
    body: type[BaseModel] | None = None
    body_required: bool = True
    query: type[BaseModel] | None = None
    refusals: tuple[int, ...] = ()            # besides 401/403 (any call), 404 (ids), 413/422 (input)
    tags: tuple[str, ...] = field(default_factory=tuple)
    media: str = "application/json"           # the content type of every answer (FHIR's: application/fhir+json)
    problem: type[BaseModel] | None = None    # the shape of every refusal, when not the API's own ErrorOut/InvalidOut


def operation(*roles: str, answers: dict[int, Any], body: type[BaseModel] | None = None, body_required: bool = True,
              query: type[BaseModel] | None = None, refusals: tuple[int, ...] = (), tag: str = "clinic",
              media: str = "application/json", problem: type[BaseModel] | None = None):
    """Allow the view to roles (admin always may; none: public) and describe it for the OpenAPI document."""
    described = Operation(tuple(roles), answers, body, body_required, query, tuple(refusals), (tag,), media, problem)

    def decorate(view):
        guarded = roles_required(*roles)(view) if roles else view
        guarded.api_operation = described
        return guarded

    return decorate


def described(view) -> Operation | None:
    """The Operation a view was registered with, if any."""
    return getattr(view, "api_operation", None)
