"""The pieces of the Slack adapter on their own: reading Slack's escaped command text, checking
signatures, which response URLs replies may go to, and the limits Slack's messages are kept in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tocsin.chat.platforms import slack_signature
from tocsin.chat.platforms.slack_messages import capped, reply_message
from tocsin.chat.platforms.slack_requests import click_identity, command_request, unescape
from tocsin.chat.platforms.slack_responses import is_slacks
from tocsin.chat.replies import Reply
from tocsin.outbound import OutboundPolicy

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.mark.parametrize(
    ("sent", "typed", "mentions"),
    [
        ("assign 1 to <@U123|john>", "assign 1 to @john", {"john": "U123"}),
        ("assign 1 to <@U123>", "assign 1 to @U123", {"U123": "U123"}),
        ("assign 1 to <mailto:a@b.c|a@b.c>", "assign 1 to a@b.c", {}),
        ("note see <https://x.test/a?b=1&amp;c=2|x.test> to 1", "note see x.test to 1", {}),
        ("note see <https://x.test/> to 1", "note see https://x.test/ to 1", {}),
        ("note in <#C1|ops> &lt;b&gt; &amp;amp; to 1", "note in #ops <b> &amp; to 1", {}),
        ("note <!here> to 1", "note @here to 1", {}),
    ],
)
def test_slacks_escapes_read_as_typed(sent: str, typed: str, mentions: dict[str, str]) -> None:
    assert unescape(sent) == (typed, mentions)


def test_the_identity_of_a_command_and_of_a_click_follow_one_rule() -> None:
    command = command_request(
        {"team_id": "T1", "team_domain": "acme", "enterprise_id": "E1", "user_id": "U1", "user_name": "bob"}
    )
    click = click_identity(
        {
            "user": {"id": "U1", "username": "bob", "team_id": "T1"},
            "team": {"id": "T1", "domain": "acme"},
            "enterprise": {"id": "E1"},
        }
    )
    plain = command_request({"team_id": "T1", "team_domain": "acme", "user_id": "U1", "user_name": "bob"})

    assert command.identity == click
    assert (click.platform, click.team_id, click.team_name, click.user_id) == ("Slack", "E1:T1", "acme", "U1")
    assert plain.identity.team_id == "T1"


def _headers(timestamp: str, body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": slack_signature.signature(secret, timestamp, body),
    }


def test_a_signature_within_five_minutes_is_taken() -> None:
    body = b"command=%2Fgenie&text=ack+1"
    timestamp = str(int(NOW.timestamp()) - 299)

    slack_signature.verify(SECRET, _headers(timestamp, body), body, NOW)


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "not signed"),
        ({"x-slack-request-timestamp": "1772355600"}, "not signed"),
        ({"x-slack-request-timestamp": "soon", "x-slack-signature": "v0=00"}, "not a Unix time"),
        (_headers(str(int(NOW.timestamp()) - 301), b"x"), "five minutes"),
        (_headers(str(int(NOW.timestamp()) + 301), b"x"), "five minutes"),
        (_headers(str(int(NOW.timestamp())), b"x", secret="other"), "does not match"),
        (_headers(str(int(NOW.timestamp())), b"y"), "does not match"),
    ],
)
def test_anything_else_is_refused(headers: dict[str, str], why: str) -> None:
    with pytest.raises(slack_signature.Refused, match=why):
        slack_signature.verify(SECRET, headers, b"x", NOW)


def test_without_a_signing_secret_nothing_is_taken() -> None:
    timestamp = str(int(NOW.timestamp()))
    with pytest.raises(slack_signature.Refused):
        slack_signature.verify("", _headers(timestamp, b"x", secret=""), b"x", NOW)


def test_replies_go_only_to_slacks_response_urls_unless_the_admin_allowed_the_host() -> None:
    closed, allowed = OutboundPolicy(), OutboundPolicy.parse("127.0.0.0/8,hooks.internal")

    assert is_slacks("https://hooks.slack.com/commands/T1/1/x", closed)
    assert not is_slacks("http://hooks.slack.com/commands/T1/1/x", closed)
    assert not is_slacks("https://hooks.slack.com.evil.test/commands", closed)
    assert not is_slacks("https://example.com/commands", closed)
    assert not is_slacks("http://127.0.0.1:9/commands", closed)
    assert is_slacks("http://127.0.0.1:9/commands", allowed)
    assert is_slacks("http://hooks.internal/commands", allowed)


def test_a_long_reply_is_cut_before_a_link_or_an_entity_it_would_split() -> None:
    assert capped("a" * 10 + "<http://x|y>", 15) == "a" * 10 + "…"
    assert capped("a" * 10 + " &amp; b", 14) == "a" * 10 + "…"
    assert capped("short", 15) == "short"
    long = reply_message(Reply("word " * 20_000, in_channel=True))
    assert long["response_type"] == "in_channel" and len(long["text"]) <= 40_000
