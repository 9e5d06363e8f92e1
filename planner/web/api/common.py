"""Shared bits of the JSON API: reading bodies and query strings, shaping output."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TypeVar

from flask import request
from pydantic import BaseModel

from planner.domain.errors import InvalidData, Reason
from planner.services.validation import parse

M = TypeVar("M", bound=BaseModel)


def body(model: type[M]) -> M:
    """The request's JSON object validated against model, or InvalidData (422)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidData([Reason("not_json", "Send a JSON object with Content-Type: application/json.", "body")])
    return parse(model, data)


def query(model: type[M]) -> M:
    """The query string validated against model, or InvalidData (422)."""
    return parse(model, request.args.to_dict())


def instant(value: datetime | None) -> str | None:
    """An instant as ISO 8601 in UTC with a Z."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
