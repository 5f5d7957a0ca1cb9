"""``/genie enable``, ``disable`` and the configuration lists: integrations before policies,
global policies before a team's, and only a linked account that may configure them."""

from __future__ import annotations

from tests.policies.conftest import alert_policy
from tocsin.actors import SYSTEM
from tocsin.integrations import service as integrations
from tocsin.policies import service as policies
from tocsin.policies.schemas import PolicyPayload
from tocsin.teams import service as teams


def _policy(db, name, team=None, **changes):
    with db.write_session() as session:
        team_id = teams.get_team(session, name=team).id if team else None
        payload = PolicyPayload.model_validate(alert_policy(name, priority="P1", **changes))
        return policies.create_policy(session, actor=SYSTEM, payload=payload, team_id=team_id).id


def _policy_enabled(db, policy_id):
    with db.read_session() as session:
        return policies.get_policy(session, policy_id).enabled


def _integration_enabled(db, name):
    with db.read_session() as session:
        return integrations.get_integration(session, name, "name").enabled


def test_disable_and_enable_an_integration_by_name(db, chat, mattermost):
    mattermost("ops chat", team="ops")
    chat.link("admin")

    disabled = chat.run("disable OPS CHAT", as_user="admin")
    again = chat.run("disable ops chat", as_user="admin")

    assert disabled.text == "@admin disabled integration ops chat"
    assert disabled.in_channel
    assert not _integration_enabled(db, "ops chat")
    assert again.text == "Integration ops chat was already disabled."
    assert not again.in_channel
    assert chat.run("enable ops chat", as_user="admin").text == "@admin enabled integration ops chat"
    assert _integration_enabled(db, "ops chat")


def test_a_policy_is_switched_when_no_integration_has_the_name_global_first(db, chat):
    chat.link("admin")
    global_one = _policy(db, "raise")
    ops_one = _policy(db, "raise", team="ops")
    db_only = _policy(db, "quiet", team="db")

    assert (
        chat.run("disable raise", as_user="admin").text == "@admin disabled the alert policy raise (global)"
    )
    assert not _policy_enabled(db, global_one)
    assert _policy_enabled(db, ops_one)
    assert (
        chat.run("disable Quiet", as_user="admin").text == "@admin disabled the alert policy quiet (team db)"
    )
    assert not _policy_enabled(db, db_only)


def test_neither_an_integration_nor_a_policy_of_that_name(db, chat):
    chat.link("admin")

    reply = chat.run("enable nothing here", as_user="admin")

    assert reply.text == "No integration or policy named nothing here; see `/genie list integrations`"
    assert not reply.in_channel


def test_enable_and_disable_need_a_linked_account_that_may_configure(db, chat):
    policy_id = _policy(db, "raise")
    chat.link("ann")

    unlinked = chat.run("disable raise", as_user="bob")
    plain_user = chat.run("disable raise", as_user="ann")
    integration = chat.run("disable ChatOps", as_user="ann")

    assert unlinked.text == (
        "Enabling and disabling integrations and policies needs a Tocsin account that may configure "
        "them; your Mattermost account is not connected to one. Run `/genie connect` to connect it."
    )
    assert plain_user.text == "ann@example.com may not change global policies"
    assert integration.text == "ann@example.com may not change integration ChatOps"
    assert not any(reply.in_channel for reply in (unlinked, plain_user, integration))
    assert _policy_enabled(db, policy_id)
    assert _integration_enabled(db, "ChatOps")


def test_through_a_team_integration_an_admin_switches_only_that_teams_configuration(db, mattermost):
    chat = mattermost("ops chat", team="ops")
    chat.link("admin")
    chat.link("lead")
    global_one = _policy(db, "raise")
    ops_one = _policy(db, "ops raise", team="ops")

    assert chat.run("disable raise", as_user="admin").text == (
        "The alert policy raise is global configuration, and ops chat is team ops's integration: "
        "commands typed through it change only team ops's configuration. Use a global integration or "
        "Tocsin's web pages."
    )
    assert chat.run("disable ops raise", as_user="lead").text == (
        "@lead disabled the alert policy ops raise (team ops)"
    )
    assert _policy_enabled(db, global_one)
    assert not _policy_enabled(db, ops_one)


def test_list_integrations_with_type_owner_and_state(db, chat, mattermost):
    mattermost("ops chat", team="ops")
    chat.link("ann")
    chat.link("admin")
    chat.run("disable ops chat", as_user="admin")

    everything = chat.run("list integrations", as_user="admin")
    for_ann = chat.run("list integrations", as_user="ann")

    assert everything.text.splitlines() == [
        "Integrations (2):",
        "- ChatOps (Mattermost, global, enabled)",
        "- ops chat (Mattermost, team ops, disabled)",
    ]
    assert not everything.in_channel
    assert for_ann.text.splitlines() == ["Integrations (1):", "- ops chat (Mattermost, team ops, disabled)"]


def test_list_policies_global_first_then_each_teams(db, chat):
    _policy(db, "raise")
    _policy(db, "quiet", team="db", enabled=False)
    _policy(db, "ops raise", team="ops")

    reply = chat.run("list policies")

    assert reply.text.splitlines() == [
        "Policies (3):",
        "- raise (alert policy, global, enabled)",
        "- quiet (alert policy, team db, disabled)",
        "- ops raise (alert policy, team ops, enabled)",
    ]
    assert not reply.in_channel


def test_list_teams_all_containing_or_starting_with(db, chat):
    with db.write_session() as session:
        teams.create_team(session, name="Database admins")

    assert chat.run("list teams").text.splitlines() == ["Teams (3):", "- Database admins", "- db", "- ops"]
    assert chat.run("list teams contains ADMIN").text.splitlines() == [
        "Teams containing ADMIN (1):",
        "- Database admins",
    ]
    assert chat.run("list teams starts with d").text.splitlines() == [
        "Teams starting with d (2):",
        "- Database admins",
        "- db",
    ]
    assert chat.run("list teams contains zzz").text == "There are no teams containing zzz."
