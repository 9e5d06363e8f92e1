"""The VTIMEZONEs and folded lines the calendar files carry, read back by `ical`, independent of icalendar."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from ical.calendar_stream import IcsCalendarStream
from ical.timezone import IcsTimezoneInfo

from planner.adapters import lines
from planner.adapters.vtimezone import HORIZON_YEARS, vtimezone

UTC = timezone.utc


def read(tzid: str, first_year: int = 2026):
    """The VTIMEZONE for `tzid` as the independent parser reads it, and the file's text."""
    text = vtimezone(tzid, first_year).to_ical().decode()
    calendar = IcsCalendarStream.calendar_from_ics(f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n{text}"
                                                   "END:VCALENDAR\r\n")
    return calendar.timezones[0], text


# (zone, the DAYLIGHT rule, its onset, the STANDARD rule, its onset); RFC 5545 writes an onset as
# the local time of the change in the offset it replaces (New York springs forward at 02:00 EST).
YEARLY_RULES = [
    ("America/New_York", "BYDAY=2SU;BYMONTH=3", 2, "BYDAY=1SU;BYMONTH=11", 2),
    ("Europe/London", "BYDAY=-1SU;BYMONTH=3", 1, "BYDAY=-1SU;BYMONTH=10", 2),
    ("Australia/Sydney", "BYDAY=1SU;BYMONTH=10", 2, "BYDAY=1SU;BYMONTH=4", 3),
]


@pytest.mark.parametrize(("tzid", "daylight", "daylight_hour", "standard", "standard_hour"), YEARLY_RULES)
def test_a_zone_with_one_yearly_rule_is_written_as_the_rules_outlook_reads_not_as_a_list_of_dates(
        tzid, daylight, daylight_hour, standard, standard_hour):
    zone, text = read(tzid)

    [summer], [winter] = zone.daylight, zone.standard
    assert f"RRULE:FREQ=YEARLY;{daylight}\r\n" in text
    assert f"RRULE:FREQ=YEARLY;{standard}\r\n" in text
    assert "RDATE" not in text
    assert (summer.dtstart.hour, summer.dtstart.minute) == (daylight_hour, 0)
    assert (winter.dtstart.hour, winter.dtstart.minute) == (standard_hour, 0)
    assert summer.dtstart.year == winter.dtstart.year == 2025  # a year before the first event's


@pytest.mark.parametrize("tzid", ["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata",
                                  "Asia/Jerusalem", "America/Santiago"])
def test_the_files_zone_gives_the_offset_zoneinfo_gives_at_every_hour_across_the_horizon(tzid):
    own_zone, real = IcsTimezoneInfo.from_timezone(read(tzid)[0]), ZoneInfo(tzid)
    moment, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026 + HORIZON_YEARS, 12, 31, tzinfo=UTC)
    checked = 0
    # Every 11 hours walks through every hour of the day; a wall time the change makes ambiguous
    # (the repeated hour in autumn) is left out, since a file cannot say which of the two it means.
    while moment < end:
        wall = moment.astimezone(real).replace(tzinfo=None)
        if wall.replace(tzinfo=real, fold=0).utcoffset() == wall.replace(tzinfo=real, fold=1).utcoffset():
            assert wall.replace(tzinfo=own_zone).utcoffset() == moment.astimezone(real).utcoffset(), wall
            checked += 1
        moment += timedelta(hours=11)
    assert checked > 8_000


def test_a_zone_without_daylight_saving_has_one_observance_that_holds_from_its_start():
    zone, text = read("Asia/Kolkata")

    assert [observance.tz_name for observance in zone.standard] == [["IST"]]
    assert zone.daylight == []
    assert "RRULE" not in text
    assert datetime(2026, 7, 1, 9, tzinfo=IcsTimezoneInfo.from_timezone(zone)).utcoffset() == timedelta(hours=5,
                                                                                                           minutes=30)


def test_a_zone_whose_changes_follow_no_single_yearly_rule_lists_each_change():
    zone, text = read("Asia/Jerusalem")  # the Friday before the last Sunday of March

    assert "RRULE" not in text
    assert len(zone.daylight[0].rdate) == HORIZON_YEARS + 2


def test_a_zone_is_built_once_for_each_first_year():
    assert vtimezone("Europe/London", 2026) is vtimezone("Europe/London", 2026)
    assert vtimezone("Europe/London", 2027) is not vtimezone("Europe/London", 2026)


def test_a_short_line_is_left_whole_with_its_crlf():
    assert lines.fold(b"SUMMARY:Appointment") == b"SUMMARY:Appointment\r\n"
    assert lines.fold(b"X" * 75) == b"X" * 75 + b"\r\n"


def test_a_long_line_is_folded_at_75_octets_without_splitting_a_character():
    line = ("DESCRIPTION:" + "é日" * 60).encode()
    folded = lines.fold(line)
    physical = folded.split(b"\r\n")[:-1]

    assert folded.endswith(b"\r\n") and len(physical) > 2
    assert all(len(piece) <= 75 for piece in physical)
    assert all(piece.startswith(b" ") for piece in physical[1:])
    assert [piece.decode() for piece in physical]  # each piece is whole characters
    assert folded.replace(b"\r\n ", b"").removesuffix(b"\r\n") == line


@pytest.mark.parametrize("before", range(60, 80))
def test_a_fold_never_parts_a_backslash_from_the_character_it_escapes(before):
    line = b"DESCRIPTION:" + b"a" * (before - 12) + b"\\n\\\\\\;" * 20
    physical = lines.fold(line).split(b"\r\n")[:-1]

    for piece in physical[:-1]:
        trailing = len(piece) - len(piece.rstrip(b"\\"))
        assert trailing % 2 == 0, piece
    assert b"".join(piece.removeprefix(b" ") for piece in physical) == line


def test_text_is_escaped_as_rfc_5545_says():
    assert lines.text("SUMMARY", "a;b,c\\d\r\ne\nf") == b"SUMMARY:a\\;b\\,c\\\\d\\ne\\nf\r\n"
