"""``/genie alert``, ``get`` and ``list``: creating an alert from the channel for teams and
people, reading one alert, and listing the open alerts the caller may see."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from tests.chat.conftest import BASE_URL, Chat, alert, log_of, raise_alert
from tests.chat.visibility_replies import NO_RESPONDER
from tests.policies.conftest import alert_policy
from tests.support.factories import make_integration
from tocsin.actors import SYSTEM
from tocsin.alerts import ingest, listing
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.notify.outbox import OutboxMessage
from tocsin.policies import service as policies
from tocsin.policies.schemas import PolicyPayload


@pytest.fixture
def chat(mattermost: Callable[..., Chat]) -> Chat:
    """A global integration that posts no alert activity itself: a change's reply is the
    channel's only word of it (see test_floods for one that does)."""
    return mattermost(forwarded=())


def _newest(db):
    with db.read_session() as session:
        alerts, responders = listing.list_alerts(session, scope=SYSTEM.scope, limit=1)
        return (alerts[0], responders[alerts[0].id]) if alerts else (None, [])


def _count(db):
    with db.read_session() as session:
        return listing.count_alerts(session, scope=SYSTEM.scope)


def test_alert_creates_an_alert_for_the_teams_and_people_named(db, chat):
    chat.link("ann")

    reply = chat.run("alert this is alert message for ops,bob@example.com", as_user="ann")

    created, responders = _newest(db)
    assert reply.text == (
        f"@ann created alert #{created.tiny_id} this is alert message (responders: ops, bob@example.com)"
    )
    assert reply.in_channel
    assert [responder.type for responder in responders] == ["team", "user"]
    assert created.source == "Mattermost"
    assert "Alert created by ann@example.com via Mattermost" in log_of(db, created.tiny_id)


def test_alert_by_an_unlinked_user_is_created_through_the_integration(db, chat):
    reply = chat.run("alert Disk full on db1 for db")

    created, _ = _newest(db)
    assert reply.text == f"@bob created alert #{created.tiny_id} Disk full on db1 (responders: db)"
    assert "Alert created by @bob via ChatOps (Mattermost)" in log_of(db, created.tiny_id)
    assert (created.integration_name, created.integration_type) == ("ChatOps", "Mattermost")


def test_alert_for_someone_unknown_names_them_and_creates_nothing(db, chat):
    reply = chat.run("alert Disk full for ops,nobody,ghost@example.com")

    assert reply.text == (
        "No team or user named nobody, ghost@example.com; nothing was created. "
        "Name teams by name and users by e-mail (see `/genie list teams`)."
    )
    assert not reply.in_channel
    assert _count(db) == 0


def test_alert_through_a_team_integration_goes_to_that_team(db, mattermost):
    chat = mattermost("ops chat", team="ops")

    reply = chat.run("alert Disk full")

    created, _ = _newest(db)
    assert reply.text == f"@bob created alert #{created.tiny_id} Disk full (responders: ops)"


def test_alert_through_a_team_integration_for_another_team_is_refused(db, mattermost):
    chat = mattermost("ops chat", team="ops")

    reply = chat.run("alert Disk full for db")

    assert reply.text == (
        "This channel's integration ops chat belongs to team ops: alerts created through it go to team ops, "
        "not to db. Nothing was created; run the command through db's or a global integration, or leave the "
        "other teams out."
    )
    assert not reply.in_channel
    assert _count(db) == 0


def test_alert_with_a_message_too_long_is_refused(db, chat):
    reply = chat.run("alert " + "x" * 131 + " for ops")

    assert "at most 130 characters" in reply.text
    assert not reply.in_channel
    assert _count(db) == 0


def test_get_shows_the_alert_with_a_link_to_it(db, chat, frozen_clock):
    tiny_id = raise_alert(db, "Disk full on db1", tags=["disk", "db1"], priority="P1")
    chat.run(f"ack {tiny_id}")
    found = alert(db, tiny_id)

    reply = chat.run(f"get {tiny_id}")

    url = f"{BASE_URL}/alerts/{found.id}"
    assert reply.text.splitlines() == [
        f"**#{tiny_id} Disk full on db1**",
        "Status: open, acknowledged by @bob · Priority: P1 · Owner: none",
        "Responders: ops",
        "Tags: disk, db1",
        "Created: 09:00 UTC · Count: 1",
        f"[Open in Tocsin]({url})",
    ]
    assert [link.url for link in reply.links] == [url]
    assert not reply.in_channel


