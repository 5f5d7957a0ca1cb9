"""What only Slack does with ``/genie``: every request signed with the app's Signing Secret (and
refused otherwise), ``ssl_check``, Slack's escaping of mentions and links, Enterprise Grid
workspaces, and replies that take longer than Slack waits arriving at the response URL. The
document's examples run on every platform in test_commands_on_every_platform.py."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from tests.chat import slack_genie
from tests.chat.conftest import alert, log_of
from tests.chat.genie_world import JOHN, Genie, connect
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_slash import command_fields, signed_headers
from tocsin.actors import SYSTEM
from tocsin.alerts import ingest
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.chat.platforms import slack
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.integrations import registry
from tocsin.integrations import service as integrations


@pytest.fixture
def reply_within() -> float:
    """``chat_reply_within_seconds``; a test parametrised on ``reply_within`` sets its own."""
    return Settings.model_fields["chat_reply_within_seconds"].default


@pytest.fixture
def settings(settings: Settings, reply_within: float) -> Settings:
    return settings.model_copy(update={"chat_reply_within_seconds": reply_within})


platform = slack_genie.platform
fake = slack_genie.fake


@pytest.fixture
def genie(genie: Genie) -> Genie:
    """The integration posts no alert activity itself: the commands' replies are the channel's
    word of changes (test_floods has one that posts)."""
    with genie.db.write_session() as session:
        integrations.get_integration(session, genie.integration_id).outgoing_actions = []
    return genie


def _raise(db: Database, count: int) -> None:
    with db.write_session() as session:
        for number in range(count):
            payload = CreateAlertPayload.model_validate(
                {"message": f"Queue {number} stuck", "responders": [{"type": "team", "name": "ops_team"}]}
            )
            ingest.create_alert(session, payload=payload, actor=SYSTEM)


def test_ack_acts_as_the_linked_user_or_names_the_slack_user(genie: Genie) -> None:
    linked = genie("ack 1", user="john")
    unlinked = genie("ack 2", user="bob")

    assert (linked.error, linked.ephemeral) == (None, False)
    assert linked.text == "@john acknowledged #1 Disk full on db1"
    assert alert(genie.db, 1).acknowledged_by == JOHN
    assert f"Alert acknowledged by {JOHN} via Slack" in log_of(genie.db, 1)
    assert unlinked.text == "@bob acknowledged #2 Disk full on db2"
    assert alert(genie.db, 2).acknowledged_by == "@bob"
    assert any("@bob (Slack)" in line for line in log_of(genie.db, 2))


@pytest.mark.parametrize("text", ["help", "connect"])
def test_help_and_connect_are_shown_to_the_caller_only(genie: Genie, text: str) -> None:
    result = genie(text, user="bob")

    assert (result.status, result.error, result.ephemeral) == (200, None, True)
    assert result.text
    assert genie.said_in_channel() == []


@pytest.mark.parametrize(
    "options",
    [
        {"signature": "bad"},
        {"signature": "missing"},
        {"timestamp_offset": -360},
        {"timestamp_offset": 360},
    ],
    ids=["wrong secret", "unsigned", "six minutes old", "six minutes ahead"],
)
def test_a_request_not_signed_by_the_app_now_is_refused_and_changes_nothing(
    genie: Genie, options: dict
) -> None:
    result = genie("close 1", **options)

    assert (result.status, result.error) == (401, "http_service_error")
    assert alert(genie.db, 1).status == "open"
    assert genie.said_in_channel() == []


def signed_command(fake: FakeSlack, text: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers of ``/genie <text>`` typed by john in #ops-alerts, signed now."""
    fields = command_fields(
        world=fake.world,
        text=text,
        user="john",
        channel=fake.world.channel("ops-alerts", "acme"),
        enterprise=None,
        response_url=f"{fake.base_url}/commands/x",
        mentions=None,
        command="/genie",
    )
    body = urlencode(fields).encode()
    return body, signed_headers(fake.signing_secret, body, offset=0, signature="good")


def test_a_body_altered_after_signing_is_refused(genie: Genie, fake: FakeSlack, http: TestClient) -> None:
    body, headers = signed_command(fake, "ack 1")

    answer = http.post(genie.request_url, content=body.replace(b"ack+1", b"close+1"), headers=headers)

    assert answer.status_code == 401
    assert alert(genie.db, 1).status == "open"


