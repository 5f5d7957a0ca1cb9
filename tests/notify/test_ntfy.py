"""Paging through ntfy, end to end: an alert for a team reaches its on-call person as an ntfy
push (over real HTTP to a fake ntfy server), the push's Acknowledge button acknowledges the
alert from the phone, and an outage or a bad access token loses nothing and is said once."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.accounts.people import Client
from tests.engine.conftest import EngineDriver
from tests.fakes.ntfy import FakeNtfy
from tests.support.factories import make_integration
from tocsin.actors import SYSTEM
from tocsin.alerts import ingest
from tocsin.alerts.models import AlertLog
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.clock import FrozenClock
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.escalations import service as escalations
from tocsin.escalations.schemas import EscalationPayload
from tocsin.notify.ntfy import TOPIC
from tocsin.notify.outbox import OutboxMessage
from tocsin.oncall import service as oncall

REASON = "escalation ops_escalation, rule 1: on call for ops_schedule"
"""Why Ann is paged, as the alert log says it."""
TOKEN = "tk_tocsin0000000000000000000000"
ANN = "/v2/users/ann@example.com"


@pytest.fixture
def ntfy() -> Iterator[FakeNtfy]:
    with FakeNtfy() as server:
        server.accept_token(TOKEN)
        yield server


@pytest.fixture
def own_ntfy() -> Iterator[FakeNtfy]:
    """A server of Ann's own, not the one Tocsin is set up with."""
    with FakeNtfy() as server:
        yield server


@pytest.fixture
def settings(database_url: str, tmp_path: Path, ntfy: FakeNtfy) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        secret_key="test-secret",
        public_base_url="http://tocsin.test",
        ntfy_url=ntfy.url,
        ntfy_token=TOKEN,
        outbound_allow="127.0.0.0/8",
    )


@pytest.fixture
def phone(ntfy: FakeNtfy, http: TestClient) -> FakeNtfy:
    """The fake ntfy server, its app's taps going to the in-process Tocsin."""
    ntfy.sender = http
    return ntfy


@pytest.fixture
def engine(db: Database, settings: Settings) -> Iterator[EngineDriver]:
    driver = EngineDriver(db, settings)
    driver.start()
    yield driver
    driver.stop()


@pytest.fixture
def on_call(db: Database, cast: dict[str, str], frozen_clock: FrozenClock) -> None:
    """Team ops's schedule, Ann on call today (then Lead); its alerts page the one on call."""
    with db.write_session() as session:
        schedule = oncall.create_schedule(
            session, actor=SYSTEM, name="ops_schedule", owner_team=oncall.NameRef(name="ops")
        )
        oncall.add_rotation(
            session,
            actor=SYSTEM,
            schedule_id=schedule.id,
            rotation=oncall.RotationInput(
                type="daily",
                start=datetime(2026, 3, 1, 6, 0, tzinfo=UTC),
                participants=[oncall.UserRef(username=f"{who}@example.com") for who in ("ann", "lead")],
            ),
        )
        escalation = {
            "name": "ops_escalation",
            "ownerTeam": {"name": "ops"},
            "teamDefault": True,
            "rules": [{"recipient": {"type": "schedule", "name": "ops_schedule"}}],
        }
        escalations.create_policy(session, actor=SYSTEM, payload=EscalationPayload.model_validate(escalation))


def ann_pages_to(api: Client, *steps: tuple[str, int], action_type: str = "create-alert") -> None:
    """Ann's ntfy contacts and her rule for new alerts (or ``action_type``): (topic or URL,
    minutes after the alert)."""
    for to in dict.fromkeys(to for to, _ in steps):
        added = api.post(f"{ANN}/contacts", json={"method": "ntfy", "to": to})
        assert added.status_code in (201, 409), added.text  # 409: she has it already
    rule = api.post(
        f"{ANN}/notification-rules",
        json={
            "name": f"Push {action_type}",
            "actionType": action_type,
            "steps": [
                {"contact": {"method": "ntfy", "to": to}, "sendAfter": {"timeAmount": minutes}}
                for to, minutes in steps
            ],
        },
    )
    assert rule.status_code == 201, rule.text


