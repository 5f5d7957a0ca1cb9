"""The home page: who is on call now (and until when, and who is next) in each schedule the
person may see, the open and unacknowledged alerts waiting for them, and their own state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tests.web.profile_people import ADA, MAX, people_fixture, signed_in_as, submit  # noqa: F401
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.alerts import actions
from tocsin.alerts import service as alerts
from tocsin.alerts.service import AlertRef
from tocsin.clock import FrozenClock
from tocsin.db import Database
from tocsin.oncall import service as oncall
from tocsin.oncall.lookup import NameRef, UserRef
from tocsin.oncall.rotation_config import RotationInput


@pytest.fixture
def night(db: Database, people, frozen_clock: FrozenClock) -> None:
    """Team ops's schedule "ops night": Ada today (1 March), Max tomorrow, day by day."""
    with db.write_session() as session:
        oncall.create_schedule(
            session,
            actor=SYSTEM,
            name="ops night",
            owner_team=NameRef(name="ops"),
            rotations=[
                RotationInput(
                    type="daily",
                    start=datetime(2026, 3, 1, tzinfo=UTC),
                    participants=[UserRef(username=ADA), UserRef(username=MAX)],
                )
            ],
        )


def section(html: str, heading_id: str) -> str:
    return html.split(f'<section aria-labelledby="{heading_id}"')[1].split("</section>")[0]


def test_not_signed_in_the_root_is_the_login_page(http: TestClient) -> None:
    assert http.get("/").headers["location"] == "/login"


def test_the_home_page_says_who_is_on_call_until_when_and_who_is_next(http: TestClient, night) -> None:
    signed_in_as(http, ADA)

    oncall_now = section(http.get("/").text, "oncall")

    assert '<h3>ops night <span class="meta">(ops)</span></h3>' in oncall_now
    assert "<strong>Ada Lovelace</strong> until" in oncall_now
    assert ">2026-03-02 00:00 GMT</time>"  # Ada reads London time in oncall_now
    assert "Next: max</p>" in oncall_now


def test_a_schedule_of_a_team_you_are_not_in_is_not_shown(http: TestClient, night) -> None:
    signed_in_as(http, MAX)  # in the rotation, but not in team ops: the API would not show it either

    assert "No schedules you may see." in section(http.get("/").text, "oncall")


def test_the_person_on_call_reads_so_in_their_own_zone_and_format(http: TestClient, night) -> None:
    signed_in_as(http, ADA)
    submit(http, "/profile/details", full_name="Ada", time_zone="Asia/Tokyo", date_format="iso-12h")

    you = section(http.get("/").text, "you")

    assert "On call now for <strong>ops night</strong> until" in you
    assert ">2026-03-02 09:00 AM JST</time>" in you
    assert "Not muted." in you


def test_no_schedule_says_so(http: TestClient, people) -> None:
    signed_in_as(http, ADA)

    home = http.get("/").text

    assert "No schedules you may see." in section(home, "oncall")
    assert "Not on call now." in section(home, "you")


def test_waiting_for_you_lists_the_open_unacknowledged_alerts_for_you_or_your_team(
    http: TestClient, db: Database, people, add_alert: Callable[..., str]
) -> None:
    for_ops = add_alert(
        message="Disk full on db1", responders=[{"type": "team", "name": "ops"}], priority="P1"
    )
    for_ada = add_alert(message="Certificate expires", responders=[{"type": "user", "username": ADA}])
    paged = add_alert(message="Paged about this")
    add_alert(message="Someone else's", responders=[{"type": "user", "username": MAX}])
    add_alert(message="Only visible", visibleTo=[{"type": "team", "name": "ops"}])
    acked = add_alert(message="Already acknowledged", responders=[{"type": "team", "name": "ops"}])
    closed = add_alert(message="Already closed", responders=[{"type": "team", "name": "ops"}])
    with db.write_session() as session:
        ada = accounts.get_user(session, ADA)
        alerts.add_recipients(session, {(paged, ada.id): "notified"}, datetime.now(UTC))
        actions.acknowledge(session, ref=AlertRef(acked), actor=SYSTEM)
        actions.close(session, ref=AlertRef(closed), actor=SYSTEM)
    signed_in_as(http, ADA)

    waiting = section(http.get("/").text, "waiting")

    assert waiting.count("<li>") == 3
    for alert_id, message in (
        (for_ops, "Disk full on db1"),
        (for_ada, "Certificate expires"),
        (paged, "Paged about this"),
    ):
        assert f'href="/alerts/{alert_id}">#' in waiting and message in waiting
    assert '<span class="badge p1">P1</span>' in waiting


def test_nothing_waiting_says_so(http: TestClient, people, add_alert: Callable[..., str]) -> None:
    add_alert(message="Someone else's", responders=[{"type": "user", "username": MAX}])
    signed_in_as(http, ADA)

    assert "Nothing is waiting for you" in section(http.get("/").text, "waiting")


def test_in_quiet_hours_the_home_page_says_until_when(
    http: TestClient, people, frozen_clock: FrozenClock
) -> None:
    frozen_clock.set(datetime(2026, 3, 1, 23, 30, tzinfo=UTC))  # 23:30 in London
    signed_in_as(http, ADA)
    submit(http, "/profile/quiet-hours", start="22:00", end="07:00")

    assert "In your quiet hours until 07:00" in section(http.get("/").text, "you")

    frozen_clock.set(datetime(2026, 3, 2, 7, 30, tzinfo=UTC))
    assert "quiet hours" not in section(http.get("/").text, "you").split("<p>")[0]
