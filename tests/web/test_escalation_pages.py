"""The escalation pages: the list by team with rules in words, creating and editing through the
API's service (add, move and remove rules without saving, repeat settings), the API's
validation shown next to the field with nothing stored, deleting after a confirmation, and every
refusal: members only read, another team's member sees nothing, forged forms change nothing."""

from __future__ import annotations

import pytest

from tests.web.escalation_world import (
    email,
    form_of,
    make_escalation,
    make_world,
    on_call_then_members,
    post,
    rules_of,
)
from tests.web.pages import log_in
from tocsin.db import Database
from tocsin.escalations import service as escalations


@pytest.fixture
def world(db: Database) -> dict[str, str]:
    return make_world(db)


@pytest.fixture
def ops_escalation(db, world) -> str:
    return make_escalation(db, "ops escalation", on_call_then_members(world), ownerTeam={"name": "ops"})


def names(db: Database) -> list[str]:
    with db.read_session() as session:
        return [policy.name for policy in escalations.list_policies(session)]


def test_the_list_shows_each_escalation_by_team_with_its_rules_in_words(http, db, world, ops_escalation):
    make_escalation(
        db,
        "db escalation",
        [{"recipient": {"type": "user", "username": email("bob")}}],
        ownerTeam={"name": "db"},
        repeat={"waitInterval": 20, "count": 2, "closeAlertAfterAll": True},
    )
    make_escalation(db, "global", [{"recipient": {"type": "team", "name": "db"}, "notifyType": "admins"}])
    log_in(http, email("admin"))

    page = http.get("/escalations").text

    assert "0 min: on-call of ops_schedule · 10 min: all members of team ops" in page
    assert "0 min: bob@example.com · repeat twice every 20 min, then close the alert" in page
    assert "0 min: admins of team db" in page and "No team (global)" in page
    assert page.index("Team <a") < page.index("No team (global)") and "New escalation" in page


def test_another_teams_member_sees_none_of_them_and_a_member_cannot_create(http, db, world, ops_escalation):
    log_in(http, email("bob"))
    page = http.get("/escalations").text
    assert "ops escalation" not in page and "New escalation" not in page
    assert http.get(f"/escalations/{ops_escalation}").status_code == 404
    assert http.get("/escalations/new").status_code == 403

    forged = post(http, "/escalations", f"/escalations/{ops_escalation}", form_of(world, name="taken"))

    assert forged.status_code == 404 and names(db) == ["ops escalation"]


def test_a_team_admin_creates_the_escalation_and_lands_on_its_page(http, db, world):
    log_in(http, email("lead"))
    assert 'href="/escalations/new"' in http.get("/escalations").text

    response = post(http, "/escalations/new", "/escalations/new", form_of(world))

    assert response.status_code == 303, response.text
    policy_id = response.headers["location"].rsplit("/", 1)[1]
    assert rules_of(db, policy_id) == [
        (0, "if-not-acked", "default", "schedule", world["ops_schedule"]),
        (10, "if-not-acked", "users", "team", world["ops"]),
    ]
    page = http.get(response.headers["location"]).text
    assert "Escalation ops escalation created." in page and "0 min: on-call of ops_schedule" in page


def test_add_move_and_remove_draw_the_form_again_and_save_nothing(http, db, world, ops_escalation):
    log_in(http, email("lead"))
    page = f"/escalations/{ops_escalation}"

    moved = post(http, page, page, form_of(world, down_rule="0"))
    added = post(http, page, page, form_of(world, add_rule="1"))
    removed = post(http, page, page, form_of(world, remove_rule="0"))

    assert moved.status_code == added.status_code == removed.status_code == 200
    team_first = moved.text.index(f'value="team:{world["ops"]}" selected')
    assert team_first < moved.text.index(f'value="schedule:{world["ops_schedule"]}" selected')
    assert (
        'id="rule-delay-3"' in added.text
        and 'id="rule-delay-3" name="rule_delay" type="number"' in added.text
    )
    assert 'id="rule-delay-2"' not in removed.text
    assert f'value="schedule:{world["ops_schedule"]}" selected' not in removed.text
    assert rules_of(db, ops_escalation)[0][3] == "schedule"  # nothing saved