def raise_alert(db: Database, **fields: object) -> str:
    """An alert for team ops (its on-call person is paged), as Prometheus would send it."""
    actor, _ = make_integration(db, f"Prometheus {len(fields)}{fields.get('alias', '')}")
    payload = CreateAlertPayload.model_validate(
        {"message": "Disk full on db1", "responders": [{"type": "team", "name": "ops"}], **fields}
    )
    with db.write_session() as session:
        return ingest.create_alert(session, payload=payload, actor=actor).alert_id


def log_of(db: Database, alert_id: str) -> list[str]:
    with db.read_session() as session:
        return list(
            session.scalars(select(AlertLog.log).where(AlertLog.alert_id == alert_id).order_by(AlertLog.id))
        )


def pushes(db: Database) -> list[OutboxMessage]:
    with db.read_session() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.topic == TOPIC)))


def test_the_on_call_person_is_paged_with_ntfys_json(db, api, on_call, engine, ntfy, own_ntfy):
    own_topic = f"{own_ntfy.url}/ann-home"
    ann_pages_to(api, ("ann-pager", 0), (own_topic, 0))
    alert_id = raise_alert(
        db, priority="P1", description="Only 2% left on /var", tags=["disk", "db1"], alias="disk-db1"
    )

    engine.tick()

    [page] = ntfy.wait_for(1)
    assert page.body == {
        "topic": "ann-pager",
        "title": "#1 P1 Disk full on db1",
        "message": f"Disk full on db1\nOnly 2% left on /var\nYou are told because: {REASON}.",
        "priority": 5,
        "tags": ["rotating_light", "disk", "db1"],
        "click": f"http://tocsin.test/alerts/{alert_id}",
        "actions": [
            {"action": "http", "label": "Acknowledge", "url": page.action("Acknowledge")["url"],
             "method": "POST", "clear": True},
            {"action": "http", "label": "Close", "url": page.action("Close")["url"],
             "method": "POST", "clear": True},
        ],
    }  # fmt: skip
    for label in ("Acknowledge", "Close"):
        assert page.action(label)["url"].startswith("http://tocsin.test/webhooks/ntfy/act/")
    assert page.action("Acknowledge")["url"] != page.action("Close")["url"]
    assert page.headers["authorization"] == f"Bearer {TOKEN}"
    assert page.headers["content-type"] == "application/json"

    [at_home] = own_ntfy.wait_for(1)
    assert at_home.topic == "ann-home" and at_home.priority == 5
    assert "authorization" not in at_home.headers  # the token is for the configured server only
    assert [r.path for r in own_ntfy.requests] == ["/"]
    logs = log_of(db, alert_id)
    assert f"Notified ann-pager by ntfy push ({REASON})" in logs
    assert f"Notified {own_topic} by ntfy push ({REASON})" in logs


@pytest.mark.parametrize(("priority", "ntfy_priority", "tag"), [("P2", 4, "warning"), ("P5", 1, "zzz")])
def test_the_push_is_as_loud_as_the_alert_is_urgent(
    db, api, on_call, engine, ntfy, priority, ntfy_priority, tag
):
    ann_pages_to(api, ("ann-pager", 0))
    raise_alert(db, priority=priority)
    engine.tick()
    [page] = ntfy.wait_for(1)
    assert (page.priority, page.tags, page.title) == (ntfy_priority, [tag], f"#1 {priority} Disk full on db1")


def test_acknowledge_on_the_phone_acknowledges_and_stops_the_next_steps(
    db, api, on_call, engine, phone, frozen_clock
):
    ann_pages_to(api, ("ann-pager", 0), ("ann-pager", 5))
    alert_id = raise_alert(db)
    engine.tick()
    [page] = phone.wait_for(1)

    tapped = phone.press(page, "Acknowledge")

    assert tapped.status_code == 200
    assert tapped.json() == {"message": "Acknowledged #1 Disk full on db1"}
    assert phone.cleared(page)
    shown = api.data(f"/v2/alerts/{alert_id}")
    assert shown["acknowledged"] is True and shown["owner"] == "ann@example.com"
    assert "Alert acknowledged by ann@example.com via ntfy push" in log_of(db, alert_id)

    frozen_clock.advance(timedelta(minutes=6))
    engine.tick()
    engine.tick()
    assert phone.published() == [page]  # the 5-minute page is not sent
    assert [line for line in log_of(db, alert_id) if line.startswith("Notified")] == [
        f"Notified ann-pager by ntfy push ({REASON})"
    ]

    again = phone.press(page, "Acknowledge")
    assert again.status_code == 200
    assert again.json() == {"message": "#1 is already acknowledged: Disk full on db1"}


