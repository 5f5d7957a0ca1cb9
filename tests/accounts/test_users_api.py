"""The /v2/users API: Opsgenie shapes, errors as JSON naming what is wrong, who may call what."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.accounts.people import email


def test_create_then_get_by_id_and_by_username(api, frozen_clock):
    created = api.post(
        "/v2/users",
        json={
            "username": "Ada@Example.com",
            "fullName": "Ada L.",
            "role": {"name": "admin"},
            "timeZone": "Europe/Paris",
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["result"] == "Created" and set(body["data"]) == {"id", "username"}
    user_id = body["data"]["id"]
    assert body["data"]["username"] == "ada@example.com"
    expected = {
        "id": user_id,
        "username": "ada@example.com",
        "fullName": "Ada L.",
        "role": {"id": "Admin", "name": "Admin"},
        "timeZone": "Europe/Paris",
        "createdAt": "2026-03-01T09:00:00.000Z",
        "blocked": False,
        "verified": True,
    }
    assert api.data(f"/v2/users/{user_id}") == expected
    assert api.data("/v2/users/ada@example.com") == expected


def test_a_user_created_through_the_api_gets_the_default_contact_and_rule(api):
    user_id = api.post("/v2/users", json={"username": "ada@example.com", "fullName": "Ada"}).json()["data"][
        "id"
    ]
    [contact] = api.data(f"/v2/users/{user_id}/contacts")
    assert (contact["method"], contact["to"], contact["status"]) == (
        "email",
        "ada@example.com",
        {"enabled": True, "verified": True},
    )
    [rule] = api.data("/v2/users/ada@example.com/notification-rules")
    assert {key: rule[key] for key in ("name", "actionType", "order", "enabled")} == {
        "name": "New alert",
        "actionType": "create-alert",
        "order": 0,
        "enabled": True,
    }
    full = api.data(f"/v2/users/{user_id}/notification-rules/{rule['id']}")
    assert [(step["contact"], step["sendAfter"], step["enabled"]) for step in full["steps"]] == [
        ({"method": "email", "to": "ada@example.com"}, {"timeAmount": 0, "timeUnit": "minutes"}, True)
    ]


def test_list_pages_through_users(api, cast):
    first = api.get("/v2/users", params={"limit": 4})
    assert first.status_code == 200
    body = first.json()
    assert body["totalCount"] == 6
    assert [user["username"] for user in body["data"]] == [email(n) for n in ("admin", "ann", "bob", "eve")]
    assert body["paging"]["next"] == "http://tocsin.test/v2/users?offset=4&limit=4&sort=username&order=asc"
    assert "prev" not in body["paging"]
    second = api.get("/v2/users", params={"limit": 4, "offset": 4}).json()
    assert [user["username"] for user in second["data"]] == [email("lead"), email("owner")]
    assert "next" not in second["paging"] and second["paging"]["prev"].endswith(
        "offset=0&limit=4&sort=username&order=asc"
    )
    assert api.data("/v2/users", params={"sort": "createdAt", "order": "desc", "limit": 1})[0][
        "username"
    ] in {email(name) for name in ("owner", "admin", "lead", "ann", "bob", "eve")}


def test_unsupported_list_parameters_are_422s(api, cast):
    search = api.get("/v2/users", params={"query": "role:admin"})
    assert search.status_code == 422 and "query" in search.json()["errors"]
    assert "sort" in api.get("/v2/users", params={"sort": "password"}).json()["errors"]
    assert "limit" in api.get("/v2/users", params={"limit": 501}).json()["errors"]


def test_patch_changes_name_role_and_time_zone(api, cast):
    response = api.patch(
        f"/v2/users/{cast['eve']}",
        json={"fullName": "Eve E.", "role": {"name": "ADMIN"}, "timeZone": "Asia/Tokyo"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["result"] == "Updated"
    assert response.json()["data"] == {"id": cast["eve"], "username": "eve@example.com"}
    eve = api.data("/v2/users/eve@example.com")
    assert (eve["fullName"], eve["role"]["name"], eve["timeZone"]) == ("Eve E.", "Admin", "Asia/Tokyo")


def test_delete_removes_the_user(api, cast):
    response = api.delete("/v2/users/eve@example.com")
    assert response.status_code == 200 and response.json()["result"] == "Deleted"
    gone = api.get(f"/v2/users/{cast['eve']}")
    assert gone.status_code == 404 and gone.json()["message"] == f"user {cast['eve']!r} does not exist"


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"username": "not-an-address"}, "username", "must be an e-mail address"),
        (
            {"username": "x@example.com", "role": {"name": "boss"}},
            "role",
            "role must be one of owner, admin, user",
        ),
        ({"username": "x@example.com", "role": {}}, "role.name", "Field required"),
        ({"username": "x@example.com", "timeZone": "Mars/Olympus"}, "timeZone", "unknown time zone"),
        ({"username": "x@example.com", "fullName": "n" * 201}, "fullName", "at most 200 characters"),
        ({"fullName": "nobody"}, "username", "Field required"),
    ],
    ids=["username", "role", "role-name", "time-zone", "full-name", "missing-username"],
)
def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(api, payload, field, words):
    response = api.post("/v2/users", json=payload)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"] and words in response.json()["message"]
    assert api.get("/v2/users").json()["totalCount"] == 0


def test_errors_for_missing_duplicate_and_owner_changes(api, cast):
    missing = api.patch("/v2/users/nobody@example.com", json={"fullName": "x"})
    assert (
        missing.status_code == 404 and missing.json()["message"] == "user 'nobody@example.com' does not exist"
    )
    duplicate = api.post("/v2/users", json={"username": "ANN@example.com"})
    assert (
        duplicate.status_code == 409 and duplicate.json()["message"] == "user ann@example.com already exists"
    )
    # A key is nobody's person, so it is not an owner: owners are made and unmade by owners.
    for method, path, payload in (
        ("POST", "/v2/users", {"username": "boss@example.com", "role": {"name": "Owner"}}),
        ("PATCH", "/v2/users/bob@example.com", {"role": {"name": "Owner"}}),
        ("PATCH", "/v2/users/owner@example.com", {"role": {"name": "User"}}),
        ("DELETE", "/v2/users/owner@example.com", None),
    ):
        refused = api.request(method, path, json=payload)
        assert refused.status_code == 403, (method, path, refused.text)
        assert refused.json()["code"] == 40301 and refused.json()["message"].startswith("only an owner may")
    assert api.data("/v2/users/bob@example.com")["role"]["name"] == "User"
    assert api.data("/v2/users/owner@example.com")["role"]["name"] == "Owner"
    assert api.get("/v2/users").json()["totalCount"] == 6


def test_which_keys_may_read_and_change_users(api, account_key, integration_key, cast):
    reader = account_key("read")
    config_reader = account_key("read", "configuration")
    global_key = integration_key("Prometheus")
    ops_key = integration_key("ops monitor", team="ops")
    new_user = {"username": "new@example.com"}

    refused = reader.get("/v2/users")
    assert refused.status_code == 403
    assert refused.json()["message"] == "API key key 2 lacks the configuration access right"
    assert config_reader.get("/v2/users").status_code == 200
    refused = config_reader.post("/v2/users", json=new_user)
    assert refused.status_code == 403 and "lacks the create-update access right" in refused.json()["message"]
    assert (
        account_key("configuration", "create-update").delete("/v2/users/eve@example.com").status_code == 403
    )

    assert ops_key.get("/v2/users").status_code == 200
    refused = ops_key.post("/v2/users", json=new_user)
    assert refused.status_code == 403 and refused.json()["message"] == "ops monitor may not change users"
    assert ops_key.patch("/v2/users/ann@example.com", json={"fullName": "A"}).status_code == 403
    assert ops_key.delete("/v2/users/ann@example.com").status_code == 403

    assert global_key.post("/v2/users", json=new_user).status_code == 201
    assert global_key.patch("/v2/users/new@example.com", json={"role": {"name": "admin"}}).status_code == 200
    assert global_key.delete("/v2/users/new@example.com").status_code == 200
    assert api.get("/v2/users").json()["totalCount"] == 6


def test_muted_until_shows_while_the_mute_lasts(api, cast, frozen_clock):
    assert "mutedUntil" not in api.data("/v2/users/ann@example.com")
    api.post("/v2/users/ann@example.com/mute", json={"minutes": 10})
    assert api.data("/v2/users/ann@example.com")["mutedUntil"] == "2026-03-01T09:10:00.000Z"
    frozen_clock.advance(timedelta(minutes=10))
    assert "mutedUntil" not in api.data("/v2/users/ann@example.com")
