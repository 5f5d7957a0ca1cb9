"""The claims of a validated ID token → a Tocsin user: matching, refusals, auto-creation and the
group → team mapping, without any HTTP."""

from __future__ import annotations

import pytest

from tests.support.factories import make_team, make_user
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.oidc_settings import parse_group_teams
from tocsin.people.oidc_login import SignOnRefused, SignOnRules, sign_on
from tocsin.teams import service as teams

RULES = SignOnRules()


def signed_on(db, claims: dict[str, object], rules: SignOnRules = RULES):
    with db.write_session() as session:
        result = sign_on(session, claims, rules)
        return result.user.username, result.created, result.joined


def refusal(db, claims: dict[str, object], rules: SignOnRules = RULES) -> SignOnRefused:
    with pytest.raises(SignOnRefused) as refused:
        signed_on(db, claims, rules)
    return refused.value


def test_the_address_matches_the_username_whatever_its_case(db) -> None:
    make_user(db, "ada@example.com")

    assert signed_on(db, {"sub": "1", "email": "Ada@Example.COM"}) == ("ada@example.com", False, [])


def test_another_claim_may_hold_the_address(db) -> None:
    make_user(db, "ada@example.com")
    rules = SignOnRules(email_claim="preferred_username")

    assert signed_on(db, {"sub": "1", "preferred_username": "ada@example.com"}, rules)[0] == "ada@example.com"
    assert refusal(db, {"sub": "1", "email": "ada@example.com"}, rules).reason == "no-email"


@pytest.mark.parametrize("verified", [False, "false", "False"])
def test_an_address_the_provider_calls_unverified_is_refused(db, verified: object) -> None:
    make_user(db, "ada@example.com")

    refused = refusal(db, {"sub": "1", "email": "ada@example.com", "email_verified": verified})

    assert refused.reason == "email-unverified"
    assert "not verified" in refused.message


def test_no_email_verified_claim_at_all_is_accepted(db) -> None:
    make_user(db, "ada@example.com")  # Entra ID, for one, does not send it

    assert signed_on(db, {"sub": "1", "email": "ada@example.com"})[0] == "ada@example.com"


def test_what_is_not_an_address_is_refused_with_the_claims_name(db) -> None:
    refused = refusal(db, {"sub": "1", "email": "ada"})

    assert refused.reason == "bad-email"
    assert "'email'" in refused.advice


def test_an_unknown_address_is_refused_and_no_user_is_made(db) -> None:
    assert refusal(db, {"sub": "1", "email": "eve@example.com"}).reason == "unknown-user"
    with db.read_session() as session:
        assert accounts.find_user(session, "eve@example.com") is None


def test_auto_creation_uses_the_default_role_the_name_claim_and_no_password(db) -> None:
    rules = SignOnRules(create_users=True, default_role="admin")

    assert signed_on(db, {"sub": "1", "email": "grace@example.com", "name": " Grace " + "H" * 300}, rules)[1]

    with db.read_session() as session:
        grace = accounts.get_user(session, "grace@example.com")
        assert grace.role == "admin"
        assert grace.password_hash is None
        assert grace.full_name == ("Grace " + "H" * 300)[:200]
    assert signed_on(db, {"sub": "1", "email": "grace@example.com"}, rules)[1] is False  # not twice


def test_groups_add_the_user_to_mapped_teams_once_and_skip_teams_that_do_not_exist(db) -> None:
    ada = make_user(db, "ada@example.com")
    sre = make_team(db, "SRE")
    rules = SignOnRules(team_of_group={"sre": "SRE", "dba": "No such team"})
    claims = {"sub": "1", "email": "ada@example.com", "groups": ["sre", "dba", "staff"]}

    assert signed_on(db, claims, rules)[2] == ["SRE"]
    assert signed_on(db, claims, rules)[2] == []
    with db.read_session() as session:
        assert teams.team_ids_of_user(session, ada) == {sre}


def test_one_group_sent_as_a_plain_string_counts(db) -> None:
    make_user(db, "ada@example.com")
    make_team(db, "SRE")
    rules = SignOnRules(groups_claim="roles", team_of_group={"sre": "SRE"})

    assert signed_on(db, {"sub": "1", "email": "ada@example.com", "roles": "sre"}, rules)[2] == ["SRE"]


def test_a_team_role_given_by_hand_is_left_as_it_is(db) -> None:
    ada = make_user(db, "ada@example.com")
    team = make_team(db, "SRE")
    with db.write_session() as session:
        teams.add_member(session, team=teams.get_team(session, team_id=team), user=ada, role="admin")

    signed_on(
        db,
        {"sub": "1", "email": "ada@example.com", "groups": ["sre"]},
        SignOnRules(team_of_group={"sre": "SRE"}),
    )

    with db.read_session() as session:
        assert [role for user, role in teams.members_of(session, team)] == ["admin"]


def test_the_group_mapping_setting_is_read_as_group_equals_team() -> None:
    assert parse_group_teams(" sre=SRE , dba = Database ,") == {"sre": "SRE", "dba": "Database"}
    assert parse_group_teams("cn=sre,ou=groups=SRE;cn=dba,ou=groups=DBA") == {
        "cn=sre,ou=groups": "SRE",
        "cn=dba,ou=groups": "DBA",
    }
    assert parse_group_teams("") == {}
    with pytest.raises(ValueError, match="'sre' is not group=Team"):
        parse_group_teams("sre")


def test_a_deactivated_person_is_refused_and_told_to_ask_for_reactivation(db) -> None:
    make_user(db, "ada@example.com")
    with db.write_session() as session:
        ada = accounts.get_user(session, "ada@example.com")
        accounts.set_active(session, actor=SYSTEM, user=ada, active=False)

    refused = refusal(db, {"sub": "1", "email": "ada@example.com"})

    assert refused.reason == "deactivated"
    assert refused.message == "The Tocsin account ada@example.com is deactivated."
    assert "reactivate" in refused.advice
