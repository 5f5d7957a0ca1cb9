"""Every ``/genie`` example of the Mattermost document, typed in a fake Mattermost that sends it
to the integration's Request URL exactly as the Mattermost server does (form POST or GET query,
``Authorization: Token``), and shown as Mattermost would show the answer.

The world follows the document's examples: john.smith@acme.com (an admin, chat user "john",
connected), teams myTeam and ops_team, ops_team's weekend_schedule, alerts #1-#3 with the custom
action customAction, a policy named "policy"."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tests.chat.conftest import alert, log_of
from tests.fakes.mattermost import FakeMattermost
from tests.policies.conftest import alert_policy
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.alerts import ingest
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.chat import linking
from tocsin.chat.requests import ChatIdentity
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.integrations import chat_kinds
from tocsin.integrations import service as integrations
from tocsin.integrations.configuration import Changes
from tocsin.oncall import service as oncall
from tocsin.outbound import OutboundPolicy
from tocsin.policies import service as policies
from tocsin.policies.schemas import PolicyPayload
from tocsin.teams import service as teams

JOHN = "john.smith@acme.com"


@dataclass
class Genie:
    fake: FakeMattermost
    request_url: str
    db: Database
    integration_id: str

    def __call__(self, text: str, *, user: str = "john", method: str = "POST", **options: object):
        return self.fake.slash(self.request_url, text, user=user, method=method, **options)


def _world(db: Database, fake: FakeMattermost, *, require_matching: bool, team: str | None = None) -> str:
    with db.write_session() as session:
        john = accounts.create_user(session, username=JOHN, role="admin", password="correct horse")
        ann = accounts.create_user(session, username="ann@example.com", role="user", password="correct horse")
        teams.create_team(session, name="myTeam", members=[(ann.username, "user")])
        teams.create_team(session, name="ops_team", members=[(JOHN, "admin")])
        schedule = oncall.create_schedule(
            session, actor=SYSTEM, name="weekend_schedule", owner_team=oncall.NameRef(name="ops_team")
        )
        oncall.add_rotation(
            session,
            actor=SYSTEM,
            schedule_id=schedule.id,
            rotation=oncall.RotationInput(
                type="weekly",
                start=datetime(2026, 1, 1, tzinfo=UTC),
                participants=[oncall.UserRef(username="ann@example.com")],
            ),
        )
        policies.create_policy(
            session, actor=SYSTEM, payload=PolicyPayload.model_validate(alert_policy("policy", priority="P1"))
        )
        integration, _ = integrations.create_integration(
            session,
            type="Mattermost",
            name="Mattermost",
            team_name=team,
            changes=Changes(
                url=fake.new_hook(channel="ops-alerts"),
                require_user_matching=require_matching,
                command_token=fake.command_token,
            ),
            outbound=OutboundPolicy.parse("127.0.0.0/8"),
        )
        integrations.create_integration(
            session,
            type="Webhook",
            name="runbooks",
            changes=Changes(url="http://127.0.0.1:9/run", custom_actions=["customAction"]),
            outbound=OutboundPolicy.parse("127.0.0.0/8"),
        )
        for number in (1, 2, 3):
            payload = CreateAlertPayload.model_validate(
                {
                    "message": f"Disk full on db{number}",
                    "responders": [{"type": "team", "name": "ops_team"}],
                    "actions": ["customAction"],
                }
            )
            ingest.create_alert(session, payload=payload, actor=SYSTEM)
        john_in_chat = fake.user("john")
        acme = fake.team("acme")
        token = linking.issue_link(
            session,
            identity=ChatIdentity("Mattermost", acme.id, acme.name, john_in_chat.id, john_in_chat.username),
            purpose="connect",
        )
        session.flush()
        linking.approve(session, token=token, user=john)
        return integration.id


@pytest.fixture
def fake(http: TestClient) -> Iterator[FakeMattermost]:
    with FakeMattermost(sender=http) as running:
        yield running


def _genie(db: Database, fake: FakeMattermost, settings: Settings, **world: object) -> Genie:
    integration_id = _world(db, fake, **world)  # type: ignore[arg-type]
    with db.read_session() as session:
        integration = integrations.get_integration(session, integration_id)
        url = chat_kinds.request_url(settings.base_url, settings.effective_secret_key, integration)
    return Genie(fake, url, db, integration_id)


@pytest.fixture
def genie(db: Database, fake: FakeMattermost, settings: Settings) -> Genie:
    return _genie(db, fake, settings, require_matching=False)


# (command as the document writes it, what the answer says, posted in the channel?)
DOCUMENT_EXAMPLES = [
    ("ack 1", "@john acknowledged #1 Disk full on db1", True),
    ("ack 1 2 3", "@john acknowledged #2 Disk full on db2", True),
    ("close 1", "@john closed #1 Disk full on db1", True),
    ("close 1 2 3", "@john closed #3 Disk full on db3", True),
    ("note this is note to 1", "#1", True),
    ("note this is note to 1 2 3", "#3", True),
    ("addtag high priority,important to 1", "#1", True),
    ("genie addtag high priority,important to 1 2 3", "#3", True),
    ("ackall", "#3", True),
    ("closeall", "#3", True),
    ("assign 1 to john.smith@acme.com", "@john made john.smith@acme.com owner of #1", True),
    ("assign 1 2 3 to john.smith@acme.com", "owner of #3", True),
    ("own 1", "#1", True),
    ("own 1 2 3", "#3", True),
    ("update priority to P2 for 1341", "#1341 not found", False),
    ("update priority to P2 for 1", "@john set priority P2 on #1 Disk full on db1", True),
    ("exec customAction on 1", "#1", True),
    ("exec customAction on 1 2 3", "#3", True),
    ("alert this is alert message for john.smith@acme.com", "#4 this is alert message", True),
    ("alert this is alert message for myTeam", "#4 this is alert message", True),
    ("alert this is alert message for myTeam,john.smith@acme.com", "#4 this is alert message", True),
    ("get 1", "Disk full on db1", False),
    ("list", "#3", False),
    ("list alerts of ops_team", "#2", False),
    ("list integrations", "Mattermost", False),
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
def test_every_example_of_the_document_answers_through_mattermost(
    genie: Genie, text: str, says: str, in_channel: bool
) -> None:
    result = genie(text)

    assert result.error is None, result.detail
    assert result.status == 200
    assert says in result.text, result.text
    assert result.ephemeral is (not in_channel), result.raw
    posted = [post.text for post in genie.fake.posts(channel="ops-alerts") if post.source == "command"]
    assert posted == ([result.text] if in_channel else [])


def test_a_get_request_works_like_a_post(genie: Genie) -> None:
    result = genie("ack 2", method="GET")

    assert result.request.method == "GET"
    assert result.text == "@john acknowledged #2 Disk full on db2"
    assert alert(genie.db, 2).acknowledged


def test_results_per_alert_when_several_are_given(genie: Genie) -> None:
    genie("close 2")

    result = genie("ack 1 2 77")

    assert result.text.splitlines() == [
        "@john acknowledged #1 Disk full on db1",
        "#2 is closed; it cannot be acknowledged",
        "#77 not found",
    ]
    assert not result.ephemeral


def test_an_assignment_by_mention_of_a_connected_chat_user(genie: Genie) -> None:
    result = genie("assign 1 to @john", user="ann", mentions={"john": genie.fake.user("john").id})

    assert result.text == "@ann made john.smith@acme.com owner of #1 Disk full on db1"
    assert alert(genie.db, 1).owner == JOHN


@pytest.mark.parametrize(
    ("text", "command", "syntax"),
    [
        ("ack", "ack", "/genie ack [tinyID tinyID2..]"),
        ("close x", "close", "/genie close [tinyID tinyID2..]"),
        ("note to 1", "note", "/genie note [note] to [tinyID tinyID2..]"),
        ("addtag to 1", "addtag", "/genie addtag [tag1,tag2,..] to [tinyID tinyID2..]"),
        ("assign 1", "assign", "/genie assign [tinyID tinyID2..] to [user]"),
        ("own", "own", "/genie own [tinyID tinyID2..]"),
        ("update priority to P9 for 1", "update priority", "/genie update priority to"),
        ("exec on 1", "exec", "/genie exec [action] on [tinyID tinyID2..]"),
        ("alert for myTeam", "alert", "/genie alert [alert message] for [team1,team2,user1..]"),
        ("get", "get", "/genie get [tinyID]"),
        ("list alerts of", "list", "/genie list"),
        ("enable", "enable", "/genie enable [name]"),
        ("disable", "disable", "/genie disable [name]"),
        ("oncall me 2x", "oncall", "/genie oncall"),
        ("mute me -3", "mute", "/genie mute"),
        ("ackall 1 2", "ackall", "/genie ackall"),
    ],
)
def test_each_usage_error_names_the_command_and_shows_its_syntax_and_an_example(
    genie: Genie, text: str, command: str, syntax: str
) -> None:
    result = genie(text)

    assert result.ephemeral
    assert command in result.text
    assert syntax in result.text
    assert "Example" in result.text
    assert genie.fake.posts(channel="ops-alerts") == []


def test_an_unknown_command_suggests_the_closest_and_help(genie: Genie) -> None:
    result = genie("acknowledge 1")

    assert result.ephemeral
    assert "ack" in result.text and "/genie help" in result.text


def test_without_matching_an_unconnected_chat_user_acts_as_the_integration(genie: Genie) -> None:
    result = genie("ack 1", user="bob")

    assert result.text == "@bob acknowledged #1 Disk full on db1"
    assert "Alert acknowledged by @bob (Mattermost)" in log_of(genie.db, 1)


def test_a_connected_chat_user_acts_as_their_tocsin_user(genie: Genie) -> None:
    genie("ack 1")

    assert f"Alert acknowledged by {JOHN} via Mattermost" in log_of(genie.db, 1)
    assert alert(genie.db, 1).acknowledged_by == JOHN


def test_with_matching_required_an_unconnected_chat_user_changes_nothing(
    db: Database, fake: FakeMattermost, settings: Settings
) -> None:
    genie = _genie(db, fake, settings, require_matching=True)

    refused = genie("ack 1", user="bob")
    done = genie("ack 2", user="john")

    assert refused.ephemeral
    assert "/genie connect" in refused.text
    assert not alert(db, 1).acknowledged
    assert done.text == "@john acknowledged #2 Disk full on db2"


def test_a_team_integration_acts_only_on_its_teams_alerts(
    db: Database, fake: FakeMattermost, settings: Settings
) -> None:
    genie = _genie(db, fake, settings, require_matching=False, team="myTeam")
    with db.write_session() as session:
        payload = CreateAlertPayload.model_validate(
            {"message": "Cache cold", "responders": [{"type": "team", "name": "myTeam"}]}
        )
        mine = ingest.create_alert(session, payload=payload, actor=SYSTEM).tiny_id

    result = genie(f"ack 1 {mine}")
    created = genie("alert Queue stuck")

    assert result.text.splitlines() == ["#1 you cannot see it", f"@john acknowledged #{mine} Cache cold"]
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


def test_a_disabled_integration_answers_that_it_is_disabled(genie: Genie) -> None:
    with genie.db.write_session() as session:
        integrations.get_integration(session, genie.integration_id).enabled = False

    result = genie("ack 1")

    assert result.status == 200 and result.ephemeral
    assert "The Tocsin integration Mattermost is disabled" in result.text
    assert not alert(genie.db, 1).acknowledged


def test_a_deleted_integration_answers_that_its_request_url_is_gone(genie: Genie) -> None:
    with genie.db.write_session() as session:
        session.delete(integrations.get_integration(session, genie.integration_id))

    result = genie("ack 1")

    assert result.status == 200 and result.ephemeral
    assert "belongs to no Tocsin integration" in result.text


def test_a_wrong_command_token_is_refused(genie: Genie) -> None:
    wrong = genie("ack 1", token="x" * 26)
    missing = genie("ack 2", token=None)

    assert wrong.status == 401 and missing.status == 401
    assert wrong.error is not None
    assert not alert(genie.db, 1).acknowledged and not alert(genie.db, 2).acknowledged


def test_a_wrong_secret_in_the_request_url_is_not_an_integration(genie: Genie) -> None:
    result = genie.fake.slash(genie.request_url[:-4] + "abcd", "ack 1", user="john")

    assert "belongs to no Tocsin integration" in result.text
    assert not alert(genie.db, 1).acknowledged
