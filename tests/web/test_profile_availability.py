"""Mute and quiet hours on the profile: "mute for 1 hour / 4 hours / until 09:00 / N minutes",
unmute, and quiet hours in the person's zone, each through the service the API uses; while muted,
the top of the profile and the home page say so."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tests.web.pages import csrf_token_in
from tests.web.profile_people import ADA, MAX, api_fixture, notice_after, people_fixture, signed_in_as, submit  # noqa: F401
from tocsin.clock import FrozenClock
from tocsin.errors import ServerBusy
from tocsin.writer import WriteQueue

QUIET = f"/v2/users/{ADA}/quiet-hours"


def test_mute_for_an_hour_shows_the_banner_and_the_api_until_unmuted(
    http: TestClient, people, api, frozen_clock: FrozenClock
) -> None:
    frozen_clock.set(datetime(2026, 7, 1, 12, 0, tzinfo=UTC))  # 13:00 in London (BST)
    signed_in_as(http, ADA)
    assert "You are muted" not in http.get("/profile").text

    page = notice_after(http, submit(http, "/profile/mute", minutes="60"))

    assert api.data(f"/v2/users/{ADA}")["mutedUntil"] == "2026-07-01T13:00:00.000Z"
    banner = page.split('<div class="muted-banner" role="status">')[1].split("</div>")[0]
    assert "You are muted until 14:00</strong>" in banner
    assert "2026-07-01 14:00 BST" in banner
    assert "you will not be paged" in banner
    assert "You are muted until 14:00" in http.get("/").text

    page = notice_after(http, submit(http, "/profile/unmute"))

    assert "Unmuted: you will be paged again." in page
    assert "muted-banner" not in page
    assert "mutedUntil" not in api.data(f"/v2/users/{ADA}")


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (datetime(2026, 7, 1, 6, 30, tzinfo=UTC), "2026-07-01T08:00:00.000Z"),  # 07:30 BST: this morning
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "2026-07-02T08:00:00.000Z"),  # 13:00 BST: tomorrow's
    ],
)
def test_mute_until_nine_ends_at_the_next_nine_oclock_in_the_persons_zone(
    http: TestClient, people, api, frozen_clock: FrozenClock, now: datetime, until: str
) -> None:
    frozen_clock.set(now)
    signed_in_as(http, ADA)

    notice_after(http, submit(http, "/profile/mute", until="morning"))

    assert api.data(f"/v2/users/{ADA}")["mutedUntil"] == until


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        ("soon", "Minutes must be a whole number from 1 to 10080, got &#39;soon&#39;."),
        ("0", "Minutes must be a whole number from 1 to 10080, got 0."),
        ("20000", "Minutes must be a whole number from 1 to 10080, got 20000."),
    ],
)
def test_a_custom_mute_that_is_not_a_number_of_minutes_is_refused(
    http: TestClient, people, api, minutes: str, message: str
) -> None:
    signed_in_as(http, ADA)

    refused = submit(http, "/profile/mute", minutes=minutes)

    assert refused.status_code == 422
    assert message in refused.text
    assert "mutedUntil" not in api.data(f"/v2/users/{ADA}")


def test_quiet_hours_are_set_in_the_persons_zone_and_turned_off(http: TestClient, people, api) -> None:
    signed_in_as(http, ADA)

    page = notice_after(http, submit(http, "/profile/quiet-hours", start="22:00", end="07:00"))

    assert "Quiet hours set: every day from 22:00 to 07:00 (Europe/London)." in page
    assert 'name="start" type="time" value="22:00"' in page
    assert api.data(QUIET) == {"enabled": True, "start": "22:00", "end": "07:00", "timeZone": "Europe/London"}

    notice_after(http, submit(http, "/profile/quiet-hours/clear"))

    assert api.data(QUIET)["enabled"] is False


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("25:00", "07:00", "Start must be a time of day as HH:MM (24-hour clock), got &#39;25:00&#39;."),
        ("22:00", "", "End must be a time of day as HH:MM (24-hour clock), got &#39;&#39;."),
        ("22:00", "22:00", "End must differ from start"),
    ],
)
def test_quiet_hours_that_are_not_times_of_day_are_refused_and_change_nothing(
    http: TestClient, people, api, start: str, end: str, message: str
) -> None:
    signed_in_as(http, ADA)
    submit(http, "/profile/quiet-hours", start="23:00", end="06:00")

    refused = submit(http, "/profile/quiet-hours", start=start, end=end)

    assert refused.status_code == 422
    assert message in refused.text
    assert api.data(QUIET)["start"] == "23:00"


def test_muting_from_the_profile_mutes_only_the_person_signed_in(http: TestClient, people, api) -> None:
    signed_in_as(http, MAX)

    notice_after(http, submit(http, "/profile/mute", minutes="240"))

    assert "mutedUntil" in api.data(f"/v2/users/{MAX}")
    assert "mutedUntil" not in api.data(f"/v2/users/{ADA}")


def test_a_busy_server_answers_with_the_profile_and_when_to_try_again(
    http: TestClient, people, api, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_in_as(http, ADA)
    token = csrf_token_in(http.get("/profile").text)

    async def busy(queue: WriteQueue, job: object) -> None:
        raise ServerBusy("Tocsin is busy with other changes.", retry_after=3)

    monkeypatch.setattr(WriteQueue, "run", busy)
    refused = http.post("/profile/mute", data={"minutes": "60", "csrf_token": token})

    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "3"
    assert "Tocsin is busy with other changes. Try again in 3 seconds." in refused.text
    assert "<h1>Profile</h1>" in refused.text
