"""The replay guards in the database: a signed request is taken once for as long as it could be
accepted, whichever node sees it; a button's card is bound to the channel and post it was first
pressed in. Ids a platform sends are checked before they are stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tocsin.chat import replay_guards
from tocsin.chat.buttons import ButtonPress, InvalidButton
from tocsin.chat.models import ChatReplayGuard
from tocsin.db import Database

NOW = datetime(2026, 12, 6, 21, 0, tzinfo=UTC)
KEY = replay_guards.key_of("slack-request", "v0=" + "a" * 64)
PRESS = ButtonPress("close", "alert-1", "mm-1", NOW + timedelta(hours=24))


def first_use(db: Database, key: str = KEY, *, at: datetime = NOW) -> bool:
    # Each call is its own transaction, as on separate nodes sharing the database.
    with db.write_session() as session:
        return replay_guards.first_use(session, key=key, expires_at=NOW + timedelta(minutes=5), now=at)


def test_a_signed_request_is_taken_once_across_transactions(db: Database) -> None:
    assert first_use(db) is True
    assert first_use(db) is False
    assert first_use(db, replay_guards.key_of("slack-request", "v0=" + "b" * 64)) is True


def test_a_guard_is_forgotten_once_its_request_could_no_longer_be_accepted(db: Database) -> None:
    assert first_use(db) is True
    assert first_use(db, at=NOW + timedelta(minutes=5)) is False
    assert first_use(db, at=NOW + timedelta(minutes=5, seconds=1)) is True  # pruned, then taken
    with db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(ChatReplayGuard)) == 1


def test_the_key_holds_a_hash_not_the_secret(db: Database) -> None:
    assert "a" * 64 not in KEY and KEY.startswith("slack-request:") and len(KEY) <= 100


def press_from(db: Database, channel_id: str, post_id: str, press: ButtonPress = PRESS) -> None:
    with db.write_session() as session:
        replay_guards.check_button_place(
            session, press, platform="Mattermost", channel_id=channel_id, post_id=post_id, now=NOW
        )


def test_a_card_pressed_in_its_post_keeps_working_there_and_nowhere_else(db: Database) -> None:
    press_from(db, "channel1", "post1")
    press_from(db, "channel1", "post1")
    own = ButtonPress("own", PRESS.alert_id, PRESS.integration_id, PRESS.expires_at)
    press_from(db, "channel1", "post1", own)  # another button of the same card
    with pytest.raises(InvalidButton, match="posted in another channel"):
        press_from(db, "channel2", "post1")
    with pytest.raises(InvalidButton, match="belongs to another post"):
        press_from(db, "channel1", "post2")
    with pytest.raises(InvalidButton, match="posted in another channel"):
        press_from(db, "channel2", "post2", own)


def test_a_redrawn_card_is_bound_by_its_own_first_press(db: Database) -> None:
    press_from(db, "channel1", "post1")
    later = PRESS.expires_at + timedelta(hours=1)
    redrawn = ButtonPress("close", PRESS.alert_id, PRESS.integration_id, later)
    press_from(db, "channel1", "post1", redrawn)
    with pytest.raises(InvalidButton, match="another channel"):
        press_from(db, "channel2", "post9", redrawn)


@pytest.mark.parametrize(
    ("channel_id", "post_id"),
    [
        ("", "post1"),
        ("channel1", ""),
        ("chan\x00nel", "post1"),
        ("c" * 151, "post1"),
        ("channel1", "p o s t"),
    ],
)
def test_a_press_without_a_plain_channel_and_post_is_refused_without_storing(
    db: Database, channel_id: str, post_id: str
) -> None:
    with pytest.raises(InvalidButton, match="does not say which channel and post"):
        press_from(db, channel_id, post_id)
    with db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(ChatReplayGuard)) == 0
