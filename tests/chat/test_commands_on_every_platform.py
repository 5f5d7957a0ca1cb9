"""Every ``/genie`` example of the Mattermost document, typed into a fake of each chat platform
(Mattermost, Slack, HipChat) that sends it to Tocsin exactly as that platform does, and read as
the platform shows the answer: one table, one suite, three platforms. The rules that do not
depend on the platform (who acts, team scope, refusals) run on all three as well."""

from __future__ import annotations

from typing import Any

import pytest

from tests.chat.conftest import alert, log_of
from tests.chat.genie_world import JOHN, Genie, Platform, make_genie
from tests.chat.visibility_replies import not_teams
from tocsin.actors import SYSTEM
from tocsin.alerts import ingest
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.integrations import service as integrations
from tocsin.policies import service as policies
from tocsin.teams import service as teams

# (command as the document writes it, what the answer says, posted in the channel?) A change the
# integration posts in the channel itself (acknowledge, close, note, owner, priority, a new alert:
# its default actions) is answered to the caller alone: the channel reads it once, in that post.
DOCUMENT_EXAMPLES = [
    ("ack 1", "@john acknowledged #1 Disk full on db1", False),
    ("ack 1 2 3", "@john acknowledged #2 Disk full on db2", False),
    ("close 1", "@john closed #1 Disk full on db1", False),
    ("close 1 2 3", "@john closed #3 Disk full on db3", False),
    ("note this is note to 1", "#1", False),
    ("note this is note to 1 2 3", "#3", False),
    ("addtag high priority,important to 1", "#1", True),
    ("genie addtag high priority,important to 1 2 3", "#3", True),
    ("ackall", "#3", False),
    ("closeall", "#3", False),
    ("assign 1 to john.smith@acme.com", "@john made john.smith@acme.com owner of #1", False),
    ("assign 1 2 3 to john.smith@acme.com", "owner of #3", False),
    ("own 1", "#1", False),
    ("own 1 2 3", "#3", False),
    ("update priority to P2 for 1341", "#1341 not found", False),
    ("update priority to P2 for 1", "@john set priority P2 on #1 Disk full on db1", False),
    ("exec customAction on 1", "#1", True),
    ("exec customAction on 1 2 3", "#3", True),
    ("alert this is alert message for john.smith@acme.com", "#4 this is alert message", False),
    ("alert this is alert message for myTeam", "#4 this is alert message", False),
    ("alert this is alert message for myTeam,john.smith@acme.com", "#4 this is alert message", False),
    ("get 1", "Disk full on db1", False),
    ("list", "#3", False),
    ("list alerts of ops_team", "#2", False),
    ("list integrations", "runbooks (Webhook, global, enabled)", False),
    ("list policies", "policy", False),
    ("list teams", "ops_team", False),
    ("list teams contains team", "myTeam", False),
    ("list teams starts with ops", "ops_team", False),
    ("disable policy", "policy", True),
    ("enable policy", "The alert policy policy (global) was already enabled.", False),
    ("oncall me 2h for weekend_schedule", "john.smith@acme.com is on call for weekend_schedule", True),
    ("oncall john.smith@acme.com 1d for ops_team", "john.smith@acme.com is on call", True),
    ("oncall me 2h for all", "john.smith@acme.com is on call", True),
    ("oncall me 45m", "john.smith@acme.com is on call for weekend_schedule", True),
    ("oncall me", "john.smith@acme.com is on call for weekend_schedule", True),
    ("whoisoncall", "weekend_schedule", False),
    ("mute john.smith@acme.com", "Notifications for john.smith@acme.com muted until", True),
    ("mute john.smith@acme.com 15", "Notifications for john.smith@acme.com muted until", True),
    ("unmute john.smith@acme.com", "john.smith@acme.com", False),
    ("connect", "connected to Tocsin user john.smith@acme.com", False),
    ("help", "/genie ack", False),
]


