"""The profile's "About you" form changes the person's name, time zone and date format (through
the service the users API uses), refuses what it cannot use with a message that says why, and
the times on pages follow the zone and format chosen."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.web.pages import csrf_token_in
from tests.web.profile_people import ADA, MAX, api_fixture, notice_after, people_fixture, signed_in_as, submit  # noqa: F401
from tocsin.accounts import service as accounts
from tocsin.db import Database


def test_name_zone_and_date_format_saved_on_the_profile_show_in_the_api_and_on_pages(
    http: TestClient, db: Database, people, api
) -> None:
    signed_in_as(http, ADA)

    page = notice_after(
        http,
        submit(
            http,
            "/profile/details",
            full_name="Augusta Ada King",
            time_zone="America/New_York",
            date_format="day-month-dots",
        ),
    )

    assert "Saved your name, time zone and date format." in page
    shown = api.data(f"/v2/users/{ADA}")
    assert (shown["fullName"], shown["timeZone"]) == ("Augusta Ada King", "America/New_York")
    with db.read_session() as session:
        assert accounts.get_user(session, ADA).date_format == "day-month-dots"
    assert "<option selected>America/New_York</option>" in page
    assert 'value="day-month-dots" checked' in page
    # The signed-in browsers' times: now in New York, day first with dots.
    signed_in = page.split('<table class="alerts sessions">')[1]
    assert re.search(r'<time datetime="[^"]+">\d\d\.\d\d\.\d{4} \d\d:\d\d E[SD]T</time>', signed_in)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "Unknown time zone &#39;Mars/Olympus&#39;."),
        ({"date_format": "%A %d %B"}, "DateFormat must be one of iso, iso-12h"),
        ({"full_name": "x" * 201}, "FullName must be at most 200 characters."),
    ],
)
def test_what_cannot_be_used_is_refused_with_a_clear_message_and_nothing_changes(
    http: TestClient, people, api, fields: dict[str, str], message: str
) -> None:
    signed_in_as(http, ADA)
    form = {"full_name": "Ada L.", "time_zone": "Asia/Tokyo", "date_format": "iso-12h", **fields}

    refused = submit(http, "/profile/details", **form)

    assert refused.status_code == 422
    assert message in refused.text
    shown = api.data(f"/v2/users/{ADA}")
    assert (shown["fullName"], shown["timeZone"]) == ("Ada Lovelace", "Europe/London")


def test_the_form_changes_only_the_person_signed_in(http: TestClient, people, api) -> None:
    signed_in_as(http, MAX)

    submit(http, "/profile/details", full_name="Max", time_zone="Asia/Tokyo", date_format="iso")

    assert api.data(f"/v2/users/{MAX}")["timeZone"] == "Asia/Tokyo"
    assert api.data(f"/v2/users/{ADA}")["timeZone"] == "Europe/London"


def test_the_zone_list_offers_iana_zones_not_legacy_aliases(http: TestClient, people) -> None:
    signed_in_as(http, ADA)

    page = http.get("/profile").text
    assert csrf_token_in(page)

    assert "<option>Pacific/Auckland</option>" in page
    assert "<option>UTC</option>" in page
    assert "<option>EST5EDT</option>" not in page
