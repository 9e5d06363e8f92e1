"""Odd input to every form of the sites, accounts and reminder pages is a clear 4xx, never a 500, nothing half-written."""

from __future__ import annotations

import pytest

from tests.web.conftest import csrf_from

# Values a browser never sends but a person or a script can: NUL, line breaks, huge, other scripts' digits.
ODD = ["\x00", "a\nb", "9" * 400, "٣", "2026-02-30", "-1", " ", "𝟗:𝟎𝟎", "<script>x</script>"]


def routes(clinic, admin_id: int, token_id: int) -> list[tuple[str, str, list[str]]]:
    """(path, prefix, field names) of every form these pages post."""
    site, chair = clinic.site, clinic.chairs[2]
    return [
        (f"/sites/{site}/setup/details", "site", ["name", "phone", "esketamine_certified",
                                                  "limit_supervising_prescriber", "limit_monitoring_clinician",
                                                  "distinct_roles", "slot_minutes"]),
        (f"/sites/{site}/setup/hours/3", "hours-3", ["opens", "closes"]),
        (f"/sites/{site}/setup/closures", "closure", ["first", "last", "reason"]),
        (f"/sites/{site}/setup/closures/2026-12-24/reason", "closure-2026-12-24", ["reason"]),
        (f"/sites/{site}/setup/rooms", "room-new", ["name", "kind", "capabilities"]),
        (f"/sites/{site}/setup/rooms/{chair}", f"room-{chair}", ["name", "kind", "capabilities"]),
        ("/sites", "new-site", ["name", "timezone", "phone", "esketamine_certified"]),
        ("/accounts", "", ["email", "name", "role", "password"]),
        (f"/accounts/{admin_id}", "account", ["name", "role"]),
        (f"/accounts/{admin_id}/password", "password", ["password"]),
        (f"/accounts/{admin_id}/tokens", "token", ["label"]),
        (f"/settings/reminders/{clinic.iv}", f"type-{clinic.iv}", ["reminder_hours"]),
    ]


@pytest.mark.parametrize("odd", ODD)
def test_odd_values_in_every_field_are_answered_without_a_server_error(client, user_factory, clinic, clinic_clock,
                                                                       odd):
    from tests.web.conftest import sign_in

    admin_id, email, password = user_factory("admin")
    other, _, _ = user_factory("reception")
    sign_in(client, email, password)
    token = csrf_from(client.get("/sites").data)
    for path, prefix, fields in routes(clinic, other, 0):
        key = f"{prefix}-" if prefix else ""
        answer = client.post(path, data={f"{key}csrf_token": token, **{f"{key}{name}": odd for name in fields}})
        assert answer.status_code < 500, (path, odd, answer.data[:400])
    for path in (f"/sites/{clinic.site}/setup/closures/{odd}/remove", f"/sites/{clinic.site}/setup/hours/{odd}"):
        assert client.post(path, data={"csrf_token": token}).status_code < 500, path