def test_saving_a_reordered_escalation_with_repeats(http, db, world, ops_escalation):
    log_in(http, email("lead"))
    page = f"/escalations/{ops_escalation}"
    form = form_of(
        world,
        rule_delay=["10", "0"],
        rule_condition=["if-not-closed", "if-not-acked"],
        rule_notify=["users", "default"],
        rule_recipient=[f"team:{world['ops']}", f"schedule:{world['ops_schedule']}"],
        repeat_wait="20",
        repeat_count="2",
        repeat_close="on",
    )

    response = post(http, page, page, form)

    assert response.status_code == 303
    assert rules_of(db, ops_escalation) == [
        (10, "if-not-closed", "users", "team", world["ops"]),
        (0, "if-not-acked", "default", "schedule", world["ops_schedule"]),
    ]
    with db.read_session() as session:
        policy = escalations.get_policy(session, ops_escalation)
        assert (policy.repeat_count, policy.repeat_wait_minutes, policy.repeat_close_alert_after_all) == (
            2,
            20,
            True,
        )
    assert "repeat twice every 20 min, then close the alert" in http.get(page).text


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"name": "  "}, "name-error", "Give the escalation a name of 1 to 100 characters."),
        (
            {"name": "OPS escalation"},
            "name-error",
            "An escalation named &#39;ops escalation&#39; already exists.",
        ),
        ({"rule_delay": ["0", "ten"]}, "rule-error-2", "The delay must be a whole number of minutes"),
        ({"rule_delay": ["0", "10081"]}, "rule-error-2", "Rule 2: The delay must be a whole number"),
        ({"rule_recipient": ["", "team:x"]}, "rule-error-1", "Rule 1: Choose whom this rule notifies."),
        ({"rule_notify": ["users", "users"]}, "rule-error-1", "notifyType for a schedule must be one of"),
        (
            {"rule_recipient": ["schedule:nope", "team:x"]},
            "rule-error-1",
            "Schedule &#39;nope&#39; does not exist",
        ),
        ({"repeat_count": "21"}, "repeat_count-error", "Repeat from 0 to 20 times."),
        ({"repeat_wait": "-1"}, "repeat_wait-error", "The wait must be a whole number of minutes"),
        ({"owner_team": "no-such-team"}, "owner_team-error", "Team &#39;no-such-team&#39; does not exist."),
        ({"rule_recipient": ["team:x"] * 25}, "rules-error", "An escalation has 1 to 20 rules."),
    ],
)
def test_what_the_api_refuses_is_shown_next_to_its_field_and_nothing_is_stored(
    http, db, world, ops_escalation, fields, field_id, message
):
    log_in(http, email("lead"))
    page = f"/escalations/{ops_escalation}"
    before = rules_of(db, ops_escalation)
    if fields.get("name") == "OPS escalation":
        make_escalation(db, "ops escalation 2", on_call_then_members(world), ownerTeam={"name": "ops"})
        page = f"/escalations/{escalation_named(db, 'ops escalation 2')}"

    response = post(http, page, page, form_of(world, description="kept text", **fields))

    assert response.status_code == 422, response.text
    assert f'id="{field_id}"' in response.text and message in response.text
    assert "kept text" in response.text and "Nothing was saved" in response.text
    assert rules_of(db, ops_escalation) == before and sorted(names(db))[0] == "ops escalation"


def escalation_named(db: Database, name: str) -> str:
    with db.read_session() as session:
        return escalations.get_policy(session, name, "name").id


def test_a_member_reads_the_rules_and_the_preview_but_is_offered_no_change(http, db, world, ops_escalation):
    log_in(http, email("ann"))
    page = http.get(f"/escalations/{ops_escalation}").text
    assert "0 min: on-call of ops_schedule" in page and "Whom it would page" in page
    assert 'name="rule_delay"' not in page and "Delete…" not in page
    assert "Only admins of team ops change this escalation." in page

    forged = post(http, "/escalations", f"/escalations/{ops_escalation}", form_of(world, name="mine"))
    forged_delete = post(http, "/escalations", f"/escalations/{ops_escalation}/delete", {})
    forged_create = post(http, "/escalations", "/escalations/new", form_of(world, name="mine"))

    assert forged.status_code == forged_delete.status_code == forged_create.status_code == 403
    assert "ann@example.com may not change escalation ops escalation." in forged.text
    assert names(db) == ["ops escalation"]


def test_a_form_without_the_right_token_changes_nothing(http, db, world, ops_escalation):
    log_in(http, email("lead"))

    response = http.post(
        f"/escalations/{ops_escalation}", data={**form_of(world, name="x"), "csrf_token": "no"}
    )
    deleted = http.post(f"/escalations/{ops_escalation}/delete", data={"csrf_token": "no"})

    assert response.status_code == deleted.status_code == 400
    assert "Your session expired" in response.text and names(db) == ["ops escalation"]


def test_an_admin_of_another_team_cannot_move_the_escalation_to_their_team(http, db, world, ops_escalation):
    log_in(http, email("lead"))

    response = post(http, "/escalations/new", "/escalations/new", form_of(world, owner_team=world["db"]))

    assert response.status_code == 403 and names(db) == ["ops escalation"]


def test_deleting_asks_first_then_deletes(http, db, world, ops_escalation):
    log_in(http, email("lead"))
    confirm = http.get(f"/escalations/{ops_escalation}/delete")
    assert confirm.status_code == 200 and "Delete ops escalation?" in confirm.text

    response = post(
        http, f"/escalations/{ops_escalation}/delete", f"/escalations/{ops_escalation}/delete", {}
    )

    assert response.status_code == 303 and names(db) == []
    assert "Escalation ops escalation deleted." in http.get("/escalations").text


def test_the_preview_shows_whom_each_rule_pages_at_the_moment_picked(http, db, world, ops_escalation):
    log_in(http, email("ann"))

    page = http.get(f"/escalations/{ops_escalation}?day=2026-12-12&at=03:00").text

    steps = page.split('<ol class="preview-steps">')[1].split("</ol>")[0]
    first, second = steps.split("<li>\n")[1:3]
    assert "2026-12-12 03:00" in first and "Ann" in first and "Bob" not in first
    assert "2026-12-12 03:10" in second and "(+10 min)" in second
    assert "Lead" in second and "Ann" in second and "all members of team ops" in second
    assert "on call for ops_schedule" in first


def test_the_preview_says_what_is_wrong_with_a_date_and_uses_next_saturday(http, db, world, ops_escalation):
    log_in(http, email("ann"))

    response = http.get(f"/escalations/{ops_escalation}?day=12/12/2026&at=03:00")

    assert response.status_code == 422
    assert "Enter the date as YYYY-MM-DD" in response.text and 'value="12/12/2026"' in response.text
