"""The rotation editor: a team's admins add, change (reorder, restrict) and delete a schedule's
rotations through the same services the API calls; Preview shows what would happen and stores
nothing; bad input comes back (422) with the message beside its field and what was typed kept;
people who may not configure the schedule and forged forms are refused with nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.pages import alert_rows, csrf_token_in, log_in
from tests.web.people_world import email, make_crew
from tocsin.actors import SYSTEM
from tocsin.db import Database
from tocsin.oncall import service
from tocsin.oncall.lookup import NameRef, UserRef
from tocsin.oncall.rotation_config import RotationInput

EUROPE = {"type": "weekday-and-time-of-day", "restrictions": [
    {"startDay": day, "startHour": 8, "startMin": 0, "endDay": day, "endHour": 20, "endMin": 0}
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
]}  # fmt: skip


@pytest.fixture
def world(db: Database) -> dict[str, str]:
    """The crew (lead administers team ops, ann is a member, bob is in no team) and ops's
    schedule "ops-sun" in Europe/Berlin with a weekly rotation "Europe" of lead then ann."""
    ids = make_crew(db)
    with db.write_session() as session:
        schedule = service.create_schedule(
            session, actor=SYSTEM, name="ops-sun", timezone="Europe/Berlin", owner_team=NameRef(name="ops")
        )
        rotation = service.add_rotation(
            session,
            actor=SYSTEM,
            schedule_id=schedule.id,
            rotation=RotationInput(
                type="weekly",
                start=datetime(2027, 3, 1, 7, tzinfo=UTC),  # Monday 08:00 in Berlin
                participants=[UserRef(id=ids["lead"]), UserRef(id=ids["ann"])],
                name="Europe",
                time_restriction=EUROPE,
            ),
        )
        ids |= {"schedule": schedule.id, "europe": rotation.id}
    return ids


def stored(db: Database, schedule_id: str) -> list[dict[str, Any]]:
    with db.read_session() as session:
        rotations = service.rotations_of(session, schedule_id)
        people = service.participants_of(session, [r.id for r in rotations])
        return [
            {
                "name": r.name,
                "type": r.type,
                "length": r.length,
                "start": r.start_date,
                "end": r.end_date,
                "participants": [p.user_id for p in people[r.id]],
                "restriction": r.time_restriction,
            }
            for r in rotations
        ]


def new_form(world: dict[str, str], **changes: Any) -> dict[str, Any]:
    """The "Americas" rotation: daily at 20:00 Berlin, ann then owner, weekdays 20:00-08:00."""
    days = ("monday", "tuesday", "wednesday", "thursday", "friday")
    after = ("tuesday", "wednesday", "thursday", "friday", "saturday")
    return {
        "name": "Americas",
        "type": "daily",
        "length": "1",
        "start_date": "2027-03-01",
        "start_time": "20:00",
        "participant": [world["ann"], world["owner"]],
        "restriction": "weekly",
        "window_start_day": list(days),
        "window_start_time": ["20:00"] * 5,
        "window_end_day": list(after),
        "window_end_time": ["08:00"] * 5,
    } | changes


def post(http: TestClient, page: str, fields: dict[str, Any], token: str | None = None) -> Any:
    if token is None:
        token = csrf_token_in(http.get(page).text)
    return http.post(page, data={**fields, "csrf_token": token})


def table(html: str, caption: str) -> list[dict[str, str]]:
    start = html.index(f"<caption>{caption}</caption>")
    return alert_rows("<table>" + html[start : html.index("</table>", start)] + "</table>")


def names_in_order(html: str) -> list[str]:
    return [line.split(">", 1)[1] for line in html.split('<span class="who" id="participant-')[1:]]


def test_a_team_admin_adds_a_rotation_in_the_schedules_time_zone(http, db, world):
    log_in(http, email("lead"))
    page = http.get(f"/schedules/{world['schedule']}/rotations/new")
    assert page.status_code == 200
    assert "<strong>Europe/Berlin</strong>, the schedule's time zone" in page.text

    answer = post(http, f"/schedules/{world['schedule']}/rotations/new", new_form(world))

    assert answer.status_code == 303 and answer.headers["location"] == f"/schedules/{world['schedule']}"
    americas = stored(db, world["schedule"])[1]
    assert americas["name"] == "Americas" and americas["type"] == "daily" and americas["length"] == 1
    assert americas["start"] == datetime(2027, 3, 1, 19, tzinfo=UTC)  # 20:00 CET
    assert americas["participants"] == [world["ann"], world["owner"]]
    assert americas["restriction"]["type"] == "weekday-and-time-of-day"
    assert americas["restriction"]["restrictions"][4] == {
        "startDay": "friday", "startHour": 20, "startMin": 0, "endDay": "saturday", "endHour": 8, "endMin": 0,
    }  # fmt: skip


def test_the_buttons_add_and_reorder_people_and_rows_without_saving(http, db, world):
    log_in(http, email("lead"))
    page = f"/schedules/{world['schedule']}/rotations/new"
    before = stored(db, world["schedule"])

    added = post(http, page, new_form(world, new_participant=world["bob"], add_participant="1"))
    assert added.status_code == 200
    assert names_in_order(added.text)[2].startswith("Bob Jones")
    moved = post(
        http, page, new_form(world, participant=[world["ann"], world["owner"], world["bob"]], move_up="2")
    )
    assert [n.split(" (")[0] for n in names_in_order(moved.text)] == ["Ann Smith", "Bob Jones", "Olga Owner"]
    down = post(http, page, new_form(world, move_down="0"))
    assert [n.split(" (")[0] for n in names_in_order(down.text)] == ["Olga Owner", "Ann Smith"]
    removed = post(http, page, new_form(world, remove_participant="0"))
    assert [n.split(" (")[0] for n in names_in_order(removed.text)] == ["Olga Owner"]
    one_row = new_form(world, window_start_day=["monday"], window_start_time=["20:00"],
                       window_end_day=["tuesday"], window_end_time=["08:00"], add_window="1")  # fmt: skip
    rows = post(http, page, one_row)
    assert 'id="window-2-start-day"' in rows.text and "autofocus" in rows.text
    second = rows.text.split('id="window-2-start-day"')[1]
    assert '<option value="tuesday" selected>' in second.split("</select>")[0]
    gone = post(http, page, new_form(world, remove_window="4"))
    assert 'id="window-4-start-day"' in gone.text and 'id="window-5-start-day"' not in gone.text

    assert stored(db, world["schedule"]) == before


def test_preview_lists_the_shifts_and_the_schedules_on_call_and_stores_nothing(http, db, world):
    log_in(http, email("lead"))
    before = stored(db, world["schedule"])

    answer = post(
        http,
        f"/schedules/{world['schedule']}/rotations/new",
        new_form(world, preview="1", preview_from="2027-03-08"),
    )

    assert answer.status_code == 200, answer.text
    shifts = table(answer.text, "This rotation&#39;s shifts")
    assert shifts[0] == {
        "From": "Mon 2027-03-08 20:00 CET Mon 2027-03-08 19:00 UTC",
        "To": "Tue 2027-03-09 08:00 CET Tue 2027-03-09 07:00 UTC",
        "On call": "Olga Owner (owner@example.com)",  # the 8th day from the start: the second person
    }
    on_call = table(answer.text, "Who would be on call in the schedule")
    assert [row["On call"] for row in on_call[:4]] == [
        "no one",  # Monday 00:00-08:00: the last Americas shift ended on Saturday morning
        "Ann Smith (ann@example.com)",  # Europe's second week
        "Olga Owner (owner@example.com)",
        "Ann Smith (ann@example.com)",  # Tuesday 08:00 to Wednesday 08:00, in both rotations
    ]
    assert stored(db, world["schedule"]) == before


def test_editing_shows_the_rotation_and_saves_a_new_order_and_restriction(http, db, world):
    log_in(http, email("lead"))
    page = f"/schedules/{world['schedule']}/rotations/{world['europe']}"
    shown = http.get(page)
    assert shown.status_code == 200
    assert 'value="2027-03-01"' in shown.text and 'value="08:00"' in shown.text
    assert [n.split(" (")[0] for n in names_in_order(shown.text)] == ["Lea Lead", "Ann Smith"]

    fields = {"name": "Europe", "type": "weekly", "length": "1", "start_date": "2027-03-01"}
    fields |= {"start_time": "08:00", "participant": [world["ann"], world["lead"]], "restriction": "daily"}
    answer = post(http, page, fields | {"daily_from": "07:30", "daily_to": "19:00"})

    assert answer.status_code == 303
    europe = stored(db, world["schedule"])[0]
    assert europe["participants"] == [world["ann"], world["lead"]]
    assert europe["restriction"] == {
        "type": "time-of-day", "restriction": {"startHour": 7, "startMin": 30, "endHour": 19, "endMin": 0},
    }  # fmt: skip


def test_a_rotation_is_deleted_after_a_confirmation(http, db, world):
    log_in(http, email("lead"))
    page = f"/schedules/{world['schedule']}/rotations/{world['europe']}/delete"
    assert "Delete rotation Europe?" in http.get(page).text

    answer = post(http, page, {})

    assert answer.status_code == 303 and answer.headers["location"] == f"/schedules/{world['schedule']}"
    assert stored(db, world["schedule"]) == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"length": "0"}, "length", "Length must be from 1 to 1000."),
        ({"length": "two"}, "length", "Length must be a whole number from 1 to 1000."),
        ({"end_date": "2027-02-01"}, "end", "EndDate must be after startDate."),
        ({"start_date": ""}, "start", "Give the date and time of the first hand-off."),
        ({"start_date": "0001-01-01"}, "start", "Give a date in the years 1900 to 9000."),
        ({"start_time": "8 pm"}, "start", "Write the time as HH:MM on the 24-hour clock, e.g. 08:00."),
        ({"end_time": "09:00"}, "end", "Give the end&#39;s date too, or clear its time for no end."),
        ({"participant": []}, "participants", "A rotation needs at least one participant."),
        ({"participant": ["no-such-id"]}, "participants", "No user no-such-id."),
        ({"participant": ["none"] * 201}, "participants", "A rotation has at most 200 participants."),
        (
            {"restriction": "daily", "daily_from": "09:00", "daily_to": "09:00"},
            "daily",
            "The restriction starts and ends at the same time; leave it out for all day.",
        ),
        (
            {"window_start_time": ["20:00", "25:00", "20:00", "20:00", "20:00"]},
            "window-1",
            "Write the time as HH:MM on the 24-hour clock, e.g. 08:00.",
        ),
        (
            {"window_end_day": ["monday"] * 5, "window_end_time": ["20:00"] * 5},
            "window-0",
            "The restriction starts and ends at the same moment of the week.",
        ),
        ({"name": "europe"}, "name", "Schedule ops-sun already has a rotation named 'Europe'."),
    ],
)
def test_bad_input_is_shown_beside_its_field_kept_and_not_stored(http, db, world, changes, field, message):
    log_in(http, email("lead"))
    before = stored(db, world["schedule"])

    answer = post(http, f"/schedules/{world['schedule']}/rotations/new", new_form(world, **changes))

    assert answer.status_code == 422, answer.text
    assert f'<p class="error" id="{field}-error">{message}</p>'.replace("'", "&#39;") in answer.text
    assert 'value="Americas"' in answer.text or 'value="europe"' in answer.text
    assert stored(db, world["schedule"]) == before


def test_previewing_bad_input_is_refused_the_same_way(http, db, world):
    log_in(http, email("lead"))

    answer = post(
        http, f"/schedules/{world['schedule']}/rotations/new", new_form(world, length="0", preview="1")
    )

    assert (
        answer.status_code == 422
        and 'id="length-error"' in answer.text
        and "Preview, not saved" not in answer.text
    )


def test_a_member_who_does_not_administer_the_team_is_refused_and_nothing_changes(http, db, world):
    log_in(http, email("ann"))
    before = stored(db, world["schedule"])
    edit = f"/schedules/{world['schedule']}/rotations/{world['europe']}"
    token = csrf_token_in(http.get("/profile").text)

    assert http.get(f"/schedules/{world['schedule']}/rotations/new").status_code == 403
    assert http.get(edit).status_code == 403
    assert (
        post(http, f"/schedules/{world['schedule']}/rotations/new", new_form(world), token).status_code == 403
    )
    assert post(http, edit, new_form(world, preview="1"), token).status_code == 403
    assert post(http, f"{edit}/delete", {}, token).status_code == 403
    assert stored(db, world["schedule"]) == before


def test_someone_outside_the_team_cannot_even_see_the_schedule(http, db, world):
    log_in(http, email("bob"))
    token = csrf_token_in(http.get("/profile").text)

    assert http.get(f"/schedules/{world['schedule']}/rotations/new").status_code == 404
    assert (
        post(http, f"/schedules/{world['schedule']}/rotations/new", new_form(world), token).status_code == 404
    )
    assert http.get(f"/schedules/{world['schedule']}/rotations/no-such-rotation").status_code == 404


def test_a_forged_form_changes_nothing(http, db, world):
    log_in(http, email("lead"))
    before = stored(db, world["schedule"])
    edit = f"/schedules/{world['schedule']}/rotations/{world['europe']}"

    assert (
        post(http, f"/schedules/{world['schedule']}/rotations/new", new_form(world), "forged").status_code
        == 400
    )
    assert post(http, edit, new_form(world), "forged").status_code == 400
    assert post(http, f"{edit}/delete", {}, "forged").status_code == 400
    assert stored(db, world["schedule"]) == before


def test_the_editor_needs_signing_in(http, world):
    page = f"/schedules/{world['schedule']}/rotations/new"
    assert http.get(page).headers["location"].startswith("/login?next=")
    assert http.post(page, data={"name": "x"}).headers["location"].startswith("/login")


@pytest.mark.parametrize(
    "changes",
    [
        {"type": "monthly"},
        {"restriction": "bogus"},
        {"window_start_day": ["funday"] * 5},
        {"window_end_time": ["08:00"]},  # rows cut short, as a tampered form sends them
        {"move_up": "99", "move_down": "-1"},
        {"remove_window": "x", "remove_participant": "7"},
        {"preview": "1", "preview_from": "not a date"},
        {"preview": "1", "start_date": "9000-12-31", "end_date": "9000-12-30"},
        {"length": "9" * 40},
        {"participant": ["none"]},
    ],
)
def test_nothing_the_form_sends_makes_the_server_fail(http, db, world, changes):
    log_in(http, email("lead"))

    answer = post(http, f"/schedules/{world['schedule']}/rotations/new", new_form(world, **changes))

    assert answer.status_code in (200, 303, 422), answer.text
