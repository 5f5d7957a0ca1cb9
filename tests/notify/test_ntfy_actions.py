"""The links behind an ntfy push's buttons: only a link Tocsin signed, unchanged and unexpired,
acts, and only as the person it was sent to, under the API's rules. No answer is a 5xx."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeSerializer

from tests.support.factories import make_integration
from tocsin import clock
from tocsin.alerts import ingest
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.db import Database
from tocsin.notify import ntfy_tokens

SECRET = "test-secret"  # the key of the ``settings`` fixture


@pytest.fixture
def ops_alert(db: Database, cast: dict[str, str]) -> str:
    """An alert for team ops (Ann is in it, Bob is not)."""
    actor, _ = make_integration(db, "Prometheus")
    payload = CreateAlertPayload.model_validate(
        {"message": "Disk full on db1", "responders": [{"type": "team", "name": "ops"}]}
    )
    with db.write_session() as session:
        return ingest.create_alert(session, payload=payload, actor=actor).alert_id


def link(action: str, alert_id: str, user_id: str, *, key: str = SECRET, hours: float = 24) -> str:
    token = ntfy_tokens.issue(
        key,
        action=action,
        alert_id=alert_id,
        user_id=user_id,
        expires_at=clock.now() + timedelta(hours=hours),
    )
    return f"/webhooks/ntfy/act/{token}"


def tap(http: TestClient, path: str) -> tuple[int, str]:
    answer = http.post(path)
    body = answer.json()
    assert set(body) == {"message"} and "\n" not in body["message"]
    return answer.status_code, body["message"]


def alert(http: TestClient, api, alert_id: str) -> dict:
    return api.data(f"/v2/alerts/{alert_id}")


def test_a_link_does_its_action_as_its_person(http, api, cast, ops_alert):
    assert tap(http, link("acknowledge", ops_alert, cast["ann"])) == (200, "Acknowledged #1 Disk full on db1")
    assert alert(http, api, ops_alert)["acknowledged"] is True
    assert tap(http, link("close", ops_alert, cast["ann"])) == (200, "Closed #1 Disk full on db1")
    assert alert(http, api, ops_alert)["status"] == "closed"
    assert tap(http, link("close", ops_alert, cast["ann"])) == (200, "#1 is already closed: Disk full on db1")


def test_a_deactivated_persons_link_does_nothing(http, api, db, cast, ops_alert):
    from tocsin.accounts import service as accounts
    from tocsin.actors import SYSTEM

    with db.write_session() as session:
        ann = accounts.get_user(session, "ann@example.com")
        accounts.set_active(session, actor=SYSTEM, user=ann, active=False)

    assert tap(http, link("acknowledge", ops_alert, cast["ann"])) == (
        403,
        "the person this push was sent to is deactivated in Tocsin",
    )
    assert alert(http, api, ops_alert)["acknowledged"] is False


def test_a_forged_link_is_refused(http, api, cast, ops_alert):
    assert tap(http, "/webhooks/ntfy/act/not-a-token") == (
        403,
        "this link was not made by Tocsin or was altered",
    )
    other_key = link("acknowledge", ops_alert, cast["ann"], key="another-server's-key")
    assert tap(http, other_key)[0] == 403
    unsigned_purpose = URLSafeSerializer(SECRET, salt="something else").dumps(
        {"do": "acknowledge", "alert": ops_alert, "user": cast["ann"], "exp": 2**40}
    )
    assert tap(http, f"/webhooks/ntfy/act/{unsigned_purpose}")[0] == 403
    assert alert(http, api, ops_alert)["acknowledged"] is False


def test_an_acknowledge_link_cannot_be_made_to_close(http, api, cast, ops_alert):
    token = link("acknowledge", ops_alert, cast["ann"]).rsplit("/", 1)[1]
    claims, signature = token.rsplit(".", 1)
    serializer = URLSafeSerializer(SECRET, salt=ntfy_tokens.SALT)
    decoded = serializer.load_payload(claims.encode())
    assert decoded["do"] == "acknowledge"
    altered = serializer.dump_payload({**decoded, "do": "close"}).decode()

    assert tap(http, f"/webhooks/ntfy/act/{altered}.{signature}") == (
        403,
        "this link was not made by Tocsin or was altered",
    )
    assert alert(http, api, ops_alert)["status"] == "open"


def test_an_expired_link_is_gone(http, api, cast, ops_alert, frozen_clock):
    path = link("acknowledge", ops_alert, cast["ann"])
    frozen_clock.advance(ntfy_tokens.LIFETIME + timedelta(seconds=1))
    status, message = tap(http, path)
    assert status == 410 and message.startswith("this button has expired")
    assert alert(http, api, ops_alert)["acknowledged"] is False


def test_the_api_rules_hold_for_a_link(http, api, db, cast, ops_alert):
    assert tap(http, link("acknowledge", ops_alert, cast["bob"])) == (
        403,
        "bob@example.com may not act on this alert",
    )
    assert tap(http, link("acknowledge", "no-such-alert", cast["ann"])) == (410, "the alert no longer exists")
    assert tap(http, link("acknowledge", ops_alert, "no-such-user"))[0] == 403
    assert alert(http, api, ops_alert)["acknowledged"] is False


def test_only_post_acts(http, cast, ops_alert):
    assert http.get(link("acknowledge", ops_alert, cast["ann"])).status_code == 405
