"""/v2/policies: Opsgenie shapes, order, enable/disable, who may change what, and bad input
refused with a clear message and nothing stored."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.conftest import TAGGED_DB, alert_policy, create, for_duration, notification_policy, when


def _team_ids(api) -> dict[str, str]:
    return {team["name"]: team["id"] for team in api.data("/v2/teams")}


def _names(api, kind: str = "alert", team: str | None = None) -> list[str]:
    listed = api.data(f"/v2/policies/{kind}", params={"teamId": team} if team else {})
    assert [policy["order"] for policy in listed] == list(range(len(listed)))
    return [policy["name"] for policy in listed]


def test_alert_policy_is_created_listed_and_shown_in_opsgenie_shape(api, cast):
    created = api.post(
        "/v2/policies",
        json=alert_policy("raise db", TAGGED_DB, priority="P1", policyDescription="db pages are urgent"),
    )
    assert created.status_code == 201, created.text
    assert created.json()["result"] == "Created"
    policy_id = created.json()["data"]["id"]
    assert created.json()["data"] == {"id": policy_id, "name": "raise db"}

    assert api.data("/v2/policies/alert") == [
        {"id": policy_id, "name": "raise db", "type": "alert", "order": 0, "enabled": True}
    ]
    assert api.data("/v2/policies/notification") == []
    assert api.data(f"/v2/policies/{policy_id}") == {
        "id": policy_id,
        "name": "raise db",
        "type": "alert",
        "policyDescription": "db pages are urgent",
        "teamId": None,
        "enabled": True,
        "order": 0,
        "filter": {
            "type": "match-all-conditions",
            "conditions": [
                {"field": "tags", "not": False, "operation": "contains", "expectedValue": "db", "order": 0}
            ],
        },
        "priority": "P1",
    }


def test_notification_policy_shows_its_actions(api, cast):
    policy_id = create(
        api,
        notification_policy(
            "night",
            suppress=False,
            delayAction={"delayOption": "for-duration", "duration": for_duration(30)},
            autoCloseAction={"duration": for_duration(1, "days")},
            timeRestrictions={
                "type": "time-of-day",
                "restriction": {"startHour": 22, "startMin": 0, "endHour": 6, "endMin": 0},
            },
        ),
    )
    shown = api.data(f"/v2/policies/{policy_id}")
    assert shown["delayAction"] == {"delayOption": "for-duration", "duration": for_duration(30)}
    assert shown["autoCloseAction"] == {"duration": for_duration(1, "days")}
    assert shown["timeRestrictions"]["timeZone"] == "UTC"
    assert "suppress" not in shown


def test_team_policies_are_listed_with_the_team_and_kept_apart_from_global_ones(api, cast):
    ops = _team_ids(api)["ops"]
    create(api, alert_policy("global one", priority="P2"))
    team_policy = create(api, alert_policy("ops one", priority="P2"), team=ops)
    create(api, alert_policy("same name in db", priority="P2"), team="db")  # a name works too

    assert _names(api) == ["global one"]
    assert _names(api, team=ops) == ["ops one"]
    assert api.data(f"/v2/policies/{team_policy}", params={"teamId": ops})["teamId"] == ops
    assert api.get(f"/v2/policies/{team_policy}", params={"teamId": _team_ids(api)["db"]}).status_code == 404


def test_names_are_unique_per_team_ignoring_case(api, cast):
    create(api, alert_policy("Raise DB", priority="P1"))
    again = api.post("/v2/policies", json=alert_policy("raise db", priority="P2"))
    assert again.status_code == 409
    assert "a policy named 'Raise DB' already exists in global policies" in again.json()["message"]
    create(api, alert_policy("raise db", priority="P2"), team="ops")  # another scope: fine


def test_enable_disable_and_change_order(api, cast):
    first, second, third = (create(api, alert_policy(name, priority="P2")) for name in ("a", "b", "c"))

    disabled = api.post(f"/v2/policies/{second}/disable")
    assert disabled.status_code == 200 and disabled.json()["result"] == "Disabled"
    assert [p["enabled"] for p in api.data("/v2/policies/alert")] == [True, False, True]
    assert api.post(f"/v2/policies/{second}/enable").json()["data"]["enabled"] is True

    moved = api.post(f"/v2/policies/{third}/change-order", json={"targetIndex": 0})
    assert moved.status_code == 200, moved.text
    assert _names(api) == ["c", "a", "b"]
    api.post(f"/v2/policies/{third}/change-order", json={"targetIndex": 2})
    assert _names(api) == ["a", "b", "c"]

    too_far = api.post(f"/v2/policies/{first}/change-order", json={"targetIndex": 3})
    assert too_far.status_code == 422
    assert "targetIndex must be from 0 to 2" in too_far.json()["message"]

    assert api.delete(f"/v2/policies/{first}").status_code == 200
    assert _names(api) == ["b", "c"]
    assert api.get(f"/v2/policies/{first}").status_code == 404


def test_put_replaces_the_policy_but_keeps_its_place(api, cast):
    create(api, alert_policy("first", priority="P2"))
    policy_id = create(api, alert_policy("second", priority="P2"))

    replaced = api.request(
        "PUT",
        f"/v2/policies/{policy_id}",
        json=alert_policy("renamed", when("message", "contains", "disk"), message="Disk!"),
    )
    assert replaced.status_code == 200, replaced.text

    shown = api.data(f"/v2/policies/{policy_id}")
    assert (shown["name"], shown["order"], shown["message"]) == ("renamed", 1, "Disk!")
    assert "priority" not in shown
    to_notification = api.request(
        "PUT", f"/v2/policies/{policy_id}", json=notification_policy("x", suppress=True)
    )
    assert to_notification.status_code == 422
    assert "its type cannot change" in to_notification.json()["message"]


def _refused(api, payload: dict[str, Any], status: int = 422) -> str:
    response = api.post("/v2/policies", json=payload)
    assert response.status_code == status, response.text
    assert api.data("/v2/policies/alert") == [] and api.data("/v2/policies/notification") == []
    return str(response.json()["message"])


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            alert_policy("x", when("colour", "equals", "red"), priority="P1"),
            "filter.conditions[0].field: unknown field 'colour'; allowed: message, alias, description",
        ),
        (
            alert_policy("x", when("message", "sounds-like", "disk"), priority="P1"),
            "filter.conditions[0].operation: unknown operation 'sounds-like'; allowed: equals, contains",
        ),
        (
            alert_policy("x", when("message", "matches", "(a+)+$"), priority="P1"),
            "filter.conditions[0].expectedValue: nested repetition can take exponential time",
        ),
        (
            alert_policy("x", when("tags", "greater-than", "P2"), priority="P1"),
            "filter.conditions[0].operation: greater-than does not apply to field tags",
        ),
        (alert_policy("x", message="{{colour}} alert"), "message: unknown placeholder {{colour}}; allowed:"),
        (alert_policy("x", tags=["{{nope}}"]), "tags[0]: unknown placeholder {{nope}}"),
        (
            alert_policy("x", responders=[{"type": "team", "name": "nobody"}]),
            "responders: team 'nobody' does not",
        ),
        (alert_policy("x"), "an alert policy must change something"),
        (alert_policy("x", priority="P1", suppress=True), "suppress belongs to notification policies"),
        (notification_policy("x"), "a notification policy must do something"),
        (notification_policy("x", priority="P1", suppress=True), "priority belongs to alert policies"),
        (
            notification_policy("x", autoRestartAction={"duration": for_duration(5)}),
            "autoRestartAction is not supported by Tocsin",
        ),
        (notification_policy("x", deduplicationAction={"count": 2}), "deduplicationAction is not supported"),
        (
            notification_policy(
                "x", delayAction={"delayOption": "next-weekday", "duration": for_duration(5)}
            ),
            "delayAction.delayOption",
        ),
        (notification_policy("x", autoCloseAction={"duration": for_duration(0)}), "autoCloseAction.duration"),
        (
            notification_policy("x", suppress=True, timeRestrictions={"type": "sometimes"}),
            "timeRestriction.type: type must be one of time-of-day",
        ),
        (
            notification_policy(
                "x",
                suppress=True,
                timeRestrictions={
                    "type": "time-of-day",
                    "timeZone": "Mars/Base",
                    "restriction": {"startHour": 1, "endHour": 2},
                },
            ),
            "timeRestrictions.timeZone: unknown time zone 'Mars/Base'",
        ),
        ({**alert_policy("x", priority="P1"), "colour": "red"}, "colour: Extra inputs are not permitted"),
        (
            {**alert_policy("x", priority="P1"), "type": "modify"},
            "type: Input should be 'alert' or 'notification'",
        ),
    ],
)
def test_bad_policy_is_refused_with_a_clear_message_and_nothing_stored(api, cast, payload, message):
    assert message in _refused(api, payload)


def test_policy_for_an_unknown_team_is_refused(api, cast):
    response = api.post("/v2/policies", json=alert_policy("x", priority="P1"), params={"teamId": "nope"})
    assert response.status_code == 422
    assert response.json()["message"] == "teamId: team 'nope' does not exist"


def test_team_admins_manage_their_teams_policies_only(api, cast, db, account_key, integration_key):
    reader = account_key("read")
    refused = reader.post("/v2/policies", json=alert_policy("x", priority="P1"))
    assert refused.status_code == 403

    ops_key = integration_key("ops alerts", team="ops")
    ops = _team_ids(api)["ops"]
    created = ops_key.post("/v2/policies", json=alert_policy("ops", priority="P1"), params={"teamId": ops})
    global_try = ops_key.post("/v2/policies", json=alert_policy("global", priority="P1"))
    db_try = ops_key.post("/v2/policies", json=alert_policy("db", priority="P1"), params={"teamId": "db"})
    assert created.status_code == 201, created.text
    assert global_try.status_code == 403 and db_try.status_code == 403
    assert "may not change global policies" in global_try.json()["message"]
