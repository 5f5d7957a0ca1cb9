"""Outgoing webhooks: alert activity forwarded through the engine to a real HTTP server on
loopback, signed, filtered, retried and given up as the receiver answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.integrations.conftest import alert_payloads, webhook
from tests.integrations.test_registry_api import P1_OR_P2
from tests.support.factories import make_user
from tocsin.integrations import signing
from tocsin.integrations.forwarding import Forwarder
from tocsin.integrations.outgoing import any_listening
from tocsin.notify.outbox import OutboxMessage
from tocsin.notify.router import AlertRouter


@pytest.fixture
def sender(integration_key):
    """The key of the API integration monitoring tools send alerts with."""
    return integration_key("Prometheus")


def webhook_states(db) -> list[str]:
    with db.read_session() as session:
        return list(
            session.scalars(
                select(OutboxMessage.state)
                .where(OutboxMessage.topic == "webhook.send")
                .order_by(OutboxMessage.id)
            )
        )


def test_a_filter_forwards_only_p1_and_p2_creates_signed(
    api, sender, create_integration, receiver, engine, frozen_clock
):
    hook = create_integration(
        webhook("pager", receiver.url("/hook"), outgoing={"actions": ["Create"], "filter": P1_OR_P2})
    )
    for priority in ("P1", "P3", "P2", "P5"):
        sender.create(message=f"disk full {priority}", priority=priority, tags=["db"])
    p1 = sender.alert("1", "tiny")
    engine.tick()
    sender.act("POST", f"/v2/alerts/{p1['id']}/acknowledge")  # not an action this webhook forwards
    engine.tick()

    assert sorted((body["action"], body["alert"]["priority"]) for body in alert_payloads(receiver)) == [
        ("Create", "P1"),
        ("Create", "P2"),
    ]
    (request,) = [request for request in receiver.received if request.json()["alert"]["priority"] == "P1"]
    assert request.method == "POST" and request.path == "/hook"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("Tocsin/")
    timestamp = request.headers["x-tocsin-timestamp"]
    assert int(timestamp) == int(frozen_clock.now().timestamp())
    assert signing.verify(
        hook["signingSecret"], timestamp, request.body, request.headers["x-tocsin-signature"]
    )
    assert not signing.verify("whsec_other", timestamp, request.body, request.headers["x-tocsin-signature"])

    body = request.json()
    assert body["integrationName"] == "pager" and body["integrationType"] == "Webhook"
    assert body["integrationId"] == hook["id"]
    assert body["source"] == {"name": "Prometheus", "type": "API"}
    alert = body["alert"]
    assert (alert["alertId"], alert["tinyId"], alert["message"]) == (p1["id"], "1", "disk full P1")
    assert (alert["tags"], alert["status"], alert["acknowledged"]) == (["db"], "open", False)
    assert alert["createdAt"] == int(frozen_clock.now().timestamp() * 1000)
    assert webhook_states(db=engine.writer.db) == ["delivered", "delivered"]


def test_actions_carry_their_details_and_configured_headers(
    api, sender, create_integration, receiver, engine
):
    create_integration(
        webhook(
            "pager",
            receiver.url(),
            headers={"Authorization": "Bearer abc"},
            outgoing={"actions": ["AddNote", "UpdatePriority", "Close"]},
        )
    )
    alert = sender.create(message="disk full")
    sender.act("POST", f"/v2/alerts/{alert['id']}/notes", json={"note": "looking", "user": "ada"})
    sender.act("PUT", f"/v2/alerts/{alert['id']}/priority", json={"priority": "P1"})
    sender.act("POST", f"/v2/alerts/{alert['id']}/close")
    engine.tick()
    bodies = {body["action"]: body["alert"] for body in alert_payloads(receiver)}  # sent at once, any order
    assert sorted(bodies) == ["AddNote", "Close", "UpdatePriority"]
    assert (
        bodies["AddNote"]["note"] == "looking" and bodies["AddNote"]["username"] == "ada via Prometheus (API)"
    )
    assert bodies["UpdatePriority"]["oldPriority"] == "P3" and bodies["UpdatePriority"]["priority"] == "P1"
    assert bodies["Close"]["status"] == "closed"
    assert {request.headers["authorization"] for request in receiver.received} == {"Bearer abc"}


def test_a_receiver_failing_with_500_is_retried_until_it_answers(
    db, sender, create_integration, receiver, engine, frozen_clock
):
    create_integration(webhook("pager", receiver.url()))
    receiver.answer_with(500, 503)
    sender.create(message="disk full")
    engine.tick()
    assert webhook_states(db) == ["pending"]
    frozen_clock.advance(timedelta(minutes=1))
    engine.tick()
    frozen_clock.advance(timedelta(minutes=1))
    engine.tick()
    assert len(receiver.received) == 3 and webhook_states(db) == ["delivered"]
    assert receiver.received[0].body == receiver.received[2].body


def test_a_receiver_refusing_with_400_makes_a_dead_letter_logged_on_the_alert(
    db, sender, create_integration, receiver, engine
):
    create_integration(webhook("pager", receiver.url()))
    receiver.answer_with(400)
    alert = sender.create(message="disk full")
    engine.tick()
    assert len(receiver.received) == 1 and webhook_states(db) == ["dead"]
    with db.read_session() as session:
        dead = session.scalars(select(OutboxMessage).where(OutboxMessage.state == "dead")).one()
    assert dead.last_error == f"HTTP 400 from {receiver.url()}: {{}}"
    assert (
        sender.logs(alert["id"])[-1]
        == f"Webhook pager gave up on Create: HTTP 400 from {receiver.url()}: {{}}"
    )


def test_a_disabled_webhook_sends_nothing(api, db, sender, create_integration, receiver, engine):
    hook = create_integration(webhook("pager", receiver.url()))
    sender.create(message="before")
    api.post(f"/v2/integrations/{hook['id']}/disable")  # after the event, before the delivery
    engine.tick()
    api.post(f"/v2/integrations/{hook['id']}/enable")
    api.post(f"/v2/integrations/{hook['id']}/disable")
    sender.create(message="while disabled")
    engine.tick()
    assert receiver.received == []
    api.post(f"/v2/integrations/{hook['id']}/enable")
    sender.create(message="after")
    engine.tick()
    assert [body["alert"]["message"] for body in alert_payloads(receiver)] == ["after"]


def test_a_team_webhook_hears_only_of_its_teams_alerts(
    api, cast, sender, create_integration, receiver, engine
):
    create_integration(webhook("ops-pager", receiver.url(), ownerTeam={"name": "ops"}))
    sender.create(message="for db", responders=[{"type": "team", "name": "db"}])
    sender.create(message="for ops", responders=[{"type": "team", "name": "ops"}])
    engine.tick()
    assert [body["alert"]["message"] for body in alert_payloads(receiver)] == ["for ops"]
    assert alert_payloads(receiver)[0]["alert"]["responders"][0]["name"] == "ops"


def test_a_url_that_became_internal_is_refused_at_send_time(
    api, db, settings, sender, create_integration, receiver, engine
):
    from tocsin.integrations.models import Integration

    hook = create_integration(webhook("pager", receiver.url()))
    with db.write_session() as session:  # as if its name now resolved inside the network
        session.get(Integration, hook["id"]).config = {"url": "http://10.9.9.9/hook"}
    sender.create(message="disk full")
    engine.tick()
    assert webhook_states(db) == ["dead"] and receiver.received == []
    with db.read_session() as session:
        dead = session.scalars(select(OutboxMessage).where(OutboxMessage.state == "dead")).one()
    assert "points to a private address (10.9.9.9)" in dead.last_error


def test_activity_is_recorded_only_while_someone_listens(db, api, sender, create_integration, receiver):
    def listening() -> bool:
        with db.read_session() as session:
            return any_listening(session)

    assert not listening()
    create_integration({"name": "am", "type": "API"})
    assert not listening()
    hook = create_integration(webhook("pager", receiver.url(), outgoing={"actions": []}))
    assert not listening()
    api.request("PUT", f"/v2/integrations/{hook['id']}", json={"outgoing": {"actions": ["Close"]}})
    assert listening()
    api.post(f"/v2/integrations/{hook['id']}/disable")
    assert not listening()


def test_a_round_routes_its_new_alerts_and_their_forwarding_as_one_batch_each(
    db, api, sender, create_integration, receiver, engine, monkeypatch
):
    """Each new alert queues its ``alert.created`` and then its ``alert.activity``: interleaved
    in the outbox, they still reach the alert router and the forwarder as one batch each (not
    one batch per message, which costs a round its statements per alert in a storm)."""
    create_integration(webhook("pager", receiver.url("/hook"), outgoing={"actions": ["Create"]}))
    batches: dict[str, list[int]] = {"router": [], "forwarder": []}
    for name, router in (("router", AlertRouter), ("forwarder", Forwarder)):
        handle_batch = router.handle_batch

        def counting(self, session, messages, name=name, handle_batch=handle_batch):
            batches[name].append(len(messages))
            return handle_batch(self, session, messages)

        monkeypatch.setattr(router, "handle_batch", counting)
    make_user(db, "ada@example.com")
    ada = [{"type": "user", "username": "ada@example.com"}]
    for n in range(20):
        sender.create(message=f"disk full on db{n}", responders=ada)
    engine.tick()
    assert batches == {"router": [20], "forwarder": [20]}
    assert sorted(body["alert"]["message"] for body in alert_payloads(receiver)) == sorted(
        f"disk full on db{n}" for n in range(20)
    )
