"""Alert activity posted into a Mattermost channel through the engine: a real HTTP server on
loopback plays the channel's incoming webhook (it answers "ok", as Mattermost does); posts about
an alert arrive in order, are retried while Mattermost is down, and a refusal is logged on the
alert without giving away the hook's secret URL. Loopback is allowed as an outbound destination,
as an administrator would allow a Mattermost inside the network."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from tests.accounts.people import actor_of
from tests.integrations.conftest import engine as engine  # fixtures: an engine ticked by hand,
from tests.integrations.conftest import settings as settings  # with loopback allowed outbound
from tests.support.factories import make_integration
from tests.support.http_receiver import Answer, HttpReceiver, Received
from tocsin import clock
from tocsin.actors import SYSTEM
from tocsin.alerts import actions, ingest
from tocsin.alerts.models import AlertLog
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.alerts.service import AlertRef
from tocsin.db import Database
from tocsin.integrations import registry
from tocsin.integrations.models import Integration
from tocsin.integrations.outgoing import DEFAULT_ACTIONS
from tocsin.notify.outbox import OutboxMessage
from tocsin.teams import service as teams

HOOK_PATH = "/hooks/xb8sj1ka6py3dmqbg6gm4kzhnr"


def mattermost_answers(request: Received) -> Answer:
    return Answer(200, b"ok", {"Content-Type": "text/plain"})


@pytest.fixture
def hook() -> Iterator[HttpReceiver]:
    with HttpReceiver(mattermost_answers) as server:
        yield server


class Alerts:
    """Alerts sent in by Prometheus and acted on by the cast, through the services."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.prometheus, _ = make_integration(db, "Prometheus")

    def create(self, message: str = "Disk full on db-1", team: str = "ops") -> str:
        with self.db.write_session() as session:
            payload = CreateAlertPayload.model_validate(
                {"message": message, "responders": [{"type": "team", "name": team}]}
            )
            return ingest.create_alert(session, payload=payload, actor=self.prometheus).alert_id

    def act(
        self,
        action: Callable[..., Any],
        alert_id: str,
        who: str = "ann",
        via: str = "Mattermost",
        **arguments: Any,
    ) -> None:
        with self.db.write_session() as session:
            action(session, ref=AlertRef(alert_id), actor=actor_of(session, who, via), **arguments)

    def logs(self, alert_id: str) -> list[str]:
        with self.db.read_session() as session:
            query = select(AlertLog.log).where(AlertLog.alert_id == alert_id).order_by(AlertLog.id)
            return list(session.scalars(query))


@pytest.fixture
def alerts(db: Database, cast: dict[str, str]) -> Alerts:
    return Alerts(db)


@pytest.fixture
def add_channel(db: Database, hook: HttpReceiver) -> Callable[..., str]:
    """A Mattermost integration posting to the fake's incoming webhook; its id."""

    def add(
        name: str = "ops-chat", team: str | None = None, enabled: bool = True, url: str | None = None
    ) -> str:
        with db.write_session() as session:
            integration = Integration(
                name=name,
                type="Mattermost",
                team_id=teams.get_team(session, name=team).id if team else None,
                enabled=enabled,
                config={"url": url or hook.url(HOOK_PATH)},
                outgoing_actions=list(DEFAULT_ACTIONS),
                outgoing_filter={"type": "match-all"},
                created_at=clock.now(),
            )
            session.add(integration)
            session.flush()
            return integration.id

    return add


def posts(hook: HttpReceiver) -> list[dict[str, Any]]:
    return [request.json() for request in hook.received]


def said(post: dict[str, Any]) -> str:
    """A post in a few words: its card's fallback, or its text with the alert's link shortened."""
    if post.get("attachments"):
        return "card " + post["attachments"][0]["fallback"]
    return re.sub(r"\]\(http://tocsin\.test/alerts/[0-9a-f-]{36}\)", "]", post["text"])


def post_states(db: Database) -> list[str]:
    with db.read_session() as session:
        query = select(OutboxMessage.state).where(OutboxMessage.topic == "mattermost.post")
        return list(session.scalars(query.order_by(OutboxMessage.id)))


