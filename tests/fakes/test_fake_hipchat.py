"""The fake HipChat's own wire format, against a stand-in add-on on loopback (no Tocsin): what it
serves (capabilities, tokens, notifications, private messages, refusals as HipChat's error JSON)
and what it sends (the install callback, the uninstall, a room_message webhook with its JWT)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import jwt
import pytest

from tests.fakes.hipchat import FakeHipChat
from tests.support.http_receiver import Answer, HttpReceiver, Received


@dataclass
class AddOn:
    """An add-on as small as HipChat allows: a descriptor, callbacks that say yes, a webhook
    whose answer the test chooses."""

    server: HttpReceiver
    answer: Answer = field(default_factory=lambda: Answer(204, b"", {}))
    before_answering: Callable[[], object] | None = None
    """What the add-on does before it answers the webhook (send a private message, say)."""

    @property
    def url(self) -> str:
        return self.server.url("/addon")

    def received(self, method: str, path: str) -> list[Received]:
        return [r for r in self.server.received if r.method == method and r.path.startswith(path)]


def descriptor(base: str) -> dict[str, object]:
    return {
        "key": "stand-in",
        "name": "Stand-in",
        "links": {"self": f"{base}/addon"},
        "capabilities": {
            "hipchatApiConsumer": {"scopes": ["send_notification", "send_message"]},
            "installable": {"allowRoom": True, "callbackUrl": f"{base}/addon/installed"},
            "webhook": [
                {
                    "event": "room_message",
                    "pattern": "^/genie",
                    "url": f"{base}/addon/message",
                    "authentication": "jwt",
                }
            ],
        },
    }


@pytest.fixture
def addon() -> Iterator[AddOn]:
    made: list[AddOn] = []

    def respond(request: Received) -> Answer:
        if request.method == "GET":
            return Answer(200, json.dumps(descriptor(made[0].server.url("").rstrip("/"))).encode())
        if request.path.startswith("/addon/message"):
            if made[0].before_answering:
                made[0].before_answering()
            return made[0].answer
        return Answer(204, b"", {})

    with HttpReceiver(respond) as server:
        made.append(AddOn(server))
        yield made[0]


@pytest.fixture
def fake() -> Iterator[FakeHipChat]:
    with FakeHipChat() as running:
        yield running


def token(fake: FakeHipChat, oauth_id: str, secret: str, scope: str = "send_notification send_message"):
    return httpx.post(
        f"{fake.base_url}/v2/oauth/token",
        data={"grant_type": "client_credentials", "scope": scope},
        auth=(oauth_id, secret),
    )


def test_capabilities_name_the_token_url_and_the_api(fake: FakeHipChat) -> None:
    document = httpx.get(fake.capabilities_url).json()
    assert document["links"]["self"] == fake.capabilities_url
    assert document["capabilities"]["oauth2Provider"]["tokenUrl"] == f"{fake.base_url}/v2/oauth/token"
    assert document["capabilities"]["hipchatApiProvider"]["url"] == f"{fake.base_url}/v2/"


def test_install_reads_the_descriptor_and_posts_the_callback(fake: FakeHipChat, addon: AddOn) -> None:
    installation = fake.install(addon.url, room="ops-alerts", group="acme")

    assert installation.installed
    callback = addon.received("POST", "/addon/installed")[0].json()
    room = fake.world.room("ops-alerts", "acme")
    assert callback == {
        "capabilitiesUrl": fake.capabilities_url,
        "oauthId": installation.oauth_id,
        "oauthSecret": installation.client.oauth_secret,
        "groupId": int(room.group.id),
        "roomId": int(room.id),
    }


def test_a_group_install_names_no_room_and_a_refused_one_is_forgotten(
    fake: FakeHipChat, addon: AddOn
) -> None:
    fake.install(addon.url, room=None)
    assert "roomId" not in addon.received("POST", "/addon/installed")[-1].json()

    addon.server.answer_with(400)
    refused = fake.install(addon.url)
    assert not refused.installed and refused.status == 400
    assert token(fake, refused.oauth_id, refused.client.oauth_secret).status_code == 401


def test_tokens_need_the_clients_credentials_and_known_scopes(fake: FakeHipChat, addon: AddOn) -> None:
    installation = fake.install(addon.url)
    client = installation.client

    granted = token(fake, client.oauth_id, client.oauth_secret).json()
    assert granted["expires_in"] == 3599 and granted["group_name"] == "acme"
    wrong = token(fake, client.oauth_id, "guess")
    assert wrong.status_code == 401
    assert wrong.json() == {
        "error": {"code": 401, "message": "Invalid OAuth client credentials", "type": "Unauthorized"}
    }
    assert token(fake, client.oauth_id, client.oauth_secret, scope="admin_group").status_code == 400


def test_notifications_are_checked_and_shown_as_a_person_reads_them(fake: FakeHipChat, addon: AddOn) -> None:
    client = fake.install(addon.url).client
    bearer = {
        "Authorization": f"Bearer {token(fake, client.oauth_id, client.oauth_secret).json()['access_token']}"
    }
    url = f"{fake.base_url}/v2/room/{client.room.id}/notification"  # type: ignore[union-attr]

    good = {"message": "<b>#1</b> Disk &amp; CPU<br>next", "color": "red", "from": "Tocsin"}
    assert httpx.post(url, json=good, headers=bearer).status_code == 204
    for bad in (
        {"message": ""},
        {"message": "x" * 10_001},
        {"message": "x", "color": "blue"},
        {"message": "x", "from": "y" * 26},
    ):
        answer = httpx.post(url, json=bad, headers=bearer)
        assert answer.status_code == 400 and answer.json()["error"]["type"] == "Bad Request"
    assert httpx.post(url, json=good).status_code == 401
    post = fake.posts("ops-alerts")[0]
    assert (post.text, post.color, post.source) == ("#1 Disk & CPU\nnext", "red", "notification")
    assert len(fake.posts()) == 1


def test_private_messages_need_the_send_message_scope(fake: FakeHipChat, addon: AddOn) -> None:
    client = fake.install(addon.url).client
    ann = fake.user("ann")
    url = f"{fake.base_url}/v2/user/{ann.id}/message"
    narrow = token(fake, client.oauth_id, client.oauth_secret, scope="send_notification").json()[
        "access_token"
    ]
    wide = token(fake, client.oauth_id, client.oauth_secret).json()["access_token"]

    assert (
        httpx.post(url, json={"message": "hi"}, headers={"Authorization": f"Bearer {narrow}"}).status_code
        == 403
    )
    assert (
        httpx.post(
            url, json={"message": "<i>hi</i>"}, headers={"Authorization": f"Bearer {wide}"}
        ).status_code
        == 204
    )
    assert [(m.user, m.text) for m in fake.private_messages()] == [("ann", "hi")]


def test_slash_sends_the_room_message_with_a_jwt_and_posts_a_json_answer(
    fake: FakeHipChat, addon: AddOn
) -> None:
    client = fake.install(addon.url).client
    addon.answer = Answer(200, json.dumps({"message": "done <b>ok</b>", "message_format": "html"}).encode())

    result = fake.slash(addon.url, "ack 1", user="john", mentions={"ann": fake.user("ann").id})

    sent = addon.received("POST", "/addon/message")[0]
    body = sent.json()
    assert body["item"]["message"]["message"] == "/genie ack 1"
    assert body["item"]["message"]["from"]["mention_name"] == "john"
    assert body["item"]["message"]["mentions"][0]["mention_name"] == "ann"
    assert body["oauth_client_id"] == client.oauth_id
    scheme, _, signed = sent.headers["authorization"].partition(" ")
    claims = jwt.decode(signed, client.oauth_secret, algorithms=["HS256"])
    assert scheme == "JWT" and claims["iss"] == client.oauth_id and claims["sub"] == fake.user("john").id
    assert (result.text, result.ephemeral) == ("done ok", False)
    assert fake.posts()[0].source == "command"


def test_jwt_modes_and_messages_the_pattern_does_not_match(fake: FakeHipChat, addon: AddOn) -> None:
    client = fake.install(addon.url).client
    fake.slash(addon.url, "help", jwt="query", wait=0)
    fake.slash(addon.url, "help", jwt="none", wait=0)
    fake.slash(addon.url, "help", jwt="expired", wait=0)
    skipped = fake.say(addon.url, "hello /genie", wait=0)

    first, second, third = addon.received("POST", "/addon/message")
    assert "signed_request=" in first.path and "authorization" not in first.headers
    assert "authorization" not in second.headers and "signed_request" not in second.path
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(third.headers["authorization"].split(" ", 1)[1], client.oauth_secret, algorithms=["HS256"])
    assert skipped.status is None and "pattern" in skipped.detail


def test_an_answer_of_204_is_taken_from_the_private_message_the_caller_got(
    fake: FakeHipChat, addon: AddOn
) -> None:
    client = fake.install(addon.url).client
    john = fake.user("john")
    access = token(fake, client.oauth_id, client.oauth_secret).json()["access_token"]
    addon.before_answering = lambda: httpx.post(
        f"{fake.base_url}/v2/user/{john.id}/message",
        json={"message": "only for <b>you</b>"},
        headers={"Authorization": f"Bearer {access}"},
    )

    result = fake.slash(addon.url, "help", user="john")

    assert (result.status, result.text, result.ephemeral) == (204, "only for you", True)
    assert fake.posts() == []


def test_an_answer_of_204_with_nothing_sent_is_no_answer(fake: FakeHipChat, addon: AddOn) -> None:
    fake.install(addon.url)
    result = fake.slash(addon.url, "help", wait=0.1)
    assert (result.status, result.text, result.detail) == (204, "", "no answer")


def test_down_answers_503_and_uninstall_forgets_the_client(fake: FakeHipChat, addon: AddOn) -> None:
    installation = fake.install(addon.url)
    fake.down()
    assert httpx.get(fake.capabilities_url).status_code == 503
    fake.up()

    assert fake.uninstall(installation) == 204
    assert addon.received("DELETE", f"/addon/installed/{installation.oauth_id}")
    assert token(fake, installation.oauth_id, installation.client.oauth_secret).status_code == 401
