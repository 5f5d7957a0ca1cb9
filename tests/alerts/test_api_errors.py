"""Bad input, bad keys and missing things: clear JSON errors, nothing half-written."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.api import ApiClient
from tests.support.factories import make_integration, make_team
from tocsin.accounts import apikeys

LIMITS = [
    ("message", {"message": "x" * 131}),
    ("message", {"message": "   "}),
    ("alias", {"alias": "a" * 513}),
    ("description", {"description": "d" * 15001}),
    ("responders", {"responders": [{"type": "team", "id": f"t{n}"} for n in range(51)]}),
    ("visibleTo", {"visibleTo": [{"type": "team", "id": f"t{n}"} for n in range(51)]}),
    ("actions", {"actions": [f"a{n}" for n in range(11)]}),
    ("actions[0]", {"actions": ["a" * 51]}),
    ("tags", {"tags": [f"t{n}" for n in range(21)]}),
    ("tags[0]", {"tags": ["t" * 51]}),
    ("details", {"details": {"k": "v" * 8000}}),
    ("details", {"details": {"nested": {"a": 1}}}),
    ("entity", {"entity": "e" * 513}),
    ("source", {"source": "s" * 101}),
    ("user", {"user": "u" * 101}),
    ("note", {"note": "n" * 25001}),
    ("priority", {"priority": "P6"}),
    ("responders[0].type", {"responders": [{"type": "robot", "name": "x"}]}),
]


@pytest.mark.parametrize(
    ("field", "fields"), LIMITS, ids=[f"{field}-{n}" for n, (field, _) in enumerate(LIMITS)]
)
def test_each_limit_is_a_422_naming_the_field(api, field, fields):
    payload = {"message": "disk full", **fields}
    response = api.post("/v2/alerts", json=payload)
    assert response.status_code == 422, response.text
    body = response.json()
    assert field in body["errors"] and body["message"].startswith(field)
    assert set(body) >= {"message", "took", "requestId"}
    assert api.get("/v2/alerts/count").json()["data"]["count"] == 0


def test_missing_message_names_it(api):
    response = api.post("/v2/alerts", json={"alias": "x"})
    assert response.status_code == 422 and response.json()["errors"] == {"message": "Field required"}


def test_a_null_priority_is_the_default_as_in_opsgenie(api):
    created = api.create(message="Disk full", alias="null-priority", priority=None)  # as elastalert2 sends

    assert api.alert(created["alias"], "alias")["priority"] == "P3"
    assert api.post("/v2/alerts", json={"message": "x", "priority": "P9"}).status_code == 422


def test_invalid_json_is_400(api):
    response = api.post("/v2/alerts", content=b'{"message": ', headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["message"].startswith("Invalid JSON body")


def test_body_that_is_not_an_object_is_422(api):
    response = api.post("/v2/alerts", json=["message"])
    assert response.status_code == 422 and "JSON object" in response.json()["message"]


def test_unknown_responder_is_422_and_no_alert_is_stored(api):
    response = api.post(
        "/v2/alerts", json={"message": "disk", "responders": [{"type": "team", "name": "ghosts"}]}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"responders": "team 'ghosts' does not exist"}
    assert api.get("/v2/alerts/count").json()["data"]["count"] == 0


def test_too_many_tags_in_all_fails_and_leaves_tags_as_they_were(api):
    alert = api.create(message="disk", tags=[f"t{n}" for n in range(19)])
    status = api.act("POST", f"/v2/alerts/{alert['id']}/tags", json={"tags": ["x", "y"], "note": "n"})
    assert status["isSuccess"] is False and "at most 20 tags" in status["status"]
    after = api.alert(alert["id"])
    assert len(after["tags"]) == 19
    assert api.get(f"/v2/alerts/{alert['id']}/notes").json()["data"] == []


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "GenieKey wrong-key"}, {"Authorization": "Bearer x"}],
    ids=["none", "wrong", "other-scheme"],
)
def test_bad_key_is_401_json(http, headers):
    response = http.post("/v2/alerts", json={"message": "x"}, headers=headers)
    assert response.status_code == 401
    assert response.json()["message"].startswith("Could not authenticate") and "requestId" in response.json()


def test_missing_alert_is_404_json(api):
    for path in (
        "/v2/alerts/nope",
        "/v2/alerts/nope/logs",
        "/v2/alerts/nope/notes",
        "/v2/alerts/nope/recipients",
    ):
        response = api.get(path)
        assert response.status_code == 404 and response.json()["message"] == "Alert does not exist"


def test_unknown_request_id_and_unknown_route_are_404_json(api):
    assert api.get("/v2/alerts/requests/nope").status_code == 404
    response = api.get("/v2/nothing-here")
    assert response.status_code == 404 and response.json()["message"] == "Resource or handler not found"


def test_wrong_method_is_405_json(api):
    response = api.request("PATCH", "/v2/alerts")
    assert response.status_code == 405 and "requestId" in response.json()


def test_bad_list_parameters_are_422(api):
    assert api.get("/v2/alerts", params={"limit": 101}).json()["errors"] == {
        "limit": "Input should be less than or equal to 100"
    }
    assert "sort" in api.get("/v2/alerts", params={"sort": "nonsense"}).json()["errors"]
    assert "identifierType" in api.get("/v2/alerts/x", params={"identifierType": "name"}).json()["errors"]


def test_account_api_key_reads_but_cannot_act_on_alerts(http, api, db):
    with db.write_session() as session:
        _, reader_key = apikeys.create_api_key(session, name="dashboards", rights=["read"])
        _, config_key = apikeys.create_api_key(session, name="terraform", rights=["configuration"])
    api.create(message="disk full")
    reader = ApiClient(http, reader_key)
    assert reader.get("/v2/alerts/count").json()["data"]["count"] == 1
    refused = reader.post("/v2/alerts", json={"message": "x"})
    assert refused.status_code == 403
    assert refused.json()["code"] == 40301
    assert refused.json()["message"] == "To perform this action, use an API key from an API integration."
    assert ApiClient(http, config_key).get("/v2/alerts").status_code == 403


def test_team_integration_key_only_sees_and_touches_its_teams_alerts(http, api, db):
    make_team(db, "ops")
    make_team(db, "db")
    _, ops_key = make_integration(db, "ops-monitor", team="ops")
    ops = ApiClient(http, ops_key)
    others = api.create(message="someone else's", responders=[{"type": "team", "name": "db"}])
    mine = ops.create(message="ours")
    assert [alert["id"] for alert in ops.get("/v2/alerts").json()["data"]] == [mine["id"]]
    assert ops.get(f"/v2/alerts/{others['id']}").status_code == 403
    status = ops.act("POST", f"/v2/alerts/{others['id']}/acknowledge")
    assert status["isSuccess"] is False and status["status"] == "You are not allowed to act on this alert"
    assert api.alert(others["id"])["acknowledged"] is False


def test_disabled_integration_key_is_refused_within_seconds(api, db, frozen_clock):
    from sqlalchemy import update

    from tocsin.integrations.models import Integration

    assert api.post("/v2/alerts", json={"message": "x"}).status_code == 202
    with db.write_session() as session:  # as another process (the CLI) would
        session.execute(update(Integration).values(enabled=False))
    frozen_clock.advance(timedelta(seconds=3))
    response = api.post("/v2/alerts", json={"message": "x"})
    assert response.status_code == 401 and "disabled" in response.json()["message"]


def test_json_without_content_type_is_accepted(api):
    response = api.post("/v2/alerts", content=b'{"message": "from a script"}')
    assert api.status_of(response)["isSuccess"]


def test_json_sent_as_a_form_gets_a_415_saying_what_to_send(api):
    response = api.post(
        "/v2/alerts",
        content=b'{"message": "x"}',
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415 and "Content-Type: application/json" in response.json()["message"]


def test_malformed_search_query_is_422_saying_where(api):
    for path in ("/v2/alerts", "/v2/alerts/count"):
        response = api.get(path, params={"query": "status:open AND (priority:P1"})
        assert response.status_code == 422
        body = response.json()
        assert "query" in body["errors"] and "position" in body["errors"]["query"]
        assert body["message"].startswith("query: ")
