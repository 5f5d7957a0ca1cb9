"""Single sign-on over HTTP: Tocsin (its test client) against the fake OpenID provider on a real
port. The browser's part is played by hand: follow Tocsin's redirect to the provider, fill in the
provider's form, bring its redirect back to Tocsin's callback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.fakes.oidc_authlib import Person
from tests.fakes.oidc_provider import CLIENT_SECRET, OidcProvider
from tests.support.factories import make_team, make_user
from tests.web.conftest import web_client, web_settings
from tests.web.pages import log_in
from tests.web.sso_world import (
    ADA,
    NEW,
    STRANGER,
    UNVERIFIED,
    provider_for,
    sign_in_at_provider,
    sso_settings,
)
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.config import Settings
from tocsin.notify import contacts, rules
from tocsin.teams import service as teams

CALLBACK = "http://tocsin.test/login/oidc/callback"


@pytest.fixture
def provider() -> Iterator[OidcProvider]:
    with provider_for(CALLBACK) as started:
        yield started


@pytest.fixture
def ada(db) -> str:
    return make_user(db, ADA.email, password="correct horse")


def client(database_url: str, tmp_path: Path, provider: OidcProvider, **changes: object) -> TestClient:
    return web_client(sso_settings(web_settings(database_url, tmp_path), provider.issuer, **changes))


@pytest.fixture
def http(database_url: str, tmp_path: Path, provider: OidcProvider) -> Iterator[TestClient]:
    with client(database_url, tmp_path, provider) as started:
        yield started


def to_provider(http: TestClient, next: str = "") -> str:
    """Press "Sign in with …": Tocsin's redirect to the provider's authorization endpoint."""
    response = http.get("/login/oidc", params={"next": next} if next else None)
    assert response.status_code == 302, response.text
    return response.headers["location"]


def sign_in(http: TestClient, person: Person, *, next: str = "") -> httpx.Response:
    """The whole round: Tocsin → provider's form → back to Tocsin's callback; Tocsin's answer."""
    back = sign_in_at_provider(to_provider(http, next), person)
    assert back.status_code == 302, back.text
    assert back.headers["location"].startswith(f"{CALLBACK}?")
    return http.get(back.headers["location"].removeprefix("http://tocsin.test"))


def signed_in_as(http: TestClient) -> str | None:
    page = http.get("/alerts")
    if page.status_code != 200:
        return None
    return page.text.split('<span class="who">', 1)[1].split("<", 1)[0]


def test_the_login_page_offers_the_provider_beside_the_password_form(http: TestClient) -> None:
    page = http.get("/login")

    assert page.status_code == 200
    assert 'href="/login/oidc">Sign in with Example SSO</a>' in page.text
    assert 'type="password" name="password"' in page.text


def test_without_an_issuer_there_is_no_button_and_no_route(database_url: str, tmp_path: Path) -> None:
    with web_client(web_settings(database_url, tmp_path)) as plain:
        assert "Sign in with" not in plain.get("/login").text
        assert plain.get("/login/oidc").status_code == 404


def test_tocsin_asks_for_a_code_with_pkce_state_and_nonce(http: TestClient, provider: OidcProvider) -> None:
    location = httpx.URL(to_provider(http))

    assert str(location).startswith(f"{provider.issuer}/authorize?")
    asked = dict(location.params)
    assert asked["response_type"] == "code"
    assert asked["client_id"] == "tocsin"
    assert asked["redirect_uri"] == CALLBACK
    assert asked["scope"].split() == ["openid", "email", "profile"]
    assert asked["code_challenge_method"] == "S256"
    assert len(asked["code_challenge"]) >= 43
    assert len(asked["state"]) >= 20 and len(asked["nonce"]) >= 20


def test_a_known_user_signs_in_and_lands_where_they_were_going(
    http: TestClient, provider: OidcProvider, ada: str
) -> None:
    answer = sign_in(http, ADA, next="/profile")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/profile"
    assert signed_in_as(http) == ADA.email


