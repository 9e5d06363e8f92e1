"""The delivery log shows an address a message moved away from shortened, never whole."""

from __future__ import annotations

import pytest

from planner.domain.messages import masked


@pytest.mark.parametrize(("channel", "address", "shown"), [
    ("email", "maya.okafor@example.org", "m…@example.org"),
    ("email", "a@b.co", "a…@b.co"),
    ("sms", "+12125550142", "…0142"),
])
def test_an_old_address_is_shown_by_its_first_letter_and_domain_or_the_last_four_digits(channel, address, shown):
    assert masked(channel, address) == shown
    assert address not in masked(channel, address)
