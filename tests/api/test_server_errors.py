"""Inputs that once gave a 500 (found by fuzzing the API) and drift between the schema and the
server: each now gets a 4xx that names what to fix, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.support.api import ApiClient
from tests.support.factories import make_integration
from tocsin.alerts.search_limits import SearchLimits, SearchTooSlow
from tocsin.app import build
from tocsin.db import Database

NUL_REASON = "must not contain the NUL character (\\u0000)"


@pytest.fixture
def schedule(api) -> str:
    response = api.post("/v2/schedules", json={"name": "ops_schedule", "timezone": "UTC"})
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"message": "disk\x00full"}, "message"),
        ({"message": "disk full", "details": {"host": "db\x001"}}, "details.host"),
        ({"message": "disk full", "tags": ["ok", "bad\x00"]}, "tags[1]"),
        ({"message": "disk full", "details": {"ho\x00st": "db1"}}, "details.ho\x00st"),
    ],
)
def test_a_nul_character_in_a_json_body_is_refused_naming_the_field(api, payload, field):
    response = api.post("/v2/alerts", json=payload)
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {field: NUL_REASON}
    assert api.get("/v2/alerts/count").json()["data"]["count"] == 0


def test_a_nul_character_in_a_query_parameter_is_refused_naming_it(api):
    response = api.get("/v2/alerts", params={"query": "message:a\x00b"})
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {"query": NUL_REASON}


def test_a_nul_character_in_a_form_body_is_refused_naming_the_field(http):
    response = http.post("/chat/slack/some-integration/some-secret", data={"text": "ack\x001", "token": "t"})
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {"text": NUL_REASON}


def test_adding_a_team_by_username_is_refused_saying_what_a_team_needs(api):
    created = api.status_of(api.post("/v2/alerts", json={"message": "disk full"}))
    response = api.post(f"/v2/alerts/{created['alertId']}/teams", json={"team": {"username": "x"}})
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {"team": "give the team's id or name"}
    response = api.post("/v2/alerts", json={"message": "disk full", "teams": [{"username": "x"}]})
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {"teams[0]": "give the team's id or name"}


def test_a_timeline_beyond_the_calendar_is_refused(api, schedule):
    too_long = api.get(
        f"/v2/schedules/{schedule}/timeline", params={"interval": 100000000, "intervalUnit": "months"}
    )
    assert too_long.status_code == 422 and "interval" in too_long.json()["errors"], too_long.text
    far = api.get(f"/v2/schedules/{schedule}/timeline", params={"date": "9999-12-31T23:59:59Z"})
    assert far.status_code == 422 and "date" in far.json()["errors"], far.text
    near_the_end = api.get(
        f"/v2/schedules/{schedule}/timeline",
        params={"date": "9000-12-31T00:00:00Z", "interval": 13, "intervalUnit": "months"},
    )
    assert near_the_end.status_code == 200, near_the_end.text


@pytest.mark.parametrize("path", ["/v2/alerts", "/v2/alerts/{id}/logs", "/v2/alerts/{id}/notes"])
def test_an_offset_beyond_any_integer_is_refused(api, path):
    created = api.status_of(api.post("/v2/alerts", json={"message": "disk full"}))
    response = api.get(path.format(id=created["alertId"]), params={"offset": "99999999999999999999"})
    assert response.status_code == 422 and "offset" in response.json()["errors"], response.text


def test_a_search_longer_than_the_limit_is_refused_saying_the_limit(api):
    response = api.get("/v2/alerts", params={"query": "message:" + "a" * 2001})
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {"query": "a query has at most 2000 characters"}


@pytest.mark.parametrize("path", ["/v2/alerts", "/v2/alerts/count"])
def test_a_search_with_too_many_terms_is_refused_saying_the_limit(api, path):
    query = " ".join(f"w{number}" for number in range(300))
    response = api.get(path, params={"query": query})
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {"query": "a query has at most 100 terms (this one has 300)"}
    within = " OR ".join(f"w{number}" for number in range(100))
    assert api.get(path, params={"query": within}).status_code == 200


SLOW_STATEMENTS = {
    "sqlite": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000000000) "
    "SELECT count(*) FROM n",
    "postgresql": "SELECT pg_sleep(30)",
}


def test_a_search_running_past_the_time_limit_is_stopped(db: Database):
    limits = SearchLimits(max_length=2000, max_terms=100, time_limit_seconds=0.2)
    with db.read_session() as session, pytest.raises(SearchTooSlow), limits.time_limited(session):
        session.execute(text(SLOW_STATEMENTS[db.dialect]))


def test_method_not_allowed_names_every_method_the_path_serves(api):
    response = api.request("PUT", "/v2/alerts/some-id")
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "DELETE, GET, HEAD"
    fixed_path = api.request("OPTIONS", "/v2/alerts/count")
    assert fixed_path.status_code == 405 and fixed_path.headers["allow"] == "GET, HEAD", fixed_path.text


def test_a_number_where_the_schema_says_boolean_or_date_time_is_refused(api):
    heartbeat = {"name": "nightly", "interval": 1, "intervalUnit": "days", "enabled": 0}
    response = api.post("/v2/heartbeats", json=heartbeat)
    assert response.status_code == 422 and "enabled" in response.json()["errors"], response.text
    rotation = {"name": "r", "type": "daily", "startDate": 0, "participants": [{"type": "none"}]}
    response = api.post("/v2/schedules", json={"name": "s", "timezone": "UTC", "rotations": [rotation]})
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {
        "rotations[0].startDate": "must be an ISO-8601 date-time string such as 2026-03-01T09:00:00Z"
    }


def test_every_api_operation_documents_its_error_answers(http):
    document = http.get("/api/openapi.json").json()
    error = {"$ref": "#/components/schemas/ErrorBody"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"401", "403", "422", "429"} | ({"404"} if "{" in path else set())
            expected |= {"400", "415"} if "requestBody" in operation else set()
            assert expected <= set(responses), (method, path, sorted(responses))
            for status in expected:
                assert responses[status]["content"]["application/json"]["schema"] == error
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_a_search_deeper_than_sqlite_can_nest_is_refused_when_the_term_limit_is_raised(settings, db):
    raised = settings.model_copy(update={"search_max_terms": 1000, "search_max_length": 10_000})
    _, key = make_integration(db, "Prometheus")
    with TestClient(build(raised, run_engine=False), base_url="http://tocsin.test") as http:
        response = ApiClient(http, key).get(
            "/v2/alerts", params={"query": " OR ".join(f"w{number}" for number in range(300))}
        )
    if db.dialect == "sqlite":
        assert response.status_code == 422, response.text
        assert response.json()["errors"] == {"query": "the search has too many terms; use fewer"}
    else:
        assert response.status_code == 200, response.text


def test_every_operation_has_its_own_operation_id(http):
    document = http.get("/api/openapi.json").json()
    ids = [operation["operationId"] for path in document["paths"].values() for operation in path.values()]
    assert len(ids) == len(set(ids))
