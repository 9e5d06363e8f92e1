"""Building a clinician's one-year feed file: `planner.adapters.ical.feed()` for 1,500 sessions.

The target (issue 10) is a feed served with p95 under 50 ms including its database read; this
measures the file alone, so the read has the rest of the budget. The sessions are spread over a
year in one New York site (so the feed crosses both DST changes), about six a working day, with
discreet words of realistic length, each with its own DTSTAMP. The first call, which builds and
caches the VTIMEZONE and the calendar's head, is timed apart from the rest. (A served feed writes
only the events that changed since an earlier feed: planner/services/feed_events.py.)

    python -m bench.bench_ical_feed                   # 1,500 sessions, 50 runs
    python -m bench.bench_ical_feed --sessions 3000 --runs 20
"""

from __future__ import annotations

import argparse
import time as timer
from datetime import datetime, timedelta, timezone

from bench.common import load, summary
from planner.adapters import ical, vtimezone
from planner.adapters.ical import FeedEvent, feed
from planner.domain.messages import SessionFacts

STAMP = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)


def year_of_sessions(count: int) -> list[FeedEvent]:
    """`count` sessions from June 2026 on, six each weekday, a few cancelled."""
    events = []
    day = datetime(2026, 6, 1, 13, tzinfo=timezone.utc)
    while len(events) < count:
        if day.weekday() < 5:
            for slot in range(6):
                if len(events) == count:
                    break
                start = day + timedelta(hours=slot * 1.5)
                facts = SessionFacts(
                    session_id=len(events) + 1, sequence=len(events) % 3, start=start,
                    end=start + timedelta(minutes=105), timezone="America/New_York",
                    clinic_name="Riverside Clinic", site_name="Riverside Midtown", site_phone="+12125550100",
                    room_name=f"Room {slot + 1}", cancelled=len(events) % 50 == 0)
                events.append(FeedEvent(facts, title=f"Appointment: patient {len(events) % 120}",
                                        description="Riverside Midtown, Room 3. Questions: +1 212 555 0100.",
                                        location=f"Riverside Midtown, Room {slot + 1}", stamp=STAMP))
        day += timedelta(days=1)
    return events


def main() -> None:
    """Time feed() and print n, p50, p95, p99, max in milliseconds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1500)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    events = year_of_sessions(args.sessions)
    vtimezone.vtimezone.cache_clear()
    ical._feed_frame.cache_clear()  # the calendar's head with its zones, kept per name and zones

    def build() -> tuple[float, int]:
        began = timer.perf_counter()
        body = feed(events, name="Dr A. Rivera", organizer=("Riverside Clinic", "appointments@riverside.example"),
                    uid_domain="planner.example")
        return timer.perf_counter() - began, len(body)

    first, size = build()
    times = [build()[0] for _ in range(args.runs)]
    figures = summary(times)
    print(f"feed() of {args.sessions} sessions ({size / 1024:.0f} KiB), {load()}")
    print(f"  first call (builds the VTIMEZONE): {first * 1000:.1f} ms")
    print("  then: " + ", ".join(f"{key} {value:.1f}" + ("" if key == "n" else " ms") for key, value in figures.items()))


if __name__ == "__main__":
    main()
