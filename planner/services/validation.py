"""Turning pydantic validation errors into InvalidData with readable field paths."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from planner.domain.errors import InvalidData, Reason

M = TypeVar("M", bound=BaseModel)
NOT_AN_OBJECT = "Send a JSON object with Content-Type: application/json."
# Error types pydantic gives when the whole input is not an object (a list, a string, a number).
_NOT_OBJECT_TYPES = frozenset({"model_type", "model_attributes_type", "dict_type"})


def field_path(loc: tuple, prefix: str = "") -> str:
    """A location tuple as a path: ("rooms", 3, "kind") -> "rooms[3].kind"."""
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def parse(model: type[M], data: object, prefix: str = "", context: dict[str, Any] | None = None) -> M:
    """Validate data against a model, or raise InvalidData naming each bad field."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as error:
        raise _invalid(error, prefix) from None


def parse_json(model: type[M], raw: bytes, context: dict[str, Any] | None = None) -> M:
    """Validate a JSON document strictly (no `true` for 1, no "7" for 7), or raise InvalidData.

    pydantic's own parser reads the bytes: it refuses nesting deeper than its recursion limit
    with an error instead of exhausting the stack, and it keeps integers of any size exact.
    """
    try:
        return model.model_validate_json(raw, strict=True, context=context)
    except ValidationError as error:
        raise _invalid(error, "") from None


def parse_strings(model: type[M], data: dict[str, str], context: dict[str, Any] | None = None) -> M:
    """Validate text values (a query string) strictly, as JSON mode would read them, or raise InvalidData."""
    try:
        return model.model_validate_strings(data, strict=True, context=context)
    except ValidationError as error:
        raise _invalid(error, "") from None


# pydantic's wording of the commonest errors, in the words a form shows beside its field (the code stays pydantic's).
_WORDS = {
    "missing": "This is required.",
    "string_too_short": "Give at least {min_length} characters.",
    "string_too_long": "Give at most {max_length} characters.",
    "int_parsing": "Give a whole number.",
    "int_type": "Give a whole number.",
    "greater_than_equal": "Give {ge} or more.",
    "less_than_equal": "Give {le} or less.",
    "greater_than": "Give more than {gt}.",
    "less_than": "Give less than {lt}.",
}


def _worded(item: dict) -> str:
    if item["type"] == "string_too_short" and item.get("ctx", {}).get("min_length") == 1:
        return "This cannot be empty."
    template = _WORDS.get(item["type"])
    if template is not None:
        try:
            return template.format(**item.get("ctx", {}))
        except (KeyError, IndexError):
            pass  # a context without the number: pydantic's own words below
    return item["msg"].removeprefix("Value error, ")


def _invalid(error: ValidationError, prefix: str) -> InvalidData:
    problems = []
    for item in error.errors(include_url=False):
        if not item["loc"] and item["type"] in _NOT_OBJECT_TYPES:
            problems.append(Reason("not_json", NOT_AN_OBJECT, prefix or "body"))
            continue
        message = _worded(item)
        problems.append(Reason(item["type"], message, field_path(item["loc"], prefix) or prefix or "body"))
    return InvalidData(problems)