def test_no_secret_of_the_flow_reaches_the_log_even_at_debug_level(
    http: TestClient, provider: OidcProvider, ada: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        assert sign_in(http, ADA).status_code == 303

    sent = provider.token_requests[0]
    secrets = [sent["code"], sent["code_verifier"], CLIENT_SECRET, *provider.access_tokens]
    assert len(sent["code_verifier"]) >= 43
    # What Tocsin's side logged: not the test's own clients (the browser's part) asking for URLs.
    logged = "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name != "httpx" and "http://tocsin.test/" not in record.getMessage()
    )
    assert "ada@example.com signed in" in logged
    assert [secret for secret in secrets if secret in logged] == []


def test_a_second_sign_in_cannot_reuse_the_first_callback(http: TestClient, ada: str) -> None:
    back = sign_in_at_provider(to_provider(http), ADA).headers["location"]
    callback = back.removeprefix("http://tocsin.test")
    assert http.get(callback).status_code == 303
    http.cookies.clear()

    replayed = http.get(callback)

    assert replayed.status_code == 400
    assert "not started in this browser" in replayed.text


def test_an_unknown_user_is_refused_and_told_whom_to_ask(
    http: TestClient, db, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="tocsin"):
        answer = sign_in(http, STRANGER)

    assert answer.status_code == 403
    assert "There is no Tocsin account for eve@example.com." in answer.text
    assert "Ask a Tocsin administrator to add you" in answer.text
    assert signed_in_as(http) is None
    with db.read_session() as session:
        assert accounts.find_user(session, STRANGER.email) is None
    assert "single sign-on refused (unknown-user)" in caplog.text


def test_an_unverified_address_is_refused_even_for_a_known_user(http: TestClient, db) -> None:
    make_user(db, UNVERIFIED.email)

    answer = sign_in(http, UNVERIFIED)

    assert answer.status_code == 403
    assert "says your e-mail address mallory@example.com is not verified" in answer.text
    assert signed_in_as(http) is None


def test_auto_creation_makes_a_user_with_the_default_role_and_mapped_teams(
    database_url: str, tmp_path: Path, provider: OidcProvider, db
) -> None:
    make_team(db, "SRE")
    make_team(db, "Database")
    changes = {
        "oidc_create_users": True,
        "oidc_default_role": "admin",
        "oidc_group_teams": "sre=SRE,dba=Database",  # Grace's group staff maps to no team
    }
    with client(database_url, tmp_path, provider, **changes) as http:
        answer = sign_in(http, NEW)

        assert answer.status_code == 303
        assert signed_in_as(http) == "grace@example.com"
    with db.read_session() as session:
        grace = accounts.get_user(session, "grace@example.com")
        assert (grace.role, grace.full_name, grace.password_hash) == ("admin", "Grace Hopper", None)
        listed = contacts.list_contacts(session, actor=SYSTEM, user=grace)
        assert [(c.method, c.address) for c in listed] == [("email", "grace@example.com")]
        assert [rule.name for rule in rules.list_rules(session, actor=SYSTEM, user=grace)] == ["New alert"]
        member_of = teams.team_ids_of_user(session, grace.id)
        assert {t.name for t in teams.list_teams(session) if t.id in member_of} == {"SRE", "Database"}


def test_each_sign_in_adds_missing_mapped_teams_and_removes_none(
    database_url: str, tmp_path: Path, provider: OidcProvider, db, ada: str
) -> None:
    sre, ops = make_team(db, "SRE"), make_team(db, "Ops", ADA.email)
    with client(database_url, tmp_path, provider, oidc_group_teams="sre=SRE,ops=Ops") as http:
        assert sign_in(http, ADA).status_code == 303
    with db.read_session() as session:
        assert teams.team_ids_of_user(session, ada) == {sre, ops}  # Ops kept though not in group ops


