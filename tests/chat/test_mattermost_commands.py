"""What only Mattermost does with ``/genie``: GET requests, the command token, and the Request
URL of a deleted integration; plus the usage replies of every command (the grammar is shared, so
one platform shows them). The document's examples run on every platform in
test_commands_on_every_platform.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.chat.conftest import alert
from tests.chat.genie_world import PLATFORMS, Genie, make_genie, running
from tests.fakes.mattermost import FakeMattermost
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.integrations import service as integrations

MATTERMOST = PLATFORMS["Mattermost"]


@pytest.fixture
def fake(http: TestClient) -> Iterator[FakeMattermost]:
    yield from running(MATTERMOST, http)


@pytest.fixture
def genie(db: Database, fake: FakeMattermost, settings: Settings) -> Genie:
    return make_genie(db, settings, MATTERMOST, fake)


def test_a_get_request_works_like_a_post(genie: Genie) -> None:
    result = genie("ack 2", method="GET")

    assert result.request.method == "GET"
    assert result.text == "@john acknowledged #2 Disk full on db2"
    assert alert(genie.db, 2).acknowledged


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
