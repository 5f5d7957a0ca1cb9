"""The alert list's tabs, filters (team, priority, tag) with the search, sorting and paging, the rows
fragment the live script swaps in, and parameters it cannot take."""

from __future__ import annotations

import re
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
def root(db, http: TestClient) -> TestClient:
    make_user(db, "root@example.com", role="admin")
    make_user(db, "ada@example.com")
    make_team(db, "ops", "ada@example.com")
    make_team(db, "db")
    assert log_in(http, "root@example.com").status_code == 303
    return http


def act(db, action: Callable[..., object], alert_id: str, **fields: object) -> None:
    with db.write_session() as session:
        action(session, ref=AlertRef(alert_id), actor=SYSTEM, **fields)


@pytest.fixture
def world(db, add_alert: AddAlert, frozen_clock: clock.FrozenClock) -> None:
    """Oldest first: open P3 for ops (count 3), acknowledged P1 for db, closed P2, open P1 tagged db
    for ops and db, snoozed P5 tagged web."""

    def later(**fields: object) -> str:
        frozen_clock.advance(timedelta(minutes=1))
        return add_alert(**fields)

    later(message="Queue stuck", alias="queue", priority="P3", responders=[{"type": "team", "name": "ops"}])
    act(
        db,
        actions.acknowledge,
        later(message="CPU hot", priority="P1", responders=[{"type": "team", "name": "db"}]),
    )
    act(db, actions.close, later(message="Disk gone", priority="P2", tags=["db"]))
    later(
        message="Disk full", priority="P1", tags=["db"],
        responders=[{"type": "team", "name": "ops"}, {"type": "team", "name": "db"}],
    )  # fmt: skip
    snoozed = later(
        message="Slow page", priority="P5", tags=["web"], visibleTo=[{"type": "team", "name": "db"}]
    )
    act(db, actions.snooze, snoozed, end_time=clock.now() + timedelta(hours=2))
    for _ in range(2):
        later(message="Queue stuck", alias="queue", priority="P3")  # counted on the first


def listed(http: TestClient, **params: object) -> list[str]:
    response = http.get("/alerts", params=params)
    assert response.status_code == 200, response.text
    return messages_listed(response.text)


@pytest.mark.parametrize(
    ("tab", "messages"),
    [
        ("open", ["Slow page", "Disk full", "Queue stuck"]),
        ("acknowledged", ["CPU hot"]),
        ("closed", ["Disk gone"]),
        ("all", ["Slow page", "Disk full", "Disk gone", "CPU hot", "Queue stuck"]),
    ],
)
def test_each_tab_lists_the_alerts_in_its_state(
    root: TestClient, world, tab: str, messages: list[str]
) -> None:
    assert listed(root, tab=tab) == messages


def test_the_current_tab_is_marked_and_tab_links_keep_the_search_and_filters(root: TestClient, world) -> None:
    html = root.get(
        "/alerts", params={"tab": "closed", "query": "disk", "priority": ["P1", "P2"], "sort": "count"}
    ).text

    current = re.findall(r'<a href="([^"]*)" aria-current="page">([^<]*)</a>', html)
    assert current == [
        ("/alerts?tab=closed&amp;query=disk&amp;sort=count&amp;priority=P1&amp;priority=P2", "Closed")
    ]
    assert '<a href="/alerts?query=disk&amp;sort=count&amp;priority=P1&amp;priority=P2">Open</a>' in html
    assert listed(root, tab="all", query="disk", priority=["P1", "P2"]) == ["Disk full", "Disk gone"]


def test_filters_by_team_priority_and_tag_combine_with_the_search_and_the_tab(
    root: TestClient, world
) -> None:
    assert listed(root, team="ops") == ["Disk full", "Queue stuck"]
    assert listed(root, team="db", tab="all") == [
        "Disk full",
        "CPU hot",
    ]  # not "Slow page": only visible to db
    assert listed(root, priority=["P1", "P5"]) == ["Slow page", "Disk full"]
    assert listed(root, tag="db", tab="all") == ["Disk full", "Disk gone"]
    assert listed(root, tab="all", tag="db", team="ops", priority="P1", query="message:disk") == ["Disk full"]
    assert listed(root, tab="all", tag="db", query="status:closed") == ["Disk gone"]


def test_a_tag_with_quotes_and_parentheses_is_one_value_not_query_syntax(
    root: TestClient, add_alert: AddAlert
) -> None:
    add_alert(message="Odd tag", tags=['a") OR (tag:"b'])
    add_alert(message="Tag b", tags=["b"])

    assert listed(root, tag='a") OR (tag:"b') == ["Odd tag"]


def test_the_filter_form_keeps_what_was_chosen(root: TestClient, world) -> None:
    html = root.get(
        "/alerts", params={"team": "db", "priority": ["P2", "P5"], "tag": "web", "sort": "priority"}
    ).text

    assert '<option value="db" selected>db</option>' in html
    assert 'value="P2" checked' in html and 'value="P5" checked' in html and 'value="P1" checked' not in html
    assert 'name="tag" value="web"' in html
    assert '<option value="priority" selected>Priority</option>' in html


