"""One person, one login when two admins link two accounts to one staff record at the same moment.

Each link is judged with the staff row locked: the second admin's change waits for the first and
is then refused, naming the account that holds the record. Without the lock (the bug this guards)
both changes read "nobody holds it" and both commit, leaving one person with two logins.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone

from sqlalchemy import func, select

from planner.db.models import User
from planner.domain.errors import InvalidData
from planner.extensions import db
from planner.services import SYSTEM, account_admin
from planner.services.accounts import create_user
from tests import factories as f

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
PASSWORD = "correct horse battery"
# How long the first link waits, stopped after its judgement, for a second that does not wait for it.
MOMENT = 0.5


def test_two_accounts_linked_to_one_staff_record_at_once_leave_exactly_one_linked(app, monkeypatch):
    tom = f.make_staff("Tom Reyes", ["therapist"], f.credentials("licence"))
    first = create_user("tom@clinic.example", "Tom Reyes", "clinician", PASSWORD, now=NOW)
    second = create_user("t.reyes@clinic.example", "T Reyes", "clinician", PASSWORD, now=NOW)
    outcome: list[str] = []

    def link_meanwhile():
        with app.app_context():
            try:
                account_admin.update_account(second, SYSTEM, NOW, staff_id=tom)
                outcome.append("linked")
            except InvalidData as refused:
                outcome.extend(problem.message for problem in refused.problems)
            finally:
                db.session.remove()

    meanwhile = threading.Thread(target=link_meanwhile)
    judged = account_admin._link_refused

    def stopped_after_judging(*args):
        found = judged(*args)
        if threading.current_thread() is not meanwhile:
            meanwhile.start()
            meanwhile.join(MOMENT)  # a link that does not wait for this one's lock lands now
        return found

    monkeypatch.setattr(account_admin, "_link_refused", stopped_after_judging)
    assert account_admin.update_account(first, SYSTEM, NOW, staff_id=tom) is True
    meanwhile.join(30)
    assert len(outcome) == 1 and "already linked to the account of Tom Reyes (tom@clinic.example)" in outcome[0]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User).where(User.staff_id == tom)) == 1
