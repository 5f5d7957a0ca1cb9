"""``/genie`` typed in a HipChat room where the add-on is installed: the fake HipChat sends the
``room_message`` webhook with a JWT, as HipChat did. Answers that change something come back as
a room notification; answers for the caller alone (help, lists, mistakes, the connect link) as a
private message, since HipChat has nothing ephemeral. A webhook without this installation's JWT
runs nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.chat.conftest import alert, log_of, raise_alert
from tests.chat.genie_world import connect
from tests.fakes.hipchat import FakeHipChat
from tests.fakes.hipchat_install import JSON_HEADERS
from tests.fakes.hipchat_setup import add_hipchat
from tests.fakes.hipchat_slash import room_message, signed
from tests.support.factories import make_user
from tocsin.chat import deferral
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.integrations.models import Integration


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """A test parametrised on ``settings`` gives how long Tocsin waits before it answers through
    the API instead."""
    if not hasattr(request, "param"):
        return settings
    return settings.model_copy(update={"chat_reply_within_seconds": request.param})


@dataclass
class Room:
    fake: FakeHipChat
    db: Database
    url: str
    integration_id: str

    def genie(self, text: str, user: str = "john", **options: object):
        return self.fake.slash(self.url, text, user=user, **options)  # type: ignore[arg-type]

    def room_posts(self) -> list[str]:
        return [post.text for post in self.fake.posts(channel="ops-alerts")]


@pytest.fixture
def room(http: TestClient, db: Database, settings: Settings) -> Iterator[Room]:
    make_user(db, "john.smith@acme.com", role="admin")
    with FakeHipChat(sender=http) as fake:
        # Posting no alert activity itself: the commands' replies are the room's word of changes.
        integration_id, url = add_hipchat(db, settings, fake, forwarded=())
        assert fake.install(url, room="ops-alerts").installed
        yield Room(fake, db, url, integration_id)


def test_ack_by_an_unlinked_user_acts_as_their_hipchat_handle(room: Room) -> None:
    tiny_id = raise_alert(room.db, "Disk full on db1", team=None)

    result = room.genie(f"ack {tiny_id}")

    assert result.error is None and result.status == 200, result.detail
    assert result.text == f"@john acknowledged #{tiny_id} Disk full on db1"
    assert not result.ephemeral
    assert result.raw["message_format"] == "html" and result.raw["color"] == "green"
    assert room.room_posts() == [result.text]
    assert room.fake.posts()[0].source == "command"
    assert alert(room.db, tiny_id).acknowledged
    assert "Alert acknowledged by @john (HipChat)" in log_of(room.db, tiny_id)


def test_ack_by_a_linked_user_acts_as_their_tocsin_account(room: Room) -> None:
    connect(room.db, room.fake, "john", "john.smith@acme.com")
    tiny_id = raise_alert(room.db, "Disk full on db1", team=None)

    result = room.genie(f"ack {tiny_id}")

    assert result.status == 200, result.detail
    assert alert(room.db, tiny_id).acknowledged_by == "john.smith@acme.com"
    assert "Alert acknowledged by john.smith@acme.com via HipChat" in log_of(room.db, tiny_id)


def test_help_arrives_as_a_private_message_only(room: Room) -> None:
    result = room.genie("help")

    assert result.status == 204 and result.ephemeral
    assert "/genie ack" in result.text
    assert [message.text for message in room.fake.private_messages("john")] == [result.text]
    assert room.room_posts() == []


def test_the_connect_link_is_sent_privately_and_never_to_the_room(room: Room) -> None:
    result = room.genie("connect")

    assert result.ephemeral and "Authenticate in Tocsin" in result.text
    assert '<a href="http://tocsin.test/' in result.html
    assert room.room_posts() == []


def test_when_the_private_message_fails_the_room_hears_why_but_not_the_link(room: Room) -> None:
    room.fake.refuse(403, "This user blocks private messages")

    result = room.genie("connect")

    assert result.status == 200 and not result.ephemeral
    assert result.text.replace("\u200b", "").startswith("Tocsin could not send @john a private message")
    assert "This user blocks private messages" in result.text
    assert "Authenticate" not in result.text and "http://tocsin.test" not in result.html
    assert room.fake.private_messages() == []


def test_a_mention_is_resolved_to_its_hipchat_user(room: Room) -> None:
    tiny_id = raise_alert(room.db, "Disk full on db1", team=None)
    connect(room.db, room.fake, "ann", "john.smith@acme.com")

    result = room.genie(f"assign {tiny_id} to @ann", mentions={"ann": room.fake.user("ann").id})

    assert result.status == 200, result.text
    assert alert(room.db, tiny_id).owner == "john.smith@acme.com"


def test_a_jwt_in_the_query_string_is_taken_too(room: Room) -> None:
    tiny_id = raise_alert(room.db, "Disk full on db1", team=None)
    assert room.genie(f"ack {tiny_id}", jwt="query").status == 200
    assert alert(room.db, tiny_id).acknowledged


@pytest.mark.parametrize("jwt", ["none", "bad", "expired", "other-install", "alg-none"])
def test_a_webhook_without_this_installations_jwt_runs_nothing(room: Room, jwt: str) -> None:
    tiny_id = raise_alert(room.db, "Disk full on db1", team=None)

    result = room.genie(f"close {tiny_id}", jwt=jwt)

    assert result.status == 401, result.raw
    assert result.raw["error"].startswith("Refused: ")
    assert alert(room.db, tiny_id).status == "open"
    assert room.fake.posts() == [] and room.fake.private_messages() == []


def test_a_jwt_of_another_installed_integration_is_refused(
    room: Room, db: Database, settings: Settings
) -> None:
    _, other_url = add_hipchat(db, settings, room.fake, name="db-room")
    assert room.fake.install(other_url, room="db-alerts").installed
    tiny_id = raise_alert(room.db, "Disk full on db1", team=None)

    result = room.genie(f"close {tiny_id}", jwt="other-install")

    assert result.status == 401 and alert(room.db, tiny_id).status == "open"


def test_a_message_that_is_not_a_genie_command_is_ignored(room: Room) -> None:
    result = room.fake.say(room.url, "/genies ack 1", match_pattern=False, wait=0)
    assert result.status == 204 and result.text == ""
    assert room.fake.posts() == [] and room.fake.private_messages() == []


def test_a_disabled_integration_says_so(room: Room) -> None:
    with room.db.write_session() as session:
        integration = session.get(Integration, room.integration_id)
        assert integration is not None
        integration.enabled = False
    tiny_id = raise_alert(room.db, "Disk full on db1", team=None)

    result = room.genie(f"ack {tiny_id}")

    assert "The Tocsin integration ops-room is disabled" in result.text
    assert not alert(room.db, tiny_id).acknowledged


def test_after_an_uninstall_commands_are_refused(room: Room) -> None:
    room.fake.uninstall(room.fake.installation_of(room.url))
    with pytest.raises(AssertionError, match="installed nowhere"):
        room.genie("help")


@pytest.mark.parametrize("settings", [0.0], indirect=True)
def test_a_late_answer_arrives_through_the_api(room: Room) -> None:
    tiny_id = raise_alert(room.db, "Disk full on db1", team=None)

    acked = room.genie(f"ack {tiny_id}")
    helped = room.genie("help")

    assert acked.status == 204 and not acked.ephemeral
    assert acked.text == f"@john acknowledged #{tiny_id} Disk full on db1"
    assert room.fake.posts()[0].source == "notification"
    assert helped.status == 204 and helped.ephemeral and "/genie ack" in helped.text
    assert alert(room.db, tiny_id).acknowledged


@pytest.fixture(autouse=True)
def _deferred_replies_settle(http: TestClient) -> Iterator[None]:
    yield
    http.portal.call(deferral.settled)  # type: ignore[union-attr]


def test_a_webhook_sent_again_with_the_same_jwt_is_refused_as_a_replay(room: Room, http: TestClient) -> None:
    tiny_id = raise_alert(room.db, "Disk full on db1", team=None)
    made = room.fake.installation_of(room.url).client
    john = room.fake.world.user("john")
    payload = room_message(made, john, f"/genie ack {tiny_id}", {})
    headers = {**JSON_HEADERS, "Authorization": f"JWT {signed(made, john, 'header', room.fake.world)}"}

    first = http.post(made.webhook["url"], content=json.dumps(payload), headers=headers)
    again = http.post(made.webhook["url"], content=json.dumps(payload), headers=headers)

    assert first.status_code == 200
    assert (again.status_code, again.json()) == (
        401,
        {"error": "Refused: this JWT was used before (a replay); HipChat signs every webhook anew."},
    )
    assert len([line for line in log_of(room.db, tiny_id) if "acknowledged" in line]) == 1
