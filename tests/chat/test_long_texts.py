"""A very long description or note is shortened in the channel post, with a link to the alert's
page where it is shown whole, on Mattermost, Slack and HipChat; a short one is shown as it is."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.chat.conftest import Chat, raise_alert
from tests.chat.rendered_text import copied
from tests.fakes.hipchat_model import read_html
from tests.fakes.slack_model import block_texts, message_blocks, readable
from tocsin.actors import SYSTEM
from tocsin.alerts.service import AlertRef, find_alert
from tocsin.chat.alert_card import PostLayout, post_for_event
from tocsin.chat.platforms import hipchat_messages, mattermost_posts, slack_messages
from tocsin.db import Database
from tocsin.integrations import service as integrations

BASE = "http://tocsin.test"
LONG = "The disk filled up because the log rotation stopped. " * 200  # 10,600 characters


def _post(
    db: Database, chat: Chat, layout: PostLayout, tiny_id: int, event: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    with db.read_session() as session:
        alert = find_alert(session, AlertRef(str(tiny_id), "tiny"), SYSTEM)
        integration = integrations.get_integration(session, chat.integration_id)
        post = post_for_event(
            layout,
            session,
            alert,
            integration,
            event,
            base_url=BASE,
            secret_key="test-secret",
            button_lifetime=timedelta(hours=1),
        )
        return post, f"{BASE}/alerts/{alert.id}"


def _shown(platform: str, post: dict[str, Any]) -> tuple[str, str]:
    """(what a person reads of the post, its markup) on ``platform``."""
    if platform == "Mattermost":
        markup = post.get("text") or post["attachments"][0]["text"]
        return copied(markup), markup
    if platform == "Slack":
        markup = "\n".join(block_texts(message_blocks(post))) or post["text"]
        return readable(markup), markup
    markup = post["card"]["description"]["value"] if "card" in post else post["message"]
    return read_html(markup), markup


LAYOUTS = {
    "Mattermost": mattermost_posts.LAYOUT,
    "Slack": slack_messages.LAYOUT,
    "HipChat": hipchat_messages.LAYOUT,
}
LINKS = {
    "Mattermost": "[read all in Tocsin]({url})",
    "Slack": "<{url}|read all in Tocsin>",
    "HipChat": '<a href="{url}">read all in Tocsin</a>',
}


@pytest.mark.parametrize("platform", sorted(LAYOUTS))
def test_a_long_description_is_shortened_with_a_link_to_the_alert(db: Database, chat: Chat, platform: str):
    tiny_id = raise_alert(db, "disk full", description=LONG)

    post, url = _post(db, chat, LAYOUTS[platform], tiny_id, {"action": "Create"})

    shown, markup = _shown(platform, post)
    assert LINKS[platform].format(url=url) in markup
    assert "The disk filled up because" in shown and "… read all in Tocsin" in shown
    assert len(shown) < 2500


@pytest.mark.parametrize("platform", sorted(LAYOUTS))
def test_a_long_note_is_shortened_with_a_link_to_the_alert(db: Database, chat: Chat, platform: str):
    tiny_id = raise_alert(db, "disk full")

    post, url = _post(db, chat, LAYOUTS[platform], tiny_id, {"action": "AddNote", "by": "ann", "note": LONG})

    shown, markup = _shown(platform, post)
    assert LINKS[platform].format(url=url) in markup
    assert shown.startswith("ann added a note to #1: The disk filled up")
    assert shown.endswith("… read all in Tocsin") and len(shown) <= 2000


@pytest.mark.parametrize("platform", sorted(LAYOUTS))
def test_short_texts_are_shown_whole_without_a_link(db: Database, chat: Chat, platform: str):
    tiny_id = raise_alert(db, "disk full", description="rotate the logs")

    card, _ = _post(db, chat, LAYOUTS[platform], tiny_id, {"action": "Create"})
    note, _ = _post(db, chat, LAYOUTS[platform], tiny_id, {"action": "AddNote", "by": "ann", "note": "done"})

    assert "rotate the logs" in _shown(platform, card)[0]
    assert _shown(platform, note)[0] == "ann added a note to #1: done"
    assert "read all" not in str(card) + str(note)
