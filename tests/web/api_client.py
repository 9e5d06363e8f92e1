"""A JSON client for API tests, signed in with a real hashed bearer token."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

from sqlalchemy import func, select

from planner.db.models import ApiToken, User
from planner.extensions import db
from planner.services.accounts import hash_password
from planner.web.access import token_digest


class ApiClient:
    """Calls the API as a user with the given role."""

    def __init__(self, client, role: str = "admin", staff_id: int | None = None):
        self.client = client
        token = secrets.token_urlsafe(24)
        user = User(email=f"{role}-{secrets.token_hex(3)}@example.org", name=role.title(), role=role,
                    password_hash=hash_password("not-used-in-api-tests"), staff_id=staff_id)
        user.tokens = [ApiToken(name="tests", token_hash=token_digest(token),
                                created_at=datetime(2026, 1, 1, tzinfo=timezone.utc))]
        db.session.add(user)
        db.session.commit()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params):
        return self.client.get(path, query_string=params, headers=self.headers)

    def post(self, path: str, json=None, data=None, content_type=None):
        if data is not None:
            return self.client.post(path, data=data, headers=self.headers, content_type=content_type)
        return self.client.post(path, json=json, headers=self.headers)


    def put(self, path: str, json=None):
        return self.client.put(path, json=json, headers=self.headers)

    def patch(self, path: str, json=None):
        return self.client.patch(path, json=json, headers=self.headers)

    def delete(self, path: str):
        return self.client.delete(path, headers=self.headers)


def count(model) -> int:
    """Rows in a table, read fresh."""
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def count_of(model, patient_id: int) -> int:
    """Rows of one patient in a table (the patient_id column), read fresh."""
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(model.patient_id == patient_id))


def fields(response) -> set[str]:
    """The field paths a 422 answer names."""
    assert response.status_code == 422, response.get_json()
    return {item["field"] for item in response.get_json()["fields"]}