def test_an_alert_created_acked_noted_and_closed_makes_four_posts_in_order(
    db, alerts, add_channel, hook, engine, frozen_clock
):
    add_channel()
    alert_id = alerts.create()
    alerts.act(actions.acknowledge, alert_id)
    alerts.act(actions.add_alert_note, alert_id, note="rebooting")
    alerts.act(actions.close, alert_id, who="lead")
    engine.tick()

    assert [said(post) for post in posts(hook)] == [
        "card [P3] #1 Disk full on db-1",
        "[#1] Disk full on db-1 acknowledged by ann@example.com via Mattermost",
        "ann@example.com via Mattermost added a note to [#1]: rebooting",
        "[#1] Disk full on db-1 closed by lead@example.com via Mattermost",
    ]
    for request in hook.received:
        assert (request.method, request.path) == ("POST", HOOK_PATH)
        assert request.headers["content-type"] == "application/json"
    assert post_states(db) == ["delivered"] * 4


def test_a_hook_named_by_host_is_posted_to_its_checked_address_with_its_host_header(
    db, alerts, add_channel, hook, engine
):
    add_channel(url=f"http://localhost:{hook.port}{HOOK_PATH}")  # loopback allowed by range, not name
    alerts.create()
    engine.tick()

    assert [(request.path, request.headers["host"]) for request in hook.received] == [
        (HOOK_PATH, f"localhost:{hook.port}")
    ]
    assert post_states(db) == ["delivered"]


def test_while_mattermost_fails_with_500_the_post_is_retried_and_later_ones_wait(
    db, alerts, add_channel, hook, engine, frozen_clock
):
    add_channel()
    hook.answer_with(500)
    alert_id = alerts.create()
    alerts.act(actions.acknowledge, alert_id)
    engine.tick()
    assert len(hook.received) == 1 and post_states(db) == ["pending", "pending"]
    frozen_clock.advance(timedelta(minutes=1))
    engine.tick()
    sent = posts(hook)
    assert [said(post) for post in sent[1:]] == [
        "card [P3] #1 Disk full on db-1",
        "[#1] Disk full on db-1 acknowledged by ann@example.com via Mattermost",
    ]
    assert sent[0] == sent[1]
    assert post_states(db) == ["delivered", "delivered"]


def test_a_refused_post_is_a_dead_letter_logged_on_the_alert_without_the_hook_url(
    db, alerts, add_channel, hook, engine
):
    add_channel()
    refusal = {
        "id": "web.incoming_webhook.invalid.app_error",
        "message": "Invalid webhook.",
        "detailed_error": "",
        "status_code": 400,
    }
    hook.respond = lambda request: Answer(400, orjson.dumps(refusal))
    alert_id = alerts.create()
    engine.tick()
    assert len(hook.received) == 1 and post_states(db) == ["dead"]
    assert alerts.logs(alert_id)[-1] == (
        f"Mattermost ops-chat gave up posting Create: HTTP 400 from 127.0.0.1:{hook.port}: Invalid webhook."
    )
    with db.read_session() as session:
        dead = session.scalars(select(OutboxMessage).where(OutboxMessage.state == "dead")).one()
    assert HOOK_PATH not in dead.last_error and dead.destination == "Mattermost ops-chat"

    hook.respond = mattermost_answers  # a dead post holds back none after it
    alerts.act(actions.acknowledge, alert_id)
    engine.tick()
    assert post_states(db) == ["dead", "delivered"]


def test_a_disabled_integration_posts_nothing(db, alerts, add_channel, hook, engine):
    channel_id = add_channel(enabled=False)
    alerts.create(message="while disabled")
    engine.tick()
    assert hook.received == []
    with db.write_session() as session:
        integration = session.get(Integration, channel_id)
        assert integration is not None
        registry.set_enabled(session, actor=SYSTEM, integration=integration, enabled=True)
    alerts.create(message="after")
    engine.tick()
    assert [said(post) for post in posts(hook)] == ["card [P3] #2 after"]


def test_a_team_owned_integration_hears_only_of_its_teams_alerts(alerts, add_channel, hook, engine):
    add_channel(team="ops")
    alerts.create(message="for db", team="db")
    alerts.create(message="for ops", team="ops")
    engine.tick()
    assert [said(post) for post in posts(hook)] == ["card [P3] #2 for ops"]


def test_a_hook_url_that_became_internal_is_refused_without_showing_its_secret(
    db, alerts, add_channel, hook, engine
):
    channel_id = add_channel()
    with db.write_session() as session:  # as if its name now resolved inside the network
        integration = session.get(Integration, channel_id)
        assert integration is not None
        integration.config = {"url": f"http://10.9.9.9{HOOK_PATH}"}
    alert_id = alerts.create()
    engine.tick()
    assert hook.received == [] and post_states(db) == ["dead"]
    logged = alerts.logs(alert_id)[-1]
    assert logged.startswith(
        "Mattermost ops-chat gave up posting Create: 10.9.9.9 points to a private address"
    )
    assert HOOK_PATH not in logged
