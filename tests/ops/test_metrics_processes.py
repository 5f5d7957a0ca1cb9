"""Metrics of real processes: ``tocsin serve --workers N`` adds up what every worker counted
(prometheus-client's multiprocess mode), in any worker's answer on the main port and on a port
of its own (served by the parent process, which counts nothing itself), and
``tocsin engine --metrics-port`` shows what a separate engine delivered."""

from __future__ import annotations

import signal
import subprocess
import time

import httpx
import pytest

from tests.ops.metrics_scrape import Samples, families, samples, value
from tests.support.postgres import free_port
from tests.test_cli import TOCSIN
from tests.test_cli_engine import environment, prepare, smtp  # noqa: F401  (fixtures)

CREATES = 6
ONE_DATABASE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
"""Whole processes are slow to start: the database side of metrics is tested on both elsewhere."""


def create_alerts(url: str, key: str, **fields: object) -> None:
    for number in range(CREATES):
        with httpx.Client() as fresh:  # a new connection each time: the workers share them out
            answer = fresh.post(
                f"{url}/v2/alerts",
                json={"message": f"Disk full {number}", **fields},
                headers={"Authorization": f"GenieKey {key}"},
                timeout=10,
            )
        assert answer.status_code == 202, answer.text


def scrape(url: str, token: str = "") -> Samples:
    answer = httpx.get(url, headers={"Authorization": f"Bearer {token}"} if token else {}, timeout=10)
    assert answer.status_code == 200, answer.text
    return samples(answer.text)


@ONE_DATABASE
def test_every_scrape_of_several_workers_on_the_main_port_shows_all_they_counted(serves, environment):  # noqa: F811
    key = prepare(environment)
    serve = serves(environment, "--workers", "2", "--no-engine")
    create_alerts(serve.url, key)
    for _ in range(6):  # a new connection each time: whichever worker answers
        seen = scrape(f"{serve.url}/metrics")
        assert value(seen, "tocsin_alerts_created_total", integration="monitoring") == CREATES
        assert not [name for name, _ in seen if name.startswith("process_")]  # not added up across processes
    serve.stop(signal.SIGTERM)


@ONE_DATABASE
def test_several_workers_add_up_on_the_metrics_port_of_their_own(serves, environment, tmp_path):  # noqa: F811
    key = prepare(environment)
    port = free_port()
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    environment = {
        **environment,
        "TOCSIN_METRICS_PORT": str(port),
        "TOCSIN_METRICS_TOKEN": "sesame-41",
        "TMPDIR": str(temporary),  # where the workers' metrics directory is made
    }
    serve = serves(environment, "--workers", "2", "--no-engine")
    assert f"Metrics on http://127.0.0.1:{port}/metrics" in serve.stdout
    create_alerts(serve.url, key)
    assert httpx.get(f"{serve.url}/metrics", timeout=10).status_code == 404
    assert httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).status_code == 401
    seen = scrape(f"http://127.0.0.1:{port}/metrics", "sesame-41")
    assert value(seen, "tocsin_alerts_created_total", integration="monitoring") == CREATES
    creates = {"route": "/v2/alerts", "method": "POST", "status": "202"}
    assert value(seen, "tocsin_http_requests_total", **creates) == CREATES
    assert value(seen, "tocsin_open_alerts", priority="P3") == CREATES
    assert [path.name for path in temporary.iterdir() if path.name.startswith("tocsin-metrics-")]
    serve.stop(signal.SIGTERM)
    assert not list(temporary.iterdir())  # removed on the way out


@ONE_DATABASE
def test_a_separate_engine_shows_its_deliveries_on_its_metrics_port(serves, environment, smtp):  # noqa: F811
    key = prepare(environment)
    serve = serves(environment, "--no-engine")
    port = free_port()
    command = [str(TOCSIN), "engine", "--metrics-port", str(port)]
    engine = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, text=True)
    try:
        create_alerts(serve.url, key, responders=[{"type": "user", "username": "ada@example.com"}])
        smtp.wait_for(CREATES, timeout=30)
        deadline = time.monotonic() + 10
        while True:  # the e-mails are counted once their outcome is recorded, just after they are sent
            seen = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
            sent = value(samples(seen.text), "tocsin_deliveries_total", channel="email", outcome="sent")
            if sent == CREATES or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert sent == CREATES
        assert value(samples(seen.text), "tocsin_notification_latency_seconds_count") == CREATES
        assert "process_cpu_seconds" in families(seen.text)
        assert "tocsin_open_alerts" not in families(seen.text)  # the API's scrape shows the database's state
    finally:
        engine.send_signal(signal.SIGTERM)
        assert engine.wait(20) == 0
    serve.stop(signal.SIGTERM)
