"""The OpenAPI document: built from the routes and models, complete, public, and true to what the API does."""

from __future__ import annotations

import pytest
from flask import Flask
from pydantic import TypeAdapter

from planner.services.inputs import RoomIn, SiteIn
from planner.web.api import api
from planner.web.api.common import body
from planner.web.api.describe import described, operation
from planner.web.api.course_schemas import RefusedOut
from planner.web.api.schemas import ErrorOut, InvalidOut, RoomOut
from planner.web.api.openapi import document
from tests.web.api_client import ApiClient
from tests.web.api_routes import api_routes, openapi_document

ROUTES = api_routes()
PUBLIC = "/api/openapi.json"


def _operation(route) -> dict:
    return openapi_document()["paths"][route.documented][route.method.lower()]


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_every_api_route_in_the_url_map_is_described_in_the_document(route):
    operation = _operation(route)
    assert operation["summary"] and operation["responses"]
    assert all(code.isdigit() for code in operation["responses"])
    if route.rule != PUBLIC:
        assert {"401", "403"} <= set(operation["responses"]) and operation["x-roles"]


def test_a_route_without_a_description_stops_the_document_being_built():
    app = Flask(__name__)
    app.register_blueprint(api, url_prefix="/api")
    app.add_url_rule("/api/undescribed", endpoint="api.undescribed", view_func=lambda: "")
    with pytest.raises(LookupError, match="api.undescribed"):
        document(app)


def test_a_view_reading_a_body_its_operation_does_not_declare_fails_loudly():
    app = Flask(__name__)

    @operation(answers={201: RoomOut}, body=SiteIn)
    def create():
        return body(RoomIn)

    app.add_url_rule("/api/rooms", view_func=create, methods=["POST"])
    with app.test_request_context("/api/rooms", method="POST", json={}):
        with pytest.raises(LookupError, match="reads its body as RoomIn"):
            create()


def test_the_document_is_openapi_3_1_and_every_reference_is_in_its_components():
    doc = openapi_document()
    assert doc["openapi"] == "3.1.0" and doc["security"] == [{"bearer": []}]
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": "An API token of a staff account."}
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            refs.update([node["$ref"]] if "$ref" in node else [])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    names = {ref.removeprefix("#/components/schemas/") for ref in refs}
    assert all(ref.startswith("#/components/schemas/") for ref in refs)
    assert names <= set(doc["components"]["schemas"]) and {"SiteIn", "SessionOut", "InvalidOut"} <= names


def test_ids_in_paths_queries_and_bodies_are_bounded_to_the_database_integer():
    doc = openapi_document()
    path_ids = [p["schema"] for r in ROUTES if r.has_ids for p in _operation(r)["parameters"]
                if p["in"] == "path" and p["name"] in r.id_names]
    assert path_ids and all(s == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1} for s in path_ids)
    session_in = doc["components"]["schemas"]["SessionIn"]["properties"]
    assert session_in["patient_id"] == {"exclusiveMinimum": 0, "maximum": 2**31 - 1, "title": "Patient Id",
                                        "type": "integer"}


def test_the_document_is_served_without_a_token_and_every_other_route_needs_one(client):
    served = client.get(PUBLIC)
    assert served.status_code == 200 and served.get_json() == openapi_document()
    for route in ROUTES:
        if route.rule == PUBLIC:
            continue
        for headers in ({}, {"Authorization": "Bearer not-a-token"}):
            response = client.open(route.path(every=1), method=route.method, json={}, headers=headers)
            # The FHIR routes refuse in FHIR's shape (an OperationOutcome), every other route in the API's own.
            expected = {"resourceType": "OperationOutcome", "issue": [
                {"severity": "error", "code": "login", "diagnostics": "Sign in first."}]} \
                if route.rule.startswith("/api/fhir/") else {"error": "Sign in first."}
            assert response.status_code == 401 and response.get_json() == expected, route


def test_each_role_is_refused_exactly_where_the_document_says(client):
    ApiClient(client, "reception")  # account and token 1, which DELETE /api/accounts/1/tokens/1 revokes: not a caller's
    callers = {role: ApiClient(client, role) for role in ("reception", "clinician", "admin")}
    for route in ROUTES:
        allowed = _operation(route).get("x-roles")
        for role, caller in callers.items():
            response = client.open(route.path(every=1), method=route.method, json={}, headers=caller.headers)
            refused = response.status_code == 403
            assert refused == (allowed is not None and role not in allowed), (route, role, response.status_code)


def conforms(app, method: str, path: str, response) -> None:
    """The answer's JSON is exactly what the document's model for that route and status describes."""
    endpoint, _ = app.url_map.bind("localhost").match(path.split("?")[0], method=method)
    operation = described(app.view_functions[endpoint])
    errors = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: RefusedOut, 413: ErrorOut, 422: InvalidOut}
    model = operation.answers.get(response.status_code) or operation.problem or errors[response.status_code]
    documented = _operation(next(r for r in ROUTES if r.endpoint == endpoint and r.method == method))["responses"]
    assert str(response.status_code) in documented, (method, path, response.status_code)
    TypeAdapter(model).validate_json(response.data, strict=True)
