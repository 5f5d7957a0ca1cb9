"""The /v2/teams API: Opsgenie shapes, JSON errors, and a team key that configures only its team."""

from __future__ import annotations

import pytest


def test_create_get_list_update_and_delete(api, cast):
    created = api.post(
        "/v2/teams",
        json={
            "name": "web",
            "description": "the shop",
            "members": [
                {"user": {"username": "eve@example.com"}, "role": "admin"},
                {"user": {"id": cast["bob"]}},
            ],
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["result"] == "Created"
    team_id = created.json()["data"]["id"]
    assert created.json()["data"] == {"id": team_id, "name": "web"}

    expected = {
        "id": team_id,
        "name": "web",
        "description": "the shop",
        "members": [
            {"user": {"id": cast["bob"], "username": "bob@example.com"}, "role": "user"},
            {"user": {"id": cast["eve"], "username": "eve@example.com"}, "role": "admin"},
        ],
    }
    assert api.data(f"/v2/teams/{team_id}") == expected
    assert api.data("/v2/teams/WEB", params={"identifierType": "name"}) == expected
    assert [(team["name"], team["description"]) for team in api.data("/v2/teams")] == [
        ("db", ""),
        ("ops", ""),
        ("web", "the shop"),
    ]

    updated = api.patch(
        "/v2/teams/web",
        params={"identifierType": "name"},
        json={
            "name": "shop",
            "description": "sells",
            "members": [{"user": {"username": "ann@example.com"}, "role": "user"}],
        },
    )
    assert updated.status_code == 200 and updated.json()["result"] == "Updated"
    assert updated.json()["data"] == {"id": team_id, "name": "shop"}
    shop = api.data(f"/v2/teams/{team_id}")
    assert (shop["name"], shop["description"]) == ("shop", "sells")
    assert shop["members"] == [{"user": {"id": cast["ann"], "username": "ann@example.com"}, "role": "user"}]

    deleted = api.delete(f"/v2/teams/{team_id}")
    assert deleted.status_code == 200 and deleted.json()["result"] == "Deleted"
    assert api.get(f"/v2/teams/{team_id}").status_code == 404


def test_members_are_added_and_removed_by_id_or_username(api, cast):
    added = api.post(
        "/v2/teams/ops/members",
        params={"teamIdentifierType": "name"},
        json={"user": {"username": "eve@example.com"}, "role": "admin"},
    )
    assert added.status_code == 200 and added.json()["result"] == "Added"
    ops_id = added.json()["data"]["id"]
    assert api.post(f"/v2/teams/{ops_id}/members", json={"user": {"id": cast["bob"]}}).status_code == 200
    roles = {m["user"]["username"]: m["role"] for m in api.data(f"/v2/teams/{ops_id}")["members"]}
    assert roles == {
        "ann@example.com": "user",
        "bob@example.com": "user",
        "eve@example.com": "admin",
        "lead@example.com": "admin",
    }

    removed = api.delete(f"/v2/teams/{ops_id}/members/{cast['bob']}")
    assert removed.status_code == 200 and removed.json()["result"] == "Removed"
    assert (
        api.delete("/v2/teams/ops/members/eve@example.com", params={"teamIdentifierType": "name"}).status_code
        == 200
    )
    assert {m["user"]["username"] for m in api.data(f"/v2/teams/{ops_id}")["members"]} == {
        "ann@example.com",
        "lead@example.com",
    }
    unknown = api.post(f"/v2/teams/{ops_id}/members", json={"user": {"username": "ghost@example.com"}})
    assert unknown.status_code == 422 and unknown.json()["errors"] == {"user": "no user ghost@example.com"}
    again = api.delete(f"/v2/teams/{ops_id}/members/eve@example.com")
    assert (
        again.status_code == 404
        and again.json()["message"] == "user eve@example.com is not a member of team ops"
    )


def test_missing_teams_and_users_are_404s(api, cast):
    for method, path in (
        ("GET", "/v2/teams/nope"),
        ("PATCH", "/v2/teams/nope"),
        ("DELETE", "/v2/teams/nope"),
        ("POST", "/v2/teams/nope/members"),
    ):
        response = api.request(method, path, json={"user": {"username": "ann@example.com"}})
        assert response.status_code == 404, (method, response.text)
        assert response.json()["message"] == "team with id 'nope' does not exist"
    by_name = api.get("/v2/teams/nope", params={"identifierType": "name"})
    assert by_name.json()["message"] == "team with name 'nope' does not exist"
    gone = api.delete("/v2/teams/ops/members/ghost@example.com", params={"teamIdentifierType": "name"})
    assert gone.status_code == 404 and gone.json()["message"] == "user 'ghost@example.com' does not exist"


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"name": ""}, "name", "name: String should have at least 1 character"),
        ({"name": "web", "members": [{"user": {}}]}, "members[0].user", "give the user's id or username"),
        (
            {"name": "web", "members": [{"user": {"id": "x"}, "role": "boss"}]},
            "members[0].role",
            "Input should be",
        ),
        (
            {
                "name": "web",
                "members": [
                    {"user": {"username": "ann@example.com"}},
                    {"user": {"username": "ghost@example.com"}},
                ],
            },
            "members[1]",
            "members[1]: no user ghost@example.com",
        ),
    ],
    ids=["empty-name", "member-without-identifier", "member-role", "unknown-member"],
)
def test_bad_input_is_a_422_naming_the_field_and_creates_no_team(api, cast, payload, field, message):
    response = api.post("/v2/teams", json=payload)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"] and message in response.json()["message"]
    assert [team["name"] for team in api.data("/v2/teams")] == ["db", "ops"]


