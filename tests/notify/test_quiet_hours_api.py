"""PUT|GET|DELETE /v2/users/{identifier}/quiet-hours, with the same rights as mute."""

from __future__ import annotations

import pytest

QUIET = "/v2/users/ann@example.com/quiet-hours"


def test_quiet_hours_are_set_shown_and_cleared(api, cast):
    assert api.data(QUIET) == {"enabled": False, "timeZone": "UTC"}

    done = api.request("PUT", QUIET, json={"start": "22:00", "end": "7:00"})

    assert done.status_code == 200, done.text
    assert done.json()["result"] == "Updated"
    assert api.data(QUIET) == {"enabled": True, "start": "22:00", "end": "07:00", "timeZone": "UTC"}
    cleared = api.delete(QUIET)
    assert cleared.status_code == 200 and cleared.json()["data"]["enabled"] is False
    assert api.data(QUIET)["enabled"] is False


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            {"start": "24:00", "end": "07:00"},
            "start",
            "start must be a time of day as HH:MM (24-hour clock), got '24:00'",
        ),
        (
            {"start": "22:00", "end": "7pm"},
            "end",
            "end must be a time of day as HH:MM (24-hour clock), got '7pm'",
        ),
        (
            {"start": "22:00", "end": "22:00"},
            "end",
            "end must differ from start (quiet hours of no length or of a whole day)",
        ),
        ({"start": "22:00"}, "end", "Field required"),
    ],
    ids=["hour-24", "not-a-time", "no-length", "no-end"],
)
def test_bad_quiet_hours_are_422s_naming_the_field(api, cast, payload, field, message):
    refused = api.request("PUT", QUIET, json=payload)

    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"] == {field: message}
    assert api.data(QUIET)["enabled"] is False


def test_only_those_who_may_change_a_person_set_their_quiet_hours(integration_key, cast):
    ops_key = integration_key("ops monitor", team="ops")
    refused = ops_key.request(
        "PUT", "/v2/users/bob@example.com/quiet-hours", json={"start": "22:00", "end": "07:00"}
    )
    assert refused.status_code == 403
    assert refused.json()["message"] == "ops monitor may not change the quiet hours of bob@example.com"
