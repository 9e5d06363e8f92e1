"""Inbound SMS: Twilio's request signature, and the words that opt a number out and back in."""

from __future__ import annotations

import pytest

from planner.adapters.sms import opt_out_word, twilio_signature, valid_twilio_signature

# The example Twilio's own Python library checks itself against (tests/unit/test_request_validator.py).
TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {"CallSid": "CA1234567890ABCDE", "Digits": "1234", "From": "+14158675309", "To": "+18005551212",
          "Caller": "+14158675309"}
SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_the_signature_of_twilios_own_example_is_the_one_twilio_publishes():
    assert twilio_signature(URL, PARAMS, TOKEN) == SIGNATURE
    assert valid_twilio_signature(URL, PARAMS, SIGNATURE, TOKEN)


def test_repeated_fields_are_signed_sorted_by_name_then_value_as_twilio_signs_them():
    pairs = [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234")]
    assert twilio_signature(URL, pairs, TOKEN) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="


@pytest.mark.parametrize("url, signature", [
    pytest.param(URL.replace(".com", ".com:1234"), SIGNATURE, id="https-url-seen-with-a-port-signed-without"),
    pytest.param(URL, "kvajT1Ptam85bY51eRf/AJRuM3w=", id="https-url-signed-with-port-443"),
    pytest.param(URL.replace("https", "http"), "0ZXoZLH/DfblKGATFgpif+LLRf4=", id="http-url-signed-with-port-80"),
    pytest.param(URL.replace(".com", ".com:1234").replace("https", "http"), "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=",
                 id="http-url-signed-with-its-own-port"),
])
def test_a_url_is_accepted_signed_with_or_without_its_port_as_twilios_libraries_accept_it(url, signature):
    assert valid_twilio_signature(url, PARAMS, signature, TOKEN)


@pytest.mark.parametrize("url, params, signature, token", [
    pytest.param(URL, {**PARAMS, "Body": "START"}, SIGNATURE, TOKEN, id="a-field-added"),
    pytest.param(URL, {**PARAMS, "From": "+14158675300"}, SIGNATURE, TOKEN, id="a-field-changed"),
    pytest.param(URL.replace("foo=1", "foo=2"), PARAMS, SIGNATURE, TOKEN, id="the-url-changed"),
    pytest.param(URL, PARAMS, SIGNATURE, "54321", id="another-accounts-token"),
    pytest.param(URL, PARAMS, SIGNATURE[:-2] + "A=", TOKEN, id="the-signature-changed"),
    pytest.param(URL, PARAMS, "", TOKEN, id="no-signature"),
    pytest.param(URL, PARAMS, None, TOKEN, id="no-header"),
    pytest.param(URL, PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=\u00e9", TOKEN, id="non-ascii-signature"),
])
def test_a_tampered_request_is_refused(url, params, signature, token):
    assert not valid_twilio_signature(url, params, signature, token)


@pytest.mark.parametrize("body", ["STOP", "stop", " Stop. ", "STOPALL", "stop all", "UNSUBSCRIBE", "Cancel", "end",
                                  "QUIT!", "revoke", "OptOut", "\tstop\n"])
def test_the_words_twilio_treats_as_stop_opt_the_number_out(body):
    assert opt_out_word(body) == "stop"


@pytest.mark.parametrize("body", ["START", "unstop", "Yes", " yes! "])
def test_start_unstop_and_yes_opt_it_back_in(body):
    assert opt_out_word(body) == "start"


@pytest.mark.parametrize("body", ["", "stop by at 3?", "Please cancel my Tuesday", "yes I'll be there", "HELP",
                                  "stopp", "thanks"])
def test_a_message_that_is_not_the_word_alone_is_for_reception_not_an_opt_out(body):
    assert opt_out_word(body) is None
