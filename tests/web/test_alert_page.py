"""An alert's own page (chat notifications link to it): its fields, notes and newest log entries,
for the people who may see the alert; to anyone else it does not exist."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.support.factories import make_team, make_user
from tests.web.pages import log_in
from tocsin import clock
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.alerts import actions
from tocsin.alerts.service import AlertRef, add_log
from tocsin.teams import service as teams

AddAlert = Callable[..., str]


@pytest.fixture
def people(db) -> None:
    """ada (in team ops), bob (in no team), root (admin)."""
    make_user(db, "ada@example.com")
    make_user(db, "bob@example.com")
    make_user(db, "root@example.com", role="admin")
    make_team(db, "ops", "ada@example.com")


def as_ada(db, action: Callable[..., object], alert_id: str, **fields: object) -> None:
    with db.write_session() as session:
        ada = teams.actor_for_user(session, accounts.get_user(session, "ada@example.com"), channel="web")
        action(session, ref=AlertRef(alert_id), actor=ada, **fields)


def text_of(html: str) -> str:
    main = html.split("<main>", 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def facts(html: str) -> dict[str, str]:
    """The page's field list, {label: text}."""
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", html, re.S)
    return {label: " ".join(re.sub(r"<[^>]+>", " ", value).split()) for label, value in pairs}


def log_lines(html: str) -> list[str]:
    log = html.split('<ol class="entries log">', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'<span class="text">(.*?)</span>', log)


@pytest.fixture
def disk_alert(db, people, add_alert: AddAlert, frozen_clock: clock.FrozenClock) -> str:
    alert_id = add_alert(
        message="Disk full on db1",
        description="Only 2% left on /var",
        priority="P2",
        source="nagios",
        tags=["disk", "db"],
        details={"host": "db1", "mount": "/var"},
        responders=[{"type": "team", "name": "ops"}],
    )
    frozen_clock.advance(timedelta(minutes=3))
    as_ada(db, actions.acknowledge, alert_id, note="Looking at it")
    return alert_id


def test_the_alert_page_shows_the_alert_its_notes_and_log(http: TestClient, disk_alert: str) -> None:
    log_in(http, "ada@example.com")

    response = http.get(f"/alerts/{disk_alert}")

    assert response.status_code == 200
    assert "<h1>" in response.text and text_of(response.text).startswith("Open alerts #1 Disk full on db1")
    assert facts(response.text) == {
        "Status": "acknowledged",
        "Priority": "P2",
        "Owner": "ada@example.com",
        "Responders": "team ops",
        "Tags": "disk db",
        "Source": "nagios",
        "Count": "1",
        "Created": "2026-03-01 09:00 UTC",
        "Acknowledged by": "ada@example.com",
    }
    page = text_of(response.text)
    assert "Only 2% left on /var" in page
    assert "host db1" in page and "mount /var" in page
    assert "2026-03-01 09:03 UTC ada@example.com Looking at it" in page
    assert log_lines(response.text)[:2] == [
        "Note added by ada@example.com via web",
        "Alert acknowledged by ada@example.com via web",
    ]


@pytest.mark.parametrize(
    ("change", "state"),
    [
        (lambda db, alert_id: None, "open"),
        (lambda db, alert_id: as_ada(db, actions.close, alert_id), "closed"),
        (
            lambda db, alert_id: as_ada(
                db, actions.snooze, alert_id, end_time=clock.now() + timedelta(hours=1)
            ),
            "snoozed until 2026-03-01 10:00 UTC",
        ),
    ],
    ids=["open", "closed", "snoozed"],
)
def test_the_status_reads_open_closed_or_snoozed(
    http: TestClient, db, people, add_alert: AddAlert, frozen_clock, change, state: str
) -> None:
    alert_id = add_alert(message="CPU hot", responders=[{"type": "team", "name": "ops"}])
    change(db, alert_id)
    log_in(http, "ada@example.com")

    assert facts(http.get(f"/alerts/{alert_id}").text)["Status"] == state


def test_the_log_shows_the_newest_100_entries_newest_first(
    http: TestClient, db, disk_alert: str, frozen_clock: clock.FrozenClock
) -> None:
    with db.write_session() as session:
        for number in range(1, 131):
            frozen_clock.advance(timedelta(seconds=1))
            add_log(session, disk_alert, f"entry {number}", SYSTEM, clock.now())
    log_in(http, "ada@example.com")

    lines = log_lines(http.get(f"/alerts/{disk_alert}").text)

    assert lines == [f"entry {number}" for number in range(130, 30, -1)]


def test_someone_who_may_not_see_the_alert_gets_not_found(http: TestClient, disk_alert: str) -> None:
    log_in(http, "bob@example.com")

    for path in (f"/alerts/{disk_alert}", "/alerts/no-such-alert"):
        response = http.get(path)
        assert response.status_code == 404
        assert "Alert not found" in response.text
        assert "Disk full" not in response.text


def test_admins_see_every_alert(http: TestClient, disk_alert: str) -> None:
    log_in(http, "root@example.com")

    assert http.get(f"/alerts/{disk_alert}").status_code == 200


def test_the_alert_page_needs_a_login(http: TestClient, disk_alert: str) -> None:
    response = http.get(f"/alerts/{disk_alert}")

    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=%2Falerts%2F{disk_alert}"


def test_the_alert_list_links_each_message_to_its_page(http: TestClient, disk_alert: str) -> None:
    log_in(http, "ada@example.com")

    # Acknowledged: under the Acknowledged and All tabs of the list.
    assert f'<a href="/alerts/{disk_alert}">Disk full on db1</a>' in http.get("/alerts?tab=all").text


def test_alert_text_is_html_escaped(http: TestClient, db, people, add_alert: AddAlert) -> None:
    alert_id = add_alert(
        message="<script>alert(1)</script>",
        details={"<b>": "<i>x</i>"},
        responders=[{"type": "team", "name": "ops"}],
    )
    log_in(http, "ada@example.com")

    html = http.get(f"/alerts/{alert_id}").text

    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
