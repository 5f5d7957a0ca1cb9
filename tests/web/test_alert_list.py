"""The alert list page's default view: open, unacknowledged alerts, newest first, filtered by who may
see them and by search. Tabs, filters, sorting, paging and acting on several alerts: the other
test_alert_list_*.py modules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.support.factories import make_team, make_user
from tests.web.pages import alert_rows, log_in, messages_listed
from tocsin import clock
from tocsin.actors import SYSTEM
from tocsin.alerts import actions
from tocsin.alerts.service import AlertRef

AddAlert = Callable[..., str]


@pytest.fixture
def people(db) -> None:
    """root (admin), olga (owner), ada (user, in team ops), bob (user, in no team); team db is empty."""
    make_user(db, "root@example.com", role="admin")
    make_user(db, "olga@example.com", role="owner")
    make_user(db, "ada@example.com", role="user")
    make_user(db, "bob@example.com", role="user")
    make_team(db, "ops", "ada@example.com")
    make_team(db, "db")


def act(db, action: Callable[..., object], alert_id: str, **fields: object) -> None:
    with db.write_session() as session:
        action(session, ref=AlertRef(alert_id), actor=SYSTEM, **fields)


def page_for(http: TestClient, username: str, query: str | None = None) -> str:
    assert log_in(http, username).status_code == 303
    response = http.get("/alerts", params={} if query is None else {"query": query})
    assert response.status_code == 200, response.text
    return response.text


def test_open_unacknowledged_alerts_are_listed_newest_first_with_their_state_and_count(
    http: TestClient, db, people, add_alert: AddAlert, frozen_clock: clock.FrozenClock
) -> None:
    add_alert(message="Disk full on host1", alias="host1-disk", priority="P1", source="nagios")
    frozen_clock.advance(timedelta(seconds=10))
    add_alert(message="Disk full on host1", alias="host1-disk", priority="P1")  # counted, not new
    frozen_clock.advance(timedelta(minutes=1))
    acked = add_alert(message="CPU hot", priority="P2")
    act(db, actions.acknowledge, acked)
    frozen_clock.advance(timedelta(minutes=1))
    snoozed = add_alert(message="Memory low", priority="P3")
    act(db, actions.snooze, snoozed, end_time=clock.now() + timedelta(hours=1))
    frozen_clock.advance(timedelta(minutes=1))
    closed = add_alert(message="Old news", priority="P4")
    act(db, actions.close, closed)
    frozen_clock.advance(timedelta(minutes=1))
    add_alert(message="Queue stuck", priority="P5")

    rows = alert_rows(page_for(http, "root@example.com"))

    assert [{key: row[key] for key in ("#", "Priority", "Message", "State", "Count")} for row in rows] == [
        {"#": "5", "Priority": "P5", "Message": "Queue stuck", "State": "open", "Count": "1"},
        {"#": "3", "Priority": "P3", "Message": "Memory low", "State": "snoozed", "Count": "1"},
        {"#": "1", "Priority": "P1", "Message": "Disk full on host1", "State": "open", "Count": "2"},
    ]  # the acknowledged alert is under the Acknowledged tab, the closed one under Closed
    assert rows[-1]["Source"] == "nagios"
    assert rows[-1]["Created"] == "2026-03-01 09:00 UTC (4 min ago)"


def test_an_empty_list_says_there_are_no_open_alerts(http: TestClient, people) -> None:
    html = page_for(http, "root@example.com")

    assert alert_rows(html) == []
    assert "No open alerts." in html


@pytest.fixture
def addressed(add_alert: AddAlert) -> None:
    add_alert(message="For team ops", responders=[{"type": "team", "name": "ops"}])
    add_alert(message="For ada", responders=[{"type": "user", "username": "ada@example.com"}])
    add_alert(message="Shown to ops", visibleTo=[{"type": "team", "name": "ops"}])
    add_alert(message="For team db", responders=[{"type": "team", "name": "db"}])
    add_alert(message="For nobody")


def test_a_plain_user_sees_only_alerts_for_them_or_their_teams(http: TestClient, people, addressed) -> None:
    assert messages_listed(page_for(http, "ada@example.com")) == ["Shown to ops", "For ada", "For team ops"]


def test_a_user_in_no_team_sees_no_team_alerts(http: TestClient, people, addressed) -> None:
    assert messages_listed(page_for(http, "bob@example.com")) == []


@pytest.mark.parametrize("username", ["root@example.com", "olga@example.com"], ids=["admin", "owner"])
def test_admins_and_owners_see_every_alert(http: TestClient, people, addressed, username: str) -> None:
    assert messages_listed(page_for(http, username)) == [
        "For nobody",
        "For team db",
        "Shown to ops",
        "For ada",
        "For team ops",
    ]


@pytest.fixture
def mixed(db, add_alert: AddAlert) -> None:
    add_alert(message="Disk full", priority="P1", tags=["db"])
    add_alert(message="Disk slow", priority="P3", tags=["db"])
    add_alert(message="CPU hot", priority="P1")
    act(db, actions.close, add_alert(message="Disk gone", priority="P1"))


def test_search_filters_with_the_alert_query_language(http: TestClient, people, mixed) -> None:
    html = page_for(http, "root@example.com", query="priority:P1")

    assert messages_listed(html) == ["CPU hot", "Disk full"]
    assert 'value="priority:P1"' in html  # the search box keeps the query
    assert messages_listed(page_for(http, "root@example.com", "tag:db AND message:disk")) == [
        "Disk slow",
        "Disk full",
    ]


def test_search_never_shows_closed_alerts(http: TestClient, people, mixed) -> None:
    html = page_for(http, "root@example.com", query="status:closed")

    assert messages_listed(html) == []
    assert "No open alerts match this search." in html


def test_search_cannot_break_out_of_the_open_alerts_filter(http: TestClient, people, mixed) -> None:
    html = page_for(http, "root@example.com", query="nothing) OR (status:closed")

    assert "Disk gone" not in html
    assert "unexpected &#39;)&#39;" in html


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("priority:", "expected a value after &#39;priority:&#39; at position 9"),
        ("colour:red", "unknown field &#39;colour&#39; at position 0"),
        ("count>many", "at position 6"),
        ('message:"unterminated', "unterminated quoted value at position 8"),
        ("(priority:P1", "unclosed &#39;(&#39; at position 0"),
    ],
)
def test_a_malformed_query_shows_its_error_on_the_page(
    http: TestClient, people, mixed, query: str, problem: str
) -> None:
    html = page_for(http, "root@example.com", query=query)

    assert problem in html
    assert 'role="alert"' in html
    assert alert_rows(html) == []


def test_message_text_is_html_escaped(http: TestClient, people, add_alert: AddAlert) -> None:
    add_alert(message="<script>alert(1)</script>")
    html = page_for(http, "root@example.com")

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert messages_listed(html) == ["<script>alert(1)</script>"]


def test_the_search_query_is_html_escaped(http: TestClient, people) -> None:
    html = page_for(http, "root@example.com", query='"><script>alert(1)</script>')

    assert "<script>" not in html
    assert "&#34;&gt;&lt;script&gt;" in html


def test_a_search_past_the_term_limit_is_refused_on_the_page_saying_the_limit(
    http: TestClient, people
) -> None:
    html = page_for(http, "root@example.com", query=" OR ".join(f"t{n}" for n in range(150)))

    assert "a query has at most 100 terms (this one has 150)" in html
    assert 'role="alert"' in html
