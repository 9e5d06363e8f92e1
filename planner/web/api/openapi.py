"""The OpenAPI 3.1 document of the JSON API, built at run time from the routes and their pydantic models."""

from __future__ import annotations

import re
from typing import Any, get_args, get_origin

from flask import Flask, current_app, jsonify
from pydantic.json_schema import models_json_schema

from planner.services.course_inputs import PROTOCOL_KEY
from planner.services.inputs import MAX_ID
from planner.web.api import api
from planner.web.api.describe import Operation, described, operation
from planner.web.api.course_schemas import RefusedOut
from planner.web.api.schemas import ErrorOut, InvalidOut, OpenApiOut

REF = "#/components/schemas/{model}"
_PARAMETER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
# Path parameters that are text, by converter (every other one is a row id).
PATH_TEXT = {"protocol_key": {"type": "string", "pattern": f"^{PROTOCOL_KEY}$"}}
_ERRORS = {401: ("No valid bearer token.", ErrorOut), 403: ("The token's role may not do this.", ErrorOut),
           404: ("No such record, or a path id that no record can have.", ErrorOut),
           409: ("A clinic rule refuses it; nothing was written.", RefusedOut),
           413: ("The body is larger than the server accepts.", ErrorOut),
           422: ("Some input is not right; each field says why. Nothing was written.", InvalidOut)}


@api.get("/openapi.json")
@operation(answers={200: OpenApiOut}, tag="schema")
def openapi_document():
    """This OpenAPI 3.1 document (public: it holds no clinic data, only the shapes of requests and answers)."""
    cache = current_app.extensions.setdefault("planner_openapi", {})
    if "document" not in cache:
        cache["document"] = document(current_app)
    return jsonify(cache["document"])


def api_routes(app: Flask) -> list[tuple[Any, Any]]:
    """Every (rule, view) of the API blueprint, in path order."""
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")), key=lambda r: r.rule)
    return [(rule, app.view_functions[rule.endpoint]) for rule in rules]


def document(app: Flask) -> dict:
    """The OpenAPI 3.1 document for every API route; a route without a description is an error."""
    routes = api_routes(app)
    missing = sorted(rule.endpoint for rule, view in routes if described(view) is None)
    if missing:
        raise LookupError(f"API routes without an OpenAPI description: {', '.join(missing)}")
    models = _models([described(view) for _, view in routes])
    refs, schema = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    definitions = schema.get("$defs", {})
    paths: dict[str, dict] = {}
    for rule, view in routes:
        path = _PARAMETER.sub(lambda m: "{" + m.group(2) + "}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, view, described(view), refs, definitions)
    return {
        "openapi": "3.1.0",
        "info": {"title": "planner API", "version": "1",
                 "description": "Treatment-course scheduling for ketamine and esketamine clinics. Send "
                                "`Authorization: Bearer TOKEN` (`flask planner create-token EMAIL NAME`). "
                                "Times are instants in UTC unless named local_*."},
        "paths": paths,
        "components": {"schemas": definitions,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "description": "An API token of a staff account."}}},
        "security": [{"bearer": []}],
    }


def _models(operations: list[Operation]) -> list:
    found: list = [ErrorOut, InvalidOut, RefusedOut]
    for op in operations:
        for model in (op.body, op.query, op.problem, *(_item(a) for a in op.answers.values())):
            if model is not None and model not in found:
                found.append(model)
    return found


def _item(answer):
    return get_args(answer)[0] if get_origin(answer) is list else answer


def _schema(answer, refs: dict) -> dict:
    if get_origin(answer) is list:
        return {"type": "array", "items": refs[(_item(answer), "validation")]}
    return refs[(answer, "validation")]


def _not_null(schema: dict) -> dict:
    # A query string has no null: an optional parameter is simply left out.
    options = [s for s in schema.get("anyOf", ()) if s != {"type": "null"}]
    if len(options) == 1 and len(schema["anyOf"]) == 2:
        return {**{k: v for k, v in schema.items() if k not in ("anyOf", "default")}, **options[0]}
    return schema


def _json(schema: dict, description: str, media: str = "application/json") -> dict:
    return {"description": description, "content": {media: {"schema": schema}}}


def _operation(rule, view, op: Operation, refs: dict, definitions: dict) -> dict:
    doc = (view.__doc__ or "").strip()
    path_names = [m.group(2) for m in _PARAMETER.finditer(rule.rule)]
    parameters = [{"name": m.group(2), "in": "path", "required": True,
                   "schema": PATH_TEXT.get(m.group(1) or "", {"type": "integer", "minimum": 1, "maximum": MAX_ID})}
                  for m in _PARAMETER.finditer(rule.rule)]
    if op.query is not None:
        model = definitions[refs[(op.query, "validation")]["$ref"].rsplit("/", 1)[1]]
        parameters += [{"name": name, "in": "query", "required": name in model.get("required", ()),
                        "schema": _not_null(schema)} for name, schema in model["properties"].items()]
    statuses = {401, 403} if op.roles else set()
    statuses |= set(op.refusals)
    if path_names:
        statuses.add(404)
    if op.body is not None or op.query is not None:
        statuses.add(422)
    if op.body is not None:
        statuses.add(413)
    responses = {str(status): _json(_schema(answer, refs), "Done.", op.media) if answer is not None
                 else {"description": "Done."} for status, answer in op.answers.items()}  # None: no body (204)
    responses.update({str(s): _json(refs[(op.problem or _ERRORS[s][1], "validation")], _ERRORS[s][0], op.media)
                      for s in sorted(statuses)})
    described_op: dict[str, Any] = {
        "operationId": rule.endpoint.removeprefix("api."), "summary": doc.splitlines()[0] if doc else rule.endpoint,
        "tags": list(op.tags), "parameters": parameters, "responses": responses,
    }
    if op.roles:
        described_op["description"] = f"Roles: {', '.join(op.roles)} (an admin always may)."
        described_op["x-roles"] = sorted({*op.roles, "admin"})
    else:
        described_op["security"] = []
    if op.body is not None:
        described_op["requestBody"] = {"required": op.body_required,
                                       "content": {"application/json": {"schema": refs[(op.body, "validation")]}}}
    return described_op
