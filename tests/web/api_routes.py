"""The API's routes as the app registers them, for tests parametrised over the url_map at collection time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

ID_IN_PATH = re.compile(r"<id:(\w+)>")
# Text parameters and a value that names a seeded row (the fuzzer's clinic installs the shipped protocols).
TEXT_IN_PATH = {re.compile(r"<protocol_key:(\w+)>"): "iv-induction"}


@dataclass(frozen=True)
class ApiRoute:
    method: str
    rule: str        # as registered, e.g. /api/sessions/<id:session_id>/cancel
    endpoint: str

    def path(self, **ids: object) -> str:
        """The rule with each <id:name> filled in (one value for all of them when `every` is given)."""
        every = ids.pop("every", None)
        path = self.rule
        for pattern, value in TEXT_IN_PATH.items():
            path = pattern.sub(value, path)
        return ID_IN_PATH.sub(lambda m: str(every if every is not None else ids[m.group(1)]), path)

    @property
    def id_names(self) -> list[str]:
        """The names of the rule's <id:...> parameters."""
        return ID_IN_PATH.findall(self.rule)

    @property
    def documented(self) -> str:
        """The rule as the OpenAPI document writes its path: /api/protocols/{key}/versions/{number}."""
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.rule)

    @property
    def has_ids(self) -> bool:
        return bool(ID_IN_PATH.search(self.rule))

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"


@cache
def routes_app():
    """An app of its own (in-memory SQLite, never migrated): only its url_map and document are read."""
    from planner import create_app

    return create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")


@cache
def api_routes() -> tuple[ApiRoute, ...]:
    """Every method of every /api rule."""
    app = routes_app()
    return tuple(ApiRoute(method, rule.rule, rule.endpoint)
                 for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule) if rule.endpoint.startswith("api.")
                 for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))


@cache
def openapi_document() -> dict:
    """The OpenAPI document as the app builds it."""
    from planner.web.api.openapi import document

    return document(routes_app())
