"""The fake Slack's Web API answers a bot as Slack does: HTTP 200 with ``ok`` true or false and an
error code, ``chat.postMessage`` (threads by ``thread_ts``), ``chat.update``,
``conversations.members`` page by page, ``conversations.open``, and 429 when rate limited."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fakes import slack
from tests.fakes.slack import FakeSlack

fake_slack = slack.fake_slack


def call(
    fake: FakeSlack, method: str, token: str, body: dict[str, Any] | None = None, **query: str
) -> httpx.Response:
    return httpx.request(
        "POST" if body is not None else "GET",
        f"{fake.api_url}/{method}",
        json=body,
        params=query or None,
        headers={"Authorization": f"Bearer {token}"},
        trust_env=False,
    )


def test_a_bot_posts_updates_and_replies_in_the_thread(fake_slack: FakeSlack) -> None:
    token = fake_slack.new_bot()
    channel = fake_slack.channel_id("ops-alerts")

    posted = call(fake_slack, "chat.postMessage", token, {"channel": channel, "text": "#1 Disk full"})
    assert posted.status_code == 200 and posted.json()["ok"] is True
    assert posted.json()["channel"] == channel
    ts = posted.json()["ts"]
    updated = call(fake_slack, "chat.update", token, {"channel": channel, "ts": ts, "text": "#1 acked"})
    assert updated.json()["ok"] is True
    reply = call(
        fake_slack, "chat.postMessage", token, {"channel": channel, "thread_ts": ts, "text": "ann acked"}
    )
    assert reply.json()["ok"] is True and reply.json()["message"]["thread_ts"] == ts

    [card] = fake_slack.cards()
    assert card.text == "#1 acked" and len(card.edits) == 1
    assert [message.text for message in fake_slack.thread(card)] == ["ann acked"]


def test_refusals_are_200_with_an_error_code(fake_slack: FakeSlack) -> None:
    token = fake_slack.new_bot(channels=("ops-alerts",))
    elsewhere = fake_slack.channel_id("elsewhere")

    def error(answer: httpx.Response) -> str:
        assert answer.status_code == 200 and answer.json()["ok"] is False
        return str(answer.json()["error"])

    assert (
        error(call(fake_slack, "chat.postMessage", "xoxb-wrong", {"channel": elsewhere, "text": "x"}))
        == "invalid_auth"
    )
    assert (
        error(call(fake_slack, "chat.postMessage", token, {"channel": "C999NOPE", "text": "x"}))
        == "channel_not_found"
    )
    assert (
        error(call(fake_slack, "chat.postMessage", token, {"channel": elsewhere, "text": "x"}))
        == "not_in_channel"
    )
    channel = fake_slack.channel_id()
    assert error(
        call(fake_slack, "chat.update", token, {"channel": channel, "ts": "1.000001", "text": "x"})
    ) == ("message_not_found")
    assert error(call(fake_slack, "chat.postMessage", token, {"channel": channel})) == "no_text"


def test_channel_members_come_page_by_page(fake_slack: FakeSlack) -> None:
    token = fake_slack.new_bot()
    for name in ("ann", "bob", "eve"):
        fake_slack.join("ops-alerts", name)

    seen: list[str] = []
    cursor = ""
    while True:
        page = call(
            fake_slack,
            "conversations.members",
            token,
            channel=fake_slack.channel_id(),
            limit="2",
            cursor=cursor,
        )
        assert page.json()["ok"] is True
        seen += page.json()["members"]
        cursor = page.json()["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(fake_slack.user(name).id for name in ("tocsin", "ann", "bob", "eve"))


def test_a_dm_is_opened_and_rate_limits_answer_429_with_retry_after(fake_slack: FakeSlack) -> None:
    token = fake_slack.new_bot()
    ann = fake_slack.user("ann")

    opened = call(fake_slack, "conversations.open", token, {"users": ann.id})
    assert opened.json()["ok"] is True and opened.json()["channel"]["id"].startswith("D")
    fake_slack.rate_limit(1, retry_after=7)
    limited = call(
        fake_slack, "chat.postMessage", token, {"channel": opened.json()["channel"]["id"], "text": "x"}
    )
    assert limited.status_code == 429 and limited.headers["retry-after"] == "7"
    again = call(
        fake_slack, "chat.postMessage", token, {"channel": opened.json()["channel"]["id"], "text": "page"}
    )
    assert again.json()["ok"] is True
