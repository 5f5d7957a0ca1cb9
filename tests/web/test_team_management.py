"""Managing teams from their pages: administrators create teams; a team's admins (and Tocsin's
admins) rename and describe it, add members, change their roles and remove them, and delete it
after a confirmation that says what it still owns. Members see no controls, and a forged form
gets a 403 page and changes nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.factories import make_integration
from tests.web.pages import alert_rows, log_in
from tests.web.people_world import email, make_crew, submit
from tocsin.db import Database
from tocsin.teams import service as teams


@pytest.fixture
def crew(db: Database) -> dict[str, str]:
    return make_crew(db)


def members(db: Database, team_id: str) -> dict[str, str]:
    with db.read_session() as session:
        return {user.username: role for user, role in teams.members_of(session, team_id)}


def team_names(db: Database) -> list[str]:
    with db.read_session() as session:
        return [team.name for team in teams.list_teams(session)]


def test_an_admin_creates_a_team_and_lands_on_its_page(http, db, crew):
    log_in(http, email("admin"))
    assert "New team" in http.get("/teams").text

    response = submit(http, "/teams", "/teams", name="  night shift ", description="After hours")

    assert response.status_code == 303
    page = http.get(response.headers["location"]).text
    assert "<h1>night shift</h1>" in page and "Team night shift created." in page and "After hours" in page
    assert team_names(db) == ["night shift", "ops"]


@pytest.mark.parametrize(
    ("name", "status", "error"),
    [("OPS", 409, "Team ops already exists."), ("   ", 422, "Team name must be 1 to 100 characters.")],
)
def test_a_duplicate_or_empty_name_is_refused_and_the_form_kept(http, db, crew, name, status, error):
    log_in(http, email("admin"))

    response = submit(http, "/teams", "/teams", name=name, description="kept text")

    assert response.status_code == status and error in response.text and "kept text" in response.text
    assert team_names(db) == ["ops"]


def test_a_user_is_not_offered_creating_a_team_and_a_forged_post_is_refused(http, db, crew):
    log_in(http, email("lead"))
    assert "New team" not in http.get("/teams").text

    response = submit(http, "/teams", "/teams", name="mine")

    assert response.status_code == 403 and "lead@example.com may not change teams." in response.text
    assert team_names(db) == ["ops"]


def test_a_team_admin_renames_the_team_and_manages_its_members(http, db, crew):
    log_in(http, email("lead"))
    ops = f"/teams/{crew['ops']}"
    page = http.get(ops).text
    assert "Add member" in page and "Make admin" in page and "Delete team" in page

    assert submit(http, ops, f"{ops}/details", name="operations", description="24/7").status_code == 303
    assert "Team operations saved." in http.get(ops).text
    assert submit(http, ops, f"{ops}/members", username="BOB@example.com", role="user").status_code == 303
    assert "bob@example.com is a member of team operations, as a member." in http.get(ops).text
    assert submit(http, ops, f"{ops}/members/role", user_id=crew["bob"], role="admin").status_code == 303
    assert "bob@example.com is now an admin of team operations." in http.get(ops).text
    assert submit(http, ops, f"{ops}/members/remove", user_id=crew["ann"]).status_code == 303
    assert "ann@example.com is no longer a member of team operations." in http.get(ops).text

    assert team_names(db) == ["operations"]
    assert members(db, crew["ops"]) == {email("bob"): "admin", email("lead"): "admin"}
    rows = alert_rows(http.get(ops).text.split('id="integrations"')[0])
    assert [(row["User"], row["Role"]) for row in rows] == [(email("bob"), "admin"), (email("lead"), "admin")]


def test_a_member_sees_no_controls_and_forged_posts_change_nothing(http, db, crew):
    log_in(http, email("ann"))
    ops = f"/teams/{crew['ops']}"
    page = http.get(ops).text
    assert (
        "Add member" not in page
        and "Remove" not in page
        and "Delete team" not in page
        and "/details" not in page
    )

    for action, fields in (
        ("details", {"name": "mine"}),
        ("members", {"username": email("bob")}),
        ("members/role", {"user_id": crew["ann"], "role": "admin"}),
        ("members/remove", {"user_id": crew["lead"]}),
        ("delete", {}),
    ):
        response = submit(http, ops, f"{ops}/{action}", **fields)
        assert response.status_code == 403, action
        assert "ann@example.com may not change team ops." in response.text
    assert http.get(f"{ops}/delete").status_code == 403
    assert team_names(db) == ["ops"]
    assert members(db, crew["ops"]) == {email("ann"): "user", email("lead"): "admin"}


@pytest.mark.parametrize(
    ("action", "fields", "status", "error"),
    [
        ("members", {"username": "nobody@example.com"}, 422, "No user nobody@example.com."),
        ("members", {"username": ""}, 422, "Choose the person to add (their e-mail)."),
        (
            "members",
            {"username": "bob@example.com", "role": "boss"},
            422,
            "Team member role must be one of admin, user",
        ),
        (
            "members/role",
            {"user_id": "bob-id", "role": "admin"},
            404,
            "bob@example.com is not a member of team ops.",
        ),
        ("members/remove", {"user_id": "bob-id"}, 404, "User bob@example.com is not a member of team ops."),
        ("details", {"name": ""}, 422, "Team name must be 1 to 100 characters."),
    ],
)
def test_bad_member_changes_say_what_to_fix(http, db, crew, action, fields, status, error):
    log_in(http, email("admin"))
    ops = f"/teams/{crew['ops']}"
    fields = {key: crew["bob"] if value == "bob-id" else value for key, value in fields.items()}

    response = submit(http, ops, f"{ops}/{action}", **fields)

    assert response.status_code == status and error in response.text
    assert members(db, crew["ops"]) == {email("ann"): "user", email("lead"): "admin"}
    assert team_names(db) == ["ops"]


def test_forms_without_the_right_token_change_nothing(http, db, crew):
    log_in(http, email("admin"))
    ops = f"/teams/{crew['ops']}"
    for token in ("", "forged"):
        assert submit(http, "/teams", "/teams", token, name="new").status_code == 400
        assert submit(http, ops, f"{ops}/members", token, username=email("bob")).status_code == 400
        assert submit(http, ops, f"{ops}/members/remove", token, user_id=crew["ann"]).status_code == 400
        response = submit(http, ops, f"{ops}/delete", token)
        assert response.status_code == 400 and "Your session expired" in response.text
    assert team_names(db) == ["ops"]
    assert members(db, crew["ops"]) == {email("ann"): "user", email("lead"): "admin"}


def test_deleting_asks_first_saying_what_goes_with_the_team(http, db, crew):
    log_in(http, email("lead"))
    ops = f"/teams/{crew['ops']}"

    confirm = http.get(f"{ops}/delete")

    assert confirm.status_code == 200
    assert "Delete team ops?" in confirm.text and "2 membership(s) end" in confirm.text
    assert team_names(db) == ["ops"]  # asking deletes nothing
    response = submit(http, f"{ops}/delete", f"{ops}/delete")
    assert response.status_code == 303 and response.headers["location"] == "/teams"
    assert "Team ops deleted." in http.get("/teams").text
    assert team_names(db) == []


def test_a_team_that_owns_an_integration_cannot_be_deleted_and_the_page_says_why(http, db, crew):
    make_integration(db, "Prometheus", team="ops")
    log_in(http, email("admin"))
    ops = f"/teams/{crew['ops']}"

    confirm = http.get(f"{ops}/delete").text

    assert (
        "Team ops owns integration(s) &#39;Prometheus&#39;; delete them or give them another team first."
        in confirm
    )
    assert "Delete team ops</button>" not in confirm
    forged = submit(http, f"{ops}/delete", f"{ops}/delete")
    assert forged.status_code == 409 and "owns integration(s)" in forged.text
    assert team_names(db) == ["ops"]


def test_an_unknown_team_is_a_404(http: TestClient, crew):
    log_in(http, email("admin"))
    assert http.get("/teams/no-such-team/delete").status_code == 404
    assert submit(http, "/teams", "/teams/no-such-team/members", username=email("bob")).status_code == 404