@pytest.mark.parametrize(
    ("params", "messages"),
    [
        ({"sort": "priority"}, ["CPU hot", "Disk full", "Disk gone", "Queue stuck", "Slow page"]),
        (
            {"sort": "priority", "order": "asc"},
            ["Slow page", "Queue stuck", "Disk gone", "Disk full", "CPU hot"],
        ),
        (
            {"sort": "created", "order": "asc"},
            ["Queue stuck", "CPU hot", "Disk gone", "Disk full", "Slow page"],
        ),
        ({"sort": "count"}, ["Queue stuck", "Slow page", "Disk full", "Disk gone", "CPU hot"]),
        ({"sort": "occurred"}, ["Queue stuck", "Slow page", "Disk full", "Disk gone", "CPU hot"]),
        ({"sort": "updated"}, ["Queue stuck", "Slow page", "Disk full", "Disk gone", "CPU hot"]),
    ],
)
def test_sorting(root: TestClient, world, params: dict[str, str], messages: list[str]) -> None:
    assert listed(root, tab="all", **params) == messages


def test_pages_go_forward_and_back_and_next_is_offered_only_when_more_follow(
    root: TestClient, add_alert: AddAlert, frozen_clock: clock.FrozenClock
) -> None:
    for n in range(1, 56):
        frozen_clock.advance(timedelta(seconds=1))
        add_alert(message=f"alert {n}")

    first = root.get("/alerts", params={"size": 25}).text
    assert messages_listed(first) == [f"alert {n}" for n in range(55, 30, -1)]
    assert 'rel="prev"' not in first
    second = root.get("/alerts" + _link(first, "next")).text
    assert messages_listed(second) == [f"alert {n}" for n in range(30, 5, -1)]
    third = root.get("/alerts" + _link(second, "next")).text
    assert messages_listed(third) == [f"alert {n}" for n in range(5, 0, -1)]
    assert 'rel="next"' not in third and "Page 3" in third
    assert messages_listed(root.get("/alerts" + _link(third, "prev")).text) == messages_listed(second)
    assert 'rel="next"' not in root.get("/alerts", params={"size": 50, "page": 2}).text


def test_a_page_of_exactly_the_last_alerts_offers_no_next(root: TestClient, add_alert: AddAlert) -> None:
    for n in range(25):
        add_alert(message=f"alert {n}")

    html = root.get("/alerts", params={"size": 25}).text
    assert len(alert_rows(html)) == 25
    assert 'rel="next"' not in html


def _link(html: str, rel: str) -> str:
    match = re.search(rf'<a href="/alerts(\?[^"]*)" rel="{rel}">', html)
    assert match, f"no {rel} link"
    return match.group(1).replace("&amp;", "&")


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"tab": "mine"}, "tab must be one of open, acknowledged, closed, all, not &#39;mine&#39;"),
        ({"priority": "P9"}, "priority must be one of P1, P2, P3, P4, P5, not &#39;P9&#39;"),
        ({"sort": "colour"}, "sort must be one of created, updated, occurred, priority, count, tiny"),
        ({"order": "up"}, "order must be asc or desc"),
        ({"size": "7"}, "size must be one of 25, 50, 100, not 7"),
        ({"page": "-1"}, "page must be a whole number"),
        ({"page": "0"}, "page must be from 1 to 10000, not 0"),
        ({"page": "99999999999999999999"}, "page must be a whole number"),
        ({"team": "nobody"}, "there is no team named &#39;nobody&#39;"),
        ({"tag": "t" * 51}, "a tag has at most 50 characters"),
        (
            {"query": "priority:P9"},
            "priority must be one of P1, P2, P3, P4, P5, got &#39;P9&#39; at position 9",
        ),
    ],
)
def test_parameters_it_cannot_take_are_named_on_the_page_and_nothing_is_listed(
    root: TestClient, world, params: dict[str, str], problem: str
) -> None:
    response = root.get("/alerts", params=params)

    assert response.status_code == 200
    assert problem in response.text
    assert 'role="alert"' in response.text
    assert alert_rows(response.text) == []


def test_the_rows_fragment_is_the_table_body_of_the_same_view(root: TestClient, world) -> None:
    response = root.get("/alerts", params={"tab": "all", "priority": "P1", "fragment": "rows"})

    assert response.status_code == 200
    body = response.text.strip()
    assert body.startswith('<tbody id="alert-rows">') and body.endswith("</tbody>")
    assert "<html" not in body
    assert re.findall(r'<a href="/alerts/[^"]+">([^<]*)</a>', body) == ["Disk full", "CPU hot"]


def test_select_all_ticks_every_row_of_the_page_without_script(root: TestClient, world) -> None:
    plain = root.get("/alerts").text
    ticked = root.get("/alerts", params={"select": "all"}).text

    assert plain.count('name="alert"') == 3 and " checked>" not in plain.split("<tbody")[1]
    assert ticked.split("<tbody")[1].count(" checked>") == 3
    assert "Clear the selection" in ticked


def test_a_signed_out_visitor_is_sent_to_log_in_and_back(http: TestClient) -> None:
    response = http.get("/alerts", params={"tab": "closed"})

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Falerts%3Ftab%3Dclosed"


def test_the_page_loads_its_own_script_and_styles_and_the_live_updates_script(root: TestClient) -> None:
    html = root.get("/alerts").text

    assert '<script src="/static/live.js" defer></script>' in html
    assert '<script src="/static/alert_list.js" defer></script>' in html
    assert '<link rel="stylesheet" href="/static/alert_list.css">' in html
    assert root.get("/static/alert_list.js").status_code == 200
    assert root.get("/static/alert_list.css").status_code == 200