def test_ssl_check_is_answered_empty_and_an_unknown_url_is_not_found(genie: Genie, http: TestClient) -> None:
    checked = http.get(genie.request_url, params={"ssl_check": "1", "token": "x"})
    unknown = http.get(genie.request_url[:-4] + "xxxx", params={"ssl_check": "1"})
    posted = http.post(genie.request_url[:-4] + "xxxx", content=b"command=%2Fgenie&text=ack+1")

    assert (checked.status_code, checked.content) == (200, b"")
    assert unknown.status_code == 404 and "no Tocsin Slack integration" in unknown.text
    assert posted.status_code == 404


def test_a_mentioned_slack_user_is_the_tocsin_user_they_linked(genie: Genie, fake: FakeSlack) -> None:
    connect(genie.db, fake, "ann", "ann@example.com")

    result = genie("assign 1 to @ann")

    assert result.request.fields[-5][1] == f"assign 1 to <@{fake.user('ann').id}|ann>"  # as Slack sends it
    assert result.error is None and "ann@example.com" in result.text
    assert alert(genie.db, 1).owner == "ann@example.com"


def test_a_link_made_in_one_enterprise_does_not_act_in_another(genie: Genie, fake: FakeSlack) -> None:
    with genie.db.write_session() as session:
        from tocsin.accounts import service as accounts
        from tocsin.chat import linking

        token = linking.issue_link(
            session, identity=fake.identity("carol", enterprise="globex"), purpose="connect"
        )
        session.flush()
        linking.approve(session, token=token, user=accounts.get_user(session, JOHN))

    same_enterprise = genie("ack 1", user="carol", enterprise="globex")
    other_enterprise = genie("ack 2", user="carol", enterprise="initech")  # same workspace id "acme"

    assert same_enterprise.error is None and other_enterprise.error is None
    assert alert(genie.db, 1).acknowledged_by == JOHN
    assert alert(genie.db, 2).acknowledged_by == "@carol"


@pytest.mark.parametrize("reply_within", [0.0])
def test_a_reply_not_ready_in_time_is_answered_empty_and_sent_to_the_response_url(genie: Genie) -> None:
    _raise(genie.db, 3)

    result = genie("ackall")

    assert (result.status, result.error, result.deferred) == (200, None, True)
    assert "#6" in result.text and result.ephemeral is False
    assert genie.said_in_channel() == [result.text]
    assert all(alert(genie.db, number).acknowledged for number in range(1, 7))


@pytest.mark.parametrize("reply_within", [0.5])
def test_time_spent_before_the_command_runs_counts_against_slacks_wait(
    genie: Genie, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = slack._first_time

    async def slow_replay_check(*arguments: object) -> bool:
        await asyncio.sleep(0.6)  # a busy write queue, say: Slack's 3 s run from its request
        return await checked(*arguments)  # type: ignore[arg-type]

    monkeypatch.setattr(slack, "_first_time", slow_replay_check)

    result = genie("ack 1")

    assert (result.status, result.error, result.deferred) == (200, None, True)
    assert "acknowledged" in result.text
    assert alert(genie.db, 1).acknowledged


@pytest.mark.parametrize("reply_within", [1.0])  # well inside Slack's 3 s on a busy machine too
def test_ackall_over_hundreds_of_alerts_answers_in_time_or_later(genie: Genie) -> None:
    _raise(genie.db, 300)

    result = genie("ackall")

    assert (result.status, result.error) == (200, None), result.detail
    assert result.text.startswith("@john acknowledged 303 open alerts")
    assert all(alert(genie.db, number).acknowledged for number in (1, 150, 303))


def test_a_disabled_integration_says_so_and_does_nothing(genie: Genie) -> None:
    with genie.db.write_session() as session:
        integration = integrations.get_integration(session, genie.integration_id)
        registry.set_enabled(session, actor=SYSTEM, integration=integration, enabled=False)

    result = genie("close 1")

    assert (result.status, result.error, result.ephemeral) == (200, None, True)
    assert "is disabled" in result.text
    assert alert(genie.db, 1).status == "open"


def test_a_request_sent_again_within_its_five_minutes_is_refused_as_a_replay(
    genie: Genie, fake: FakeSlack, http: TestClient
) -> None:
    body, headers = signed_command(fake, "ack 1")

    first = http.post(genie.request_url, content=body, headers=headers)
    again = http.post(genie.request_url, content=body, headers=headers)

    assert first.status_code == 200
    assert (again.status_code, again.text) == (
        401,
        "Refused: this request was received before (a replay); Slack signs every request anew.",
    )
    assert len([line for line in log_of(genie.db, 1) if "acknowledged" in line]) == 1
