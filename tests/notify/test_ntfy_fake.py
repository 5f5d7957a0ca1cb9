"""The fake ntfy server answers as ntfy does, so the tests that use it catch what ntfy would
refuse: JSON only at the root, its topic rule, priorities 1-5, at most three actions, access
tokens per topic, and its error JSON."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.ntfy import FakeNtfy


@pytest.fixture
def ntfy() -> Iterator[FakeNtfy]:
    with FakeNtfy() as server:
        yield server


def publish(ntfy: FakeNtfy, body: object, path: str = "/", token: str = "") -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(ntfy.url + path, json=body, headers=headers, trust_env=False)


def test_a_json_publish_is_answered_with_the_stored_message(ntfy):
    answer = publish(ntfy, {"topic": "ann-pager", "title": "#1", "message": "Disk full", "priority": 5})
    assert answer.status_code == 200
    stored = answer.json()
    assert {k: stored[k] for k in ("event", "topic", "title", "message", "priority")} == {
        "event": "message", "topic": "ann-pager", "title": "#1", "message": "Disk full", "priority": 5,
    }  # fmt: skip
    assert len(stored["id"]) == 12 and stored["expires"] > stored["time"]
    [shown] = ntfy.published("ann-pager")
    assert (shown.id, shown.message) == (stored["id"], "Disk full")


def test_json_sent_to_a_topic_url_is_the_message_text_as_ntfy_takes_it(ntfy):
    assert publish(ntfy, {"title": "#1", "priority": 5}, path="/ann-pager").status_code == 200
    [shown] = ntfy.published()
    assert (shown.topic, shown.title, shown.priority) == ("ann-pager", "", 3)
    assert shown.message == '{"title":"#1","priority":5}'


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"message": "no topic"}, 40009),
        ({"topic": "has space"}, 40009),
        ({"topic": "t", "priority": 6}, 40007),
        (
            {
                "topic": "t",
                "actions": [{"action": "view", "label": str(n), "url": "http://x"} for n in range(4)],
            },
            40018,
        ),
        ({"topic": "t", "actions": [{"action": "http", "label": "Ack"}]}, 40018),
    ],
)
def test_what_ntfy_refuses_is_refused_with_its_error_json(ntfy, body, code):
    answer = publish(ntfy, body)
    assert answer.status_code == 400
    assert answer.json()["code"] == code and answer.json()["http"] == 400
    assert ntfy.published() == []


def test_a_protected_topic_needs_its_token(ntfy):
    ntfy.require_token("ann-pager", "tk_ann")
    ntfy.accept_token("tk_other")
    assert publish(ntfy, {"topic": "ann-pager"}).json()["code"] == 40301
    assert publish(ntfy, {"topic": "ann-pager"}, token="tk_unknown").json()["code"] == 40101
    assert publish(ntfy, {"topic": "ann-pager"}, token="tk_other").json()["code"] == 40301
    assert publish(ntfy, {"topic": "ann-pager"}, token="tk_ann").status_code == 200
    assert publish(ntfy, {"topic": "open-topic"}).status_code == 200


def test_outage_switches(ntfy):
    ntfy.fail_next(429, 502)
    assert publish(ntfy, {"topic": "t"}).json() == {
        "code": 42901, "http": 429, "error": "limit reached: too many requests",
        "link": "https://ntfy.sh/docs/publish/",
    }  # fmt: skip
    assert publish(ntfy, {"topic": "t"}).status_code == 502
    ntfy.down()
    assert publish(ntfy, {"topic": "t"}).status_code == 503
    ntfy.up()
    assert publish(ntfy, {"topic": "t"}).status_code == 200
    assert len(ntfy.published()) == 1
