"""Shared bits of the JSON API: reading bodies and query strings, shaping output."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TypeVar

from flask import current_app, request
from pydantic import BaseModel

from planner.domain.errors import InvalidData, Reason
from planner.services.validation import NOT_AN_OBJECT, parse_json, parse_strings
from planner.web.access import now
from planner.web.api.describe import described

M = TypeVar("M", bound=BaseModel)


def body(model: type[M]) -> M:
    """The request's JSON object validated strictly against model, or InvalidData (422).

    Validators see `now` in their context (a date of birth may not lie in the future). Where the
    view's operation says the body is optional, an empty body reads as {}.
    """
    operation = documented("body", model)
    optional = not operation.body_required
    raw = request.get_data(cache=True)  # over MAX_CONTENT_LENGTH: 413 before anything is read
    if optional and not raw.strip():
        raw = b"{}"
    elif not request.is_json:
        raise InvalidData([Reason("not_json", NOT_AN_OBJECT, "body")])
    return parse_json(model, raw, {"now": now()})


def query(model: type[M]) -> M:
    """The query string validated strictly against model (ids are numbers, never `true`), or InvalidData (422)."""
    documented("query", model)
    return parse_strings(model, request.args.to_dict(), {"now": now()})


def documented(part: str, model: type[BaseModel]):
    """The view's @operation, when it declares model as its part ("body", "query"); LookupError when not."""
    # The OpenAPI document must describe what the view really reads: a mismatch is a bug to fix at once.
    operation = described(current_app.view_functions.get(request.endpoint))
    if operation is None or getattr(operation, part) is not model:
        raise LookupError(f"{request.endpoint} reads its {part} as {model.__name__}, which its @operation "
                          f"does not declare")
    return operation


def instant(value: datetime | None) -> str | None:
    """An instant as ISO 8601 in UTC with a Z."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
