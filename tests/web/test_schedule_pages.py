"""The schedule pages: the list by team with who is on call now; a schedule's page with its
timeline (views, navigation, the viewer's zone), its rotations, overrides and calendar link;
creating, editing, disabling and deleting schedules, adding and deleting overrides and taking
on-call, with the API's rules: someone of another team sees and changes nothing, a forged form
is refused, and bad input is shown again (422) beside its field with nothing stored."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tests.web.pages import csrf_token_in, log_in
from tests.web.people_world import email, make_crew, submit
from tocsin.actors import SYSTEM
from tocsin.clock import FrozenClock
from tocsin.db import Database
from tocsin.oncall import service as oncall
from tocsin.oncall.lookup import NameRef, UserRef
from tocsin.oncall.rotation_config import RotationInput
from tocsin.teams import service as teams

TO = "\u2013"  # the en dash between two times
MONDAY = datetime(2027, 3, 22, 8, 0, tzinfo=UTC)  # 09:00 in Berlin, the week clocks go forward


@pytest.fixture
def crew(db: Database, frozen_clock: FrozenClock) -> dict[str, str]:
    """make_crew's people (lead is admin of ops, ann a member; bob in team dev) and schedule
    "ops primary" (Europe/Berlin): Ann and Lea take turns day by day at 09:00 from Monday
    22 March 2027; it is Monday 10:00 in Berlin."""
    ids = make_crew(db)
    frozen_clock.set(datetime(2027, 3, 22, 9, 0, tzinfo=UTC))
    with db.write_session() as session:
        ids["dev"] = teams.create_team(session, name="dev", members=[(email("bob"), "admin")]).id
        schedule = oncall.create_schedule(
            session,
            actor=SYSTEM,
            name="ops primary",
            timezone="Europe/Berlin",
            owner_team=NameRef(name="ops"),
            rotations=[
                RotationInput(
                    name="days",
                    type="daily",
                    start=MONDAY,
                    participants=[UserRef(username=email("ann")), UserRef(username=email("lead"))],
                )
            ],
        )
        ids["schedule"] = schedule.id
        ids["rotation"] = oncall.rotations_of(session, schedule.id)[0].id
    return ids


def page(http: TestClient, address: str) -> str:
    response = http.get(address)
    assert response.status_code == 200, response.text
    return response.text


def bar_titles(html: str, row: str) -> list[str]:
    """The titles of the bars of timeline row ``row`` ("days", "Overrides", "On call")."""
    part = html.split(f'role="group" aria-label="{row}">')[1].split('<div class="row-name')[0]
    return re.findall(r'role="img" tabindex="0"><title>([^<]*)</title>', part)


def overrides_of(db: Database, schedule_id: str) -> list[tuple[str, datetime, datetime]]:
    with db.read_session() as session:
        return [(o.user_id, o.start_date, o.end_date) for o in oncall.list_overrides(session, schedule_id)]


def test_the_list_groups_schedules_by_team_with_who_is_on_call_until_when(http, crew, db):
    with db.write_session() as session:
        oncall.create_schedule(session, actor=SYSTEM, name="global", timezone="UTC")
    log_in(http, email("admin"))

    html = page(http, "/schedules")

    ops, no_team = html.index(">ops</h2>"), html.index(">No team</h2>")
    assert ops < html.index("ops primary") < no_team < html.index(">global</a>")
    assert "On call now: <strong>Ann Smith</strong> until" in html
    assert ">2027-03-23 08:00 UTC</time>" in html  # Tuesday 09:00 in Berlin, in the admin's UTC
    assert "Create schedule" in html


def test_a_member_of_another_team_sees_no_schedule_of_ops_and_cannot_open_or_change_it(http, crew, db):
    log_in(http, email("bob"))

    assert "ops primary" not in page(http, "/schedules")
    assert http.get(f"/schedules/{crew['schedule']}").status_code == 404
    token = csrf_token_in(page(http, "/schedules"))
    address = f"/schedules/{crew['schedule']}"
    for action, fields in [
        ("/overrides", {"user_id": crew["bob"], "start": "2027-03-22T12:00", "end": "2027-03-22T13:00"}),
        ("/take", {"hours": "1"}),
        ("/edit", {"name": "mine now", "timezone": "UTC"}),
        ("/enabled", {"enabled": "no"}),
        ("/delete", {}),
        ("/calendar-link/revoke", {}),
    ]:
        response = http.post(address + action, data={**fields, "csrf_token": token})
        assert response.status_code == 403, (action, response.status_code)
    assert overrides_of(db, crew["schedule"]) == []
    with db.read_session() as session:
        schedule = oncall.schedule_named(session, crew["schedule"])
        assert (schedule.name, schedule.enabled, schedule.timezone) == ("ops primary", True, "Europe/Berlin")


def test_a_team_member_sees_the_schedule_but_is_offered_no_changes(http, crew):
    log_in(http, email("ann"))

    html = page(http, f"/schedules/{crew['schedule']}")

    assert "Add override" not in html and "Delete schedule" not in html and "Add rotation" not in html
    assert "Take on-call now for" in html  # for herself: she is in the team
    assert "Make a calendar link" in html


def test_a_forged_form_without_the_token_changes_nothing(http, crew, db):
    log_in(http, email("lead"))

    response = http.post(
        f"/schedules/{crew['schedule']}/overrides",
        data={
            "user_id": crew["ann"],
            "start": "2027-03-22T12:00",
            "end": "2027-03-22T13:00",
            "csrf_token": "x",
        },
    )

    assert response.status_code == 400
    assert overrides_of(db, crew["schedule"]) == []


def test_an_admin_creates_a_schedule_and_lands_on_its_page(http, crew, db):
    log_in(http, email("lead"))

    response = submit(
        http, "/schedules", "/schedules", name="ops backup", team_id=crew["ops"], timezone="America/New_York"
    )

    assert response.status_code == 303
    html = page(http, response.headers["location"])
    assert "Schedule ops backup is made" in html and "Times in <strong>America/New_York</strong>" in html
    with db.read_session() as session:
        made = oncall.schedule_named(session, "ops backup", "name")
        assert (made.owner_team_id, made.timezone) == (crew["ops"], "America/New_York")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"name": "", "timezone": "UTC"},
            "schedule-name-error",
            "Schedule name must be 1 to 100 characters.",
        ),
        (
            {"name": "x", "timezone": "Mars/Olympus"},
            "schedule-zone-error",
            "Unknown time zone &#39;Mars/Olympus&#39;",
        ),
    ],
)
def test_a_schedule_with_bad_input_is_shown_again_with_the_problem_and_not_stored(
    http, crew, db, fields, field, message
):
    log_in(http, email("admin"))

    response = submit(http, "/schedules", "/schedules", team_id="none", **fields)

    assert response.status_code == 422
    assert f'id="{field}" role="alert">{message}' in response.text
    with db.read_session() as session:
        assert [s.name for s in oncall.list_schedules(session)] == ["ops primary"]


def test_a_lead_may_not_make_a_schedule_of_no_team_or_of_another_team(http, crew, db):
    log_in(http, email("lead"))

    assert "No team</option>" not in page(http, "/schedules")
    response = submit(http, "/schedules", "/schedules", name="sneaky", team_id=crew["dev"], timezone="UTC")

    assert response.status_code == 403
    with db.read_session() as session:
        assert oncall.find_schedule(session, "sneaky", "name") is None


def test_the_week_shows_each_rotation_the_overrides_and_who_is_on_call(http, crew):
    log_in(http, email("ann"))

    html = page(http, f"/schedules/{crew['schedule']}?view=week&start=2027-03-22")

    assert f"Mon 22 Mar {TO} Sun 28 Mar 2027" in html
    days = bar_titles(html, "days")
    assert days[0] == f"Ann Smith · Mon 22 Mar 09:00 {TO} Tue 23 Mar 09:00 (Europe/Berlin)"
    assert bar_titles(html, "On call")[0] == days[0]
    assert f'href="/schedules/{crew["schedule"]}/rotations/{crew["rotation"]}">days</a>' in html
    assert '?view=week&amp;start=2027-03-15"' in html and '?view=week&amp;start=2027-03-29"' in html


def test_across_the_change_to_summer_time_hand_offs_stay_at_nine_and_sunday_is_23_hours(http, crew):
    log_in(http, email("ann"))

    html = page(http, f"/schedules/{crew['schedule']}?view=week&start=2027-03-22")

    days = bar_titles(html, "days")
    assert f"Lea Lead · Sat 27 Mar 09:00 {TO} Sun 28 Mar 09:00 (Europe/Berlin)" in days
    assert f"Ann Smith · Sun 28 Mar 09:00 {TO} Mon 29 Mar 09:00 (Europe/Berlin)" in days
    # The week is 167 hours: Sunday (23 hours) starts 144 hours in.
    assert '<line class="tick" x1="86.2275%"' in html
    assert '<text x="86.2275%" dx="3" y="15">Sun 28</text>' in html


def test_in_the_viewers_own_zone_the_same_hand_offs_read_on_their_clock(http, crew, db):
    with db.write_session() as session:
        from tocsin.accounts import service as accounts

        ann = accounts.find_user(session, email("ann"))
        assert ann is not None
        ann.time_zone = "America/New_York"  # clocks went forward there on 14 March
    log_in(http, email("ann"))

    html = page(http, f"/schedules/{crew['schedule']}?view=week&start=2027-03-22&tz=viewer")

    assert "Times in <strong>America/New_York</strong> (your zone)" in html
    days = bar_titles(html, "days")
    assert f"Lea Lead · Sat 27 Mar 04:00 {TO} Sun 28 Mar 03:00 (America/New_York)" in days
    assert "Show in the schedule's zone (Europe/Berlin)" in html


def test_an_override_is_added_on_the_schedules_clock_and_deleted_with_its_button(http, crew, db):
    log_in(http, email("lead"))
    address = f"/schedules/{crew['schedule']}"

    response = submit(
        http,
        address,
        address + "/overrides",
        user_id=crew["bob"],
        start="2027-03-28T01:00",
        end="2027-03-28T05:00",
    )

    assert response.status_code == 303
    # 01:00 CET is 00:00 UTC; 05:00 CEST (after the jump at 02:00) is 03:00 UTC.
    assert overrides_of(db, crew["schedule"]) == [
        (crew["bob"], datetime(2027, 3, 28, 0, 0, tzinfo=UTC), datetime(2027, 3, 28, 3, 0, tzinfo=UTC))
    ]
    html = page(http, address + "?start=2027-03-22")
    assert f"Bob Jones · Sun 28 Mar 01:00 {TO} Sun 28 Mar 05:00 (Europe/Berlin)" in bar_titles(
        html, "Overrides"
    )
    assert f"Bob Jones · Sun 28 Mar 01:00 {TO} Sun 28 Mar 05:00 (Europe/Berlin)" in bar_titles(
        html, "On call"
    )
    button = re.search(
        r'name="alias" value="([^"]*)" class="remove" aria-label="Delete override for Bob Jones', html
    )
    assert button, "no ✕ button for Bob's override"
    deleted = http.post(
        address + "/overrides/delete", data={"alias": button.group(1), "csrf_token": csrf_token_in(html)}
    )
    assert deleted.status_code == 303
    assert overrides_of(db, crew["schedule"]) == []
    assert "The override for Bob Jones is deleted." in page(http, address)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"start": "2027-03-23T12:00", "end": "2027-03-23T11:00"},
            "override-end-error",
            "EndDate must be after startDate.",
        ),
        ({"start": "tomorrow", "end": "2027-03-23T11:00"}, "override-start-error", "Give a date and time"),
        ({"user_id": "no-such-user"}, "override-user-error", "No user no-such-user."),
    ],
)
def test_an_override_with_bad_input_is_shown_again_beside_its_field_and_not_stored(
    http, crew, db, fields, field, message
):
    log_in(http, email("lead"))
    address = f"/schedules/{crew['schedule']}"
    sent = {"user_id": crew["ann"], "start": "2027-03-23T10:00", "end": "2027-03-23T11:00", **fields}

    response = submit(http, address, address + "/overrides", **sent)

    assert response.status_code == 422
    assert f'id="{field}" role="alert">{message}' in response.text
    assert f'value="{sent["start"]}"' in response.text  # what was typed is kept
    assert overrides_of(db, crew["schedule"]) == []


def test_take_on_call_for_an_hour_makes_an_override_from_now(http, crew, db):
    log_in(http, email("ann"))
    address = f"/schedules/{crew['schedule']}"

    response = submit(http, address, address + "/take", hours="1")

    assert response.status_code == 303
    assert overrides_of(db, crew["schedule"]) == [
        (crew["ann"], datetime(2027, 3, 22, 9, 0, tzinfo=UTC), datetime(2027, 3, 22, 10, 0, tzinfo=UTC))
    ]
    assert "You are on call until 2027-03-22 10:00 UTC." in page(http, address)


def test_a_lead_edits_disables_and_deletes_the_schedule_after_confirming(http, crew, db):
    log_in(http, email("lead"))
    address = f"/schedules/{crew['schedule']}"

    edited = submit(
        http, address, address + "/edit", name="ops first", timezone="Europe/Paris", description=""
    )
    disabled = submit(http, address, address + "/enabled", enabled="no")

    assert edited.status_code == disabled.status_code == 303
    html = page(http, address)
    assert 'ops first <span class="state-off">(disabled)</span>' in html
    confirm = page(http, address + "/delete")
    assert "Delete schedule ops first?" in confirm and "1 rotation(s)" in confirm
    response = http.post(address + "/delete", data={"csrf_token": csrf_token_in(confirm)})
    assert response.status_code == 303 and response.headers["location"] == "/schedules"
    assert "Schedule ops first is deleted." in page(http, "/schedules")


def test_a_calendar_link_is_shown_once_to_copy_and_serves_the_shifts(http, crew):
    log_in(http, email("ann"))
    address = f"/schedules/{crew['schedule']}"

    response = submit(http, address, address + "/calendar-link")

    assert response.status_code == 303
    html = page(http, address)
    link = re.search(r'<code id="feed-link">([^<]*)</code>', html)
    assert link and link.group(1).startswith("http://tocsin.test/calendar/")
    assert 'data-copy="#feed-link"' in html
    feed = http.get(link.group(1).removeprefix("http://tocsin.test"))
    assert feed.status_code == 200 and "ann@example.com on call" in feed.text
    assert 'id="feed-link"' not in page(http, address)  # once


@pytest.mark.parametrize(
    ("action", "fields"),
    [
        ("/overrides", {"start": "9999-12-31T23:00", "end": "9999-12-31T23:30"}),
        ("/overrides", {"start": "0001-01-01T00:00", "end": "0001-01-01T01:00"}),
        ("/overrides", {"rotations": "no-such-rotation"}),
        ("/take", {"hours": "99999999999999999999"}),
        ("/take", {"hours": "\u00b2"}),
        ("/take", {"hours": "1000"}),
        ("/edit", {"name": "x" * 500, "timezone": "UTC"}),
        ("/edit", {"name": "ops primary", "timezone": "UTC", "team_id": "no-such-team"}),
    ],
)
def test_odd_input_is_answered_with_the_form_again_never_a_server_error(http, crew, db, action, fields):
    log_in(http, email("lead"))
    address = f"/schedules/{crew['schedule']}"
    sent = {"user_id": crew["ann"], "start": "2027-03-23T10:00", "end": "2027-03-23T11:00", **fields}

    response = submit(http, address, address + action, **sent)

    assert response.status_code == 422, response.status_code
    assert overrides_of(db, crew["schedule"]) == []


@pytest.mark.parametrize("query", ["view=year", "start=9999-99-99", "start=9998-01-01&view=month", "tz=Mars"])
def test_odd_addresses_show_a_timeline(http, crew, query):
    log_in(http, email("ann"))

    assert http.get(f"/schedules/{crew['schedule']}?{query}").status_code == 200
