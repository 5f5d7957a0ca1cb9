"""The Prometheus rules and the Grafana dashboard in docs/ are checked by Prometheus's own
promtool, and name only metrics a real scrape of Tocsin exposes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import require_service
from tests.support.factories import make_integration

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "docs" / "prometheus-alerts.yml"
RULE_TESTS = Path(__file__).with_name("prometheus-alerts-test.yml")
DASHBOARD = ROOT / "docs" / "grafana-dashboard.json"
METRIC_NAME = re.compile(r"\b(?:tocsin|process|python)_[a-z0-9_]+\b")
SERIES_SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


def promtool(*arguments: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    if shutil.which("promtool") is None:
        require_service(
            "promtool is not installed (Debian's prometheus package; scripts/install-test-dependencies)"
        )
    return subprocess.run(["promtool", *arguments], input=stdin, capture_output=True, text=True, timeout=60)


@pytest.fixture
def scrape(http: TestClient, db) -> str:
    """A scrape after some work: an alert created and repeated, pages and API calls."""
    _, key = make_integration(db, "Prometheus")
    for _ in range(2):
        http.post(
            "/v2/alerts",
            json={"message": "Disk full", "alias": "disk"},
            headers={"Authorization": f"GenieKey {key}"},
        )
    http.get("/login")
    return http.get("/metrics").text


def exposed_series(scrape: str) -> set[str]:
    """Every series name a query may use: counters' ``_total``, histograms' buckets, count and sum."""
    return {
        family.name + suffix
        for family in text_string_to_metric_families(scrape)
        for suffix in SERIES_SUFFIXES.get(family.type, ("",))
    }


def test_the_alerting_rules_pass_promtool_and_fire_on_what_they_watch():
    checked = promtool("check", "rules", str(RULES))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 7 rules found" in checked.stdout
    tested = subprocess.run(
        ["promtool", "test", "rules", RULE_TESTS.name], cwd=RULE_TESTS.parent, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_a_real_scrape_passes_promtool_check_metrics(scrape):
    checked = promtool("check", "metrics", stdin=scrape)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_rules_name_only_exposed_metrics(scrape):
    rules = [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]
    named = {name for rule in rules for name in METRIC_NAME.findall(rule["expr"])}
    assert named and named <= exposed_series(scrape)
    watched = {rule["alert"] for rule in rules}
    assert watched == {
        "TocsinDown", "TocsinDatabaseUnreachable", "TocsinEngineSilent", "TocsinOutboxStuck",
        "TocsinOutboxGrowing", "TocsinDeliveriesDying", "TocsinNotificationsSlow",
    }  # fmt: skip


def test_the_dashboard_queries_only_exposed_metrics_and_shows_every_one(scrape):
    dashboard = json.loads(DASHBOARD.read_text())
    queries = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    named = {name for query in queries for name in METRIC_NAME.findall(query)}
    exposed = exposed_series(scrape)
    assert named <= exposed, named - exposed
    ours = {
        family.name for family in text_string_to_metric_families(scrape) if family.name.startswith("tocsin_")
    }
    shown = {family for family in ours if any(name.startswith(family) for name in named)}
    assert shown == ours, ours - shown  # a panel for each of Tocsin's metrics
