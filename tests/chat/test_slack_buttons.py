"""The buttons of Tocsin's Slack cards, clicked in a fake Slack: Slack sends the click to the
integration's Request URL, Tocsin acknowledges at once and sends the card as it is now and a note
for the clicker to the click's response URL. Forged, altered and expired buttons do nothing."""

from __future__ import annotations

from datetime import timedelta

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient

from tests.chat import slack_genie
from tests.chat.conftest import alert
from tests.chat.genie_world import JOHN, Genie
from tests.fakes.slack import FakeSlack, Message
from tests.fakes.slack_slash import signed_headers
from tocsin import clock
from tocsin.actors import SYSTEM
from tocsin.alerts.service import AlertRef, find_alert
from tocsin.chat import buttons
from tocsin.chat.alert_card import post_for_event
from tocsin.chat.platforms.slack_messages import LAYOUT
from tocsin.config import Settings
from tocsin.integrations import configuration
from tocsin.integrations import service as integrations

platform = slack_genie.platform
fake = slack_genie.fake


@pytest.fixture
def genie(genie: Genie, fake: FakeSlack) -> Genie:
    fake.interactivity_url = genie.request_url  # one Request URL for commands and interactivity
    return genie


def post_card(genie: Genie, settings: Settings, tiny_id: int) -> Message:
    """The new-alert post of alert ``tiny_id``, sent to the channel's hook as the engine sends it."""
    with genie.db.read_session() as session:
        integration = integrations.get_integration(session, genie.integration_id)
        found = find_alert(session, AlertRef(str(tiny_id), "tiny"), SYSTEM)
        body = post_for_event(
            LAYOUT,
            session,
            found,
            integration,
            {"action": "Create"},
            base_url=settings.base_url,
            secret_key=settings.effective_secret_key,
            button_lifetime=settings.chat_button_lifetime,
        )
        hook = configuration.url_of(integration)
    answer = httpx.post(hook, json=body)
    assert (answer.status_code, answer.text) == (200, "ok")
    return genie.fake.posts()[-1]


def test_acknowledge_acts_as_the_linked_user_and_replaces_the_card(genie: Genie, settings: Settings) -> None:
    card = post_card(genie, settings, 1)
    assert card.buttons == ["Acknowledge", "Close", "Take ownership"]
    styles = [card.button(name).get("style") for name in card.buttons]  # type: ignore[union-attr]
    assert styles == ["primary", "danger", None]

    click = genie.fake.click(card, "Acknowledge", user="john")

    assert (click.status, click.error) == (200, None)
    assert click.ephemeral_text == "@john acknowledged #1 Disk full on db1"
    assert click.replaced and click.post is card
    assert card.buttons == ["Close", "Take ownership"]
    assert f"Acknowledged by {JOHN}" in card.text.replace("\u200b", "")
    assert alert(genie.db, 1).acknowledged_by == JOHN
    assert genie.fake.posts() == [card]


def test_close_by_an_unlinked_user_names_them_and_leaves_a_card_without_buttons(
    genie: Genie, settings: Settings
) -> None:
    card = post_card(genie, settings, 2)

    click = genie.fake.click(card, "Close", user="bob")

    assert click.ephemeral_text == "@bob closed #2 Disk full on db2"
    assert card.buttons == []
    assert alert(genie.db, 2).status == "closed"


def _expired(genie: Genie, settings: Settings, tiny_id: int) -> str:
    """The value of a genuine Close button of alert ``tiny_id`` that expired a second ago."""
    context = buttons.sign(
        settings.effective_secret_key,
        action="close",
        alert_id=_alert_id(genie, tiny_id),
        integration_id=genie.integration_id,
        expires_at=clock.now() - timedelta(seconds=1),
    )
    return orjson.dumps(context).decode()


@pytest.mark.parametrize(
    "forge",
    ["another alert", "not signed", "expired", "not json"],
)
def test_a_forged_altered_or_expired_button_is_refused_and_changes_nothing(
    genie: Genie, settings: Settings, forge: str
) -> None:
    card = post_card(genie, settings, 1)
    genuine = orjson.loads(card.button("Close")["value"])  # type: ignore[index]
    values = {
        "another alert": lambda: orjson.dumps({**genuine, "alert": _alert_id(genie, 2)}).decode(),
        "not signed": lambda: orjson.dumps({"action": "close", "alert": _alert_id(genie, 2)}).decode(),
        "expired": lambda: _expired(genie, settings, 2),
        "not json": lambda: "close #2",
    }

    click = genie.fake.click(card, "Close", user="john", value=values[forge]())

    assert click.status == 200
    assert click.ephemeral_text.startswith("Tocsin refused this button")
    assert not click.replaced and card.buttons == ["Acknowledge", "Close", "Take ownership"]
    assert alert(genie.db, 1).status == "open" and alert(genie.db, 2).status == "open"


def _alert_id(genie: Genie, tiny_id: int) -> str:
    with genie.db.read_session() as session:
        return find_alert(session, AlertRef(str(tiny_id), "tiny"), SYSTEM).id


def test_a_refused_button_without_a_response_url_is_forbidden(
    genie: Genie, settings: Settings, http: TestClient
) -> None:
    payload = {"type": "block_actions", "actions": [{"action_id": "close", "value": '{"action":"close"}'}]}
    body = f"payload={orjson.dumps(payload).decode()}".encode()
    headers = signed_headers(genie.fake.signing_secret, body, offset=0, signature="good")

    answer = http.post(genie.request_url, content=body, headers=headers)

    assert answer.status_code == 403 and "refused" in answer.text


def test_an_unsigned_click_is_refused_before_anything_is_read(genie: Genie, settings: Settings) -> None:
    card = post_card(genie, settings, 1)
    genie.fake.reply_wait = 0.5

    click = genie.fake.click(card, "Close", user="john", signature="bad")

    assert (click.status, click.error) == (401, "http_service_error")
    assert alert(genie.db, 1).status == "open"


def test_a_button_copied_into_another_channel_is_refused_after_its_post_was_pressed(
    genie: Genie, settings: Settings
) -> None:
    card = post_card(genie, settings, 1)
    close = card.button("Close")["value"]  # type: ignore[index]
    assert genie.fake.click(card, "Take ownership", user="john").ephemeral_text.startswith("@john")

    elsewhere = genie.fake.click(card, "Close", user="john", value=close, channel="random")
    own_post = genie.fake.click(card, "Close", user="john", value=close)

    assert elsewhere.ephemeral_text == (
        "Tocsin refused this button: this button was posted in another channel; press it there or use /genie"
    )
    assert own_post.ephemeral_text == "@john closed #1 Disk full on db1"
    assert alert(genie.db, 1).status == "closed"


def test_a_click_sent_again_is_refused_as_a_replay(
    genie: Genie, settings: Settings, http: TestClient
) -> None:
    card = post_card(genie, settings, 1)
    payload = {
        "type": "block_actions",
        "actions": [{"action_id": "close", "value": card.button("Close")["value"]}],  # type: ignore[index]
    }
    body = f"payload={orjson.dumps(payload).decode()}".encode()
    headers = signed_headers(genie.fake.signing_secret, body, offset=0, signature="good")

    http.post(genie.request_url, content=body, headers=headers)
    again = http.post(genie.request_url, content=body, headers=headers)

    assert again.status_code == 401 and "a replay" in again.text
