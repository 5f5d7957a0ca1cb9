"""The People pages: everyone signed in sees the list; administrators invite people, change
roles and deactivate and reactivate them, with the API's rules (only owners touch owners, the
last owner stays one); a forged form gets a 403 page and changes nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import web_client
from tests.web.pages import alert_rows, log_in
from tests.web.people_world import email, make_crew, person, submit
from tocsin.accounts import service as accounts
from tocsin.db import Database
from tocsin.teams import service as teams


@pytest.fixture
def crew(db: Database) -> dict[str, str]:
    return make_crew(db)


def people_rows(http: TestClient, query: str = "") -> list[dict[str, str]]:
    response = http.get("/people", params={"q": query} if query else None)
    assert response.status_code == 200, response.text
    return alert_rows(response.text)


def invite(http: TestClient, token: str | None = None, **fields: str) -> object:
    return submit(http, "/people", "/people", token, **{"role": "user", **fields})


def test_everyone_sees_the_people_with_role_teams_and_state_but_only_admins_may_invite(http, crew):
    log_in(http, email("ann"))

    rows = people_rows(http)

    ann = next(row for row in rows if row["E-mail"] == email("ann"))
    assert ann == {
        "Name": "Ann Smith",
        "E-mail": email("ann"),
        "Role": "user",
        "Teams": "ops",
        "State": "Active",
    }
    assert [row["E-mail"] for row in rows] == [
        email(name) for name in ("admin", "ann", "bob", "lead", "owner")
    ]
    page = http.get("/people").text
    assert "Invite a person" not in page and '<form method="post" action="/people"' not in page


def test_the_pages_need_signing_in(http, crew):
    assert http.get("/people").headers["location"] == "/login?next=%2Fpeople"
    assert http.get(f"/people/{crew['ann']}").headers["location"].startswith("/login?next=")
    assert http.post("/people", data={"username": "zoe@example.com"}).headers["location"].startswith("/login")


def test_the_list_filters_by_name_or_email(http, crew):
    log_in(http, email("ann"))

    assert [row["Name"] for row in people_rows(http, "JON")] == ["Bob Jones"]
    assert [row["Name"] for row in people_rows(http, "lead@")] == ["Lea Lead"]
    assert people_rows(http, "nobody-at-all") == []


def test_an_admin_invites_a_person_into_a_team_and_sees_the_link_once(http, db, crew):
    log_in(http, email("admin"))

    response = invite(http, username="Zoe@Example.com", full_name="Zoe Quinn", team_id=crew["ops"])

    assert response.status_code == 303
    zoe = person(db, "zoe@example.com")
    assert (
        zoe is not None and zoe.full_name == "Zoe Quinn" and zoe.role == "user" and zoe.password_hash is None
    )
    assert response.headers["location"] == f"/people/{zoe.id}"
    page = http.get(f"/people/{zoe.id}").text
    assert "Invited zoe@example.com." in page
    assert 'id="password-link">http://tocsin.test/password/' in page
    assert "Invited: link open" in page and ">ops</a>" in page
    assert 'id="password-link"' not in http.get(f"/people/{zoe.id}").text  # shown once only
    with db.read_session() as session:
        assert [user.username for user, _ in teams.members_of(session, crew["ops"])] == [
            email("ann"), email("lead"), "zoe@example.com"
        ]  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "status", "error"),
    [
        ({"username": email("bob")}, 409, "User bob@example.com already exists."),
        (
            {"username": "not-an-address"},
            422,
            "Username must be an e-mail address, got &#39;not-an-address&#39;.",
        ),
        ({"username": "zoe@example.com", "role": "chief"}, 422, "Role must be one of owner, admin, user"),
        ({"username": "zoe@example.com", "team_id": "no-such-team"}, 404, "No team no-such-team."),
    ],
)
def test_bad_invitations_say_what_to_fix_and_make_nobody(http, db, crew, fields, status, error):
    log_in(http, email("admin"))

    response = invite(http, **fields)

    assert response.status_code == status
    assert error in response.text
    assert person(db, "zoe@example.com") is None
    if fields["username"] == "zoe@example.com":
        assert 'value="zoe@example.com"' in response.text  # what was typed is kept


def test_a_user_and_an_admin_may_not_invite_beyond_their_rights(http, db, crew):
    log_in(http, email("ann"))
    refused = invite(http, username="zoe@example.com")
    assert refused.status_code == 403 and "ann@example.com may not change users" in refused.text

    log_in(http, email("admin"))
    assert ">owner</option>" not in http.get("/people").text
    refused = invite(http, username="zoe@example.com", role="owner")
    assert refused.status_code == 403 and "Only an owner may create an owner." in refused.text
    assert person(db, "zoe@example.com") is None


def test_a_form_without_the_right_token_changes_nothing(http, db, crew):
    log_in(http, email("admin"))
    for token in ("", "forged"):
        assert invite(http, token=token, username="zoe@example.com").status_code == 400
        response = submit(http, "/people", f"/people/{crew['bob']}/role", token, role="admin")
        assert response.status_code == 400 and "Your session expired" in response.text
        assert submit(http, "/people", f"/people/{crew['bob']}/deactivate", token).status_code == 400
    assert person(db, "zoe@example.com") is None
    bob = person(db, email("bob"))
    assert bob is not None and bob.role == "user" and bob.is_active


def test_an_admin_changes_a_role_but_is_offered_nothing_for_an_owner(http, db, crew):
    log_in(http, email("admin"))

    response = submit(http, f"/people/{crew['bob']}", f"/people/{crew['bob']}/role", role="admin")

    assert response.status_code == 303
    assert "bob@example.com is now admin." in http.get(f"/people/{crew['bob']}").text
    assert person(db, email("bob")).role == "admin"  # type: ignore[union-attr]
    owner_page = http.get(f"/people/{crew['owner']}").text
    assert "Manage" not in owner_page and "/role" not in owner_page and "Deactivate" not in owner_page
    forged = submit(http, "/people", f"/people/{crew['owner']}/role", role="user")
    assert forged.status_code == 403 and "Only an owner may promote or demote an owner." in forged.text
    assert person(db, email("owner")).role == "owner"  # type: ignore[union-attr]


def test_a_user_sees_no_actions_on_a_person_and_a_forged_post_is_refused(http, db, crew):
    log_in(http, email("lead"))
    page = http.get(f"/people/{crew['ann']}").text
    assert "Ann Smith" in page and '<form method="post" action="/people/' not in page

    for action in ("role", "deactivate", "password-link"):
        response = submit(http, "/people", f"/people/{crew['ann']}/{action}", role="admin")
        assert response.status_code == 403, action
        assert "lead@example.com may not change user" in response.text
    ann = person(db, email("ann"))
    assert ann is not None and ann.role == "user" and ann.is_active


def test_the_last_owner_cannot_demote_themselves(http, db, crew):
    log_in(http, email("owner"))

    response = submit(http, "/people", f"/people/{crew['owner']}/role", role="admin")

    assert response.status_code == 422
    assert (
        "owner@example.com is the last owner and cannot be demoted; make someone else owner first."
        in response.text
    )
    assert person(db, email("owner")).role == "owner"  # type: ignore[union-attr]


def test_an_unknown_person_is_a_404(http, crew):
    log_in(http, email("admin"))
    assert http.get("/people/no-such-id").status_code == 404
    response = submit(http, "/people", "/people/no-such-id/role", role="admin")
    assert response.status_code == 404 and "There is no such person." in response.text


def test_a_deactivated_person_is_signed_out_cannot_log_in_and_is_back_once_reactivated(
    http, db, settings, crew
):
    with web_client(settings) as bobs_browser:
        assert log_in(bobs_browser, email("bob")).status_code == 303
        assert bobs_browser.get("/alerts").status_code == 200
        log_in(http, email("admin"))
        page = http.get(f"/people/{crew['bob']}").text
        assert "Deactivate" in page

        response = submit(http, f"/people/{crew['bob']}", f"/people/{crew['bob']}/deactivate")

        assert response.status_code == 303
        shown = http.get(f"/people/{crew['bob']}").text
        assert "bob@example.com is deactivated" in shown and "Reactivate" in shown
        assert bobs_browser.get("/alerts").headers["location"].startswith("/login")
        refused = log_in(bobs_browser, email("bob"))
        assert refused.status_code == 403
        assert "This account is deactivated. Ask a Tocsin administrator to reactivate it." in refused.text
        assert (
            next(row for row in people_rows(http) if row["E-mail"] == email("bob"))["State"] == "Deactivated"
        )

        assert submit(http, f"/people/{crew['bob']}", f"/people/{crew['bob']}/reactivate").status_code == 303
        assert log_in(bobs_browser, email("bob")).status_code == 303


def test_nobody_is_offered_deactivating_themselves(http, db, crew):
    log_in(http, email("admin"))
    assert "Deactivate" not in http.get(f"/people/{crew['admin']}").text
    response = submit(http, "/people", f"/people/{crew['admin']}/deactivate")
    assert response.status_code == 422 and "You cannot deactivate yourself" in response.text
    with db.read_session() as session:
        assert accounts.get_user(session, email("admin")).is_active
