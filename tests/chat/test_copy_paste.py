"""What a person copies from Tocsin's posts and replies, pasted back into ``/genie``, works: names
(``weekend_schedule``, ``ann@example.com``) reach the clipboard as they are, with no invisible
characters, on Mattermost, Slack and HipChat; text from outside still mentions nobody; and
invisible characters pasted from elsewhere are ignored."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.chat.conftest import Chat, alert, raise_alert
from tests.chat.genie_world import Genie, Platform
from tests.chat.rendered_text import copied, invisible, mentions
from tests.fakes.hipchat_model import read_html
from tests.fakes.slack_model import readable
from tocsin.actors import SYSTEM
from tocsin.alerts.service import AlertRef, find_alert
from tocsin.chat.alert_card import follow_up_text
from tocsin.chat.command_types import Ack
from tocsin.chat.commands import parse
from tocsin.chat.rendering import hipchat_html, slack_mrkdwn
from tocsin.db import Database

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


def slack_copied(mrkdwn: str) -> str:
    """What a person copies of Slack mrkdwn: what they read (the fake hides the zero-width spaces
    around literal formatting characters), and every invisible character, which is copied too."""
    return readable(mrkdwn) + "".join(invisible(mrkdwn))


SHOWN_BY = {
    "Mattermost": copied,
    "Slack": lambda markdown: slack_copied(slack_mrkdwn(markdown)),
    "HipChat": lambda markdown: read_html(hipchat_html(markdown)),
}
"""What a person selects and copies of a markdown text, as each platform shows it."""


def _copied_answer(platform: Platform, answer: Any) -> str:
    """What a person copies of a command's answer (the fakes give HipChat's as shown)."""
    if platform.name == "Mattermost":
        return copied(answer.text)
    if platform.name == "Slack":
        return slack_copied(answer.raw["text"])
    return str(answer.text)


def test_a_schedule_name_copied_from_whoisoncall_works_pasted_back(genie: Genie, platform: Platform):
    listing = _copied_answer(platform, genie("whoisoncall"))
    (line,) = [line for line in listing.splitlines() if "(team ops_team)" in line]
    assert not invisible(line), repr(line)
    name = re.search(r"(\S+) \(team ops_team\)", line).group(1)  # type: ignore[union-attr]

    answer = genie(f"oncall me 1h for {name}")

    assert answer.error is None and "is on call for weekend_schedule" in answer.text, answer.text


def test_outside_text_in_a_reply_copies_as_it_is_and_mentions_nobody(genie: Genie, platform: Platform):
    tiny_id = raise_alert(genie.db, "restart @here on db_1 for ops@acme.com", team="ops_team")

    answer = genie(f"get {tiny_id}")

    shown = _copied_answer(platform, answer)
    assert "restart @here on db_1 for ops@acme.com" in shown and not invisible(shown)
    if platform.name == "Mattermost":
        assert mentions(answer.text) == []
    else:  # Slack and HipChat mention only through their own forms (<!here>, a mention in text format)
        assert "<!" not in str(answer.raw)


def test_invisible_characters_pasted_into_a_command_are_ignored(genie: Genie):
    for index, char in enumerate(INVISIBLE):
        answer = genie(f"oncall me {index + 1}h for weekend{char}_{char}schedule{char}")
        assert answer.error is None and "is on call for weekend_schedule" in answer.text, answer.text
    assert "acknowledged #1" in genie("\ufeffack\u200b #\u20601").text


def test_the_grammar_ignores_invisible_characters_anywhere():
    assert parse("\u200back\u200c 1\u200d,\u20602\ufeff") == Ack(tiny_ids=(1, 2))


def _follow_up(db: Database, tiny_id: int, event: dict[str, str]) -> str:
    with db.read_session() as session:
        found = find_alert(session, AlertRef(str(tiny_id), "tiny"), SYSTEM)
        return follow_up_text(session, found, event, base_url="http://tocsin.test")


@pytest.mark.parametrize("shown_on", sorted(SHOWN_BY))
def test_a_person_named_in_a_channel_post_can_be_pasted_into_assign(db: Database, chat: Chat, shown_on: str):
    tiny_id = raise_alert(db, "disk_full on db-1")
    markdown = _follow_up(db, tiny_id, {"action": "Acknowledge", "by": "ann@example.com via Mattermost"})

    shown = SHOWN_BY[shown_on](markdown)
    assert "disk_full on db-1 acknowledged by ann@example.com via Mattermost" in shown, repr(shown)
    assert not invisible(shown), repr(shown)
    person = re.search(r"by (\S+) via", shown).group(1)  # type: ignore[union-attr]

    chat.link("lead")
    answer = chat.run(f"assign {tiny_id} to {person}", as_user="lead")

    assert "made ann@example.com owner" in answer.text, answer.text
    assert alert(db, tiny_id).owner == "ann@example.com"
