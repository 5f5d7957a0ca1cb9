"""On an integration's page: a new key behind a confirmation, shown once (the old key refused from
then on, the new one creating alerts), and the heartbeats of the integration's team, which its
key pings, with the ping commands and a form to create one in place; only for those who
configure the integration, and forged forms change nothing."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.support.api import ApiClient
from tests.web import test_integration_edit
from tests.web.pages import csrf_token_in, log_in
from tocsin.actors import SYSTEM
from tocsin.heartbeats import service as heartbeats
from tocsin.heartbeats.schemas import HeartbeatPayload
from tocsin.integrations import registry
from tocsin.integrations import service as integrations

ops = test_integration_edit.ops  # the fixture: team ops, lead its admin, ann a member; admin; bob
NEW_KEY = re.compile(r'<code id="integration-key">([^<]+)</code>')


def add_api(db, name: str, team_id: str | None = None) -> tuple[str, str]:
    """An API integration's id and key."""
    with db.write_session() as session:
        integration, key = integrations.create_integration(session, type="API", name=name, team_id=team_id)
        return integration.id, key


def add_heartbeat(db, name: str, team_id: str | None) -> None:
    payload: dict[str, Any] = {"name": name, "interval": 5, "intervalUnit": "minutes", "enabled": True}
    if team_id:
        payload["ownerTeam"] = {"id": team_id}
    with db.write_session() as session:
        heartbeats.create_heartbeat(session, actor=SYSTEM, payload=HeartbeatPayload.model_validate(payload))


def test_a_new_key_is_confirmed_shown_once_and_the_old_one_is_refused(http: TestClient, db, ops: str) -> None:
    integration_id, old_key = add_api(db, "ops-api", ops)
    log_in(http, "lead@example.com")
    page = http.get(f"/settings/integrations/{integration_id}").text
    assert f'href="/settings/integrations/{integration_id}/new-key">New key…</a>' in page

    confirm = http.get(f"/settings/integrations/{integration_id}/new-key").text
    assert "The old key stops working now" in confirm
    assert ">Make a new key</button>" in confirm
    made = http.post(
        f"/settings/integrations/{integration_id}/new-key", data={"csrf_token": csrf_token_in(confirm)}
    )

    assert made.status_code == 303 and made.headers["location"] == f"/settings/integrations/{integration_id}"
    answer = http.get(made.headers["location"])
    assert "The old key no longer works: change every sender to this one." in answer.text
    found = NEW_KEY.search(answer.text)
    assert found is not None
    new_key = found.group(1)
    assert new_key != old_key
    assert 'data-copy="#integration-key"' in answer.text
    assert new_key not in http.get(f"/settings/integrations/{integration_id}").text  # never again
    refused = ApiClient(http, old_key).post("/v2/alerts", json={"message": "old"})
    assert refused.status_code == 401
    assert ApiClient(http, new_key).post("/v2/alerts", json={"message": "new"}).status_code == 202


def test_kinds_without_a_key_and_people_who_do_not_configure_get_no_new_key(
    http: TestClient, db, ops: str
) -> None:
    integration_id, key = add_api(db, "ops-api", ops)
    hooks = test_integration_edit.add(db, "Webhook", "hooks", url="http://127.0.0.1:9/hook")
    log_in(http, "admin@example.com")
    assert "New key" not in http.get(f"/settings/integrations/{hooks}").text
    token = csrf_token_in(http.get(f"/settings/integrations/{hooks}").text)
    no_key = http.post(f"/settings/integrations/{hooks}/new-key", data={"csrf_token": token})
    assert no_key.status_code == 422
    assert "Webhook integrations have no key" in no_key.text

    log_in(http, "ann@example.com")
    page = http.get(f"/settings/integrations/{integration_id}").text
    assert "New key" not in page
    forged = http.post(
        f"/settings/integrations/{integration_id}/new-key", data={"csrf_token": csrf_token_in(page)}
    )
    assert forged.status_code == 403
    assert http.post(f"/settings/integrations/{integration_id}/new-key", data={}).status_code == 400
    log_in(http, "bob@example.com")
    token = csrf_token_in(http.get("/settings/integrations").text)
    hidden = http.post(f"/settings/integrations/{integration_id}/new-key", data={"csrf_token": token})
    assert hidden.status_code == 404
    assert ApiClient(http, key).post("/v2/alerts", json={"message": "still works"}).status_code == 202


def test_the_page_lists_the_teams_heartbeats_with_the_commands_that_ping_them(
    http: TestClient, db, ops: str
) -> None:
    integration_id, _ = add_api(db, "ops-api", ops)
    add_heartbeat(db, "ops-backup", ops)
    add_heartbeat(db, "global-cron", None)
    log_in(http, "ann@example.com")

    page = http.get(f"/settings/integrations/{integration_id}").text

    assert "Heartbeats of team ops" in page
    section = page[page.index('id="heartbeats"') :]
    assert "ops-backup" in section and "global-cron" not in section
    assert (
        "curl -X POST http://tocsin.test/v2/heartbeats/ops-backup/ping "
        "-H &#39;Authorization: GenieKey &lt;key&gt;&#39;"
    ) in section
    assert "Create a heartbeat here" not in section  # ann administers no team