def test_claims_the_id_token_leaves_out_are_read_from_userinfo(
    database_url: str, tmp_path: Path, provider: OidcProvider, db, ada: str
) -> None:
    sre = make_team(db, "SRE")
    provider.thin_id_tokens = True
    with client(database_url, tmp_path, provider, oidc_group_teams="sre=SRE") as http:
        assert sign_in(http, ADA).status_code == 303
        assert signed_in_as(http) == ADA.email
    assert provider.userinfo_requests == 1
    with db.read_session() as session:
        assert teams.team_ids_of_user(session, ada) == {sre}


def test_userinfo_is_not_asked_when_the_id_token_has_what_is_needed(
    http: TestClient, provider: OidcProvider, ada: str
) -> None:
    assert sign_in(http, ADA).status_code == 303
    assert provider.userinfo_requests == 0


def test_under_a_path_prefix_the_redirect_uri_and_the_session_carry_it(
    database_url: str, tmp_path: Path, ada: str
) -> None:
    callback = "http://tocsin.test/tocsin/login/oidc/callback"
    with provider_for(callback) as provider:
        settings = sso_settings(web_settings(database_url, tmp_path, root_path="/tocsin"), provider.issuer)
        with web_client(settings) as http:
            assert 'href="/tocsin/login/oidc">Sign in with' in http.get("/tocsin/login").text
            location = http.get("/tocsin/login/oidc").headers["location"]
            assert dict(httpx.URL(location).params)["redirect_uri"] == callback
            back = sign_in_at_provider(location, ADA).headers["location"]
            answer = http.get(back.removeprefix("http://tocsin.test"))

            assert answer.status_code == 303
            assert answer.headers["location"] == "/tocsin/alerts"
            assert http.get("/tocsin/alerts").status_code == 200


def test_password_login_still_works_beside_single_sign_on(http: TestClient, ada: str) -> None:
    assert log_in(http, ADA.email, "correct horse").status_code == 303
    assert signed_in_as(http) == ADA.email


def test_a_tampered_state_is_refused(http: TestClient, ada: str) -> None:
    back = httpx.URL(sign_in_at_provider(to_provider(http), ADA).headers["location"])
    state = back.params["state"]
    tampered = back.copy_set_param("state", ("x" if state[0] != "x" else "y") + state[1:])  # never the same

    answer = http.get(f"/login/oidc/callback?{tampered.query.decode()}")

    assert answer.status_code == 400
    assert "does not belong to the sign-in this browser started" in answer.text
    assert signed_in_as(http) is None


def test_a_callback_without_a_sign_in_in_progress_is_refused(http: TestClient) -> None:
    answer = http.get("/login/oidc/callback?code=abc&state=def")

    assert answer.status_code == 400
    assert "This sign-in was not started in this browser" in answer.text


@pytest.mark.parametrize(
    ("tamper", "said"),
    [
        ("nonce", "failed a check (its &#39;nonce&#39; claim)"),
        ("signature", "not signed by a key the provider publishes"),
        ("expired", "ID token had already expired"),
        ("audience", "failed a check (its &#39;aud&#39; claim)"),
        ("issuer", "failed a check (its &#39;iss&#39; claim)"),
    ],
)
def test_an_id_token_that_fails_its_checks_is_refused(
    http: TestClient, provider: OidcProvider, ada: str, tamper: str, said: str
) -> None:
    provider.tamper = tamper

    answer = sign_in(http, ADA)

    assert answer.status_code == 400
    assert said in answer.text
    assert signed_in_as(http) is None


def test_an_error_from_the_provider_is_shown(http: TestClient, ada: str) -> None:
    back = sign_in_at_provider(to_provider(http), ADA, cancel=True)
    assert "error=access_denied" in back.headers["location"]

    answer = http.get(back.headers["location"].removeprefix("http://tocsin.test"))

    assert answer.status_code == 403
    assert "did not let you sign in to Tocsin (access_denied)" in answer.text


