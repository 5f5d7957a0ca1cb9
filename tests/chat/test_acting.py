"""Who acts for a chat command, and how the dispatcher answers: linked users as themselves,
unlinked ones through the integration (configuring nothing), "Require matching a user", a team's
integration limited to its team, mistakes answered to the caller alone and undone, bugs raised."""

from __future__ import annotations

import pytest

from tests.chat.conftest import alert, identity, log_of, make_schedule, raise_alert
from tests.chat.visibility_replies import not_teams
from tests.policies.conftest import alert_policy
from tocsin.accounts import service as accounts
from tocsin.actors import NOTHING, SYSTEM, Scope
from tocsin.alerts import actions
from tocsin.alerts.service import AlertRef
from tocsin.chat import command_types as typed
from tocsin.chat import dispatch
from tocsin.chat.acting import NotConnected, chat_actor
from tocsin.chat.commands import help_text, parse, usage_text
from tocsin.errors import InvalidInput
from tocsin.integrations import service as integrations
from tocsin.policies import service as policies
from tocsin.policies.schemas import PolicyPayload
from tocsin.teams import service as teams

NOT_CONNECTED = (
    "Your Mattermost account is not connected to a Tocsin user, and this integration requires it. "
    "Run `/genie connect` to connect it."
)


def _actor(db, chat, chat_name):
    with db.read_session() as session:
        integration = integrations.get_integration(session, chat.integration_id)
        return chat_actor(session, integration=integration, identity=identity(chat_name))


def test_a_linked_chat_user_acts_as_their_tocsin_user_through_mattermost(db, chat):
    chat.link("ann")

    actor = _actor(db, chat, "ann")

    assert actor.username == "ann@example.com"
    assert actor.channel == "Mattermost"
    assert actor.describe() == "ann@example.com via Mattermost"
    assert not actor.scope.everything  # ann's own rights: her team's alerts


def test_a_deactivated_persons_chat_account_no_longer_acts_as_them(db, chat):
    chat.link("ann")
    with db.write_session() as session:
        accounts.set_active(
            session, actor=SYSTEM, user=accounts.get_user(session, "ann@example.com"), active=False
        )

    actor = _actor(db, chat, "ann")

    assert actor.user_id is None and actor.describe() == "@ann (Mattermost)"
    assert actor.manages == NOTHING


def test_an_unlinked_chat_user_acts_through_the_integration_and_configures_nothing(db, chat):
    actor = _actor(db, chat, "bob")

    assert actor.describe() == "@bob (Mattermost)"
    assert actor.user_id is None
    assert actor.scope.everything
    assert actor.manages == NOTHING


def test_through_a_team_integration_even_an_admin_acts_only_on_that_team(db, mattermost):
    chat = mattermost("ops chat", team="ops")
    chat.link("admin")
    chat.link("bob")
    with db.read_session() as session:
        ops = teams.get_team(session, name="ops").id

    admin, member_of_other_team, unlinked = (_actor(db, chat, name) for name in ("admin", "bob", "eve"))

    assert admin.scope == Scope(everything=False, team_ids=frozenset({ops}))
    assert admin.manages == Scope(everything=False, team_ids=frozenset({ops}))
    assert admin.owner_team_id == ops
    assert member_of_other_team.scope == Scope(everything=False)  # bob is in team db, not ops
    assert unlinked.scope == Scope(everything=False, team_ids=frozenset({ops}))
    assert unlinked.manages == NOTHING


def test_a_team_integration_cannot_touch_another_teams_alert(db, mattermost):
    chat = mattermost("ops chat", team="ops")
    chat.link("admin")
    ours, theirs = raise_alert(db, "Ours"), raise_alert(db, "Theirs", team="db")

    by_admin = chat.run(f"ack {ours} {theirs}", as_user="admin")
    by_unlinked = chat.run(f"close {theirs}", as_user="eve")

    assert by_admin.text.splitlines() == [
        f"@admin acknowledged #{ours} Ours",
        f"#{theirs} {not_teams('ops')}",
    ]
    assert by_unlinked.text == f"#{theirs} {not_teams('ops')}"
    assert alert(db, theirs).status == "open" and not alert(db, theirs).acknowledged