def test_a_rejected_member_list_leaves_the_team_as_it_was(api, cast):
    response = api.patch(
        "/v2/teams/ops",
        params={"identifierType": "name"},
        json={
            "description": "changed",
            "members": [
                {"user": {"username": "eve@example.com"}},
                {"user": {"username": "ghost@example.com"}},
            ],
        },
    )
    assert response.status_code == 422 and response.json()["errors"] == {
        "members[1]": "no user ghost@example.com"
    }
    ops = api.data("/v2/teams/ops", params={"identifierType": "name"})
    assert ops["description"] == ""
    assert {m["user"]["username"] for m in ops["members"]} == {"ann@example.com", "lead@example.com"}


def test_a_team_is_found_by_its_name_in_any_case_and_any_language(api, cast):
    team_id = api.post("/v2/teams", json={"name": "ÉQUIPE"}).json()["data"]["id"]

    by_name = {"identifierType": "name"}
    assert api.data("/v2/teams/équipe", params=by_name)["id"] == team_id
    assert api.data("/v2/teams/%C3%89quipe", params=by_name)["id"] == team_id
    renamed = api.patch("/v2/teams/équipe", params=by_name, json={"description": "nord"})
    assert renamed.status_code == 200, renamed.text
    duplicate = api.post("/v2/teams", json={"name": "équipe"})
    assert duplicate.status_code == 409 and duplicate.json()["message"] == "team ÉQUIPE already exists"
    assert [team["name"] for team in api.data("/v2/teams")] == ["db", "ops", "ÉQUIPE"]


def test_conflicts_are_409s_naming_what_is_in_the_way(api, integration_key, cast):
    duplicate = api.post("/v2/teams", json={"name": "OPS"})
    assert duplicate.status_code == 409 and duplicate.json()["message"] == "team ops already exists"
    integration_key("ops monitor", team="ops")
    refused = api.delete("/v2/teams/ops", params={"identifierType": "name"})
    assert refused.status_code == 409
    assert (
        refused.json()["message"]
        == "team ops owns integration(s) 'ops monitor'; delete them or give them another team first"
    )
    assert api.get("/v2/teams/ops", params={"identifierType": "name"}).status_code == 200


def test_a_team_integration_key_configures_its_own_team_only(api, integration_key, cast):
    ops_key = integration_key("ops monitor", team="ops")
    ops = {"params": {"identifierType": "name"}}
    assert ops_key.patch("/v2/teams/ops", json={"description": "ours"}, **ops).status_code == 200
    assert (
        ops_key.post(
            "/v2/teams/ops/members", json={"user": {"username": "eve@example.com"}}, **ops
        ).status_code
        == 200
    )
    assert (
        ops_key.delete(
            "/v2/teams/ops/members/eve@example.com", params={"teamIdentifierType": "name"}
        ).status_code
        == 200
    )
    assert ops_key.get("/v2/teams").status_code == 200

    for method, path, payload in (
        ("PATCH", "/v2/teams/db", {"description": "theirs"}),
        ("POST", "/v2/teams/db/members", {"user": {"username": "eve@example.com"}}),
        ("DELETE", "/v2/teams/db/members/bob@example.com", None),
        ("DELETE", "/v2/teams/db", None),
    ):
        refused = ops_key.request(method, path, json=payload, params={"identifierType": "name"})
        assert refused.status_code == 403, (method, path, refused.text)
        assert refused.json() | {"took": 0, "requestId": ""} == {
            "code": 40301,
            "message": "ops monitor may not change team db",
            "took": 0,
            "requestId": "",
        }
    refused = ops_key.post("/v2/teams", json={"name": "skunkworks"})
    assert refused.status_code == 403 and refused.json()["message"] == "ops monitor may not change teams"
    db_team = api.data("/v2/teams/db", params={"identifierType": "name"})
    assert (db_team["description"], [m["user"]["username"] for m in db_team["members"]]) == (
        "",
        ["bob@example.com"],
    )


def test_account_keys_need_the_configuration_right_and_global_keys_do_everything(
    account_key, integration_key, cast
):
    reader = account_key("read", "create-update", "delete")
    for method, path in (("GET", "/v2/teams"), ("POST", "/v2/teams"), ("DELETE", "/v2/teams/x")):
        refused = reader.request(method, path, json={"name": "web"})
        assert (
            refused.status_code == 403 and "lacks the configuration access right" in refused.json()["message"]
        )
    global_key = integration_key("Prometheus")
    created = global_key.post("/v2/teams", json={"name": "web"})
    assert created.status_code == 201
    assert global_key.delete(f"/v2/teams/{created.json()['data']['id']}").status_code == 200