def test_close_on_the_phone_closes(db, api, on_call, engine, phone):
    ann_pages_to(api, ("ann-pager", 0))
    alert_id = raise_alert(db)
    engine.tick()
    [page] = phone.wait_for(1)

    tapped = phone.press(page, "Close")

    assert (tapped.status_code, tapped.json()) == (200, {"message": "Closed #1 Disk full on db1"})
    assert api.data(f"/v2/alerts/{alert_id}")["status"] == "closed"
    assert "Alert closed by ann@example.com via ntfy push" in log_of(db, alert_id)
    refused = phone.press(page, "Acknowledge")
    assert refused.status_code == 409
    assert refused.json() == {"message": "Alert is closed; it cannot be acknowledged"}


def test_an_ntfy_outage_loses_nothing(db, api, on_call, engine, ntfy, frozen_clock):
    ann_pages_to(api, ("ann-pager", 0))
    ntfy.down()
    alerts = [raise_alert(db, alias=f"disk-{n}") for n in range(3)]

    engine.tick()
    frozen_clock.advance(timedelta(minutes=1))
    engine.tick()  # a probe, refused too
    assert ntfy.published() == [] and len(ntfy.requests) >= 2
    ntfy.up()
    ntfy.fail_next(429)  # its rate limit, once it is back
    for _ in range(4):
        frozen_clock.advance(timedelta(minutes=1))
        engine.tick()

    assert sorted(p.title for p in ntfy.published()) == [f"#{n} P3 Disk full on db1" for n in (1, 2, 3)]
    assert {m.state for m in pushes(db)} == {"delivered"}
    assert all(any(line.startswith("Notified ann-pager") for line in log_of(db, a)) for a in alerts)


def test_a_token_ntfy_refuses_is_a_dead_letter_said_once_in_the_server_log(
    db, api, on_call, engine, ntfy, caplog
):
    ntfy.require_token("ann-pager", "tk_someoneelse")
    ann_pages_to(api, ("ann-pager", 0))
    first, second = raise_alert(db, alias="one"), raise_alert(db, alias="two")

    with caplog.at_level(logging.ERROR, logger="tocsin.notify.ntfy"):
        engine.tick()
        engine.tick()

    assert ntfy.published() == []
    assert {m.state for m in pushes(db)} == {"dead"}
    [failure] = [line for line in log_of(db, first) if line.startswith("Push to ann-pager failed")]
    assert f"HTTP 403 from {ntfy.url}/: forbidden (ntfy 40301)" in failure
    assert "TOCSIN_NTFY_TOKEN is unknown to the server or may not publish to topic ann-pager" in failure
    assert any(line.startswith("Push to ann-pager failed") for line in log_of(db, second))
    reported = [r for r in caplog.records if r.name == "tocsin.notify.ntfy"]
    assert len(reported) == 1 and "TOCSIN_NTFY_TOKEN" in reported[0].getMessage()


def test_a_topic_of_a_persons_own_server_that_needs_a_token_is_refused_for_good(
    db, api, on_call, engine, own_ntfy
):
    own_ntfy.require_token("ann-home", "tk_anns")
    ann_pages_to(api, (f"{own_ntfy.url}/ann-home", 0))
    alert_id = raise_alert(db)
    engine.tick()
    [failure] = [line for line in log_of(db, alert_id) if line.startswith("Push to")]
    assert "HTTP 403 from" in failure and "forbidden (ntfy 40301)" in failure
    assert "Tocsin sends TOCSIN_NTFY_TOKEN only to the server of TOCSIN_NTFY_URL" in failure
    assert "authorization" not in own_ntfy.requests[0].headers


def test_no_ntfy_channel_when_its_url_is_set_empty(db, settings):
    from tocsin.engine.assembly import channels

    with_ntfy = {topic for channel in channels(settings) for topic in channel.topics}
    without = {
        topic
        for channel in channels(settings.model_copy(update={"ntfy_url": ""}))
        for topic in channel.topics
    }
    assert TOPIC in with_ntfy and TOPIC not in without


