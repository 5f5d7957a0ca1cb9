"""Creating and reading alerts through the v2 API, in Opsgenie's shapes."""

from __future__ import annotations

import re

from tests.support.factories import make_team, make_user

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_create_answers_202_in_opsgenie_envelope_and_request_status_has_the_alert(api):
    response = api.post("/v2/alerts", json={"message": "disk full", "alias": "disk-host1"})
    assert response.status_code == 202
    body = response.json()
    assert body["result"] == "Request will be processed"
    assert isinstance(body["took"], float) and body["requestId"] == response.headers["x-request-id"]
    status = api.status_of(response)
    assert status["isSuccess"] is True and status["success"] is True
    assert (status["action"], status["status"], status["alias"]) == ("Create", "Created alert", "disk-host1")
    assert status["alertId"] and ISO_MS.match(status["processedAt"])


def test_get_alert_has_every_opsgenie_field(api, db):
    make_team(db, "ops")
    make_user(db, "ada@example.com")
    alert = api.create(
        message="disk full",
        alias="disk-host1",
        description="the disk on host1 is full",
        responders=[{"type": "team", "name": "ops"}, {"type": "user", "username": "ada@example.com"}],
        tags=["db", "critical"],
        details={"host": "host1"},
        entity="host1",
        source="prometheus",
        priority="P2",
        actions=["Restart"],
    )
    assert alert["tinyId"] == "1" and alert["alias"] == "disk-host1"
    assert (alert["status"], alert["acknowledged"], alert["isSeen"], alert["seen"]) == (
        "open",
        False,
        False,
        False,
    )
    assert (alert["priority"], alert["count"], alert["owner"], alert["source"]) == ("P2", 1, "", "prometheus")
    assert alert["tags"] == ["db", "critical"] and alert["details"] == {"host": "host1"}
    assert alert["actions"] == ["Restart"] and alert["entity"] == "host1"
    assert alert["description"] == "the disk on host1 is full"
    assert [responder["type"] for responder in alert["responders"]] == ["team", "user"]
    assert all(responder["id"] for responder in alert["responders"])
    assert alert["integration"]["name"] == "Prometheus" and alert["integration"]["type"] == "API"
    assert all(ISO_MS.match(alert[field]) for field in ("createdAt", "updatedAt", "lastOccurredAt"))
    assert alert["report"] == {} and alert["snoozed"] is False


def test_source_defaults_to_the_callers_address(api):
    alert = api.create(message="disk full")
    assert alert["source"] == "testclient"


def test_alert_can_be_fetched_by_id_alias_and_tiny_id(api):
    created = api.create(message="disk full", alias="disk")
    assert api.alert("disk", "alias")["id"] == created["id"]
    assert api.alert(created["tinyId"], "tiny")["id"] == created["id"]


def test_alias_finds_only_an_open_alert(api):
    created = api.create(message="disk full", alias="disk")
    api.act("POST", f"/v2/alerts/{created['id']}/close")
    response = api.get("/v2/alerts/disk", params={"identifierType": "alias"})
    assert response.status_code == 404
    assert response.json()["message"] == "Alert does not exist" and "requestId" in response.json()


def test_repeated_alias_counts_and_logs_without_new_alert(api):
    first = api.create(message="disk full", alias="disk")
    status = api.status_of(api.post("/v2/alerts", json={"message": "disk full again", "alias": "disk"}))
    assert status["isSuccess"] and status["alertId"] == first["id"]
    again = api.alert(first["id"])
    assert again["count"] == 2 and again["message"] == "disk full"
    assert api.get("/v2/alerts/count").json()["data"]["count"] == 1
    assert api.logs(first["id"])[-1].startswith("Alert is received with same alias.")


def test_list_filters_with_query_sorts_and_pages_with_absolute_urls(api):
    for number in range(5):
        api.create(message=f"alert {number}", priority="P1" if number % 2 else "P3")
    response = api.get(
        "/v2/alerts", params={"query": "priority:P3", "limit": 2, "sort": "tinyId", "order": "asc"}
    )
    assert response.status_code == 200
    body = response.json()
    assert [alert["tinyId"] for alert in body["data"]] == ["1", "3"]
    assert "description" not in body["data"][0]  # list items are the short form
    assert body["paging"]["next"].startswith(
        "http://tocsin.test/v2/alerts?query=priority%3AP3&offset=2&limit=2"
    )
    assert body["paging"]["first"].endswith("offset=0&limit=2&sort=tinyId&order=asc")
    second = api.get(body["paging"]["next"].removeprefix("http://tocsin.test")).json()
    assert [alert["tinyId"] for alert in second["data"]] == ["5"] and "next" not in second["paging"]
    assert api.get("/v2/alerts/count", params={"query": "priority:P1"}).json()["data"] == {"count": 2}


def test_list_defaults_to_newest_first(api):
    for number in range(3):
        api.create(message=f"alert {number}")
    tiny_ids = [alert["tinyId"] for alert in api.get("/v2/alerts").json()["data"]]
    assert tiny_ids == ["3", "2", "1"]


def test_logs_and_notes_page_by_offset(api):
    alert = api.create(message="disk full", note="first note")
    for number in range(3):
        api.act("POST", f"/v2/alerts/{alert['id']}/notes", json={"note": f"note {number}"})
    page = api.get(f"/v2/alerts/{alert['id']}/notes", params={"limit": 2}).json()
    assert [note["note"] for note in page["data"]] == ["note 2", "note 1"]
    assert page["data"][0]["owner"] == "Prometheus"
    rest = api.get(
        f"/v2/alerts/{alert['id']}/notes", params={"limit": 2, "offset": page["data"][-1]["offset"]}
    )
    assert [note["note"] for note in rest.json()["data"]] == ["note 0", "first note"]
    assert "offset=" in page["paging"]["next"]
    logs = api.get(f"/v2/alerts/{alert['id']}/logs").json()["data"]
    assert logs[-1]["log"] == "Alert created by Prometheus (API)" and logs[-1]["owner"] == "Prometheus"
    assert {"log", "type", "owner", "createdAt", "offset"} <= set(logs[0])


def test_path_and_query_with_unknown_fields_and_trailing_newline_are_accepted(api):
    response = api.post(
        "/v2/alerts",
        content=b'{"message":"from alertmanager","unknownField":{"x":1},"details":{}}\n',
        headers={"Content-Type": "application/json"},
    )
    assert api.status_of(response)["isSuccess"]
