"""What chat says when an alert is out of reach: why, and who can act instead; what connecting
changes; and how "everyone sees every alert" gives a connected person back what the integration
could do. The cast: team ops (lead, ann), team db (bob), eve in no team; admin."""

from __future__ import annotations

from tests.chat.conftest import alert, make_schedule, raise_alert
from tests.chat.visibility_replies import NO_RESPONDER, not_teams
from tocsin.accounts import account_settings
from tocsin.actors import SYSTEM
from tocsin.db import Database


def _everyone_sees_every_alert(db: Database, value: str) -> None:
    with db.write_session() as session:
        account_settings.set_setting(
            session, actor=SYSTEM, name=account_settings.EVERYONE_SEES_EVERY_ALERT, value=value
        )


def test_connecting_narrows_to_the_alerts_one_may_see_and_the_reply_says_why(db, chat):
    lonely = raise_alert(db, "No team", team=None)
    assert chat.run(f"ack {lonely}", as_user="eve").text == f"@eve acknowledged #{lonely} No team"
    other = raise_alert(db, "Also no team", team=None)
    chat.link("eve")

    reply = chat.run(f"ack {other}", as_user="eve")

    assert reply.text == f"#{other} {NO_RESPONDER}"
    assert not alert(db, other).acknowledged


def test_a_schedule_one_is_in_as_responder_lets_a_connected_person_act(db, chat):
    make_schedule(db, "weekend_schedule", None, ["eve"])
    tiny = raise_alert(
        db, "Weekend pager", team=None, responders=[{"type": "schedule", "name": "weekend_schedule"}]
    )
    chat.link("eve")

    assert chat.run(f"ack {tiny}", as_user="eve").text == f"@eve acknowledged #{tiny} Weekend pager"
    chat.link("bob")  # on no schedule
    assert chat.run(f"get {tiny}", as_user="bob").text == f"#{tiny} {NO_RESPONDER}"


def test_with_everyone_sees_every_alert_a_connected_person_acts_on_any_alert(db, chat):
    theirs = raise_alert(db, "Replica lag", team="db")
    chat.link("ann")
    assert chat.run(f"ack {theirs}", as_user="ann").text == f"#{theirs} {NO_RESPONDER}"

    _everyone_sees_every_alert(db, "on")

    assert chat.run(f"ack {theirs}", as_user="ann").text == f"@ann acknowledged #{theirs} Replica lag"
    assert "may not change" in chat.run("disable ChatOps", as_user="ann").text  # configures no more


def test_connect_says_what_connecting_changes_as_the_account_is_set(db, chat):
    before = chat.run("connect", as_user="bob").text
    _everyone_sees_every_alert(db, "on")
    after = chat.run("connect", as_user="bob").text

    assert "Once connected, your commands act as your Tocsin user, on only the alerts you may see" in before
    assert "on every alert (this account lets everyone see every alert)" in after


def test_through_a_team_integration_the_reply_names_the_team(db, mattermost):
    chat = mattermost("ops chat", team="ops")
    chat.link("bob")  # in team db
    ours = raise_alert(db, "Ours")

    assert chat.run(f"ack {ours}", as_user="bob").text == (
        f"#{ours} is out of reach here: this channel's integration belongs to team ops, which you are "
        "not in; act on it where its team's alerts are posted"
    )


def test_with_everyone_sees_every_alert_a_team_integration_still_acts_only_on_its_team(db, mattermost):
    chat = mattermost("ops chat", team="ops")
    chat.link("bob")  # in team db
    ours, theirs = raise_alert(db, "Ours"), raise_alert(db, "Theirs", team="db")
    _everyone_sees_every_alert(db, "on")

    assert chat.run(f"ack {ours}", as_user="bob").text == f"@bob acknowledged #{ours} Ours"
    assert chat.run(f"ack {theirs}", as_user="bob").text == f"#{theirs} {not_teams('ops')}"