def test_get_of_a_missing_or_hidden_alert_says_so(db, chat):
    chat.link("ann")
    theirs = raise_alert(db, "Theirs", team="db")

    assert chat.run("get 999", as_user="ann").text == "#999 not found"
    assert chat.run(f"get {theirs}", as_user="ann").text == f"#{theirs} {NO_RESPONDER}"


def test_list_shows_open_alerts_the_caller_may_see_newest_first(db, chat, frozen_clock):
    chat.link("ann")
    first = raise_alert(db, "Disk full", priority="P1")
    raise_alert(db, "Theirs", team="db")
    closed = raise_alert(db, "Gone")
    second = raise_alert(db, "CPU hot")
    chat.run(f"close {closed}", as_user="ann")
    chat.run(f"ack {first}", as_user="ann")

    reply = chat.run("list", as_user="ann")

    assert reply.text.splitlines() == [
        "Open alerts (2):",
        f"#{second} [P3] CPU hot",
        f"#{first} [P1] Disk full (acknowledged by ann@example.com)",
    ]
    assert not reply.in_channel


def test_list_alerts_of_a_team(db, chat):
    raise_alert(db, "Ours")
    theirs = raise_alert(db, "Theirs", team="db")

    assert chat.run("list alerts of DB").text.splitlines() == [
        "Open alerts of team db (1):",
        f"#{theirs} [P3] Theirs",
    ]
    assert (
        chat.run("list alerts of nowhere").text == "There is no team named nowhere; see `/genie list teams`"
    )
    assert chat.run("list alerts of ops", as_user="eve").text.startswith("Open alerts of team ops (1)")


def test_list_shows_twenty_alerts_and_counts_the_rest(db, chat):
    for n in range(22):
        raise_alert(db, f"Alert {n}")

    lines = chat.run("list").text.splitlines()

    assert lines[0] == "Open alerts (22):"
    assert lines[1] == "#22 [P3] Alert 21"
    assert len(lines) == 22
    assert lines[-1].startswith("… and 2 more (page 1 of 2): `/genie list page 2`")


def test_no_open_alerts_is_said_plainly(db, chat):
    tiny_id = raise_alert(db, "Gone")
    chat.run(f"close {tiny_id}")

    assert chat.run("list").text == "There are no open alerts you can see."
    assert chat.run("list alerts of ops").text == "There are no open alerts of team ops you can see."


def test_alert_through_a_team_integration_never_counts_on_another_teams_alert_of_its_alias(db, mattermost):
    """A policy gives every alert one alias; /genie alert through ops' integration still makes an
    alert of ops' own (and pages ops) instead of counting on db's open alert."""
    with db.write_session() as session:
        policies.create_policy(
            session,
            actor=SYSTEM,
            payload=PolicyPayload.model_validate(alert_policy("one alias", alias="disk")),
        )
    db_actor, _ = make_integration(db, "db-prometheus", team="db")
    with db.write_session() as session:
        theirs = ingest.create_alert(session, payload=CreateAlertPayload(message="Disk full"), actor=db_actor)
    chat = mattermost("ops chat", team="ops")

    reply = chat.run("alert Disk full")

    created, responders = _newest(db)
    assert reply.text == f"@bob created alert #{created.tiny_id} Disk full (responders: ops)"
    assert created.id != theirs.alert_id and created.alias == "disk" and created.count == 1
    assert alert(db, theirs.tiny_id).count == 1
    assert [r.type for r in responders] == ["team"]
    with db.read_session() as session:
        paged = session.scalars(select(OutboxMessage.alert_id).where(OutboxMessage.topic == "alert.created"))
        assert sorted(paged) == sorted([theirs.alert_id, created.id])
