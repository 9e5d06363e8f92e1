"""What reception types in the patient search, read as name words, a date of birth or phone digits."""

from __future__ import annotations

from datetime import date

import pytest

from planner.domain.patient_search import (
    MAX_QUERY, birth_date, fold, read_query, search_name,
)


def test_folding_ignores_case_and_accents():
    assert fold("José NÚÑEZ-Ålvarez") == "jose nunez-alvarez"


def begins_words_of(typed: str, name: str) -> bool:
    """The search's rule as the database applies it: each typed word follows a space in search_name."""
    return all(f" {word}" in search_name(name) for word in read_query(typed).words)


@pytest.mark.parametrize("typed", ["nun", "NUÑ", "jos", "jose nunez", "núñez josé", "alv", "maria"])
def test_a_name_is_found_by_the_start_of_any_of_its_words_in_any_case_with_or_without_accents(typed):
    assert begins_words_of(typed, "José María Núñez-Álvarez")


@pytest.mark.parametrize("typed", ["unez", "jose smith", "josé x"])
def test_a_name_is_not_found_by_the_middle_of_a_word_or_a_word_it_lacks(typed):
    assert not begins_words_of(typed, "José María Núñez-Álvarez")


@pytest.mark.parametrize("typed, day", [
    ("1980-05-17", date(1980, 5, 17)), ("05/17/1980", date(1980, 5, 17)), ("5/7/1980", date(1980, 5, 7)),
    ("1980-5-7", date(1980, 5, 7)),
])
def test_a_date_of_birth_is_read_in_iso_and_in_the_clinics_month_first_form(typed, day):
    assert birth_date(typed) == day


@pytest.mark.parametrize("typed", ["17/05/1980", "1980-02-30", "05/17/80", "1980", "yesterday", "99999-01-01"])
def test_a_date_that_is_no_real_day_or_in_another_form_is_not_a_date_of_birth(typed):
    assert birth_date(typed) is None


@pytest.mark.parametrize("typed, digits", [
    ("(212) 555-0123", "2125550123"), ("+1 212 555 0123", "12125550123"), ("555.0123", "5550123"),
    ("0123", "0123"), ("12", None), ("Avery 0123", None),
])
def test_a_phone_is_read_as_its_digits_when_enough_are_typed(typed, digits):
    assert read_query(typed).phone_digits == digits


def test_a_very_long_query_is_cut_and_spaces_are_collapsed():
    terms = read_query("  ana   " + "x" * 5000)
    assert len(terms.text) == MAX_QUERY and terms.text.startswith("ana x")


def test_control_characters_typed_or_pasted_are_read_as_spaces():
    assert read_query("ana\x00lopez\ud800").words == ("ana", "lopez")


def test_the_folded_name_puts_a_space_before_each_word_split_at_hyphens_and_apostrophes():
    assert search_name("Seán O'Brien-Núñez") == " sean o brien nunez"
