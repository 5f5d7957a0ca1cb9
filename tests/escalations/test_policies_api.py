"""The /v2/escalations API: Opsgenie shapes, 422s naming the field, team defaults, and who may
configure what."""

from __future__ import annotations

import pytest

from tests.escalations.conftest import create, escalation, rule, to

BY_NAME = {"params": {"identifierType": "name"}}


def _teams(api) -> dict[str, str]:
    return {team["name"]: team["id"] for team in api.data("/v2/teams")}


def _recipient(kind: str, ident: str, name: str) -> dict[str, str]:
    return {"type": kind, "id": ident, ("username" if kind == "user" else "name"): name}


def _shown(condition: str, notify_type: str, minutes: int, recipient: dict[str, str]) -> dict:
    return {
        "condition": condition,
        "notifyType": notify_type,
        "delay": {"timeAmount": minutes, "timeUnit": "minutes"},
        "recipient": recipient,
    }


def test_every_recipient_kind_is_created_and_shown_with_ids_names_and_minutes(api, cast, schedules):
    team = _teams(api)
    created = api.post(
        "/v2/escalations",
        json=escalation(
            "Ops Escalation",
            to("ann"),
            rule("user", delay=2, unit="hours", condition="if-not-closed", id=cast["bob"]),
            rule("team", delay=1, unit="days", name="ops"),
            rule("team", "users", 5, name="OPS"),
            rule("team", "admins", 10, id=team["db"]),
            rule("schedule", delay=15, name="ops_schedule"),
            rule("schedule", "next", 20, name="Night Watch"),
            rule("schedule", "previous", 30, id=schedules["night watch"]),
            description="wake people up",
            ownerTeam={"name": "ops"},
            repeat={"waitInterval": 10, "count": 2, "resetRecipientStates": True, "closeAlertAfterAll": True},
        ),
    )
    assert created.status_code == 201, created.text
    policy_id = created.json()["data"]["id"]
    assert created.json()["result"] == "Created"
    assert created.json()["data"] == {"id": policy_id, "name": "Ops Escalation"}

    night, ops_schedule = schedules["night watch"], schedules["ops_schedule"]
    expected = {
        "id": policy_id,
        "name": "Ops Escalation",
        "description": "wake people up",
        "teamDefault": False,
        "ownerTeam": {"id": team["ops"], "name": "ops"},
        "rules": [
            _shown("if-not-acked", "default", 0, _recipient("user", cast["ann"], "ann@example.com")),
            _shown("if-not-closed", "default", 120, _recipient("user", cast["bob"], "bob@example.com")),
            _shown("if-not-acked", "default", 1440, _recipient("team", team["ops"], "ops")),
            _shown("if-not-acked", "users", 5, _recipient("team", team["ops"], "ops")),
            _shown("if-not-acked", "admins", 10, _recipient("team", team["db"], "db")),
            _shown("if-not-acked", "default", 15, _recipient("schedule", ops_schedule, "ops_schedule")),
            _shown("if-not-acked", "next", 20, _recipient("schedule", night, "night watch")),
            _shown("if-not-acked", "previous", 30, _recipient("schedule", night, "night watch")),
        ],
        "repeat": {"waitInterval": 10, "count": 2, "resetRecipientStates": True, "closeAlertAfterAll": True},
    }
    assert api.data(f"/v2/escalations/{policy_id}") == expected
    assert api.data("/v2/escalations/ops escalation", **BY_NAME) == expected
    assert api.data("/v2/escalations") == [expected]


def test_list_is_ordered_by_name_and_shows_repeat_settings_even_without_repeats(api, cast):
    create(api, escalation("b-second", repeat={"count": 0, "closeAlertAfterAll": True}))
    create(api, escalation("A first"))
    listed = api.data("/v2/escalations")
    assert [policy["name"] for policy in listed] == ["A first", "b-second"]
    assert [policy["repeat"] for policy in listed] == [
        {"waitInterval": 0, "count": 0, "resetRecipientStates": False, "closeAlertAfterAll": False},
        {"waitInterval": 0, "count": 0, "resetRecipientStates": False, "closeAlertAfterAll": True},
    ]
    assert "ownerTeam" not in listed[0]


