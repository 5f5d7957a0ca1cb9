"""elastalert2's Opsgenie alerter (``alert: opsgenie``) pointed at a real Tocsin server.

ElastAlert itself runs the rule: ``elastalert-test-rule --alert --data`` matches the documents as it
would matches from Elasticsearch and hands them to the real ``OpsGenieAlerter``, which posts to
``opsgenie_addr``. elastalert2 needs Python 3.12 or newer, so it lives in a virtualenv of its own
(tests/clients/elastalert, built by ``make test``) and runs as a subprocess."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import require_service
from tests.support.factories import make_integration, make_team, make_user
from tests.support.server import LiveServer

pytestmark = pytest.mark.clients

ELASTALERT = Path(__file__).parent / "elastalert"
TEST_RULE = ELASTALERT / ".venv" / "bin" / "elastalert-test-rule"

# ElastAlert's global settings: it needs an Elasticsearch address, which the --data run never uses.
CONFIG = {
    "rules_folder": "rules",
    "run_every": {"minutes": 1},
    "buffer_time": {"minutes": 15},
    "es_host": "127.0.0.1",
    "es_port": 9,
    "writeback_index": "elastalert_status",
    "alert_time_limit": {"days": 1},
}


@dataclass
class Run:
    sent: int
    """How many times the alerter logged "Alert sent to OpsGenie"."""
    errors: list[str]
    writeback: dict[str, Any]
    """The last document ElastAlert would have written to each writeback index."""
    log: str


@pytest.fixture(scope="session")
def test_rule() -> Path:
    if not TEST_RULE.is_file():
        require_service(f"elastalert2 is not installed: make test runs {ELASTALERT / 'install'}")
    return TEST_RULE


def run_rule(test_rule: Path, workdir: Path, rule: dict[str, Any], documents: list[dict[str, Any]]) -> Run:
    (workdir / "config.yaml").write_text(yaml.safe_dump(CONFIG))
    (workdir / "rule.yaml").write_text(yaml.safe_dump(rule))
    (workdir / "documents.json").write_text(json.dumps(documents))
    ran = subprocess.run(
        [str(test_rule), "--config", "config.yaml", "--data", "documents.json", "--alert",
         "--formatted-output", "rule.yaml"],
        cwd=workdir, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    return Run(
        sent=ran.stderr.count("INFO:elastalert:Alert sent to OpsGenie"),
        errors=[line for line in ran.stderr.splitlines() if line.startswith("ERROR:")],
        writeback=json.loads(ran.stdout)["writeback"],
        log=ran.stderr,
    )


def opsgenie_rule(live_server: LiveServer, key: str, **options: Any) -> dict[str, Any]:
    return {
        "name": "Disk full",
        "type": "any",
        "index": "logs-*",
        "filter": [],
        "realert": {"minutes": 0},  # every matching document alerts, as a busy rule would
        "alert": ["opsgenie"],
        "opsgenie_key": key,
        "opsgenie_addr": f"{live_server.url}/v2/alerts",
        **options,
    }


def document(host: str, second: int, **fields: Any) -> dict[str, Any]:
    return {"@timestamp": f"2026-12-07T10:00:{second:02d}Z", "host": host, **fields}


def test_every_option_of_the_alerter_arrives_and_the_same_alias_deduplicates(
    test_rule, live_server, db, tmp_path
):
    make_team(db, "storage")
    make_user(db, "dba@example.com")
    _, key = make_integration(db, "elastalert")
    rule = opsgenie_rule(
        live_server, key,
        opsgenie_account="elastalert-prod",
        opsgenie_message="Disk full on {host}",
        opsgenie_alias="disk-{host}",
        opsgenie_priority="P2",
        opsgenie_tags=["disk", "{env}"],
        opsgenie_recipients=["{owner}"],
        opsgenie_recipients_args={"owner": "owner.email"},
        opsgenie_teams=["storage"],
        opsgenie_description="{host}: {message}",
        opsgenie_entity="{host}",
        opsgenie_source="elastalert-{env}",
        opsgenie_details={"used": {"field": "disk.used_pct"}, "runbook": "https://runbooks.example/disk"},
    )  # fmt: skip
    shared = {"env": "prod", "owner": {"email": "dba@example.com"}}
    documents = [
        document("db1", 0, message="disk full", disk={"used_pct": 97}, **shared),
        document("db1", 5, message="disk still full", disk={"used_pct": 99}, **shared),
        document("db2", 9, message="disk full", disk={"used_pct": 95}, **shared),
    ]

    run = run_rule(test_rule, tmp_path, rule, documents)

    assert run.errors == [] and "elastalert_error" not in run.writeback, run.log
    assert run.sent == 3
    assert run.writeback["elastalert"]["alert_sent"] is True
    info = run.writeback["elastalert"]["alert_info"]
    # Its record of recipients is the template (2.20 and later) or what it became (2.19).
    assert info.pop("recipients") in (["{owner}"], ["dba@example.com"])
    assert info == {"type": "opsgenie", "account": "elastalert-prod", "teams": ["storage"]}

    with httpx.Client(
        base_url=live_server.url, headers={"Authorization": f"GenieKey {key}"}, timeout=5
    ) as api:
        alert = api.get("/v2/alerts/disk-db1", params={"identifierType": "alias"}).json()["data"]
        assert alert["message"] == "Disk full on db1" and alert["alias"] == "disk-db1"
        assert alert["priority"] == "P2" and alert["status"] == "open"
        assert alert["tags"] == ["disk", "prod", "ElastAlert", "Disk full"]
        assert alert["description"] == "db1: disk full"  # the first match's: a duplicate changes nothing
        assert alert["entity"] == "db1" and alert["source"] == "elastalert-prod"
        assert alert["details"] == {"used": "97", "runbook": "https://runbooks.example/disk"}
        assert alert["integration"]["name"] == "elastalert"
        assert alert["count"] == 2  # the second db1 match deduplicated by alias
        assert sorted(responder["type"] for responder in alert["responders"]) == ["team", "user"]
        assert all(responder["id"] for responder in alert["responders"])

        by_team = api.get("/v2/alerts", params={"query": "teams:storage", "order": "asc"}).json()["data"]
        assert [item["alias"] for item in by_team] == ["disk-db1", "disk-db2"]
        assert api.get("/v2/alerts/count").json()["data"]["count"] == 2

        logs = api.get(f"/v2/alerts/{alert['id']}/logs", params={"order": "asc"}).json()["data"]
        texts = [entry["log"] for entry in logs]
        # opsgenie_account is the request's user: the log names it beside the integration.
        assert texts[0] == "Alert created by elastalert-prod via elastalert (API)"
        deduplicated = (
            'Alert is received with same alias. Message: "Disk full on db1". Count is increased to 2'
        )
        assert deduplicated in texts


def test_a_rule_that_names_only_a_priority_gets_elastalerts_message_source_tags_and_description(
    test_rule, live_server, db, tmp_path
):
    _, key = make_integration(db, "elastalert")
    rule = opsgenie_rule(live_server, key, opsgenie_priority="P4")
    run = run_rule(test_rule, tmp_path, rule, [document("db1", 0, message="x")])

    assert run.errors == [] and run.sent == 1, run.log
    alert = only_alert(live_server, key)
    assert alert["message"] == "ElastAlert: Disk full" and alert["priority"] == "P4"
    assert alert["source"] == "ElastAlert" and alert["tags"] == ["ElastAlert", "Disk full"]
    assert alert["alias"]  # none sent: Tocsin gives one, as Opsgenie does
    # With no opsgenie_description, the description is ElastAlert's text of the match.
    assert "host: db1" in alert["description"] and "message: x" in alert["description"]


def test_a_rule_without_a_priority_creates_a_p3_alert(test_rule, live_server, db, tmp_path):
    _, key = make_integration(db, "elastalert")
    run = run_rule(test_rule, tmp_path, opsgenie_rule(live_server, key), [document("db1", 0)])

    assert run.errors == [] and run.sent == 1, run.log
    assert only_alert(live_server, key)["priority"] == "P3"


def test_a_refused_key_is_an_error_in_elastalerts_log(test_rule, live_server, tmp_path):
    run = run_rule(test_rule, tmp_path, opsgenie_rule(live_server, "not-a-key"), [document("db1", 0)])

    assert run.sent == 0
    assert run.writeback["elastalert"]["alert_sent"] is False
    assert "401" in run.writeback["elastalert"]["alert_exception"]


def only_alert(live_server: LiveServer, key: str) -> dict[str, Any]:
    with httpx.Client(
        base_url=live_server.url, headers={"Authorization": f"GenieKey {key}"}, timeout=5
    ) as api:
        [listed] = api.get("/v2/alerts").json()["data"]
        return api.get(f"/v2/alerts/{listed['id']}").json()["data"]
