"""Tocsin served for real (uvicorn, with its engine) and a fake HipChat over real HTTP: the add-on
installed from its Capabilities URL, an alert sent in through the API becoming a card in the room,
``/genie ack`` typed there, and the follow-up arriving after it."""

from __future__ import annotations

from pathlib import Path

from tests.chat.conftest import alert
from tests.chat.live import CHANNEL, live_chat
from tests.fakes.hipchat import FakeHipChat
from tocsin.integrations.configuration import Changes


def test_an_alert_becomes_a_card_and_an_ack_in_the_room_follows_it(database_url: str, tmp_path: Path) -> None:
    with live_chat(database_url, tmp_path, FakeHipChat()) as setup:
        fake = setup.fake
        url = setup.add_integration("HipChat", Changes(url=fake.base_url), name="ops-room")
        assert fake.install(url, room=CHANNEL).installed

        tiny_id, card = setup.raise_card("Disk full on db1")
        assert card.card is not None and card.card["title"] == f"#{tiny_id} Disk full on db1"

        answered = setup.genie(f"ack {tiny_id}")
        assert answered.text == f"@bob acknowledged #{tiny_id} Disk full on db1"
        assert answered.ephemeral  # the room reads the change once, in the engine's post

        posts = fake.wait_for_posts(2, channel=CHANNEL)
        assert [post.source for post in posts] == ["notification", "notification"]
        assert "acknowledged by @bob (HipChat)" in posts[1].text.replace("\u200b", "")
        assert alert(setup.db, tiny_id).acknowledged
