"""Schemathesis fuzzes every operation of /api/openapi.json against a live server over real HTTP.

For each operation: the coverage phase's boundary and wrong-type cases, then a fixed number of
positive and negative examples (derandomized: the same requests every run). Every answer must be
no 5xx, a status, content type and body the schema documents, a refusal of data the schema
forbids, and a 4xx must leave the database exactly as it was.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, negative_data_rejection, response_headers_conformance,
    response_schema_conformance, status_code_conformance, unsupported_method,
)

import planner.clock
from planner.extensions import db
from tests.factories import empty_all_tables
from tests.web.api_routes import openapi_document
from tests.web.fuzz_target import (
    FROZEN_NOW, FuzzTarget, fingerprint, fingerprint_query, live_server, seed_fuzz_clinic, tokens_per_role,
)

EXAMPLES_PER_OPERATION = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, negative_data_rejection, unsupported_method]
CONFIG = schemathesis.Config.from_dict({
    "phases": {"examples": {"enabled": False}, "stateful": {"enabled": False},
               "coverage": {"enabled": True, "unexpected-methods": ["DELETE", "PUT", "PATCH"]},
               "fuzzing": {"enabled": True}},
    "generation": {"mode": "all", "max-examples": EXAMPLES_PER_OPERATION, "deterministic": True,
                   "allow-x00": True, "database": "none"},
})


@pytest.fixture(scope="module")
def fuzz_target(_migrated_app, request):
    """A seeded clinic served on a free port, its clock frozen, emptied again afterwards."""
    statuses: Counter = Counter()
    with pytest.MonkeyPatch.context() as patch, _migrated_app.app_context():
        patch.setattr(planner.clock, "now", lambda: FROZEN_NOW)
        empty_all_tables()
        real_ids = seed_fuzz_clinic()
        tokens = tokens_per_role()
        db.session.remove()
        started = time.monotonic()
        with live_server(_migrated_app, statuses) as base_url:
            yield FuzzTarget(base_url, tokens, real_ids)
        took = time.monotonic() - started
        empty_all_tables()
    # The figures the fuzzer's cost is judged by, printed whether or not pytest captures output.
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\napi fuzz: {sum(statuses.values())} requests in {took:.0f} s, by status "
                                f"{dict(sorted(statuses.items()))}")


@pytest.fixture(scope="module")
def fingerprint_sql(fuzz_target) -> str:
    return fingerprint_query()


# Built from an app of its own at collection, so there is one test per operation; the live server
# serves the same document (test_the_fuzzer_reads_the_document_the_server_serves).
DOCUMENT = openapi_document()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)


def test_the_fuzzer_reads_the_document_the_server_serves(fuzz_target):
    served = requests.get(f"{fuzz_target.base_url}/api/openapi.json", timeout=10)
    assert served.status_code == 200 and served.json() == DOCUMENT


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
def test_no_api_call_answers_5xx_strays_from_the_schema_or_writes_on_a_refusal(case, fuzz_target, fingerprint_sql):
    raw = case.operation.definition.raw
    headers = fuzz_target.headers_for(raw["operationId"], raw.get("x-roles", []))
    meta = case.meta
    if meta is not None and meta.phase.name == "fuzzing" and meta.generation.mode.is_positive:
        _use_real_ids(case, fuzz_target)
    # Only the fuzzer's own requests write, so the state after one call is the state before the next.
    before = fuzz_target.state if fuzz_target.state is not None else fingerprint(fingerprint_sql)
    try:
        response = case.call_and_validate(base_url=fuzz_target.base_url, headers=headers, checks=CHECKS)
    finally:
        if "accounts" in raw.get("tags", ()):
            fuzz_target.keep_signed_in()
        fuzz_target.state = fingerprint(fingerprint_sql)
    if 400 <= response.status_code < 500:
        assert fuzz_target.state == before, f"{case.method} {case.formatted_path} answered {response.status_code} " \
                                            "but wrote to the database"


def _use_real_ids(case, target: FuzzTarget) -> None:
    # Random ids name nothing; seeded ones let valid requests reach the services' rules.
    for name, value in (case.path_parameters or {}).items():
        case.path_parameters[name] = target.real_id(name, value)
    _real_ids_in(case.body, target)


def _real_ids_in(value, target: FuzzTarget) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in target.real_ids:
                value[key] = target.real_id(key, item)
            else:
                _real_ids_in(item, target)
    elif isinstance(value, list):
        for item in value:
            _real_ids_in(item, target)
