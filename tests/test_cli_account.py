"""``tocsin account``: showing and changing account settings, run as the real console script."""

from __future__ import annotations

from tests.test_cli import Tocsin, tocsin  # noqa: F401  (fixture)
from tocsin.accounts import account_settings
from tocsin.db import Database

WHAT = "every user sees and may act on every alert, whatever its responders"


def test_everyone_sees_every_alert_is_turned_on_and_off_from_the_cli(tocsin: Tocsin, db: Database) -> None:  # noqa: F811
    assert tocsin.ok("account", "show") == [f"everyone-sees-every-alert\toff\t{WHAT}"]

    assert tocsin.ok("account", "set", "everyone-sees-every-alert", "on") == [
        "everyone-sees-every-alert is now on."
    ]

    assert tocsin.ok("account", "show") == [f"everyone-sees-every-alert\ton\t{WHAT}"]
    with db.read_session() as session:
        assert account_settings.is_on(session, account_settings.EVERYONE_SEES_EVERY_ALERT)
    assert tocsin.ok("account", "set", "everyone-sees-every-alert", "off") == [
        "everyone-sees-every-alert is now off."
    ]


def test_a_mistyped_setting_or_value_says_what_to_type(tocsin: Tocsin) -> None:  # noqa: F811
    wrong_name = tocsin("account", "set", "everybody", "on")
    wrong_value = tocsin("account", "set", "everyone-sees-every-alert", "yes")

    assert (wrong_name.returncode, wrong_name.stderr) == (
        1,
        "error: there is no account setting 'everybody'; the settings are: everyone-sees-every-alert\n",
    )
    assert wrong_value.stderr == "error: everyone-sees-every-alert is turned on or off, not 'yes'\n"
