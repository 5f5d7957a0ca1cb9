"""GET /metrics as Prometheus scrapes it: alerts created and de-duplicated by integration, and
the HTTP requests by route template, method and status (those the create lane answers too)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.ops.metrics_scrape import grew, samples
from tests.support.factories import make_integration
from tocsin.actors import Actor
from tocsin.app import build
from tocsin.config import Settings
from tocsin.ops import metrics


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(build(settings, run_engine=False), base_url="http://tocsin.test") as client:
        yield client


def scrape(client: TestClient) -> dict:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "set-cookie" not in response.headers  # no page session for a scrape
    return samples(response.text)


def test_creates_and_repeats_are_counted_by_integration(client, db):
    _, prometheus = make_integration(db, "Prometheus")
    _, grafana = make_integration(db, "Grafana")
    before = scrape(client)
    for key, alias in ((prometheus, "disk"), (prometheus, "disk"), (prometheus, "cpu"), (grafana, "net")):
        answer = client.post(
            "/v2/alerts",
            json={"message": "Disk full", "alias": alias},
            headers={"Authorization": f"GenieKey {key}"},
        )
        assert answer.status_code == 202, answer.text
    # A query string sends the create through the route rather than the lane: counted alike.
    answer = client.post(
        "/v2/alerts?identifierType=id", json={"message": "Disk full", "alias": "cpu"},
        headers={"Authorization": f"GenieKey {prometheus}"},
    )  # fmt: skip
    assert answer.status_code == 202
    after = scrape(client)
    assert grew(before, after, "tocsin_alerts_created_total", integration="Prometheus") == 2
    assert grew(before, after, "tocsin_alerts_deduplicated_total", integration="Prometheus") == 2
    assert grew(before, after, "tocsin_alerts_created_total", integration="Grafana") == 1
    assert grew(before, after, "tocsin_alerts_deduplicated_total", integration="Grafana") == 0


def test_a_create_that_is_refused_is_not_counted(client, db):
    _, key = make_integration(db, "Prometheus")
    before = scrape(client)
    answer = client.post(
        "/v2/alerts",
        json={"message": "Disk full", "responders": [{"type": "team", "name": "no such team"}]},
        headers={"Authorization": f"GenieKey {key}"},
    )
    assert answer.status_code == 422, answer.text
    after = scrape(client)
    assert grew(before, after, "tocsin_alerts_created_total", integration="Prometheus") == 0


def test_requests_are_counted_by_route_template_method_and_status(client, db):
    _, key = make_integration(db, "Prometheus")
    headers = {"Authorization": f"GenieKey {key}"}
    before = scrape(client)
    assert client.post("/v2/alerts", json={"message": "a"}, headers=headers).status_code == 202  # the lane
    for _ in range(2):
        assert client.get("/v2/alerts/7d0b9d2e-secret-id", headers=headers).status_code == 404
    assert client.get("/v2/alerts/count", headers=headers).status_code == 200
    assert client.get("/no/such/page/9f1c").status_code == 404
    after = scrape(client)
    assert (
        grew(before, after, "tocsin_http_requests_total", route="/v2/alerts", method="POST", status="202")
        == 1
    )
    by_id = "/v2/alerts/{identifier}"
    assert grew(before, after, "tocsin_http_requests_total", route=by_id, method="GET", status="404") == 2
    assert grew(
        before, after, "tocsin_http_requests_total", route="/v2/alerts/count", method="GET", status="200"
    ) == 1  # fmt: skip
    assert (
        grew(before, after, "tocsin_http_requests_total", route="(unmatched)", method="GET", status="404")
        == 1
    )
    assert grew(before, after, "tocsin_http_request_duration_seconds_count", route=by_id, method="GET") == 2
    assert grew(
        before, after, "tocsin_http_request_duration_seconds_bucket",
        route="/v2/alerts/{identifier}", method="GET", le="+Inf",
    ) == 2  # fmt: skip


def test_no_raw_path_id_or_secret_ends_up_in_a_label(client, db):
    _, key = make_integration(db, "Prometheus")
    client.get(
        "/v2/alerts/8c1e6f0a-4b7d-4e55?apiKey=s3cr3t-query-value",
        headers={"Authorization": f"GenieKey {key}"},
    )
    client.get("/static/../etc/passwd-9d7e")
    text = client.get("/metrics").text
    for leaked in ("8c1e6f0a", "s3cr3t", "passwd-9d7e", key):
        assert leaked not in text
    # The two requests are counted under the template and the one label for unmatched paths (the
    # counters are the process's: other tests' requests show too, under their own templates).
    routes = {value for _, pairs in samples(text) for name, value in pairs if name == "route"}
    assert {"/v2/alerts/{identifier}", "(unmatched)"} <= routes
    assert not [route for route in routes if "8c1e" in route or "passwd" in route or "?" in route]


def test_metrics_are_under_the_root_path_and_not_in_the_api_document(database_url, tmp_path):
    settings = Settings(
        database_url=database_url, data_dir=tmp_path, secret_key="k", public_base_url="http://tocsin.test/tocsin",
        root_path="/tocsin",
    )  # fmt: skip
    with TestClient(build(settings, run_engine=False), base_url="http://tocsin.test") as client:
        assert client.get("/tocsin/metrics").status_code == 200
        assert "tocsin_open_alerts" in client.get("/tocsin/metrics").text
        document = client.get("/tocsin/api/openapi.json").json()
    assert not [path for path in document["paths"] if "metrics" in path]


def test_a_person_is_never_the_integration_label():
    integration = Actor(name="ChatOps", channel="Mattermost", integration_id="i1")
    person = Actor(name="ada@example.com", channel="Mattermost", integration_id="i1", user_id="u1")
    account_key = Actor(name="dashboards", channel="API")
    assert metrics.integration_label(integration) == "ChatOps"
    assert metrics.integration_label(person) == metrics.integration_label(account_key) == "(none)"


def test_a_trailing_slash_is_counted_under_its_route(client, db):
    _, key = make_integration(db, "Prometheus")
    before = scrape(client)
    assert client.get("/v2/alerts/count/", headers={"Authorization": f"GenieKey {key}"}).status_code == 200
    after = scrape(client)
    assert (
        grew(
            before, after, "tocsin_http_requests_total", route="/v2/alerts/count", method="GET", status="200"
        )
        == 1
    )