def test_patch_and_put_change_what_is_given_and_delete_removes_it(api, cast, schedules):
    team = _teams(api)
    policy_id = create(api, escalation("first", to("ann", 5), ownerTeam={"name": "ops"}))
    updated = api.patch(
        "/v2/escalations/FIRST",
        **BY_NAME,
        json={
            "name": "renamed",
            "description": "now with a schedule",
            "ownerTeam": {"id": team["db"]},
            "rules": [rule("schedule", "next", 3, unit="hours", name="ops_schedule"), to("bob")],
            "repeat": {"waitInterval": 30, "count": 1},
        },
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["result"] == "Updated"
    assert updated.json()["data"] == {"id": policy_id, "name": "renamed"}
    shown = api.data(f"/v2/escalations/{policy_id}")
    assert (shown["name"], shown["description"], shown["ownerTeam"]) == (
        "renamed",
        "now with a schedule",
        {"id": team["db"], "name": "db"},
    )
    assert [(r["recipient"]["type"], r["notifyType"], r["delay"]["timeAmount"]) for r in shown["rules"]] == [
        ("schedule", "next", 180),
        ("user", "default", 0),
    ]
    assert shown["repeat"] == {
        "waitInterval": 30,
        "count": 1,
        "resetRecipientStates": False,
        "closeAlertAfterAll": False,
    }

    put = api.request("PUT", f"/v2/escalations/{policy_id}", json={"ownerTeam": None, "repeat": None})
    assert put.status_code == 200, put.text
    shown = api.data(f"/v2/escalations/{policy_id}")
    assert "ownerTeam" not in shown and shown["repeat"]["count"] == 0
    assert (shown["name"], len(shown["rules"])) == ("renamed", 2)  # what was not given stays

    deleted = api.delete(f"/v2/escalations/{policy_id}")
    assert deleted.status_code == 200 and deleted.json()["result"] == "Deleted"
    assert api.get(f"/v2/escalations/{policy_id}").status_code == 404
    assert api.data("/v2/escalations") == []


def test_a_change_of_case_only_renames(api, cast):
    policy_id = create(api, escalation("ops escalation"))
    assert api.patch(f"/v2/escalations/{policy_id}", json={"name": "Ops Escalation"}).status_code == 200
    assert api.data(f"/v2/escalations/{policy_id}")["name"] == "Ops Escalation"


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (escalation("x", to("ann"), to("ghost")), "rules[1].recipient", "user 'ghost@example.com' does not"),
        (escalation("x", rule("team", name="nope")), "rules[0].recipient", "team 'nope' does not exist"),
        (escalation("x", rule("schedule", name="nope")), "rules[0].recipient", "schedule 'nope' does not"),
        (escalation("x", rule("schedule", id="no-such-id")), "rules[0].recipient", "'no-such-id' does not"),
        (escalation("x", rule("user")), "rules[0].recipient", "give an id, a name or a username"),
        (escalation("x", rule("escalation", name="x")), "rules[0].recipient.type", "Input should be"),
        (escalation("x", to("ann", condition="if-not-seen")), "rules[0].condition", "Input should be"),
        (escalation("x", rule("user", "next", username="ann@example.com")), "rules[0].notifyType", "default"),
        (escalation("x", rule("team", "previous", name="ops")), "rules[0].notifyType", "admins, default"),
        (escalation("x", rule("schedule", "admins", name="night watch")), "rules[0].notifyType", "next"),
        (escalation("x", to("ann", -1)), "rules[0].delay.timeAmount", "greater than or equal to 0"),
        (escalation("x", to("ann", 8, unit="days")), "rules[0].delay", "at most 7 days"),
        (escalation("x", to("ann", 1, unit="weeks")), "rules[0].delay.timeUnit", "Input should be"),
        (escalation("x", *[to("ann")] * 21), "rules", "at most 20 items"),
        ({"name": "x", "rules": []}, "rules", "at least 1 item"),
        ({"name": "x"}, "rules", "Field required"),
        (escalation("x", repeat={"count": 21}), "repeat.count", "less than or equal to 20"),
        (escalation("x", teamDefault=True), "teamDefault", "only an escalation with an ownerTeam"),
        (escalation("x", ownerTeam={"name": "nope"}), "ownerTeam", "team 'nope' does not exist"),
        (escalation("   "), "name", "at least 1 character"),
    ],
    ids=[
        "unknown-user",
        "unknown-team",
        "unknown-schedule",
        "unknown-schedule-id",
        "recipient-without-identifier",
        "recipient-type",
        "condition",
        "notify-type-of-user",
        "notify-type-of-team",
        "notify-type-of-schedule",
        "negative-delay",
        "delay-over-a-week",
        "time-unit",
        "too-many-rules",
        "no-rules",
        "rules-missing",
        "too-many-repeats",
        "team-default-without-team",
        "unknown-owner-team",
        "blank-name",
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_creates_nothing(
    api, cast, schedules, payload, field, message
):
    response = api.post("/v2/escalations", json=payload)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"], response.json()
    assert message in response.json()["errors"][field]
    assert api.data("/v2/escalations") == []


def test_a_rejected_patch_leaves_the_policy_as_it_was(api, cast):
    policy_id = create(api, escalation("steady", to("ann", 5), description="as it was"))
    before = api.data(f"/v2/escalations/{policy_id}")
    response = api.patch(
        f"/v2/escalations/{policy_id}",
        json={"description": "changed", "repeat": {"count": 3}, "rules": [to("bob"), to("ghost")]},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"rules[1].recipient": "user 'ghost@example.com' does not exist"}
    assert api.data(f"/v2/escalations/{policy_id}") == before


def test_names_are_unique_whatever_the_case_and_unknown_escalations_are_404s(api, cast):
    create(api, escalation("Ops Escalation"))
    other = create(api, escalation("other"))
    duplicate = api.post("/v2/escalations", json=escalation("ops escalation"))
    assert duplicate.status_code == 409
    assert duplicate.json()["message"] == "an escalation named 'Ops Escalation' already exists"
    renamed = api.patch(f"/v2/escalations/{other}", json={"name": " OPS ESCALATION "})
    assert renamed.status_code == 409 and api.data(f"/v2/escalations/{other}")["name"] == "other"

    for method in ("GET", "PATCH", "PUT", "DELETE"):
        missing = api.request(method, "/v2/escalations/nope", json={"description": "x"})
        assert missing.status_code == 404, (method, missing.text)
        assert missing.json()["message"] == "no escalation 'nope'"
    assert api.get("/v2/escalations/Nope", **BY_NAME).status_code == 404


def test_a_team_has_one_default_and_a_moved_policy_stops_being_it(api, cast):
    def defaults() -> dict[str, bool]:
        return {policy["name"]: policy["teamDefault"] for policy in api.data("/v2/escalations")}

    first = create(api, escalation("first", ownerTeam={"name": "ops"}, teamDefault=True))
    create(api, escalation("second", ownerTeam={"name": "ops"}, teamDefault=True))
    create(api, escalation("db's", ownerTeam={"name": "db"}, teamDefault=True))
    assert defaults() == {"db's": True, "first": False, "second": True}

    assert api.patch(f"/v2/escalations/{first}", json={"teamDefault": True}).status_code == 200
    assert defaults() == {"db's": True, "first": True, "second": False}

    assert api.patch(f"/v2/escalations/{first}", json={"ownerTeam": {"name": "db"}}).status_code == 200
    assert defaults() == {"db's": True, "first": False, "second": False}

    unowned = create(api, escalation("unowned"))
    refused = api.patch(f"/v2/escalations/{unowned}", json={"teamDefault": True})
    assert refused.status_code == 422 and "teamDefault" in refused.json()["errors"]


def test_account_keys_need_the_configuration_right_and_the_right_for_the_operation(account_key, api, cast):
    policy_id = create(api, escalation("existing"))
    no_configuration = account_key("read", "create-update", "delete")
    for method, path in (
        ("GET", "/v2/escalations"),
        ("POST", "/v2/escalations"),
        ("DELETE", f"/v2/escalations/{policy_id}"),
    ):
        refused = no_configuration.request(method, path, json=escalation("new"))
        assert refused.status_code == 403 and refused.json()["code"] == 40301
        assert "lacks the configuration access right" in refused.json()["message"]

    reader = account_key("configuration", "read")
    assert [policy["name"] for policy in reader.data("/v2/escalations")] == ["existing"]
    for method, path, right in (
        ("POST", "/v2/escalations", "create-update"),
        ("PATCH", f"/v2/escalations/{policy_id}", "create-update"),
        ("DELETE", f"/v2/escalations/{policy_id}", "delete"),
    ):
        refused = reader.request(method, path, json=escalation("new"))
        assert refused.status_code == 403, (method, refused.text)
        assert f"lacks the {right} access right" in refused.json()["message"]
    assert [policy["name"] for policy in api.data("/v2/escalations")] == ["existing"]


def test_a_team_key_configures_and_sees_its_own_teams_escalations_only(api, integration_key, cast):
    theirs = create(api, escalation("db escalation", ownerTeam={"name": "db"}))
    unowned = create(api, escalation("unowned"))
    ops_key = integration_key("ops monitor", team="ops")
    ours = create(ops_key, escalation("ops escalation", ownerTeam={"name": "ops"}, teamDefault=True))
    assert ops_key.patch(f"/v2/escalations/{ours}", json={"rules": [to("lead")]}).status_code == 200
    assert [policy["name"] for policy in ops_key.data("/v2/escalations")] == ["ops escalation"]

    for method, path, payload, message in (
        ("POST", "", escalation("more", ownerTeam={"name": "db"}), "this escalation"),
        ("POST", "", escalation("more"), "this escalation"),
        ("PATCH", f"/{theirs}", {"description": "mine"}, "escalation db escalation"),
        ("PATCH", f"/{unowned}", {"description": "mine"}, "escalation unowned"),
        ("DELETE", f"/{theirs}", None, "escalation db escalation"),
        ("PATCH", f"/{ours}", {"ownerTeam": {"name": "db"}}, "escalations of that team"),
        ("PATCH", f"/{ours}", {"ownerTeam": None}, "escalations of that team"),
        ("GET", f"/{theirs}", None, None),
    ):
        refused = ops_key.request(method, f"/v2/escalations{path}", json=payload)
        assert refused.status_code == 403, (method, path, refused.text)
        if message:
            assert refused.json()["message"] == f"ops monitor may not change {message}"
    assert api.data(f"/v2/escalations/{theirs}")["description"] == ""
    assert api.data(f"/v2/escalations/{ours}")["ownerTeam"]["name"] == "ops"
    assert ops_key.delete(f"/v2/escalations/{ours}").status_code == 200
