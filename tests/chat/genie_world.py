"""The world of the Mattermost document's ``/genie`` examples, set up on any chat platform, and a
``Genie`` that types commands into that platform's fake as a chat user would.

The world: john.smith@acme.com (an admin, chat user "john", connected), teams myTeam and
ops_team, ops_team's weekend_schedule, alerts #1-#3 with the custom action customAction, a
policy named "policy", a Webhook integration "runbooks" and the chat integration of the platform,
posting to the channel (room) "ops-alerts"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from tests.fakes.hipchat import FakeHipChat
from tests.fakes.mattermost import FakeMattermost
from tests.fakes.slack import FakeSlack
from tests.policies.conftest import alert_policy
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.alerts import ingest
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.chat import linking
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.integrations import chat_kinds
from tocsin.integrations import service as integrations
from tocsin.integrations.configuration import Changes
from tocsin.oncall import service as oncall
from tocsin.outbound import OutboundPolicy
from tocsin.people import service as people
from tocsin.policies import service as policies
from tocsin.policies.schemas import PolicyPayload
from tocsin.teams import service as teams

JOHN = "john.smith@acme.com"
CHANNEL = "ops-alerts"
LOOPBACK = OutboundPolicy.parse("127.0.0.0/8")


@dataclass(frozen=True)
class Platform:
    """How a platform's fake is started, and what its integration is set up with."""

    name: str
    start: Callable[[TestClient], AbstractContextManager[Any]]
    changes: Callable[[Any, bool], Changes]
    """(fake, require matching) -> the integration's settings."""
    installed: Callable[[Any, str], None] = lambda fake, request_url: None
    """What the chat admin does with the Request URL once the integration is saved."""


PLATFORMS = {
    "Mattermost": Platform(
        "Mattermost",
        lambda http: FakeMattermost(sender=http),
        lambda fake, matching: Changes(
            url=fake.new_hook(channel=CHANNEL),
            require_user_matching=matching,
            command_token=fake.command_token,
        ),
    ),
    "Slack": Platform(
        "Slack",
        lambda http: FakeSlack(sender=http),
        lambda fake, matching: Changes(
            url=fake.new_hook(channel=CHANNEL),
            require_user_matching=matching,
            slack_signing_secret=fake.signing_secret,
        ),
    ),
    "HipChat": Platform(
        "HipChat",
        lambda http: FakeHipChat(sender=http),
        lambda fake, matching: Changes(url=fake.base_url, require_user_matching=matching),
        lambda fake, request_url: fake.install(request_url, room=CHANNEL, group="acme"),
    ),
}


@dataclass
class Genie:
    fake: Any
    request_url: str
    db: Database
    integration_id: str

    def __call__(self, text: str, *, user: str = "john", **options: Any) -> Any:
        return self.fake.slash(self.request_url, text, user=user, **options)

    def said_in_channel(self) -> list[str]:
        return [post.text for post in self.fake.posts(channel=CHANNEL) if post.source == "command"]


def _world(db: Database, platform: Platform, fake: Any, *, require_matching: bool, team: str | None) -> str:
    with db.write_session() as session:
        people.create_user(session, username=JOHN, role="admin", password="correct horse")
        ann = people.create_user(session, username="ann@example.com", role="user", password="correct horse")
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
            type=platform.name,
            name=platform.name,
            team_name=team,
            changes=platform.changes(fake, require_matching),
            outbound=LOOPBACK,
        )
        integrations.create_integration(
            session,
            type="Webhook",
            name="runbooks",
            changes=Changes(url="http://127.0.0.1:9/run", custom_actions=["customAction"]),
            outbound=LOOPBACK,
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
        return integration.id


def connect(db: Database, fake: Any, chat_user: str, tocsin_user: str) -> None:
    """``chat_user`` connects their chat account to ``tocsin_user`` through the connect link."""
    with db.write_session() as session:
        token = linking.issue_link(session, identity=fake.identity(chat_user), purpose="connect")
    with db.write_session() as session:
        linking.approve(session, token=token, user=accounts.get_user(session, tocsin_user))


def make_genie(
    db: Database,
    settings: Settings,
    platform: Platform,
    fake: Any,
    *,
    require_matching: bool = False,
    team: str | None = None,
) -> Genie:
    integration_id = _world(db, platform, fake, require_matching=require_matching, team=team)
    with db.read_session() as session:
        integration = integrations.get_integration(session, integration_id)
        url = chat_kinds.request_url(settings.base_url, settings.effective_secret_key, integration)
    platform.installed(fake, url)
    connect(db, fake, "john", JOHN)
    return Genie(fake, url, db, integration_id)


def running(platform: Platform, http: TestClient) -> Iterator[Any]:
    with platform.start(http) as fake:
        yield fake