@pytest.mark.parametrize(
    ("text", "says", "in_channel"), DOCUMENT_EXAMPLES, ids=[e[0] for e in DOCUMENT_EXAMPLES]
)
def test_every_example_of_the_document_answers(genie: Genie, text: str, says: str, in_channel: bool) -> None:
    result = genie(text)

    assert result.error is None, result.detail
    assert result.status in (200, 204)
    assert says in result.text, result.text
    assert result.ephemeral is (not in_channel), result.raw
    assert genie.said_in_channel() == ([result.text] if in_channel else [])


def test_results_per_alert_when_several_are_given(genie: Genie) -> None:
    genie("close 2")

    result = genie("ack 1 2 77")

    assert result.text.splitlines() == [
        "@john acknowledged #1 Disk full on db1",
        "#2 is closed; it cannot be acknowledged",
        "#77 not found",
    ]
    assert result.ephemeral  # the channel reads the change once, in the integration's post


def test_an_assignment_by_mention_of_a_connected_chat_user(genie: Genie) -> None:
    result = genie("assign 1 to @john", user="ann", mentions={"john": genie.fake.user("john").id})

    assert result.text == "@ann made john.smith@acme.com owner of #1 Disk full on db1"
    assert alert(genie.db, 1).owner == JOHN


def test_an_unknown_command_suggests_the_closest_and_help(genie: Genie) -> None:
    result = genie("acknowledge 1")

    assert result.ephemeral
    assert "ack" in result.text and "/genie help" in result.text


def test_without_matching_an_unconnected_chat_user_acts_as_the_integration(
    genie: Genie, platform: Platform
) -> None:
    result = genie("ack 1", user="bob")

    assert result.text == "@bob acknowledged #1 Disk full on db1"
    assert f"Alert acknowledged by @bob ({platform.name})" in log_of(genie.db, 1)


def test_a_connected_chat_user_acts_as_their_tocsin_user(genie: Genie, platform: Platform) -> None:
    genie("ack 1")

    assert f"Alert acknowledged by {JOHN} via {platform.name}" in log_of(genie.db, 1)
    assert alert(genie.db, 1).acknowledged_by == JOHN


def test_with_matching_required_an_unconnected_chat_user_changes_nothing(
    db: Database, settings: Settings, platform: Platform, chat_fake: Any
) -> None:
    genie = make_genie(db, settings, platform, chat_fake, require_matching=True)

    refused = genie("ack 1", user="bob")
    done = genie("ack 2", user="john")

    assert refused.ephemeral
    assert "/genie connect" in refused.text
    assert not alert(db, 1).acknowledged
    assert done.text == "@john acknowledged #2 Disk full on db2"


def test_a_team_integration_acts_only_on_its_teams_alerts(
    db: Database, settings: Settings, platform: Platform, chat_fake: Any
) -> None:
    genie = make_genie(db, settings, platform, chat_fake, team="myTeam")
    with db.write_session() as session:
        payload = CreateAlertPayload.model_validate(
            {"message": "Cache cold", "responders": [{"type": "team", "name": "myTeam"}]}
        )
        mine = ingest.create_alert(session, payload=payload, actor=SYSTEM).tiny_id

    result = genie(f"ack 1 {mine}")
    created = genie("alert Queue stuck")

    assert result.text.splitlines() == [f"#1 {not_teams('myTeam')}", f"@john acknowledged #{mine} Cache cold"]
    assert not alert(db, 1).acknowledged
    assert created.text.startswith("@john created alert #5 Queue stuck")
    with db.read_session() as session:
        team = teams.get_team(session, name="myTeam")
    assert alert(db, 5).owner_team_id == team.id


def test_enable_and_disable_need_a_connected_admin(genie: Genie) -> None:
    refused = genie("disable policy", user="bob")

    assert refused.ephemeral
    assert "/genie connect" in refused.text
    with genie.db.read_session() as session:
        assert policies.find_policy_by_name(session, "policy").enabled


def test_a_disabled_integration_answers_that_it_is_disabled(genie: Genie, platform: Platform) -> None:
    with genie.db.write_session() as session:
        integrations.get_integration(session, genie.integration_id).enabled = False

    result = genie("ack 1")

    assert result.ephemeral
    assert f"The Tocsin integration {platform.name} is disabled" in result.text
    assert not alert(genie.db, 1).acknowledged