def test_a_new_key_is_put_in_the_ping_commands(http: TestClient, db, ops: str) -> None:
    integration_id, _ = add_api(db, "ops-api", ops)
    add_heartbeat(db, "ops-backup", ops)
    log_in(http, "admin@example.com")
    token = csrf_token_in(http.get(f"/settings/integrations/{integration_id}").text)

    made = http.post(f"/settings/integrations/{integration_id}/new-key", data={"csrf_token": token})
    page = http.get(made.headers["location"]).text

    found = NEW_KEY.search(page)
    assert found is not None
    url = "http://tocsin.test/v2/heartbeats/ops-backup/ping"
    assert f"curl -X POST {url} -H &#39;Authorization: GenieKey {found.group(1)}&#39;" in page


def test_a_heartbeat_created_on_the_page_belongs_to_the_integrations_team(
    http: TestClient, db, ops: str
) -> None:
    integration_id, key = add_api(db, "ops-api", ops)
    log_in(http, "lead@example.com")
    page = http.get(f"/settings/integrations/{integration_id}").text
    assert "Create a heartbeat here" in page and 'name="owner_team"' not in page

    created = http.post(
        f"/settings/integrations/{integration_id}/heartbeats",
        data={
            "csrf_token": csrf_token_in(page),
            "name": "ops-sync",
            "interval": "15",
            "interval_unit": "minutes",
            "alert_message": "Sync stopped",
            "alert_priority": "P2",
            "owner_team": "none",  # a forged owner is ignored: the integration's team owns it
        },
    )

    assert created.status_code == 303
    assert created.headers["location"] == f"/settings/integrations/{integration_id}#heartbeats"
    with db.read_session() as session:
        saved = heartbeats.get_heartbeat(session, "ops-sync")
        assert (saved.owner_team_id, saved.interval, saved.alert_message, saved.alert_priority) == (
            ops,
            15,
            "Sync stopped",
            "P2",
        )
    shown = http.get(f"/settings/integrations/{integration_id}").text
    assert "Heartbeat ops-sync created: ping it with the command below." in shown
    pinged = ApiClient(http, key).post("/v2/heartbeats/ops-sync/ping")
    assert pinged.status_code == 202
    with db.read_session() as session:
        assert heartbeats.get_heartbeat(session, "ops-sync").last_ping_at is not None


def test_a_refused_heartbeat_is_shown_on_the_integration_page_and_nothing_is_created(
    http: TestClient, db, ops: str
) -> None:
    integration_id, _ = add_api(db, "ops-api", ops)
    log_in(http, "lead@example.com")
    token = csrf_token_in(http.get(f"/settings/integrations/{integration_id}").text)
    fields = {"csrf_token": token, "name": "ops-sync", "interval_unit": "minutes", "alert_priority": "P3"}

    refused = http.post(
        f"/settings/integrations/{integration_id}/heartbeats", data=fields | {"interval": "x"}
    )

    assert refused.status_code == 422
    assert (
        '<p class="error" id="hb-interval-error">Enter the interval as a whole number, like 10.</p>'
        in refused.text
    )
    assert 'value="ops-sync"' in refused.text
    log_in(http, "ann@example.com")
    token = csrf_token_in(http.get(f"/settings/integrations/{integration_id}").text)
    forged = http.post(
        f"/settings/integrations/{integration_id}/heartbeats",
        data=fields | {"csrf_token": token, "interval": "5"},
    )
    assert forged.status_code == 403
    expired = http.post(
        f"/settings/integrations/{integration_id}/heartbeats", data=fields | {"csrf_token": "x"}
    )
    assert expired.status_code == 400
    with db.read_session() as session:
        assert heartbeats.list_heartbeats(session) == []


def test_a_webhooks_signing_secret_is_shown_to_its_configurers_and_renewed_after_a_confirmation(
    http: TestClient, db, ops: str, settings
) -> None:
    hooks = test_integration_edit.add(db, "Webhook", "ops-hooks", ops, url="http://127.0.0.1:9/hook")
    with db.read_session() as session:
        old = registry.signing_secret_of(
            integrations.get_integration(session, hooks), settings.effective_secret_key
        )
    log_in(http, "ann@example.com")
    page = http.get(f"/settings/integrations/{hooks}").text
    assert old not in page and "New signing secret" not in page
    forged = http.post(
        f"/settings/integrations/{hooks}/new-signing-secret", data={"csrf_token": csrf_token_in(page)}
    )
    assert forged.status_code == 403

    log_in(http, "lead@example.com")
    page = http.get(f"/settings/integrations/{hooks}").text
    assert f'<code id="signing-secret">{old}</code>' in page
    confirm = http.get(f"/settings/integrations/{hooks}/new-signing-secret").text
    assert "a receiver that checks the signature refuses them until it has the new secret" in confirm
    renewed = http.post(
        f"/settings/integrations/{hooks}/new-signing-secret", data={"csrf_token": csrf_token_in(confirm)}
    )

    assert renewed.status_code == 303
    with db.read_session() as session:
        new = registry.signing_secret_of(
            integrations.get_integration(session, hooks), settings.effective_secret_key
        )
    assert new != old
    shown = http.get(f"/settings/integrations/{hooks}").text
    assert "A new signing secret: requests are signed with it from now on." in shown
    assert f'<code id="signing-secret">{new}</code>' in shown
