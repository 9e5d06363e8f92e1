"""iCalendar content lines written fast, for the few lines of each event in a feed (RFC 5545, 3.1).

icalendar writes everything else; this exists only because its per-line cost makes a year's
feed ten times too slow (see ical.feed). Each function returns one finished line: escaped,
folded at 75 octets, ending in CRLF.
"""

from __future__ import annotations

from datetime import datetime

LIMIT = 75  # octets per physical line, not counting the CRLF (RFC 5545, 3.1)


def text(name: str, value: str) -> bytes:
    """A property with a TEXT value (SUMMARY, DESCRIPTION, LOCATION, UID), escaped and folded."""
    # RFC 5545, 3.3.11: backslash first, so the escapes added after it are not escaped again; any
    # line break the caller wrote becomes the two characters \n.
    escaped = (value.replace("\r\n", "\n").replace("\r", "\n").replace("\\", "\\\\")
               .replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n"))
    return fold(f"{name}:{escaped}".encode())


def local_time(name: str, moment: datetime, tzid: str) -> bytes:
    """A DATE-TIME property in local wall time with its TZID (`moment` already in that zone)."""
    # IANA names hold only letters, digits, "/", "_", "-" and "+", none of which needs quoting.
    # isoformat and two replaces cost a third of strftime, and this runs twice per feed event.
    wall = moment.isoformat()[:19].replace("-", "").replace(":", "")
    return fold(f"{name};TZID={tzid}:{wall}".encode())


def utc_time(name: str, moment: datetime) -> bytes:
    """A DATE-TIME property in UTC form (`moment` aware and in UTC), as DTSTAMP must be (RFC 5545, 3.8.7.2)."""
    # As in local_time: isoformat and two replaces cost a third of strftime.
    return f"{name}:{moment.isoformat()[:19].replace('-', '').replace(':', '')}Z\r\n".encode()


def fold(line: bytes) -> bytes:
    """One logical line folded into physical lines of at most 75 octets, with its CRLF."""
    if len(line) <= LIMIT:
        return line + b"\r\n"
    pieces = []
    start, room = 0, LIMIT
    while len(line) - start > room:
        cut = start + room
        # Never inside a UTF-8 character (continuation bytes are 10xxxxxx): a reader may decode
        # each physical line on its own.
        while line[cut] & 0xC0 == 0x80:
            cut -= 1
        # Nor between a backslash and the character it escapes: unfolding rejoins them, but some
        # clients decode escapes line by line (icalendar avoids this split too).
        backslashes = len(line[start:cut]) - len(line[start:cut].rstrip(b"\\"))
        if backslashes % 2:
            cut -= 1
        pieces.append(line[start:cut])
        start, room = cut, LIMIT - 1  # a continuation line begins with one space
    pieces.append(line[start:])
    return b"\r\n ".join(pieces) + b"\r\n"
