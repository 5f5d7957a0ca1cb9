"""Reads real Opsgenie clients make that are not about alerts: the account (to check a key), a
user's teams and schedules, and saved searches (which Tocsin does not keep: a 404 that says so)."""

from __future__ import annotations

import opsgenie_sdk
import pytest

from tests.alerts.conftest import api  # noqa: F401  (fixture)
from tests.oncall.conftest import daily, make_schedule, people, utc  # noqa: F401  (fixture)
from tests.support.factories import make_team


def test_the_python_sdk_reads_the_account_with_any_key(live_server, integration_key, db, people):  # noqa: F811
    conf = opsgenie_sdk.Configuration()
    conf.host = live_server.url
    conf.api_key["Authorization"] = integration_key
    conf.retry_enabled = False
    info = opsgenie_sdk.AccountApi(api_client=opsgenie_sdk.ApiClient(configuration=conf)).get_info().data
    assert (info.name, info.user_count) == ("127.0.0.1", 3)
    assert (info.plan.name, info.plan.max_user_count, info.plan.is_yearly) == ("Tocsin", None, False)

    conf.api_key["Authorization"] = "not-a-key"
    with pytest.raises(opsgenie_sdk.exceptions.AuthenticationException) as refused:
        opsgenie_sdk.AccountApi(api_client=opsgenie_sdk.ApiClient(configuration=conf)).get_info()
    assert refused.value.status == 401


def test_a_users_teams_and_schedules(api, db, people):  # noqa: F811
    ops = make_team(db, "ops_team", "ada@example.com", "bob@example.com")
    dba = make_team(db, "dba_team", "ada@example.com")
    make_team(db, "web_team", "cy@example.com")
    make_schedule(db, "nights", daily(utc(2026, 3, 1), "ada", "bob"), enabled=False)
    make_schedule(db, "days", daily(utc(2026, 3, 1), "bob"), daily(utc(2026, 3, 1), "ada", None))
    make_schedule(db, "web", daily(utc(2026, 3, 1), "cy"))

    teams = api.get("/v2/users/ada@example.com/teams")
    assert teams.status_code == 200
    assert sorted(teams.json()["data"], key=lambda t: t["name"]) == [
        {"id": dba, "name": "dba_team"},
        {"id": ops, "name": "ops_team"},
    ]
    schedules = api.get(f"/v2/users/{people['ada']}/schedules").json()["data"]
    assert [(s["name"], s["enabled"]) for s in schedules] == [("days", True), ("nights", False)]
    assert api.get("/v2/users/cy@example.com/schedules").json()["data"][0]["name"] == "web"
    missing = api.get("/v2/users/ghost@example.com/teams")
    assert missing.status_code == 404 and "ghost@example.com" in missing.json()["message"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v2/alerts/saved-searches"),
        ("POST", "/v2/alerts/saved-searches"),
        ("GET", "/v2/alerts/saved-searches/open-p1"),
        ("PATCH", "/v2/alerts/saved-searches/open-p1"),
        ("DELETE", "/v2/alerts/saved-searches/open-p1/"),
    ],
)
def test_saved_searches_answer_a_404_that_is_not_about_an_alert(api, method, path):  # noqa: F811
    body = None if method == "GET" else {"name": "open P1", "query": "status:open AND priority:P1"}
    response = api.request(method, path, json=body)
    assert response.status_code == 404
    message = response.json()["message"]
    assert message.startswith("Saved searches are not kept by Tocsin") and "query=" in message
    assert "does not exist" not in message
