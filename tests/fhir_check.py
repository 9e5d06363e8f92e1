"""Check exported FHIR JSON with an independent library, fhir.resources (its R4B models: FHIR 4.3, whose
Appointment, Schedule, Slot, CarePlan, Bundle and OperationOutcome are R4's).

fhir.resources parses types, cardinality of required elements, primitive formats (instant, dateTime,
id, code) and unknown elements. It keeps the spec's required code lists and the allowed target types
of each Reference as field metadata without enforcing them; `valid_fhir` enforces those too.
"""

from __future__ import annotations

from fhir.resources.R4B import __fhir_version__, get_fhir_model_class
from fhir_core.fhirabstractmodel import FHIRAbstractModel

assert __fhir_version__.startswith("4."), __fhir_version__


def valid_fhir(resource: dict) -> FHIRAbstractModel:
    """The resource parsed by fhir.resources (raises on any error), its codes and reference targets checked."""
    model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    problems = list(_problems(model, resource["resourceType"]))
    assert not problems, problems
    return model


def _problems(model: FHIRAbstractModel, path: str):
    for name, field in type(model).model_fields.items():
        value = getattr(model, name, None)
        if value is None:
            continue
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        items = value if isinstance(value, list) else [value]
        allowed = extra.get("enum_values")
        if allowed:
            yield from (f"{path}.{name}: {v!r} not in {allowed}" for v in items if v not in allowed)
        targets = extra.get("enum_reference_types")
        if targets and "Resource" not in targets:
            for item in items:
                kind = (getattr(item, "reference", None) or "").split("/")[0]
                if kind not in targets:
                    yield f"{path}.{name}: a reference to {kind or 'nothing'}, not one of {targets}"
        for item in items:
            if isinstance(item, FHIRAbstractModel):
                yield from _problems(item, f"{path}.{name}")


def bundle_resources(bundle: dict) -> list[dict]:
    """Every resource of a Bundle, each checked on its own after the Bundle as a whole."""
    valid_fhir(bundle)
    resources = [entry["resource"] for entry in bundle["entry"]]
    for resource in resources:
        valid_fhir(resource)
    return resources
