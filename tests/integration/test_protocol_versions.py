"""Protocols on the real database: new versions, retiring and restoring, and running courses keeping theirs."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select, text

from planner.db.models import AuditEvent, Course, ProtocolRetirement, ProtocolVersion
from planner.domain.errors import InvalidData, ProtocolRefused
from planner.domain.protocol_library import DEFAULT_PROTOCOLS
from planner.domain.protocols import protocol_to_dict
from planner.extensions import db
from planner.services import SYSTEM, Actor
from planner.services.course_booking import book_course
from planner.services.course_inputs import PreferencesIn, ProtocolStateChange
from planner.services.course_planning import propose_course
from planner.services.course_replan import preview_replan
from planner.services.protocol_pages import protocol_detail, protocol_summaries
from planner.services.protocol_states import change_protocol_state
from planner.services.protocols import save_protocol
from tests.factories import booking_order, ready_patient

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
ADMIN = Actor("ada@clinic.example", None)


def _induction(**phase) -> dict:
    data = protocol_to_dict(DEFAULT_PROTOCOLS[0])
    data["phases"][0].update(phase)
    return data


def _retire(key: str, retired: bool = True, reason: str = "Replaced") -> None:
    change_protocol_state(key, ProtocolStateChange(retired=retired, reason=reason), ADMIN, NOW)


def test_a_new_version_is_active_the_old_one_kept_and_a_running_course_keeps_and_replans_on_its_own(course_clinic):
    patient = ready_patient()
    course_id = book_course(booking_order(propose_course(patient, "iv-induction", PreferencesIn(), NOW,
                                                         date(2026, 11, 23)), patient), SYSTEM, NOW)
    assert save_protocol(_induction(min_gap_days=2), ADMIN, NOW + timedelta(hours=1)) == ("iv-induction", 2)
    detail = protocol_detail("iv-induction")
    assert [(v.version, v.active, v.running) for v in detail.versions] == [(2, True, 0), (1, False, 1)]
    assert detail.versions[0].saved_by == "ada@clinic.example" and detail.versions[1].saved_by == "system"
    assert detail.versions[0].changes == ["Phase 1 (induction): 1 to 7 days apart became 2 to 7 days apart."]
    db.session.rollback()
    course = db.session.get(Course, course_id)
    assert db.session.get(ProtocolVersion, course.protocol_id).version == 1
    _retire("iv-induction")
    assert preview_replan(course_id, NOW).fingerprint  # retired: its running course still re-plans on version 1


def test_the_new_protocol_form_refuses_a_key_the_clinic_has_and_writes_nothing(course_clinic):
    with pytest.raises(InvalidData) as refused:
        save_protocol(_induction(), ADMIN, NOW, new=True)
    assert [p.field for p in refused.value.problems] == ["key"]
    db.session.rollback()
    assert db.session.scalar(select(ProtocolVersion.version).where(ProtocolVersion.key == "iv-induction",
                                                                   ProtocolVersion.active.is_(True))) == 1


def test_an_edit_started_from_an_older_version_is_refused_and_the_newer_one_stays_active(course_clinic):
    save_protocol(_induction(min_gap_days=2), ADMIN, NOW)
    with pytest.raises(ProtocolRefused, match="Version 2 was saved since you opened version 1"):
        save_protocol(_induction(max_gap_days=5), ADMIN, NOW, based_on=1)
    db.session.rollback()
    rows = db.session.execute(select(ProtocolVersion.version, ProtocolVersion.active)
                              .where(ProtocolVersion.key == "iv-induction").order_by(ProtocolVersion.version)).all()
    assert [tuple(r) for r in rows] == [(1, False), (2, True)]


def test_a_long_key_is_audited_on_both_databases(course_clinic):
    key = "a" * 60
    assert save_protocol({**_induction(), "key": key}, ADMIN, NOW) == (key, 1)
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent.entity_id).where(AuditEvent.action == "protocol.saved")) == key


def test_a_retired_protocol_is_refused_to_new_courses_listed_apart_and_restored_with_its_history_kept(course_clinic):
    _retire("iv-induction")
    with pytest.raises(InvalidData) as refused:
        propose_course(ready_patient(), "iv-induction", PreferencesIn(), NOW, date(2026, 11, 23))
    [reason] = refused.value.problems
    assert reason.field == "protocol" and reason.code == "retired" and "(Replaced)" in reason.message
    assert {s.key for s in protocol_summaries() if s.retired} == {"iv-induction"}
    with pytest.raises(ProtocolRefused, match="retired already"):
        _retire("iv-induction", reason="again")
    _retire("iv-induction", retired=False, reason="Back in use")
    _retire("iv-induction", reason="Replaced for good")
    history = protocol_detail("iv-induction").retirements
    assert [(r.reason, r.restore_reason) for r in history] == [("Replaced", "Back in use"), ("Replaced for good", None)]
    db.session.rollback()
    assert db.session.query(ProtocolRetirement).count() == 2


def test_two_admins_retiring_at_once_leave_one_retirement_and_one_refusal(course_clinic, _migrated_app):
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def retire(reason: str) -> None:
        with _migrated_app.app_context():
            barrier.wait()
            try:
                _retire("kap", reason=reason)
                outcomes.append("retired")
            except ProtocolRefused:
                outcomes.append("refused")
            except Exception as error:  # noqa: BLE001  (any other answer is the failure to report)
                outcomes.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=retire, args=(r,)) for r in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["refused", "retired"]
    db.session.rollback()
    assert db.session.query(ProtocolRetirement).filter_by(key="kap", restored_at=None).count() == 1



def test_a_new_protocol_saved_while_another_save_of_it_is_uncommitted_is_refused_or_follows_it(course_clinic,
                                                                                                _migrated_app):
    outcomes: list[str] = []

    def save() -> None:
        with _migrated_app.app_context():
            try:
                outcomes.append(f"saved {save_protocol({**_induction(), 'key': 'iv-short'}, ADMIN, NOW)[1]}")
            except ProtocolRefused:
                outcomes.append("refused")
            except Exception as error:  # noqa: BLE001  (any other answer is the failure to report)
                outcomes.append(repr(error))
            finally:
                db.session.remove()

    postgresql = db.engine.dialect.name == "postgresql"
    with db.engine.connect() as other:
        first = other.begin()  # another admin's save of the same new key, not yet committed
        other.execute(insert(ProtocolVersion.__table__).values(
            key="iv-short", version=1, name="IV short", definition={**_induction(), "key": "iv-short"}, active=True,
            created_at=NOW))
        thread = threading.Thread(target=save)
        thread.start()
        if postgresql:  # wait until the save waits on the unique (key, version) index
            with db.engine.connect() as watch:
                for _ in range(200):
                    if watch.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"))\
                            .scalar():
                        break
                    time.sleep(0.05)
        first.commit()
        thread.join(30)
    # PostgreSQL: the second finds the first only at its insert, and is refused (nothing written). SQLite: its
    # write lock makes the second wait, read version 1 and save version 2.
    assert outcomes == (["refused"] if postgresql else ["saved 2"])
