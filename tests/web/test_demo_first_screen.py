"""What a newcomer sees first: the demo clinic's overview after `make run`, signed in with a demo login."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from planner import clock
from tests.web.conftest import sign_in

WEDNESDAY = datetime(2027, 3, 10, 15, tzinfo=timezone.utc)  # 10:00 in Brooklyn Heights, 15:00 in Camden


def test_the_demo_overview_shows_sessions_today_at_both_sites(app, client, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: WEDNESDAY)
    seeded = app.test_cli_runner().invoke(args=["planner", "seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    assert sign_in(client, "reception@demo.clinic", "demo-password-1").status_code == 302
    page = client.get("/").data.decode()
    assert page.count("today is <strong>Wednesday 10 March 2027</strong>") == 2
    counts = [int(n) for n in re.findall(r"Today's sessions <span class=\"count\">(\d+)</span>", page)]
    assert len(counts) == 2 and min(counts) >= 1
    assert "No sessions today." not in page
