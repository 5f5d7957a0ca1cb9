"""Buttons on chat posts act only as signed: a forged, altered or expired press is refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tocsin.chat.buttons import BUTTON_LIFETIME, ButtonPress, InvalidButton, sign, verify

KEY = "server-secret"
POSTED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def context(signed_action: str = "ack", **changes: str) -> dict[str, str]:
    expires_at = POSTED + BUTTON_LIFETIME
    signed = sign(KEY, action=signed_action, alert_id="alert-1", integration_id="mm-1", expires_at=expires_at)
    return {**signed, **changes}


def test_a_signed_button_is_pressed_as_it_was_made():
    made = context("close")
    assert set(made) == {"action", "alert", "integration", "expires", "sig"}
    assert made["expires"] == str(int((POSTED + timedelta(days=7)).timestamp()))
    assert verify(KEY, made, POSTED + timedelta(days=3)) == ButtonPress("close", "alert-1", "mm-1")


def test_buttons_work_for_a_week_after_the_post_and_not_after():
    assert timedelta(days=7) == BUTTON_LIFETIME
    assert verify(KEY, context(), POSTED + BUTTON_LIFETIME).action == "ack"
    with pytest.raises(InvalidButton, match="expired"):
        verify(KEY, context(), POSTED + BUTTON_LIFETIME + timedelta(seconds=1))


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
