"""The fake Slack speaks Slack's protocol: a loopback receiver stands in for Tocsin and checks what
the fake sends (signed slash commands and clicks), and plain HTTP calls check what it serves
(incoming webhooks, response URLs) and how it takes answers."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from tests.fakes import slack
from tests.fakes.slack import FakeSlack, Message
from tests.fakes.slack_model import readable
from tests.fakes.slack_slash import sign
from tests.support.http_receiver import Answer, HttpReceiver, Received

fake_slack = slack.fake_slack

# Slack's documented example ("Verifying requests from Slack").
VECTOR_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
VECTOR_TIMESTAMP = "1531420618"
VECTOR_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
VECTOR_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def _json(body: Any) -> Callable[[Received], Answer]:
    return lambda _request: Answer(200, json.dumps(body).encode())


@pytest.fixture
def tocsin() -> Iterator[HttpReceiver]:
    """Stands in for Tocsin: answers every request with an ephemeral reply unless told otherwise."""
    with HttpReceiver(_json({"response_type": "ephemeral", "text": "Working *on* it"})) as receiver:
        yield receiver


def _fields(request: Received) -> dict[str, str]:
    return dict(parse_qsl(request.body.decode(), keep_blank_values=True))


def _independent_signature(secret: str, timestamp: str, body: bytes) -> str:
    return (
        "v0="
        + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    )


def _card(fake: FakeSlack, *, value: str = '{"action":"ack"}') -> Message:
    buttons = [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": "Acknowledge"},
            "action_id": "ack",
            "value": value,
        },
        {
            "type": "button",
            "text": {"type": "plain_text", "text": "Close"},
            "action_id": "close",
            "style": "danger",
        },
    ]
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*<http://t/alerts/1|#12 Disk full>*"}},
        {"type": "actions", "elements": buttons},
    ]
    answer = httpx.post(
        fake.new_hook(), json={"text": "[P1] #12", "attachments": [{"color": "#D00000", "blocks": blocks}]}
    )
    assert (answer.status_code, answer.text) == (200, "ok")
    return fake.posts()[-1]


# -- signing ---------------------------------------------------------------------------------------


def test_the_signature_reproduces_slacks_documented_example():
    assert sign(VECTOR_SECRET, VECTOR_TIMESTAMP, VECTOR_BODY.encode()) == VECTOR_SIGNATURE
    assert _independent_signature(VECTOR_SECRET, VECTOR_TIMESTAMP, VECTOR_BODY.encode()) == VECTOR_SIGNATURE


def test_a_slash_command_is_signed_over_the_exact_body_sent(fake_slack, tocsin):
    fake_slack.slash(tocsin.url("/chat/slack/i1/s"), "ack 12", user="bob")

    (request,) = tocsin.received
    timestamp = request.headers["x-slack-request-timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    expected = _independent_signature(fake_slack.signing_secret, timestamp, request.body)
    assert request.headers["x-slack-signature"] == expected
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"


def test_bad_missing_and_old_signatures_are_sent_as_asked(fake_slack, tocsin):
    url = tocsin.url("/chat/slack/i1/s")
    fake_slack.slash(url, "ack 1", signature="bad")
    fake_slack.slash(url, "ack 1", signature="missing")
    fake_slack.slash(url, "ack 1", timestamp_offset=-360)

    bad, missing, old = tocsin.received
    bad_ts = bad.headers["x-slack-request-timestamp"]
    assert bad.headers["x-slack-signature"] != _independent_signature(
        fake_slack.signing_secret, bad_ts, bad.body
    )
    assert "x-slack-signature" not in missing.headers and "x-slack-request-timestamp" not in missing.headers
    old_ts = old.headers["x-slack-request-timestamp"]
    assert time.time() - int(old_ts) >= 359
    assert old.headers["x-slack-signature"] == _independent_signature(
        fake_slack.signing_secret, old_ts, old.body
    )


# -- slash commands --------------------------------------------------------------------------------


def test_the_form_carries_slacks_fields_with_users_links_and_entities_escaped(fake_slack, tocsin):
    fake_slack.user("bob")
    fake_slack.slash(tocsin.url("/x"), "assign 1 to @bob & a@b.co <now>", user="john", enterprise="globex")

    fields = _fields(tocsin.received[0])
    john, acme = fake_slack.user("john"), fake_slack.team("acme")
    assert (
        fields["text"]
        == f"assign 1 to <@{fake_slack.user('bob').id}|bob> &amp; <mailto:a@b.co|a@b.co> &lt;now&gt;"
    )
    assert (fields["user_id"], fields["user_name"], fields["team_id"], fields["team_domain"]) == (
        john.id,
        "john",
        acme.id,
        "acme",
    )
    assert fields["enterprise_id"].startswith("E") and fields["enterprise_name"] == "globex"
    assert fields["command"] == "/genie"
    assert fields["response_url"].startswith(f"{fake_slack.base_url}/commands/{acme.id}/")


def test_given_mentions_are_escaped_with_their_ids_and_unknown_names_stay_text(fake_slack, tocsin):
    fake_slack.slash(tocsin.url("/x"), "assign 1 to @carol or @nobody", mentions={"carol": "U0CAROL"})

    assert _fields(tocsin.received[0])["text"] == "assign 1 to <@U0CAROL|carol> or @nobody"


def test_an_ephemeral_json_answer_is_shown_as_read_to_the_caller_only(fake_slack, tocsin):
    result = fake_slack.slash(tocsin.url("/x"), "help")

    assert (result.status, result.error, result.ephemeral) == (200, None, True)
    assert result.text == "Working on it"
    assert fake_slack.posts() == []


def test_an_in_channel_answer_is_a_post_of_the_command(fake_slack, tocsin):
    tocsin.respond = _json({"response_type": "in_channel", "text": "<http://t/1|#1> acked &amp; done"})
    result = fake_slack.slash(tocsin.url("/x"), "ack 1")

    assert result.ephemeral is False
    (post,) = fake_slack.posts()
    assert (post.source, post.text, result.text) == ("command", "#1 acked & done", "#1 acked & done")


def test_an_error_status_is_shown_as_slacks_error(fake_slack, tocsin):
    tocsin.answer_with(401)
    result = fake_slack.slash(tocsin.url("/x"), "ack 1")

    assert (result.status, result.error) == (401, "http_service_error")


def test_an_answer_later_than_three_seconds_is_a_timeout(fake_slack, tocsin):
    def slow(_request: Received) -> Answer:
        time.sleep(3.5)
        return Answer(200, b'{"text": "too late"}')

    tocsin.respond = slow
    result = fake_slack.slash(tocsin.url("/x"), "ack 1")

    assert result.error == "operation_timeout"
    assert result.text == ""


def test_an_empty_answer_waits_for_the_reply_at_the_response_url(fake_slack, tocsin):
    def later(request: Received) -> Answer:
        url = _fields(request)["response_url"]
        reply = {"response_type": "in_channel", "text": "*all* acknowledged"}
        threading.Timer(0.3, lambda: httpx.post(url, json=reply)).start()
        return Answer(200, b"", {})

    tocsin.respond = later
    result = fake_slack.slash(tocsin.url("/x"), "ackall")

    assert (result.status, result.error, result.deferred) == (200, None, True)
    assert (result.text, result.ephemeral) == ("all acknowledged", False)
    assert [post.source for post in fake_slack.posts()] == ["command"]


# -- incoming webhooks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message, error",
    [
        ({}, "no_text"),
        ({"text": ""}, "no_text"),
        ({"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]}, "invalid_blocks"),
        ({"blocks": [{"type": "divider"}] * 51}, "invalid_blocks"),
        ({"blocks": [{"type": "section"}]}, "invalid_blocks"),
        ({"blocks": [{"type": "mystery"}]}, "invalid_blocks"),
        (
            {
                "attachments": [
                    {"blocks": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}]}
                ]
            },
            "invalid_blocks",
        ),
        (
            {
                "blocks": [
                    {
                        "type": "actions",
                        "elements": [
                            {"type": "button", "text": {"type": "plain_text", "text": "A"}, "action_id": "a"},
                            {"type": "button", "text": {"type": "plain_text", "text": "B"}, "action_id": "a"},
                        ],
                    }
                ]
            },
            "invalid_blocks",
        ),
        (
            {
                "blocks": [
                    {
                        "type": "actions",
                        "elements": [
                            {
                                "type": "button",
                                "text": {"type": "plain_text", "text": "A"},
                                "action_id": "a",
                                "value": "v" * 2001,
                            }
                        ],
                    }
                ]
            },
            "invalid_blocks",
        ),
    ],
)
def test_a_hook_refuses_what_slack_refuses(fake_slack, message, error):
    answer = httpx.post(fake_slack.new_hook(), json=message)

    assert (answer.status_code, answer.text) == (400, error)
    assert fake_slack.posts() == []


def test_a_hook_refuses_a_body_that_is_not_json_and_unknown_hooks(fake_slack):
    hook = fake_slack.new_hook()
    assert (httpx.post(hook, content=b"text=hi").text, httpx.post(hook + "x", json={"text": "x"}).text) == (
        "invalid_payload",
        "no_service",
    )


def test_a_hook_posts_a_card_and_reads_it_as_a_person_does(fake_slack):
    post = _card(fake_slack)

    assert (post.source, post.channel) == ("webhook", "ops-alerts")
    assert post.text == "#12 Disk full"
    assert post.buttons == ["Acknowledge", "Close"]


def test_readable_text_drops_markup_and_decodes_entities():
    assert readable("*bold* _it_ ~s~ `code` <http://x|label> <mailto:a@b.c|a@b.c> &lt;&amp;&gt;") == (
        "bold it s code label a@b.c <&>"
    )
    assert readable("a \u200b*\u200b b snake\u200b_\u200bcase @\u200bbob") == "a * b snake_case @\u200bbob"


def test_while_down_hooks_answer_503_and_posts_arrive_after_up(fake_slack):
    hook = fake_slack.new_hook()
    fake_slack.down()
    assert httpx.post(hook, json={"text": "x"}).status_code == 503
    fake_slack.up()
    assert httpx.post(hook, json={"text": "x"}).status_code == 200
    assert [post.text for post in fake_slack.posts()] == ["x"]


# -- response URLs and clicks ----------------------------------------------------------------------


def test_a_response_url_takes_five_posts_within_thirty_minutes(fake_slack, tocsin):
    url = fake_slack.slash(tocsin.url("/x"), "help").response_url
    statuses = [httpx.post(url, json={"text": f"{n}"}).status_code for n in range(6)]
    assert statuses == [200] * 5 + [404]

    later = fake_slack.slash(tocsin.url("/x"), "help").response_url
    fake_slack.advance(31 * 60)
    assert httpx.post(later, json={"text": "late"}).text == "expired_url"


def test_a_click_is_a_signed_block_actions_payload_and_its_response_url_updates_the_post(fake_slack, tocsin):
    card = _card(fake_slack, value='{"sig":"s"}')

    def answer_through_response_url(request: Received) -> Answer:
        url = json.loads(_fields(request)["payload"])["response_url"]
        replaced = {
            "replace_original": True,
            "text": "acked",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*#12* acknowledged"}}],
        }
        note = {"response_type": "ephemeral", "replace_original": False, "text": "You acknowledged #12"}
        threading.Thread(target=lambda: [httpx.post(url, json=m) for m in (replaced, note)]).start()
        return Answer(200, b"", {})

    tocsin.respond = answer_through_response_url
    fake_slack.interactivity_url = tocsin.url("/chat/slack/i1/s")
    result = fake_slack.click(card, "Acknowledge", user="ann")

    (request,) = tocsin.received
    timestamp = request.headers["x-slack-request-timestamp"]
    assert request.headers["x-slack-signature"] == _independent_signature(
        fake_slack.signing_secret, timestamp, request.body
    )
    payload = json.loads(_fields(request)["payload"])
    ann, acme = fake_slack.user("ann"), fake_slack.team("acme")
    assert payload["type"] == "block_actions"
    assert (payload["user"]["id"], payload["user"]["username"], payload["team"]["id"]) == (
        ann.id,
        "ann",
        acme.id,
    )
    assert payload["actions"][0]["action_id"] == "ack" and payload["actions"][0]["value"] == '{"sig":"s"}'
    assert (result.status, result.error, result.ephemeral_text) == (200, None, "You acknowledged #12")
    assert result.post is card and card.text == "#12 acknowledged" and card.buttons == []
    assert [e.user for e in fake_slack.ephemerals()] == ["ann"]
