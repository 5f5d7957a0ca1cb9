"""API paths with a trailing slash are served as without it, never redirected (real clients such
as Opsgenie's Node SDK send them, and break on a redirect)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.api import ApiClient
from tests.support.factories import make_integration
from tocsin.app import build


def test_collection_and_action_paths_answer_with_a_trailing_slash(api):
    created = api.post("/v2/alerts/", json={"message": "disk full", "alias": "disk"}, follow_redirects=False)
    assert created.status_code == 202, created.text

    listed = api.get("/v2/alerts/?query=status%3Aopen", follow_redirects=False)
    assert listed.status_code == 200 and [a["alias"] for a in listed.json()["data"]] == ["disk"]

    alert_id = listed.json()["data"][0]["id"]
    closed = api.post("/v2/alerts/disk/close/?identifierType=alias", json={}, follow_redirects=False)
    assert closed.status_code == 202, closed.text
    assert api.get(f"/v2/alerts/{alert_id}/", follow_redirects=False).json()["data"]["status"] == "closed"


def test_the_api_root_and_pages_are_left_alone(api):
    assert api.get("/v2/", follow_redirects=False).status_code == 404
    assert api.get("/login/", follow_redirects=False).status_code in (307, 404)


def test_under_a_path_prefix_too(settings, db):
    _, key = make_integration(db, "Prometheus")
    prefixed = settings.model_copy(update={"root_path": "/oncall"})
    with TestClient(build(prefixed, run_engine=False), base_url="http://tocsin.test") as http:
        api = ApiClient(http, key)
        assert (
            api.post("/oncall/v2/alerts/", json={"message": "x"}, follow_redirects=False).status_code == 202
        )
        assert api.get("/v2/alerts/count/", follow_redirects=False).json()["data"]["count"] == 1
