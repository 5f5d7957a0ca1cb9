"""The fake Mattermost speaks Mattermost's protocol: a loopback receiver stands in for Tocsin and
checks what the fake sends (slash commands, clicks), and plain HTTP calls check what it serves
(incoming webhooks, response URLs) and how it takes answers."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from tests.fakes import mattermost
from tests.fakes.mattermost import FakeMattermost, Post
from tests.support.http_receiver import Answer, HttpReceiver, Received

fake_mattermost = mattermost.fake_mattermost  # the fixture other tests enable through a conftest


def _json(body: Any) -> Callable[[Received], Answer]:
    return lambda _request: Answer(200, json.dumps(body).encode())


@pytest.fixture
def tocsin() -> Iterator[HttpReceiver]:
    """Stands in for Tocsin: answers every request with an ephemeral reply unless told otherwise."""
    with HttpReceiver(_json({"response_type": "ephemeral", "text": "Working on it"})) as receiver:
        yield receiver


def _fields(request: Received) -> list[tuple[str, str]]:
    raw = request.body.decode() if request.method == "POST" else urlsplit(request.path).query
    return parse_qsl(raw, keep_blank_values=True)


def _hook_post(fake: FakeMattermost, payload: dict[str, Any]) -> httpx.Response:
    return httpx.post(fake.new_hook(), json=payload)


def _alert_post(fake: FakeMattermost, action_url: str) -> Post:
    """A notification with Ack/Close buttons, as Tocsin would post it."""
    button = {"type": "button", "integration": {"url": action_url, "context": {"action": "ack", "sig": "s1"}}}
    attachment = {
        "title": "#12 Disk full",
        "fields": [{"title": "Priority", "value": "P1", "short": True}],
        "actions": [{**button, "name": "Acknowledge"}, {**button, "id": "close", "name": "Close"}],
    }
    response = _hook_post(fake, {"text": "New alert", "username": "Tocsin", "attachments": [attachment]})
    assert response.status_code == 200, response.text
    return fake.posts()[-1]


# -- slash commands --------------------------------------------------------------------------------


def test_slash_command_posts_the_form_fields_and_headers_mattermost_sends(fake_mattermost, tocsin):
    fake = fake_mattermost
    result = fake.slash(tocsin.url("/chat/mattermost/i1/secret"), "ack 12", user="bob", channel="ops-alerts")

    (request,) = tocsin.received
    assert (request.method, request.path) == ("POST", "/chat/mattermost/i1/secret")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["accept"] == "application/json"
    assert request.headers["authorization"] == f"Token {fake.command_token}"
    assert request.headers["user-agent"] == "Mattermost-Bot/1.1"
    fields = dict(_fields(request))
    assert [key for key, _ in _fields(request)] == sorted(fields)  # url.Values.Encode sorts its keys
    bob, acme, channel = fake.user("bob"), fake.team("acme"), fake.channel("ops-alerts")
    assert fields.pop("trigger_id")
    hook_id = fields.pop("response_url").removeprefix(f"{fake.base_url}/hooks/commands/")
    assert fields == {
        "token": fake.command_token,
        "team_id": acme.id,
        "team_domain": "acme",
        "channel_id": channel.id,
        "channel_name": "ops-alerts",
        "user_id": bob.id,
        "user_name": "bob",
        "command": "/genie",
        "text": "ack 12",
        "root_id": "",
    }
    for ident in (hook_id, bob.id, acme.id, channel.id, fake.command_token):
        assert len(ident) == 26 and ident.isalnum() and ident.islower()
    assert result.error is None and result.ephemeral and result.text == "Working on it"
    assert [(e.user, e.channel, e.text) for e in fake.ephemerals()] == [
        ("bob", "ops-alerts", "Working on it")
    ]
    assert fake.posts() == []


def test_get_slash_command_appends_the_fields_to_the_query_and_sends_no_token_when_there_is_none(
    fake_mattermost, tocsin
):
    fake_mattermost.slash(tocsin.url("/chat?tenant=7"), "help", method="GET", token=None, user="ann")

    (request,) = tocsin.received
    assert request.method == "GET" and request.body == b""
    assert "authorization" not in request.headers and "content-type" not in request.headers
    fields = dict(_fields(request))
    assert fields["tenant"] == "7" and request.path.startswith("/chat?tenant=7&")
    assert (fields["token"], fields["text"], fields["user_name"]) == ("", "help", "ann")


def test_mentions_of_known_users_are_repeated_keys_in_parallel_and_in_order(fake_mattermost, tocsin):
    fake = fake_mattermost
    carol, ann = fake.user("carol"), fake.user("ann")
    fake.slash(tocsin.url("/c"), "assign 12 @carol @nobody @ann. @carol")
    fake.slash(tocsin.url("/c"), "ack 12")
    fake.slash(tocsin.url("/c"), "ack 12 @x", mentions={"x": "given-id"})

    with_mentions, without, given = (_fields(request) for request in tocsin.received)
    assert [value for key, value in with_mentions if key == "user_mentions"] == ["carol", "ann"]
    assert [value for key, value in with_mentions if key == "user_mentions_ids"] == [carol.id, ann.id]
    assert not any(key.startswith("user_mentions") for key, _ in without)
    assert ("user_mentions", "x") in given and ("user_mentions_ids", "given-id") in given


def test_an_in_channel_answer_is_posted_as_the_invoking_user_and_extra_responses_follow(
    fake_mattermost, tocsin
):
    tocsin.respond = _json(
        {
            "response_type": "in_channel",
            "text": "Alert <http://t/a/12|#12> acknowledged",
            "attachments": [{"title": "#12", "fields": [{"title": "Count", "value": 3}], "mrkdwn_in": ["x"]}],
            "extra_responses": [{"response_type": "ephemeral", "text": "Escalation stopped."}],
        }
    )
    result = fake_mattermost.slash(tocsin.url("/c"), "ack 12", user="bob")

    assert result.error is None and not result.ephemeral and result.response_type == "in_channel"
    (post,) = fake_mattermost.posts("ops-alerts")
    assert result.posts == [post] and post.source == "command"
    assert (post.author, post.user_id, post.from_webhook) == ("bob", fake_mattermost.user("bob").id, True)
    assert post.text == "Alert [#12](http://t/a/12) acknowledged"
    assert post.attachments == [{"title": "#12", "fields": [{"title": "Count", "value": "3"}]}]
    assert [(e.user, e.text) for e in fake_mattermost.ephemerals()] == [("bob", "Escalation stopped.")]


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (
            Answer(500, b"boom"),
            "Command with a trigger of 'genie' returned response 500 Internal Server Error.",
        ),
        (Answer(200, b"{not json"), "Command with a trigger of 'genie' failed."),
        (Answer(200, b""), "Command with a trigger of 'genie' failed."),
        (Answer(200, b'{"text": 5}'), "Command with a trigger of 'genie' failed."),
    ],
)
def test_answers_mattermost_cannot_take_are_shown_as_its_errors(fake_mattermost, tocsin, answer, error):
    tocsin.respond = lambda _request: answer
    result = fake_mattermost.slash(tocsin.url("/c"), "ack 12")
    assert (result.error, result.status) == (error, answer.status)
    assert fake_mattermost.posts() == [] and fake_mattermost.ephemerals() == []


def test_a_plain_text_answer_is_an_ephemeral_reply_and_an_unreachable_tocsin_a_failure(
    fake_mattermost, tocsin
):
    tocsin.respond = lambda _request: Answer(200, b"Alert #12 acknowledged", {"Content-Type": "text/plain"})
    plain = fake_mattermost.slash(tocsin.url("/c"), "ack 12")
    assert (plain.error, plain.ephemeral, plain.text, plain.raw) == (
        None,
        True,
        "Alert #12 acknowledged",
        plain.text,
    )

    tocsin.stop()
    unreachable = fake_mattermost.slash(tocsin.url("/c"), "ack 12")
    assert (unreachable.status, unreachable.error) == (None, "Command with a trigger of 'genie' failed.")


def test_a_response_url_takes_five_answers_within_thirty_minutes(fake_mattermost, tocsin):
    fake = fake_mattermost
    url = fake.slash(tocsin.url("/c"), "ack 12", user="bob").response_url
    answers = [httpx.post(url, json={"response_type": "in_channel", "text": f"done {n}"}) for n in range(6)]

    assert [answer.status_code for answer in answers] == [200] * 5 + [400]
    assert answers[0].text == "ok" and answers[0].headers["content-type"] == "text/plain"
    assert answers[5].json()["id"] == "app.command_webhook.try_use.invalid"
    assert [(p.text, p.author, p.source) for p in fake.posts()] == [
        (f"done {n}", "bob", "response_url") for n in range(5)
    ]
    assert fake.response_url(url).uses == 5 and len(fake.response_url(url).responses) == 5

    later = fake.slash(tocsin.url("/c"), "ack 13").response_url
    fake.advance(30 * 60 + 1)
    expired = httpx.post(later, content=b"late", headers={"Content-Type": "text/plain"})
    assert expired.status_code == 404 and expired.json()["id"] == "app.command_webhook.get.missing"


# -- incoming webhooks -----------------------------------------------------------------------------


def test_an_incoming_webhook_answers_ok_and_keeps_each_post_in_order(fake_mattermost):
    fake = fake_mattermost
    hook = fake.new_hook(channel="ops-alerts")
    assert hook.startswith(f"{fake.base_url}/hooks/") and len(fake.hook_id(hook)) == 26

    first = httpx.post(
        hook, json={"text": "first", "username": "Tocsin", "props": {"card": "c", "from_bot": "x"}}
    )
    second = httpx.post(hook, data={"payload": json.dumps({"text": "second", "channel": "ops-alerts"})})
    attachment = {
        "fallback": "#12",
        "color": "#D00000",
        "fields": [{"title": "P", "value": 1, "short": True}],
    }
    third = httpx.post(hook, content=json.dumps({"attachments": [attachment]}))  # no Content-Type

    assert [(r.status_code, r.text, r.headers["content-type"]) for r in (first, second, third)] == [
        (200, "ok", "text/plain")
    ] * 3
    posts = fake.posts("ops-alerts")
    assert [post.text for post in posts] == ["first", "second", ""]
    assert [post.username for post in posts] == ["Tocsin", "webhook", "webhook"]
    assert (
        posts[0].props["card"] == "c" and posts[0].from_webhook and posts[0].raw["props"]["from_bot"] == "x"
    )
    assert posts[2].attachments == [{**attachment, "fields": [{"title": "P", "value": "1", "short": True}]}]
    assert posts[2].raw == {"attachments": [attachment]}
    assert len({post.id for post in posts}) == 3 and all(len(post.id) == 26 for post in posts)


@pytest.mark.parametrize(
    ("payload", "status", "error_id"),
    [
        ({"text": ""}, 400, "web.incoming_webhook.text.app_error"),
        ({"text": "x", "channel": "nowhere"}, 404, "web.incoming_webhook.channel.app_error"),
        ({"text": "x", "attachments": {"title": "not a list"}}, 400, "web.incoming_webhook.decode.app_error"),
        ({"text": "x", "attachments": [{"id": "abc"}]}, 400, "web.incoming_webhook.decode.app_error"),
    ],
)
def test_an_incoming_webhook_refuses_what_mattermost_refuses(fake_mattermost, payload, status, error_id):
    response = _hook_post(fake_mattermost, payload)
    assert (response.status_code, response.json()["id"]) == (status, error_id)
    assert fake_mattermost.posts() == []


def test_an_unknown_or_deleted_hook_is_invalid(fake_mattermost):
    hook = fake_mattermost.new_hook()
    fake_mattermost.delete_hook(hook)
    for url in (hook, f"{fake_mattermost.base_url}/hooks/{'a' * 26}"):
        response = httpx.post(url, json={"text": "hello"})
        assert (response.status_code, response.json()["id"]) == (
            400,
            "web.incoming_webhook.invalid.app_error",
        )


def test_slack_markup_becomes_mattermost_markdown_and_mentions_are_seen(fake_mattermost):
    _hook_post(
        fake_mattermost, {"text": "<!channel> see <http://t/12|#12>, @bob and @\u200ball, not `@here`"}
    )
    (post,) = fake_mattermost.posts()
    assert post.text == "@channel see [#12](http://t/12), @bob and @\u200ball, not `@here`"
    assert post.mentions == ["channel", "bob"]


def test_an_outage_answers_503_or_refuses_connections_until_the_server_is_up(fake_mattermost):
    fake = fake_mattermost
    hook = fake.new_hook()
    fake.down()
    assert httpx.post(hook, json={"text": "during 503"}).status_code == 503
    fake.down(mode="refuse")
    with pytest.raises(httpx.ConnectError):
        httpx.post(hook, json={"text": "while refused"})
    fake.up()

    assert httpx.post(hook, json={"text": "after"}).status_code == 200
    assert [post.text for post in fake.posts()] == ["after"]
    assert [request.json()["text"] for request in fake.hook_requests(hook)] == ["during 503", "after"]


def test_wait_for_posts_sees_posts_delivered_in_the_background_and_fails_when_none_come(fake_mattermost):
    hook = fake_mattermost.new_hook()
    timer = threading.Timer(0.2, lambda: httpx.post(hook, json={"text": "late"}))
    timer.start()
    assert [post.text for post in fake_mattermost.wait_for_posts(1, timeout=5)] == ["late"]
    timer.join()
    with pytest.raises(AssertionError, match="expected 2 posts, got 1"):
        fake_mattermost.wait_for_posts(2, timeout=0.1)
    fake_mattermost.reset()
    assert fake_mattermost.posts() == [] and fake_mattermost.requests == []


# -- buttons ---------------------------------------------------------------------------------------


def test_a_click_posts_mattermosts_json_to_the_integration_without_credentials(fake_mattermost, tocsin):
    fake = fake_mattermost
    tocsin.respond = lambda _request: Answer(200, b"")
    post = _alert_post(fake, tocsin.url("/chat/mattermost/actions"))
    assert post.buttons == ["Acknowledge", "Close"]

    result = fake.click(post, "Acknowledge", user="ann")

    (request,) = tocsin.received
    assert (request.method, request.path) == ("POST", "/chat/mattermost/actions")
    assert request.headers["content-type"] == "application/json" and "authorization" not in request.headers
    sent = request.json()
    assert list(sent) == [
        *("user_id", "user_name", "channel_id", "channel_name", "team_id", "team_domain"),
        *("post_id", "trigger_id", "type", "data_source", "context"),
    ]
    ann, acme, channel = fake.user("ann"), fake.team("acme"), fake.channel("ops-alerts")
    assert sent["trigger_id"] and sent | {"trigger_id": ""} == {
        "user_id": ann.id,
        "user_name": "ann",
        "channel_id": channel.id,
        "channel_name": "ops-alerts",
        "team_id": acme.id,
        "team_domain": "acme",
        "post_id": post.id,
        "trigger_id": "",
        "type": "button",
        "data_source": "",
        "context": {"action": "ack", "sig": "s1"},
    }
    assert result.error is None and result.update is None and post.text == "New alert"


def test_an_update_replaces_the_props_but_keeps_the_retained_ones(fake_mattermost, tocsin):
    fake = fake_mattermost
    post = _alert_post(fake, tocsin.url("/actions"))
    acked = [{"title": "#12 Disk full", "text": "Acknowledged by ann"}]
    tocsin.respond = _json(
        {
            "update": {"message": "Alert #12", "props": {"attachments": acked, "from_webhook": "false"}},
            "ephemeral_text": "You acknowledged <http://t/12|#12>.",
        }
    )
    result = fake.click(post, "Acknowledge", user="ann")

    assert result.error is None and result.post is post
    assert post.text == "Alert #12" and post.attachments == acked and post.buttons == []
    assert post.props == {
        "attachments": acked,
        "from_webhook": "true",
        "override_username": "Tocsin",
    }
    assert post.updates == [result.update]
    assert [(e.user, e.text, e.source) for e in fake.ephemerals()] == [
        ("ann", "You acknowledged [#12](http://t/12).", "button")
    ]


def test_an_update_without_props_keeps_them_and_one_without_message_empties_the_text(fake_mattermost, tocsin):
    fake = fake_mattermost
    post = _alert_post(fake, tocsin.url("/actions"))
    before = dict(post.props)
    tocsin.respond = _json({"update": {"props": None}})
    fake.click(post, "Close", user="ann")
    assert post.props == before and post.text == ""

    tocsin.respond = _json({"update": {"message": "Closed", "props": {}}})
    fake.click(post.id, "close", user="ann")
    assert post.text == "Closed" and post.attachments == []
    assert post.props == {"from_webhook": "true", "override_username": "Tocsin"}


@pytest.mark.parametrize(
    "answer",
    [Answer(403, b'{"update": {"message": "x"}}'), Answer(200, b"not json"), Answer(200, b"[1, 2]")],
)
def test_a_click_answered_badly_is_an_error_and_changes_nothing(fake_mattermost, tocsin, answer):
    fake = fake_mattermost
    post = _alert_post(fake, tocsin.url("/actions"))
    tocsin.respond = lambda _request: answer
    result = fake.click(post, "Acknowledge")
    assert result.error == "Action integration error." and result.status == answer.status
    assert post.text == "New alert" and post.buttons == ["Acknowledge", "Close"] and fake.ephemerals() == []


def test_a_click_with_a_forged_context_is_sent_as_given_for_a_post_mattermost_may_not_know(
    fake_mattermost, tocsin
):
    tocsin.respond = _json({"ephemeral_text": "This button has expired."})
    result = fake_mattermost.click_with_context(tocsin.url("/actions"), {"action": "close", "sig": "forged"})

    sent = tocsin.received[0].json()
    assert sent["context"] == {"action": "close", "sig": "forged"} and len(sent["post_id"]) == 26
    assert (sent["user_name"], sent["channel_name"], sent["team_domain"]) == ("ann", "ops-alerts", "acme")
    assert result.post is None and result.ephemeral_text == "This button has expired."


def test_the_fake_can_reach_an_in_process_application_through_a_test_client():
    app = FastAPI()

    @app.post("/chat/mattermost/{integration}/{secret}")
    async def command(request: Request, integration: str) -> dict[str, str]:
        form = await request.form()
        return {
            "response_type": "in_channel",
            "text": f"{integration}: {form['text']} by @{form['user_name']}",
        }

    with TestClient(app) as client, FakeMattermost(sender=client) as fake:
        result = fake.slash("http://tocsin.test/chat/mattermost/i1/s", "ack 12", user="bob")
    assert result.error is None and [post.text for post in result.posts] == ["i1: ack 12 by @bob"]