def test_require_matching_refuses_unlinked_users_and_changes_nothing(db, mattermost):
    chat = mattermost(require_matching=True)
    chat.link("ann")
    tiny_id = raise_alert(db, "Disk full")

    refused = chat.run(f"ack {tiny_id}", as_user="bob")

    assert refused.text == NOT_CONNECTED
    assert not refused.in_channel
    assert not alert(db, tiny_id).acknowledged
    assert not any("acknowledged" in line for line in log_of(db, tiny_id))
    assert chat.press("close", alert(db, tiny_id).id, as_user="bob").text == NOT_CONNECTED
    assert alert(db, tiny_id).status == "open"
    with db.read_session() as session, pytest.raises(NotConnected):
        chat_actor(
            session,
            integration=integrations.get_integration(session, chat.integration_id),
            identity=identity("bob"),
        )
    # Connecting is how to meet the requirement, so it is answered; linked users act.
    assert chat.run("connect", as_user="bob").text.startswith("[Authenticate in Tocsin](")
    assert chat.run(f"ack {tiny_id}", as_user="ann").text == f"@ann acknowledged #{tiny_id} Disk full"


def test_a_usage_error_is_explained_to_the_caller_alone(chat):
    with pytest.raises(typed.UsageError) as error:
        parse("ack")

    reply = chat.run("ack")

    assert reply.text == usage_text(error.value)
    assert not reply.in_channel


def test_help_is_shown_to_the_caller_alone(chat):
    assert chat.run("help").text == help_text(None)
    assert chat.run("help ack").text == help_text("ack")
    assert not chat.run("help").in_channel


def test_a_refused_command_leaves_nothing_it_began_changed(db, chat, monkeypatch):
    tiny_id = raise_alert(db, "Disk full")

    def ack_then_fail(context, command):
        actions.acknowledge(context.session, ref=AlertRef(str(tiny_id), "tiny"), actor=context.actor)
        raise InvalidInput("user", "no such thing")

    monkeypatch.setitem(dispatch.EXECUTE, typed.Ack, ack_then_fail)

    reply = chat.run(f"ack {tiny_id}")

    assert reply.text == "No such thing"
    assert not reply.in_channel
    assert not alert(db, tiny_id).acknowledged


def test_a_bug_is_not_swallowed(chat, monkeypatch):
    def broken(context, command):
        raise RuntimeError("bug")

    monkeypatch.setitem(dispatch.EXECUTE, typed.Ack, broken)

    with pytest.raises(RuntimeError, match="bug"):
        chat.run("ack 1")


def test_every_command_replies_in_the_channel_only_when_it_changes_something(db, mattermost):
    """The admin, linked, runs every command of the document once, through an integration
    that posts no alert activity itself (its replies are then the channel's only word)."""
    chat = mattermost(forwarded=())
    chat.link("admin")
    make_schedule(db, "ops_schedule", "ops", ["ann"])
    with db.write_session() as session:
        policies.create_policy(
            session, actor=SYSTEM, payload=PolicyPayload.model_validate(alert_policy("raise", priority="P1"))
        )
        assert accounts.get_user(session, "admin@example.com").is_admin
    ids = [raise_alert(db, f"Alert {n}") for n in range(5)]
    expected = [
        (f"ack {ids[0]}", True),
        (f"close {ids[1]}", True),
        (f"note looked at it to {ids[2]}", True),
        (f"addtag disk to {ids[2]}", True),
        (f"assign {ids[2]} to ann@example.com", True),
        (f"own {ids[2]}", True),
        (f"update priority to P1 for {ids[2]}", True),
        (f"get {ids[2]}", False),
        ("list", False),
        ("list alerts of ops", False),
        ("list integrations", False),
        ("list policies", False),
        ("list teams", False),
        ("list teams contains o", False),
        ("list teams starts with o", False),
        ("ackall", True),
        ("closeall", True),
        ("alert this is alert message for ops", True),
        ("disable raise", True),
        ("enable raise", True),
        ("oncall me 2h for ops_schedule", True),
        ("whoisoncall", False),
        ("mute me 15", True),
        ("unmute me", True),
        ("connect", False),
        ("help", False),
        ("ack 9999", False),
        ("no such command", False),
    ]
    for text, in_channel in expected:
        reply = chat.run(text, as_user="admin")
        assert reply.in_channel is in_channel, (text, reply.text)
