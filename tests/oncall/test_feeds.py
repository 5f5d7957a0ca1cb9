"""iCalendar feeds of a schedule's and a user's shifts, at secret, revocable addresses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.support.api import ApiClient
from tests.support.factories import make_integration, make_team
from tocsin.oncall.models import CalendarFeed
from tocsin.secrets_util import hash_key

MIDNIGHT = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def ops(api, db, people, frozen_clock):
    frozen_clock.set(MIDNIGHT)
    make_team(db, "ops_team", "ada@example.com", "bob@example.com")
    schedule = {
        "name": "ops_schedule",
        "ownerTeam": {"name": "ops_team"},
        "rotations": [
            {
                "name": "primary",
                "startDate": "2026-02-01T00:00:00Z",
                "type": "daily",
                "participants": [
                    {"type": "user", "username": "ada@example.com"},
                    {"username": "bob@example.com", "type": "user"},
                ],
            }
        ],
    }
    response = api.post("/v2/schedules", json=schedule)
    assert response.status_code == 201, response.text
    schedule_id = response.json()["data"]["id"]
    swap = {
        "user": {"username": "cy@example.com"},
        "startDate": "2026-03-03T20:00:00Z",
        "endDate": "2026-03-04T08:00:00Z",
    }
    assert api.post(f"/v2/schedules/{schedule_id}/overrides", json=swap).status_code == 201
    return schedule_id


def new_feed(api, path) -> str:
    response = api.post(path)
    assert response.status_code == 201, response.text
    url = response.json()["data"]["url"]
    assert url.startswith("http://tocsin.test/calendar/") and url.endswith(".ics")
    return url.removeprefix("http://tocsin.test")


def events(http, path):
    response = http.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return [
        (str(e["uid"]), str(e["summary"]), e.decoded("dtstart"), e.decoded("dtend"))
        for e in calendar.walk("VEVENT")
    ]


def test_schedule_feed_has_one_event_per_shift_of_the_api_timeline(api, http, ops):
    path = new_feed(api, f"/v2/schedules/{ops}/calendar-feed")
    found = events(http, path)
    timeline = api.get(
        f"/v2/schedules/{ops}/timeline",
        params={"date": "2026-02-15T00:00:00Z", "interval": 70, "intervalUnit": "days"},
    ).json()["data"]
    periods = {
        (f"{p['recipient']['name']} on call", p["startDate"], p["endDate"])
        for rotation in timeline["finalTimeline"]["rotations"]
        for p in rotation["periods"]
    }
    as_api = {
        (summary, f"{start:%Y-%m-%dT%H:%M:%SZ}", f"{end:%Y-%m-%dT%H:%M:%SZ}")
        for _, summary, start, end in found
    }
    # 70 daily shifts; the override shortens the two it spans and is one more
    assert as_api == periods and len(found) == len(periods) == 71
    assert all(start.tzinfo is not None and start.utcoffset() == timedelta(0) for _, _, start, _ in found)
    assert ("cy@example.com on call", "2026-03-03T20:00:00Z", "2026-03-04T08:00:00Z") in as_api
    assert len({uid for uid, *_ in found}) == len(found)


def test_event_uids_stay_the_same_from_one_download_to_the_next(api, http, ops, frozen_clock):
    path = new_feed(api, f"/v2/schedules/{ops}/calendar-feed")
    before = {(start, end): uid for uid, _, start, end in events(http, path)}
    frozen_clock.advance(timedelta(hours=30))
    after = {(start, end): uid for uid, _, start, end in events(http, path)}
    shared = before.keys() & after.keys()
    assert len(shared) > 60 and all(before[key] == after[key] for key in shared)


def test_user_feed_has_that_users_shifts_in_every_schedule(api, http, ops):
    other = {
        "name": "weekend_schedule",
        "rotations": [
            {
                "startDate": "2026-03-07T00:00:00Z",
                "type": "daily",
                "length": 2,
                "participants": [{"type": "user", "username": "ada@example.com"}],
            }
        ],
    }
    assert api.post("/v2/schedules", json=other).status_code == 201
    found = events(http, new_feed(api, "/v2/users/ada@example.com/calendar-feed"))
    summaries = {summary for _, summary, _, _ in found}
    assert summaries == {"On call: ops_schedule", "On call: weekend_schedule"}
    assert (datetime(2026, 3, 3, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC)) not in {
        (s, e) for _, _, s, e in found
    }


def test_feeds_work_until_revoked_and_store_only_a_hash(api, http, db, ops):
    first = new_feed(api, f"/v2/schedules/{ops}/calendar-feed")
    second = new_feed(api, f"/v2/schedules/{ops}/calendar-feed")
    token = first.removeprefix("/calendar/").removesuffix(".ics")
    with db.read_session() as session:
        stored = set(session.scalars(select(CalendarFeed.token_hash)))
    assert hash_key(token) in stored and token not in stored
    assert http.get(first).status_code == 200 and http.get(second).status_code == 200
    revoked = api.request("DELETE", f"/v2/schedules/{ops}/calendar-feed")
    assert revoked.status_code == 200 and revoked.json()["data"] == {"revoked": 2}
    for path in (first, second, "/calendar/made-up.ics"):
        response = http.get(path)
        assert response.status_code == 404 and "message" in response.json()


def test_user_feeds_are_revoked_and_guarded(api, http, db, ops):
    path = new_feed(api, "/v2/users/bob@example.com/calendar-feed")
    make_team(db, "db_team", "cy@example.com")
    _, db_key = make_integration(db, "db-monitor", team="db_team")
    outsider = ApiClient(http, db_key)
    assert outsider.post("/v2/users/bob@example.com/calendar-feed").status_code == 403
    assert outsider.post("/v2/users/cy@example.com/calendar-feed").status_code == 201  # a member of its team
    assert outsider.post(f"/v2/schedules/{ops}/calendar-feed").status_code == 403
    assert api.post("/v2/users/nobody@example.com/calendar-feed").status_code == 404
    assert api.request("DELETE", "/v2/users/bob@example.com/calendar-feed").json()["data"] == {"revoked": 1}
    assert http.get(path).status_code == 404
