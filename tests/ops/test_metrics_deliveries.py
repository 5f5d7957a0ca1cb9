# ruff: noqa: F811  (the engine fixtures are imported, then taken as arguments)
"""Deliveries by channel and outcome, and the notification latency, as the engine finishes
messages: to a real SMTP server (tests.support.smtp), the fake ntfy and Mattermost servers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from prometheus_client import generate_latest

from tests.engine.conftest import (  # noqa: F401  (fixtures)
    alert_for,
    engine,
    engine_settings,
    make_engine,
    make_user_and_alert,
    queue_email,
    smtp,
)
from tests.fakes.mattermost import FakeMattermost
from tests.fakes.ntfy import FakeNtfy
from tests.ops.metrics_scrape import Samples, grew, samples
from tests.support.chat_posts import add_hook, queue_posts
from tests.support.smtp import refuse_nobody
from tocsin.db import Database
from tocsin.notify import outbox
from tocsin.notify.ntfy import TOPIC as NTFY
from tocsin.ops.metrics_endpoint import scrape_registry


def scrape(db: Database) -> Samples:
    return samples(generate_latest(scrape_registry(db)).decode())


@pytest.fixture
def ntfy() -> Iterator[FakeNtfy]:
    with FakeNtfy() as server:
        yield server


def test_emails_sent_retried_and_given_up_are_counted_by_channel(db, engine, smtp, alert_for, monkeypatch):
    monkeypatch.setattr(type(smtp.inbox), "handle_RCPT", refuse_nobody, raising=False)
    alert_id, ada = alert_for()
    queue_email(db, alert_id, ada, "nobody@example.com")
    for _ in range(3):
        queue_email(db, alert_id, ada, "ada@example.com")
    before = scrape(db)
    engine.tick()
    after = scrape(db)
    assert len(smtp.to("ada@example.com")) == 3
    assert grew(before, after, "tocsin_deliveries_total", channel="email", outcome="sent") == 3
    assert grew(before, after, "tocsin_deliveries_total", channel="email", outcome="dead") == 1
    assert grew(before, after, "tocsin_deliveries_total", channel="email", outcome="failed") == 0
    smtp.stop()
    queue_email(db, alert_id, ada, "ada@example.com")
    engine.tick()
    again = scrape(db)
    assert grew(after, again, "tocsin_deliveries_total", channel="email", outcome="failed") == 1
    assert grew(after, again, "tocsin_deliveries_total", channel="email", outcome="sent") == 0


def test_ntfy_pushes_sent_and_failed_while_the_server_is_down(
    db, make_engine, engine_settings, ntfy, alert_for
):
    engine = make_engine(
        engine_settings.model_copy(update={"ntfy_url": ntfy.url, "outbound_allow": "127.0.0.0/8"})
    )
    alert_id, ada = alert_for()
    with db.write_session() as session:
        for _ in range(2):
            outbox.enqueue(
                session, NTFY, {"alertId": alert_id, "userId": ada, "kind": "create-alert", "reason": "test"},
                destination="ada-pager", alert_id=alert_id,
            )  # fmt: skip
    before = scrape(db)
    engine.tick()
    sent = scrape(db)
    assert len(ntfy.published("ada-pager")) == 2
    assert grew(before, sent, "tocsin_deliveries_total", channel="ntfy", outcome="sent") == 2
    ntfy.down()
    with db.write_session() as session:
        outbox.enqueue(
            session, NTFY, {"alertId": alert_id, "userId": ada, "kind": "create-alert", "reason": "test"},
            destination="ada-pager", alert_id=alert_id,
        )  # fmt: skip
    engine.tick()
    down = scrape(db)
    assert grew(sent, down, "tocsin_deliveries_total", channel="ntfy", outcome="failed") == 1
    assert grew(sent, down, "tocsin_deliveries_total", channel="ntfy", outcome="sent") == 0


def test_notification_latency_is_observed_once_per_alert_from_its_creation(
    db, engine, smtp, alert_for, frozen_clock
):
    before = scrape(db)
    alert_id, ada = alert_for(responders=[{"type": "user", "username": "ada@example.com"}])
    frozen_clock.advance(timedelta(seconds=1.5))
    engine.tick()  # routes the alert: the e-mail to Ada is due now
    engine.tick()
    assert len(smtp.received) == 1
    after = scrape(db)
    assert grew(before, after, "tocsin_notification_latency_seconds_count") == 1
    assert grew(before, after, "tocsin_notification_latency_seconds_sum") == pytest.approx(1.5)
    assert grew(before, after, "tocsin_notification_latency_seconds_bucket", le="1.0") == 0
    assert grew(before, after, "tocsin_notification_latency_seconds_bucket", le="2.0") == 1
    queue_email(db, alert_id, ada, "ada@example.com", kind="create-alert")  # a second one: not the first
    frozen_clock.advance(timedelta(seconds=30))
    engine.tick()
    assert len(smtp.received) == 2
    assert grew(after, scrape(db), "tocsin_notification_latency_seconds_count") == 0


def test_chat_posts_sent_and_given_up_when_the_webhook_is_gone(db, make_engine, engine_settings):
    engine = make_engine(engine_settings.model_copy(update={"outbound_allow": "127.0.0.0/8"}))
    with FakeMattermost() as mattermost:
        url = mattermost.new_hook()
        integration = add_hook(db, url)
        queue_posts(db, integration, [(None, 1), (None, 2)])
        before = scrape(db)
        engine.tick()
        sent = scrape(db)
        assert len(mattermost.posts("ops-alerts")) == 2
        assert grew(before, sent, "tocsin_deliveries_total", channel="mattermost", outcome="sent") == 2
        mattermost.delete_hook(url)
        queue_posts(db, integration, [(None, 3)])
        engine.tick()
        gone = scrape(db)
    assert grew(sent, gone, "tocsin_deliveries_total", channel="mattermost", outcome="dead") == 1
    assert grew(sent, gone, "tocsin_deliveries_total", channel="mattermost", outcome="sent") == 0
