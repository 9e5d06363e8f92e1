"""Reception finds a patient by typing: the page, the fragment the script fetches, and odd query strings."""

from __future__ import annotations

import pytest

from tests import factories as f


@pytest.fixture
def patients(clinic):
    """Three patients: one with accents, two sharing a surname, each with a phone."""
    return {
        "jose": f.make_patient("PT-100", name="José Núñez", phone="+12125550123", date_of_birth="1980-05-17"),
        "ana": f.make_patient("PT-200", name="Ana Lopez", phone="+13105550188", date_of_birth="1991-12-02"),
        "luis": f.make_patient("LX-9", name="Luis Lopez-Garcia", phone="+442071234567", date_of_birth="1975-01-31"),
    }


def names(response) -> list[str]:
    import re

    return re.findall(r'class="hit-name" href="/patients/\d+">([^<]+)<', response.data.decode())


@pytest.mark.parametrize("typed, found", [
    ("nunez", ["José Núñez"]), ("JOSÉ", ["José Núñez"]), ("lop", ["Ana Lopez", "Luis Lopez-Garcia"]),
    ("garcia", ["Luis Lopez-Garcia"]), ("ana lo", ["Ana Lopez"]), ("PT-200", ["Ana Lopez"]),
    ("pt-", ["Ana Lopez", "José Núñez"]), ("1975-01-31", ["Luis Lopez-Garcia"]), ("01/31/1975", ["Luis Lopez-Garcia"]),
    ("(212) 555-0123", ["José Núñez"]), ("555 0188", ["Ana Lopez"]), ("zed", []),
])
def test_the_fragment_lists_the_patients_a_name_mrn_birth_date_or_phone_finds(signed_in, patients, typed, found):
    response = signed_in("reception").get("/patients/results", query_string={"q": typed})
    assert response.status_code == 200
    assert sorted(names(response)) == sorted(found)
    assert "<html" not in response.data.decode()  # a fragment, not a page


def test_an_exact_mrn_comes_before_names_that_merely_match(signed_in, clinic):
    f.make_patient("LOP", name="Zara Smith")
    f.make_patient("A-77", name="Alma Lopez")
    response = signed_in("reception").get("/patients/results?q=lop")
    assert names(response) == ["Zara Smith", "Alma Lopez"]


def test_the_search_page_lists_matches_without_javascript(signed_in, patients):
    response = signed_in("clinician").get("/patients?q=lopez")
    page = response.data.decode()
    assert response.status_code == 200 and "<html" in page
    assert names(response) == ["Ana Lopez", "Luis Lopez-Garcia"]
    assert 'value="lopez"' in page and "01/31/2026" in page  # the box keeps the query; the hint names the forms


def test_more_matches_than_shown_say_so(signed_in, clinic):
    for n in range(25):
        f.make_patient(f"MANY-{n:02d}", name=f"Kim Park {n:02d}")
    page = signed_in("reception").get("/patients/results?q=park").data.decode()
    assert page.count('class="hit-name"') == 20 and "type more to narrow" in page


@pytest.mark.parametrize("query", [
    "q=%00%00", "q=" + "a" * 20000, "q=%ff%fe", "q=%25%5F", "q=a&q=b", "q=", "", "q=9999999999999999999999",
    "q=02/30/2020", "q=%27;drop table patients;--", "q[]=x", "q=+++",
])
def test_odd_query_strings_never_fail(signed_in, patients, query):
    client = signed_in("reception")
    for path in ("/patients", "/patients/results"):
        assert client.get(f"{path}?{query}").status_code == 200


def test_a_like_wildcard_typed_finds_only_what_it_says(signed_in, patients):
    assert names(signed_in("reception").get("/patients/results?q=%25")) == []
    assert names(signed_in("reception").get("/patients/results?q=_")) == []


def test_signed_out_visitors_are_sent_to_sign_in(client, patients):
    response = client.get("/patients/results?q=lopez")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
