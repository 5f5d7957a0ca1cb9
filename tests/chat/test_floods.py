"""One post per change in a channel, one summary per bulk command: ``/genie`` typed into each
platform's fake, the engine ticked by hand posting the integration's alert activity into the same
channel. A change the integration posts is not told a second time by the command's reply (which
goes to the caller alone), and ``ackall`` on many alerts is one post, not one per alert."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest

from tests.chat.genie_world import CHANNEL, JOHN, Genie
from tests.engine.conftest import EngineDriver
from tocsin.actors import SYSTEM
from tocsin.alerts import ingest
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.config import Settings
from tocsin.db import Database


@pytest.fixture
def engine(db: Database, settings: Settings) -> Iterator[EngineDriver]:
    driver = EngineDriver(db, settings)
    driver.start()
    yield driver
    driver.stop()


def shown(text: str) -> str:
    """A post as a person reads it: markup, escapes and zero-width spaces gone."""
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # markdown links: their text
    return html.unescape(re.sub(r"\\(.)", r"\1", text)).replace("\u200b", "")


def webhook_posts(genie: Genie) -> list[str]:
    """What the integration posted in the channel (not the replies of commands)."""
    return [
        shown(post.text)
        for post in genie.fake.posts(channel=CHANNEL)
        if post.source in ("webhook", "notification")
    ]


def raise_alerts(db: Database, count: int) -> None:
    with db.write_session() as session:
        for number in range(count):
            payload = CreateAlertPayload.model_validate(
                {"message": f"Queue {number} stuck", "responders": [{"type": "team", "name": "ops_team"}]}
            )
            ingest.create_alert(session, payload=payload, actor=SYSTEM)


def settled(genie: Genie, engine: EngineDriver) -> list[str]:
    """The posts so far, once the engine has posted everything pending."""
    for _ in range(4):  # forward, then post (in order: one post per alert per round)
        engine.tick()
    return webhook_posts(genie)


def test_ack_in_the_channel_is_told_once_naming_the_person_one_way(
    genie: Genie, engine: EngineDriver
) -> None:
    before = len(settled(genie, engine))  # the cards of alerts #1-#3

    result = genie("ack 1")

    assert result.error is None, result.detail
    assert result.ephemeral, result.raw
    assert genie.said_in_channel() == []
    posts = settled(genie, engine)[before:]
    assert len(posts) == 1, posts
    assert f"acknowledged by {JOHN} via {genie.fake.platform}" in posts[0]


def test_ackall_on_many_alerts_is_one_summary_post(genie: Genie, engine: EngineDriver) -> None:
    raise_alerts(genie.db, 15)
    before = len(settled(genie, engine))  # 18 cards

    result = genie("ackall")

    assert result.error is None, result.detail
    assert result.ephemeral, result.raw
    assert "acknowledged 18 open alerts" in shown(result.text)
    assert genie.said_in_channel() == []
    posts = settled(genie, engine)[before:]
    assert len(posts) == 1, posts
    assert posts[0].startswith(f"{JOHN} via {genie.fake.platform} acknowledged 18 alerts: #1, #2, ")
    assert posts[0].endswith("#10 … and 8 more")


def test_ack_of_several_alerts_is_one_summary_post(genie: Genie, engine: EngineDriver) -> None:
    before = len(settled(genie, engine))

    genie("close 1 2 3")

    posts = settled(genie, engine)[before:]
    assert posts == [f"{JOHN} via {genie.fake.platform} closed 3 alerts: #1, #2, #3"]


def test_a_change_the_integration_does_not_post_is_told_by_the_reply(
    genie: Genie, engine: EngineDriver
) -> None:
    """Tags are not among the actions a chat integration posts by default."""
    before = len(settled(genie, engine))

    result = genie("addtag disk to 1")

    assert not result.ephemeral, result.raw
    assert len(genie.said_in_channel()) == 1
    assert settled(genie, engine)[before:] == []
