"""Logging in and out of the web pages, with CSRF-protected forms and a signed session cookie."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.factories import make_user
from tests.web.pages import csrf_token_in, log_in, log_out, session_cookie_header


@pytest.fixture
def ada(db) -> str:
    make_user(db, "ada@example.com", role="user", password="correct horse")
    return "ada@example.com"


def assert_signed_out(http: TestClient) -> None:
    response = http.get("/alerts")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_login_page_shows_a_form_with_a_csrf_token(http: TestClient) -> None:
    response = http.get("/login")

    assert response.status_code == 200
    assert '<form method="post" action="/login"' in response.text
    assert 'name="username"' in response.text
    assert 'type="password" name="password"' in response.text
    assert len(csrf_token_in(response.text)) >= 32


def test_right_password_signs_in_and_redirects_to_the_alert_list(http: TestClient, ada: str) -> None:
    response = log_in(http, ada, "correct horse")

    assert response.status_code == 303
    assert response.headers["location"] == "/alerts"
    assert session_cookie_header(response)
    page = http.get("/alerts")
    assert page.status_code == 200
    assert "Open alerts" in page.text
    assert ada in page.text


def test_the_username_is_not_case_sensitive(http: TestClient, ada: str) -> None:
    assert log_in(http, "Ada@Example.com", "correct horse").status_code == 303
    assert http.get("/alerts").status_code == 200


def test_session_cookie_is_http_only_and_same_site_lax(http: TestClient, ada: str) -> None:
    cookie = session_cookie_header(log_in(http, ada)).lower()

    assert "; httponly" in cookie
    assert "; samesite=lax" in cookie
    assert "; path=/;" in cookie
    assert "; secure" not in cookie  # served over plain http here


def test_signing_in_gives_the_session_a_new_csrf_token(http: TestClient, ada: str) -> None:
    before = csrf_token_in(http.get("/login").text)
    log_in(http, ada)

    assert csrf_token_in(http.get("/alerts").text) != before


@pytest.mark.parametrize(
    ("username", "password"),
    [("ada@example.com", "wrong horse"), ("nobody@example.com", "correct horse"), ("ada@example.com", "")],
    ids=["wrong password", "unknown user", "empty password"],
)
def test_wrong_password_is_refused_without_a_session(
    http: TestClient, ada: str, username: str, password: str
) -> None:
    response = log_in(http, username, password)

    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert_signed_out(http)


def test_failed_login_keeps_the_username_in_the_form(http: TestClient, ada: str) -> None:
    response = log_in(http, ada, "wrong horse")

    assert 'value="ada@example.com"' in response.text
    assert "wrong horse" not in response.text


def test_login_without_a_csrf_token_is_refused_even_with_the_right_password(
    http: TestClient, ada: str
) -> None:
    http.get("/login")
    response = http.post("/login", data={"username": ada, "password": "correct horse"})

    assert response.status_code == 400
    assert "session expired" in response.text
    assert_signed_out(http)


def test_login_with_the_token_of_another_session_is_refused(http: TestClient, ada: str) -> None:
    stolen = csrf_token_in(http.get("/login").text)
    http.cookies.clear()
    http.get("/login")  # the victim's own session, with its own token
    response = http.post("/login", data={"username": ada, "password": "correct horse", "csrf_token": stolen})

    assert response.status_code == 400
    assert_signed_out(http)


def test_login_without_any_session_cookie_is_refused_and_offers_a_fresh_form(
    http: TestClient, ada: str
) -> None:
    token = csrf_token_in(http.get("/login").text)
    http.cookies.clear()
    refused = http.post("/login", data={"username": ada, "password": "correct horse", "csrf_token": token})

    assert refused.status_code == 400
    retry = http.post(
        "/login",
        data={"username": ada, "password": "correct horse", "csrf_token": csrf_token_in(refused.text)},
    )
    assert retry.status_code == 303


def test_root_and_alert_list_send_a_stranger_to_the_login_page(http: TestClient) -> None:
    for path in ("/", "/alerts"):
        response = http.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/login", path


def test_logging_in_comes_back_to_the_page_asked_for(http: TestClient, ada: str) -> None:
    response = http.get("/alerts?query=priority:P1")
    assert response.headers["location"] == "/login?next=%2Falerts%3Fquery%3Dpriority%3AP1"

    form = http.get(response.headers["location"])
    assert 'name="next" value="/alerts?query=priority:P1"' in form.text
    back = http.post(
        "/login",
        data={
            "username": ada,
            "password": "correct horse",
            "csrf_token": csrf_token_in(form.text),
            "next": "/alerts?query=priority:P1",
        },
    )
    assert back.headers["location"] == "/alerts?query=priority:P1"


def test_logging_in_never_goes_on_to_another_site(http: TestClient, ada: str) -> None:
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        form = http.get("/login")
        back = http.post(
            "/login",
            data={
                "username": ada,
                "password": "correct horse",
                "csrf_token": csrf_token_in(form.text),
                "next": elsewhere,
            },
        )
        assert back.headers["location"] == "/alerts", elsewhere
        http.post("/logout", data={"csrf_token": csrf_token_in(http.get("/alerts").text)})


def test_root_is_the_home_page_for_a_signed_in_user(http: TestClient, ada: str) -> None:
    log_in(http, ada)

    home = http.get("/")
    assert home.status_code == 200
    assert "Waiting for you" in home.text


def test_logout_ends_the_session(http: TestClient, ada: str) -> None:
    log_in(http, ada)
    response = log_out(http)

    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert "expires=thu, 01 jan 1970" in session_cookie_header(response).lower()
    assert_signed_out(http)


def test_logout_is_a_post(http: TestClient, ada: str) -> None:
    log_in(http, ada)

    assert http.get("/logout").status_code == 405
    assert http.get("/alerts").status_code == 200


@pytest.mark.parametrize("token", [None, "", "forged-token"], ids=["no token", "empty token", "wrong token"])
def test_logout_without_the_csrf_token_does_not_log_out(
    http: TestClient, ada: str, token: str | None
) -> None:
    log_in(http, ada)
    response = http.post("/logout", data={} if token is None else {"csrf_token": token})

    assert response.status_code == 303
    assert response.headers["location"] == "/"  # the home page: still signed in
    assert http.get("/alerts").status_code == 200


@pytest.mark.parametrize("path", ["/login", "/alerts"])
def test_pages_carry_security_headers(http: TestClient, ada: str, path: str) -> None:
    log_in(http, ada)
    response = http.get(path)

    assert response.status_code == 200
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy


def test_a_nul_byte_in_the_username_is_refused_naming_the_field_not_a_server_error(
    http: TestClient, ada: str
) -> None:
    response = log_in(http, "ada\x00@example.com", "correct horse")

    assert response.status_code == 422
    assert "username: must not contain the NUL character" in response.text
