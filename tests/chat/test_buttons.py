"""Buttons on chat posts act only as signed: a forged, altered or expired press is refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tocsin.chat.buttons import ButtonPress, InvalidButton, sign, verify
from tocsin.config import Settings

KEY = "server-secret"
POSTED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LIFETIME = timedelta(hours=24)


def context(signed_action: str = "ack", **changes: str) -> dict[str, str]:
    expires_at = POSTED + LIFETIME
    signed = sign(KEY, action=signed_action, alert_id="alert-1", integration_id="mm-1", expires_at=expires_at)
    return {**signed, **changes}


def test_a_signed_button_is_pressed_as_it_was_made():
    made = context("close")
    assert set(made) == {"action", "alert", "integration", "expires", "sig"}
    assert made["expires"] == str(int((POSTED + LIFETIME).timestamp()))
    pressed = verify(KEY, made, POSTED + timedelta(hours=3))
    assert pressed == ButtonPress("close", "alert-1", "mm-1", POSTED + LIFETIME)
    assert pressed.card == f"alert-1|mm-1|{made['expires']}"


def test_buttons_work_for_a_day_after_the_post_by_default_and_not_after():
    assert Settings().chat_button_lifetime == LIFETIME
    assert verify(KEY, context(), POSTED + LIFETIME).action == "ack"
    with pytest.raises(InvalidButton, match=r"expired .*; use /genie ack instead"):
        verify(KEY, context(), POSTED + LIFETIME + timedelta(seconds=1))


def test_the_button_lifetime_is_a_positive_number_of_hours(monkeypatch):
    monkeypatch.setenv("TOCSIN_CHAT_BUTTON_LIFETIME_HOURS", "0.5")
    assert Settings().chat_button_lifetime == timedelta(minutes=30)
    monkeypatch.setenv("TOCSIN_CHAT_BUTTON_LIFETIME_HOURS", "0")
    with pytest.raises(ValueError, match="chat_button_lifetime_hours"):
        Settings()


@pytest.mark.parametrize(
    "change",
    [
        {"action": "close"},
        {"alert": "alert-2"},
        {"integration": "mm-2"},
        {"expires": str(int((POSTED + timedelta(days=365)).timestamp()))},
        {"sig": "0" * 64},
    ],
)
def test_an_altered_button_is_refused(change):
    with pytest.raises(InvalidButton, match="signature is wrong"):
        verify(KEY, context(**change), POSTED)


def test_a_button_signed_with_another_servers_key_is_refused():
    with pytest.raises(InvalidButton, match="signature is wrong"):
        verify("another-secret", context(), POSTED)


def test_missing_extra_or_non_text_fields_are_refused():
    missing = context()
    del missing["expires"]
    extra = {**context(), "selected_option": "close"}
    not_text = {**context(), "expires": int(context()["expires"])}
    for bad in (missing, extra, not_text, {}, ["ack"]):
        with pytest.raises(InvalidButton, match="not made by Tocsin"):
            verify(KEY, bad, POSTED)  # type: ignore[arg-type]


def test_only_known_actions_and_plain_ids_are_signed():
    with pytest.raises(ValueError, match="unknown button action"):
        sign(KEY, action="delete", alert_id="a", integration_id="i", expires_at=POSTED)
    with pytest.raises(ValueError, match=re.escape("'|'")):
        sign(KEY, action="ack", alert_id="a|b", integration_id="i", expires_at=POSTED)


def test_a_direct_message_button_is_for_its_chat_user_only_and_that_cannot_be_changed():
    made = sign(
        KEY, action="ack", alert_id="alert-1", integration_id="mm-1", expires_at=POSTED + LIFETIME, to="u-ann"
    )
    pressed = verify(KEY, made, POSTED)
    assert pressed.to == "u-ann"
    assert pressed.card == f"alert-1|mm-1|{made['expires']}|u-ann"  # not the channel card's place
    for altered in (
        {**made, "to": "u-eve"},
        {k: v for k, v in made.items() if k != "to"},
        {**made, "to": ""},
    ):
        with pytest.raises(InvalidButton):
            verify(KEY, altered, POSTED)
    with pytest.raises(InvalidButton):  # a channel card's button does not become a direct one
        verify(KEY, context() | {"to": "u-ann"}, POSTED)
