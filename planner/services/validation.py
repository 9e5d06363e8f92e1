"""Turning pydantic validation errors into InvalidData with readable field paths."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from planner.domain.errors import InvalidData, Reason

M = TypeVar("M", bound=BaseModel)


def field_path(loc: tuple, prefix: str = "") -> str:
    """A location tuple as a path: ("rooms", 3, "kind") -> "rooms[3].kind"."""
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def parse(model: type[M], data: object, prefix: str = "") -> M:
    """Validate data against a model, or raise InvalidData naming each bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False):
            message = item["msg"].removeprefix("Value error, ")
            problems.append(Reason(item["type"], message, field_path(item["loc"], prefix) or prefix or "body"))
        raise InvalidData(problems) from None