def test_a_push_ntfy_refuses_for_good_is_a_dead_letter_with_ntfys_words(db, api, on_call, engine, ntfy):
    ann_pages_to(api, ("ann-pager", 0))
    ntfy.fail_next(413)
    alert_id = raise_alert(db)

    engine.tick()
    engine.tick()

    assert ntfy.published() == [] and len(ntfy.requests) == 1  # not retried
    assert [m.state for m in pushes(db)] == ["dead"]
    said = "invalid request: message too large (ntfy 41303)"
    assert f"Push to ann-pager failed: HTTP 413 from {ntfy.url}/: {said}" in log_of(db, alert_id)


def test_acknowledged_elsewhere_the_paged_person_gets_a_quiet_notice_without_buttons(
    db, api, integration_key, on_call, engine, ntfy
):
    ann_pages_to(api, ("ann-pager", 0))
    ann_pages_to(api, ("ann-pager", 0), action_type="acknowledged-alert")
    alert_id = raise_alert(db)
    engine.tick()
    ntfy.wait_for(1)

    acked = integration_key("Grafana").post(f"/v2/alerts/{alert_id}/acknowledge", json={"user": "Lead"})
    assert acked.status_code == 202, acked.text
    engine.tick()
    engine.tick()

    notice = ntfy.wait_for(2)[1]
    assert notice.body["title"] == "#1 acknowledged: Disk full on db1"
    assert notice.body["priority"] == 2 and notice.body["tags"] == ["white_check_mark"]
    assert notice.message.startswith("Disk full on db1\nAcknowledged by Lead")
    assert "actions" not in notice.body
    assert notice.body["click"] == f"http://tocsin.test/alerts/{alert_id}"


def test_the_ntfy_url_must_be_a_web_address():
    assert Settings(ntfy_url="https://ntfy.example.com/ ").ntfy_url == "https://ntfy.example.com"
    with pytest.raises(ValueError, match="TOCSIN_NTFY_URL must be an http"):
        Settings(ntfy_url="ntfy.sh")


def test_a_test_notification_goes_to_the_topic_through_the_engine(db, api, cast, engine, ntfy):
    ann_pages_to(api, ("ann-pager", 0))
    contact_id = next(c["id"] for c in api.data(f"{ANN}/contacts") if c["method"] == "ntfy")
    email_id = next(c["id"] for c in api.data(f"{ANN}/contacts") if c["method"] == "email")

    sent = api.post(f"{ANN}/contacts/{contact_id}/test")
    assert sent.status_code == 202, sent.text
    assert sent.json()["result"] == "A test notification is on its way"
    engine.tick()

    [test] = ntfy.wait_for(1)
    assert (test.topic, test.title, test.priority, test.actions) == ("ann-pager", "Tocsin test", 5, [])
    assert test.headers["authorization"] == f"Bearer {TOKEN}"
    not_yet = api.post(f"{ANN}/contacts/{email_id}/test")
    assert not_yet.status_code == 409
    assert not_yet.json()["message"] == "e-mail is not set up on this server (TOCSIN_SMTP_HOST)"
    assert api.post(f"{ANN}/contacts/no-such-contact/test").status_code == 404


def test_no_test_notification_when_ntfy_is_off(api, cast, http, settings):
    ann_pages_to(api, ("ann-pager", 0))
    contact_id = next(c["id"] for c in api.data(f"{ANN}/contacts") if c["method"] == "ntfy")
    settings.ntfy_url = ""  # as if set empty; the app reads its settings per request

    refused = api.post(f"{ANN}/contacts/{contact_id}/test")

    assert refused.status_code == 409
    assert refused.json()["message"] == "ntfy push is not set up on this server (TOCSIN_NTFY_URL)"


def test_a_protected_topic_without_a_token_set_says_to_set_one(db, api, on_call, settings, ntfy):
    ntfy.require_token("ann-pager", TOKEN)
    ann_pages_to(api, ("ann-pager", 0))
    alert_id = raise_alert(db)
    engine = EngineDriver(db, settings.model_copy(update={"ntfy_token": ""}))
    engine.start()
    try:
        engine.tick()
    finally:
        engine.stop()

    assert ntfy.published() == [] and "authorization" not in ntfy.requests[0].headers
    [failure] = [line for line in log_of(db, alert_id) if line.startswith("Push to")]
    assert failure.endswith(
        "forbidden (ntfy 40301): topic ann-pager needs an access token: set TOCSIN_NTFY_TOKEN"
    )
