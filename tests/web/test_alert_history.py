"""What happened to an alert, on its page: the notifications sent to people about it (who, how,
when, and whether delivered or failed, as the engine and Twilio's status callbacks recorded
them) and the chat posts about it, with a link to a bot's live card where one can be formed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.support.chat_integration import add_chat_integration
from tests.web import alert_world as world
from tests.web.alert_world import AddAlert
from tests.web.pages import alert_rows, log_in
from tocsin import clock
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.alerts.service import AlertRef, find_alert
from tocsin.chat.card_posts import remember_card_post
from tocsin.integrations.chat_bots import BotChanges
from tocsin.integrations.configuration import Changes
from tocsin.integrations.forwarding import delivery_row
from tocsin.integrations.models import Integration
from tocsin.notify import methods, outbox, twilio_status

people = world.people  # the shared fixture
PHONE = "+4915112345678"
MATTERMOST_ID = "p" * 26


@pytest.fixture
def alert_id(db, people, add_alert: AddAlert, frozen_clock: clock.FrozenClock) -> str:
    return add_alert(message="Disk full on db1", responders=[{"type": "team", "name": "ops"}])


def section(html: str, heading_id: str) -> str:
    return html.split(f'<h2 id="{heading_id}">', 1)[1].split("</section>", 1)[0]


def test_each_notification_says_who_how_when_and_how_it_went(
    http: TestClient, db, alert_id: str, frozen_clock: clock.FrozenClock
) -> None:
    with db.write_session() as session:
        ada = accounts.get_user(session, "ada@example.com")
        ada.time_zone = "Europe/Berlin"
        about = {"alertId": alert_id, "userId": ada.id, "kind": "create-alert", "reason": "a responder"}
        for method, to in [("email", "ada@example.com"), ("sms", PHONE), ("voice", PHONE), ("ntfy", "ada")]:
            outbox.enqueue(session, methods.topic_of(method), about, destination=to, alert_id=alert_id)
    frozen_clock.advance(timedelta(minutes=1))
    with db.write_session() as session:
        topics = [methods.topic_of(method) for method in ("email", "sms", "voice", "ntfy")]
        claimed = {m.topic: m for m in outbox.claim(session, topics, limit=10, lease=timedelta(minutes=1))}
        outbox.mark_delivered(session, claimed["notify.email"])
        outbox.mark_delivered(session, claimed["notify.sms"])
        outbox.mark_failed(session, claimed["notify.voice"], "HTTP 400: invalid number",
                           max_age=timedelta(hours=1), permanent=True)  # fmt: skip
        outbox.mark_delivered(
            session, claimed["notify.ntfy"], note="not sent: the alert was acknowledged first"
        )
        twilio_status.record_status(
            session, message_id=str(claimed["notify.sms"].id), status="undelivered", error_code="30003",
            now=clock.now(),
        )  # fmt: skip
        outbox.enqueue(session, "notify.email", about, destination="ada@example.com", alert_id=alert_id,
                       deliver_at=clock.now() + timedelta(minutes=5))  # fmt: skip
    log_in(http, "ada@example.com")

    rows = alert_rows(section(http.get(f"/alerts/{alert_id}").text, "notifications"))

    assert rows == [
        {"Who": "ada@example.com", "How": "e-mail ada@example.com", "When": "2026-03-01 10:06 CET",
         "Outcome": "waiting"},
        {"Who": "ada@example.com", "How": "ntfy push ada", "When": "2026-03-01 10:01 CET",
         "Outcome": "not sent the alert was acknowledged first"},
        {"Who": "ada@example.com", "How": f"voice calls {PHONE}", "When": "2026-03-01 10:00 CET",
         "Outcome": "failed HTTP 400: invalid number"},
        {"Who": "ada@example.com", "How": f"SMS {PHONE}", "When": "2026-03-01 10:01 CET",
         "Outcome": "failed Twilio reported it undelivered (Twilio error 30003)"},
        {"Who": "ada@example.com", "How": "e-mail ada@example.com", "When": "2026-03-01 10:01 CET",
         "Outcome": "delivered"},
    ]  # fmt: skip


def test_an_alert_nobody_was_told_about_says_so(http: TestClient, alert_id: str) -> None:
    log_in(http, "ada@example.com")

    page = http.get(f"/alerts/{alert_id}").text

    assert "No one has been notified about this alert." in page
    assert "Not posted to any chat channel." in page


def test_chat_posts_link_to_a_mattermost_card_and_name_a_webhooks_integration(
    http: TestClient, db, settings, alert_id: str
) -> None:
    bot = BotChanges(server_url="http://127.0.0.1:9", token="t" * 26, channel_id="c" * 26)
    card_id, _ = add_chat_integration(db, settings, "Mattermost", Changes(bot=bot), name="ops-bot")
    hook_id, _ = add_chat_integration(
        db, settings, "Mattermost", Changes(url="http://127.0.0.1:9/hooks/ops"), name="ops-hook"
    )
    with db.write_session() as session:
        remember_card_post(session, integration_id=card_id, alert_id=alert_id, channel_id="c" * 26,
                           post_id=MATTERMOST_ID, now=clock.now())  # fmt: skip
        alert = find_alert(session, AlertRef(alert_id), SYSTEM)
        hook = session.get(Integration, hook_id)
        assert hook is not None
        outbox.enqueue_many(session, [delivery_row(hook, alert, {"text": "Disk full"}) for _ in range(2)])
    log_in(http, "ada@example.com")

    posts = section(http.get(f"/alerts/{alert_id}").text, "chat-posts")

    assert (
        f'<a href="http://127.0.0.1:9/_redirect/pl/{MATTERMOST_ID}">Mattermost post in ops-bot</a>' in posts
    )
    text = " ".join(posts.replace("<", " <").split())
    assert "Mattermost: ops-hook (its incoming webhook's channel) — 2 posts" in text.replace("&#39;", "'")
