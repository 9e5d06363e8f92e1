"""The kept configuration finds a person's leave in a span as a full scan would, by bisection."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from planner.db.reads.config import ClinicConfig
from planner.domain.intervals import Interval

BASE = datetime(2030, 1, 1, tzinfo=timezone.utc)


def _stretch(rng: random.Random) -> Interval:
    start = BASE + timedelta(hours=rng.randint(0, 24 * 200))
    return Interval(start, start + timedelta(hours=rng.choice([1, 4, 24, 24 * 14, 24 * 60])))


def test_leave_in_equals_a_full_scan_for_overlapping_and_long_leave():
    rng = random.Random(11)
    leave = {staff: tuple(sorted((_stretch(rng) for _ in range(rng.randint(1, 40))), key=lambda t: t.start))
             for staff in range(1, 8)}
    config = ClinicConfig(1, {}, {}, leave, {})
    for _ in range(2000):
        span = _stretch(rng)
        staff = rng.randint(1, 9)  # 8 and 9 have no leave at all
        expected = tuple(t for t in leave.get(staff, ()) if t.start < span.end and t.end > span.start)
        assert config.leave_in(staff, span) == expected


def test_leave_touching_the_span_does_not_count():
    stretch = Interval(BASE, BASE + timedelta(days=1))
    config = ClinicConfig(1, {}, {}, {1: (stretch,)}, {})
    assert config.leave_in(1, Interval(BASE + timedelta(days=1), BASE + timedelta(days=2))) == ()
    assert config.leave_in(1, Interval(BASE - timedelta(days=1), BASE)) == ()
    assert config.leave_in(1, Interval(BASE + timedelta(hours=23), BASE + timedelta(days=2))) == (stretch,)
