"""``tocsin integration create|list|enable|disable|delete``, run as the real console script."""

from __future__ import annotations

from datetime import timedelta

from tests.support.api import ApiClient
from tests.support.factories import make_team
from tests.test_cli import Tocsin
from tocsin.integrations import service as integrations


def test_create_list_and_delete_by_name(tocsin: Tocsin, db) -> None:
    make_team(db, "ops")
    tocsin.ok("integration", "create", "--name", "Prometheus")
    tocsin.ok("integration", "create", "--name", "ops-api", "--type", "api", "--team", "ops")
    assert tocsin.ok("integration", "list") == [
        "ops-api\tAPI\tenabled\tops\t-",
        "Prometheus\tAPI\tenabled\t-\t-",
    ]
    assert tocsin.ok("integration", "list", "--team", "ops") == ["ops-api\tAPI\tenabled\tops\t-"]
    assert tocsin.ok("integration", "delete", "PROMETHEUS") == ["Deleted integration PROMETHEUS."]
    assert tocsin.ok("integration", "list", "--type", "API") == ["ops-api\tAPI\tenabled\tops\t-"]


def test_disable_by_name_makes_the_key_refused_and_enable_brings_it_back(
    tocsin: Tocsin, http, frozen_clock
) -> None:
    key = tocsin.ok("integration", "create", "--name", "Prometheus")[-1]
    sender = ApiClient(http, key)
    assert sender.post("/v2/alerts", json={"message": "disk full"}).status_code == 202

    assert tocsin.ok("integration", "disable", "prometheus") == [
        "Disabled integration prometheus. Its key is refused within a few seconds."
    ]
    frozen_clock.advance(timedelta(seconds=3))  # the server's cache of recognised keys expires
    refused = sender.post("/v2/alerts", json={"message": "disk full"})
    assert refused.status_code == 401
    assert refused.json()["message"] == "Could not authenticate: integration Prometheus is disabled"
    assert tocsin.ok("integration", "list") == ["Prometheus\tAPI\tdisabled\t-\t-"]

    tocsin.ok("integration", "enable", "Prometheus")
    frozen_clock.advance(timedelta(seconds=3))
    assert sender.post("/v2/alerts", json={"message": "disk full"}).status_code == 202


def test_a_webhook_is_created_with_its_url_and_prints_its_signing_secret(tocsin: Tocsin, db) -> None:
    allowed = Tocsin({**tocsin.environment, "TOCSIN_OUTBOUND_ALLOW": "10.0.0.0/8"})
    lines = allowed.ok("integration", "create", "--type", "Webhook", "--name", "hooks", "--webhook-url",
                       "https://10.1.2.3/hook")  # fmt: skip
    assert lines[0] == "Created Webhook integration hooks. Signing secret:"
    assert lines[-1].startswith("whsec_")
    assert tocsin.ok("integration", "list") == [
        "hooks\tWebhook\tenabled\t-\tCreate,Acknowledge,UnAcknowledge,Close,AddNote,AssignOwnership"
    ]
    with db.read_session() as session:
        assert integrations.find_integration(session, name="hooks").config["url"] == "https://10.1.2.3/hook"


def test_bad_input_is_one_line_and_stores_nothing(tocsin: Tocsin) -> None:
    private = tocsin("integration", "create", "--type", "Webhook", "--name", "hooks", "--webhook-url",
                     "https://10.1.2.3/hook")  # fmt: skip
    assert private.returncode == 1
    assert private.stderr == (
        "error: https://10.1.2.3/hook points to a private address (10.1.2.3); "
        "allow it with TOCSIN_OUTBOUND_ALLOW=10.0.0.0/8\n"
    )
    missing = tocsin("integration", "create", "--type", "Webhook", "--name", "hooks")
    assert missing.stderr == "error: a Webhook integration needs the url it posts to\n"
    unknown = tocsin("integration", "disable", "nothing")
    assert unknown.returncode == 1
    assert unknown.stderr == "error: no integration 'nothing' (tocsin integration list shows the names)\n"
    tocsin.ok("integration", "create", "--name", "Prometheus")
    duplicate = tocsin("integration", "create", "--name", "prometheus")
    assert duplicate.stderr == (
        "error: an integration named 'Prometheus' already exists; choose another name\n"
    )
    assert tocsin.ok("integration", "list") == ["Prometheus\tAPI\tenabled\t-\t-"]


def test_an_unknown_type_is_refused_naming_the_types(tocsin: Tocsin) -> None:
    result = tocsin("integration", "list", "--type", "pigeon")
    assert result.stderr == "error: integration type must be one of API, Webhook, Heartbeat, got 'pigeon'\n"