def test_a_wrong_client_secret_shows_the_token_endpoints_error(
    database_url: str, tmp_path: Path, provider: OidcProvider, ada: str, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        client(database_url, tmp_path, provider, oidc_client_secret="not-the-secret") as http,
        caplog.at_level(logging.WARNING, logger="tocsin"),
    ):
        answer = sign_in(http, ADA)

        assert answer.status_code == 400
        assert "The identity provider refused the sign-in (invalid_client)." in answer.text
        assert signed_in_as(http) is None
    assert "the identity provider answered invalid_client" in caplog.text
    assert "not-the-secret" not in caplog.text


def test_a_provider_that_is_down_gets_a_page_not_an_error(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    provider = OidcProvider()
    provider.stop()  # never started: its port refuses connections
    settings = sso_settings(web_settings(database_url, tmp_path), provider.issuer)
    with web_client(settings) as http, caplog.at_level(logging.WARNING, logger="tocsin"):
        answer = http.get("/login/oidc")

    assert answer.status_code == 400
    assert "Tocsin could not reach the identity provider." in answer.text
    assert "discovery failed: ConnectError" in caplog.text


def test_a_provider_naming_another_issuer_is_refused_as_misconfigured(
    database_url: str, tmp_path: Path, provider: OidcProvider, caplog: pytest.LogCaptureFixture
) -> None:
    other_name = provider.issuer.replace("127.0.0.1", "localhost")  # the same server, another issuer
    settings = sso_settings(web_settings(database_url, tmp_path), other_name)
    with web_client(settings) as http, caplog.at_level(logging.WARNING, logger="tocsin"):
        answer = http.get("/login/oidc")

    assert answer.status_code == 400
    assert "Tocsin and the identity provider do not work together as set up." in answer.text
    assert f"names issuer '{provider.issuer}', not TOCSIN_OIDC_ISSUER" in caplog.text
    assert provider.authorize_requests == []


def test_a_provider_that_goes_down_before_the_callback_gets_a_page(
    http: TestClient, provider: OidcProvider, ada: str
) -> None:
    back = sign_in_at_provider(to_provider(http), ADA).headers["location"]
    provider.stop()

    answer = http.get(back.removeprefix("http://tocsin.test"))

    assert answer.status_code == 400
    assert "Tocsin could not reach the identity provider." in answer.text
    assert signed_in_as(http) is None


def test_with_password_login_off_only_owners_may_use_a_password(
    database_url: str, tmp_path: Path, provider: OidcProvider, db, ada: str
) -> None:
    make_user(db, "owner@example.com", role="owner")
    with client(database_url, tmp_path, provider, password_login=False) as http:
        page = http.get("/login")
        assert "Owner? Log in with a password" in page.text

        refused = log_in(http, ADA.email, "correct horse")
        assert refused.status_code == 403
        assert "only owners may log in with a password" in refused.text
        assert signed_in_as(http) is None

        assert log_in(http, "owner@example.com", "correct horse").status_code == 303
        assert signed_in_as(http) == "owner@example.com"


def test_password_login_cannot_be_switched_off_without_single_sign_on() -> None:
    with pytest.raises(ValueError, match="TOCSIN_PASSWORD_LOGIN=false needs single sign-on"):
        Settings(password_login=False)


@pytest.mark.parametrize(
    ("setting", "value", "said"),
    [
        ("TOCSIN_OIDC_GROUP_TEAMS", "sre", "'sre' is not group=Team"),
        ("TOCSIN_OIDC_DEFAULT_ROLE", "owner", "oidc_default_role"),
        ("TOCSIN_OIDC_ISSUER", "keycloak.example.com/realms/acme", "must be an http"),
    ],
)
def test_bad_single_sign_on_settings_stop_the_start(
    monkeypatch: pytest.MonkeyPatch, setting: str, value: str, said: str
) -> None:
    monkeypatch.setenv(setting, value)
    with pytest.raises(ValueError, match=said):
        Settings()
