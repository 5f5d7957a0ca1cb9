"""Fixtures for running ``/genie`` commands at the service level (no HTTP): the cast of
tests/accounts (ops: lead admin, ann; db: bob; owner, admin, eve), Mattermost integrations
(global or a team's), chat users of the chat team "acme" (linked to a Tocsin user or not), and
alerts raised the way an API integration raises them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.accounts.people import cast, email  # noqa: F401  (fixtures)
from tests.chat.genie_world import PLATFORMS, Genie, Platform, make_genie, running
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.alerts import ingest, reads
from tocsin.alerts.reads import Page
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.alerts.service import AlertRef, find_alert
from tocsin.chat import linking
from tocsin.chat.dispatch import answer, press_button
from tocsin.chat.replies import Reply
from tocsin.chat.requests import ChatIdentity, ChatRequest
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.integrations import service as integrations
from tocsin.integrations.configuration import Changes
from tocsin.integrations.models import Integration
from tocsin.oncall import service as oncall
from tocsin.outbound import OutboundPolicy

BASE_URL = "http://tocsin.test"
CHAT_TEAM_ID, CHAT_TEAM_NAME = "t-acme", "acme"


def identity(chat_name: str) -> ChatIdentity:
    """The chat user ``chat_name`` of chat team acme; their chat user id is "u-<name>"."""
    return ChatIdentity("Mattermost", CHAT_TEAM_ID, CHAT_TEAM_NAME, f"u-{chat_name}", chat_name)


@dataclass
class Chat:
    """A Mattermost integration and the chat users who type commands into its channel."""

    db: Database
    integration_id: str

    def _integration(self, session: Any) -> Integration:
        return integrations.get_integration(session, self.integration_id)

    def run(self, text: str, as_user: str = "bob", mentions: dict[str, str] | None = None) -> Reply:
        """``/genie <text>`` typed by chat user ``as_user``, in one transaction, as the endpoint runs it."""
        request = ChatRequest(identity(as_user), text, "c-ops", "ops-room", dict(mentions or {}))
        with self.db.write_session() as session:
            return answer(session, integration=self._integration(session), request=request, base_url=BASE_URL)

    def press(self, action: str, alert_id: str, as_user: str = "bob") -> Reply:
        with self.db.write_session() as session:
            return press_button(
                session,
                integration=self._integration(session),
                identity=identity(as_user),
                action=action,
                alert_id=alert_id,
            )

    def link(self, chat_name: str, tocsin_name: str | None = None) -> None:
        """Connect chat user ``chat_name`` to the cast member ``tocsin_name`` (the same name by
        default) through the connect link, as a person would."""
        with self.db.write_session() as session:
            token = linking.issue_link(session, identity=identity(chat_name), purpose="connect")
        with self.db.write_session() as session:
            user = accounts.get_user(session, email(tocsin_name or chat_name))
            linking.approve(session, token=token, user=user)


@pytest.fixture
def mattermost(db: Database, request: pytest.FixtureRequest) -> Callable[..., Chat]:
    """A Mattermost integration: global, or owned by ``team``; ``require_matching`` refuses
    commands of unlinked chat users; ``forwarded``: the alert actions it posts in its channel
    (by default, those of every new chat integration)."""
    request.getfixturevalue("cast")  # the people and teams commands name

    def make(
        name: str = "ChatOps",
        team: str | None = None,
        require_matching: bool = False,
        forwarded: tuple[str, ...] | None = None,
    ) -> Chat:
        with db.write_session() as session:
            integration, _ = integrations.create_integration(
                session,
                type="Mattermost",
                name=name,
                team_name=team,
                changes=Changes(
                    url="https://mattermost.test/hooks/abc",
                    require_user_matching=require_matching,
                    outgoing_actions=None if forwarded is None else list(forwarded),
                ),
                outbound=OutboundPolicy.parse("mattermost.test"),
            )
            return Chat(db, integration.id)

    return make


@pytest.fixture
def chat(mattermost: Callable[..., Chat]) -> Chat:
    """The global Mattermost integration "ChatOps"."""
    return mattermost()


def raise_alert(db: Database, message: str, team: str | None = "ops", **fields: Any) -> int:
    """An alert for ``team`` (or no one), as monitoring sends it; its tinyId."""
    payload = CreateAlertPayload.model_validate(
        {"message": message, "responders": [{"type": "team", "name": team}] if team else [], **fields}
    )
    with db.write_session() as session:
        return ingest.create_alert(session, payload=payload, actor=SYSTEM).tiny_id


def alert(db: Database, tiny_id: int) -> Any:
    with db.read_session() as session:
        return find_alert(session, AlertRef(str(tiny_id), "tiny"), SYSTEM)


def log_of(db: Database, tiny_id: int) -> list[str]:
    with db.read_session() as session:
        entries = reads.logs(session, AlertRef(str(tiny_id), "tiny"), SYSTEM, Page(None, "next", 100, "asc"))
        return [entry.log for entry in entries]


def make_schedule(db: Database, name: str, team: str | None, people: list[str]) -> str:
    """A schedule (of ``team``) with one daily rotation of ``people``, a day each in turn, that
    began on 2026-03-01 at 06:00 UTC (no rotation at all without people)."""
    with db.write_session() as session:
        schedule = oncall.create_schedule(
            session, actor=SYSTEM, name=name, owner_team=oncall.NameRef(name=team) if team else None
        )
        if not people:
            return schedule.id
        oncall.add_rotation(
            session,
            actor=SYSTEM,
            schedule_id=schedule.id,
            rotation=oncall.RotationInput(
                type="daily",
                start=datetime(2026, 3, 1, 6, 0, tzinfo=UTC),
                participants=[oncall.UserRef(username=email(person)) for person in people],
            ),
        )
        return schedule.id


@pytest.fixture(params=sorted(PLATFORMS))
def platform(request: pytest.FixtureRequest) -> Platform:
    """Each chat platform in turn."""
    return PLATFORMS[request.param]


@pytest.fixture
def chat_fake(platform: Platform, http: TestClient) -> Iterator[Any]:
    """The platform's fake chat server, sending to the in-process Tocsin."""
    yield from running(platform, http)


@pytest.fixture
def genie(db: Database, settings: Settings, platform: Platform, chat_fake: Any) -> Genie:
    """The document's world on the platform, and ``/genie`` typed into its fake."""
    return make_genie(db, settings, platform, chat_fake)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The fake chat servers listen on loopback, which Tocsin may reach only when allowed."""
    return settings.model_copy(update={"outbound_allow": "127.0.0.0/8"})
