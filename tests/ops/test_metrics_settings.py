"""Where /metrics answers and to whom: a bearer token, a port of its own, or not at all."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi.testclient import TestClient

from tests.ops.metrics_scrape import families, samples, value
from tocsin.app import build
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.engine import ticks
from tocsin.ops import metrics_server


def client_for(settings: Settings, **changes: object) -> TestClient:
    return TestClient(
        build(settings.model_copy(update=changes), run_engine=False), base_url="http://tocsin.test"
    )


def test_a_token_is_required_when_set_and_a_wrong_one_refused(settings):
    with client_for(settings, metrics_token="scrape-me-3f9a") as client:
        missing = client.get("/metrics")
        wrong = client.get("/metrics", headers={"Authorization": "Bearer scrape-me-3f9b"})
        basic = client.get("/metrics", headers={"Authorization": "Basic c2NyYXBlLW1lLTNmOWE="})
        right = client.get("/metrics", headers={"Authorization": "Bearer scrape-me-3f9a"})
    for refused in (missing, wrong, basic):
        assert refused.status_code == 401
        assert "TOCSIN_METRICS_TOKEN" in refused.json()["message"]
        assert "tocsin_" not in refused.text
    assert right.status_code == 200
    assert "tocsin_open_alerts" in families(right.text)


def test_switched_off_there_is_no_metrics_page(settings):
    with client_for(settings, metrics=False) as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/v2/heartbeats", headers={"Authorization": "GenieKey nope"}).status_code == 401


def test_only_get_reads_metrics(settings):
    with client_for(settings) as client:
        answer = client.post("/metrics")
    assert answer.status_code == 405 and answer.json() == {"message": "Metrics are read with GET."}


def test_on_a_port_of_its_own_the_main_port_has_none(settings, db: Database):
    with client_for(settings, metrics_port=9464) as client:
        assert client.get("/metrics").status_code == 404
    own = metrics_server.start("127.0.0.1", 0, db=db, token="t0ken")
    try:
        url = f"http://127.0.0.1:{own.port}/metrics"
        assert httpx.get(url).status_code == 401
        answer = httpx.get(url, headers={"Authorization": "Bearer t0ken"})
    finally:
        own.stop()
    assert answer.status_code == 200
    assert {"tocsin_open_alerts", "tocsin_watchdog_problem", "tocsin_http_requests"} <= families(answer.text)


def test_a_port_already_taken_is_a_clear_error():
    first = metrics_server.start("127.0.0.1", 0, db=None)
    try:
        try:
            metrics_server.start("127.0.0.1", first.port, db=None)
        except metrics_server.MetricsPortError as error:
            assert f"127.0.0.1:{first.port}" in str(error) and "TOCSIN_METRICS_PORT" in str(error)
        else:
            raise AssertionError("a taken port was not reported")
    finally:
        first.stop()


def test_prometheus_asking_for_openmetrics_gets_it(settings):
    with client_for(settings) as client:
        answer = client.get(
            "/metrics", headers={"Accept": "application/openmetrics-text;version=1.0.0,*/*;q=0.1"}
        )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/openmetrics-text")
    assert answer.text.endswith("# EOF\n") and "tocsin_open_alerts" in answer.text


def test_the_watchdog_gauge_uses_the_watchdogs_threshold(settings, db, frozen_clock):
    with db.write_session() as session:
        ticks.record(session, "engine-a", frozen_clock.now() - timedelta(seconds=7))
    with client_for(settings) as client:
        default = samples(client.get("/metrics").text)
    with client_for(settings, watchdog_stale_seconds=5) as client:
        impatient = samples(client.get("/metrics").text)
    assert value(default, "tocsin_watchdog_problem", problem="engine_silent") == 0
    assert value(impatient, "tocsin_watchdog_problem", problem="engine_silent") == 1
