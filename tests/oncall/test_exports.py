"""Opsgenie's schedule exports, read with a key: GET /v2/schedules/{identifier}.ics and
GET /v2/schedules/on-calls/{user}.ics give the same calendars as the subscribed feeds."""

from __future__ import annotations

from tests.oncall.test_feeds import events, new_feed, ops  # noqa: F401  (fixture)


def test_a_schedule_exports_by_id_and_by_name_as_its_feed_shows_it(api, http, ops):  # noqa: F811
    feed = events(http, new_feed(api, f"/v2/schedules/{ops}/calendar-feed"))
    by_id = events(api, f"/v2/schedules/{ops}.ics")
    by_name = events(api, "/v2/schedules/ops_schedule.ics?identifierType=name")
    assert by_id == by_name == feed and len(feed) == 71


def test_a_person_exports_their_shifts(api, http, ops):  # noqa: F811
    feed = events(http, new_feed(api, "/v2/users/cy@example.com/calendar-feed"))
    exported = events(api, "/v2/schedules/on-calls/cy@example.com.ics")
    assert exported == feed and [summary for _, summary, _, _ in exported] == ["On call: ops_schedule"]


def test_exports_need_a_key_and_name_what_is_missing(api, http, ops):  # noqa: F811
    assert http.get(f"/v2/schedules/{ops}.ics").status_code == 401
    missing = api.get("/v2/schedules/nobody.ics?identifierType=name")
    assert missing.status_code == 404 and "nobody" in missing.json()["message"]
    assert api.get("/v2/schedules/on-calls/ghost@example.com.ics").status_code == 404
    # The schedule itself still reads as JSON.
    assert api.get(f"/v2/schedules/{ops}").json()["data"]["name"] == "ops_schedule"
