"""Served under a path prefix (TOCSIN_ROOT_PATH=/tocsin): every link, form, redirect and cookie
carries the prefix, whether or not a proxy in front strips it before Tocsin sees the request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.factories import make_user
from tests.web.conftest import web_client, web_settings
from tests.web.pages import log_in, log_out, session_cookie_header

PREFIX = "/tocsin"


@pytest.fixture
def http(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    with web_client(web_settings(database_url, tmp_path, root_path=PREFIX)) as client:
        yield client


@pytest.fixture
def ada(db) -> str:
    make_user(db, "ada@example.com", password="correct horse")
    return "ada@example.com"


def test_pages_link_to_the_stylesheet_and_post_their_forms_under_the_prefix(
    http: TestClient, ada: str
) -> None:
    login_page = http.get(f"{PREFIX}/login").text
    assert f'<link rel="stylesheet" href="{PREFIX}/static/style.css">' in login_page
    assert f'<link rel="icon" href="{PREFIX}/static/favicon.svg"' in login_page
    assert f'<a class="brand" href="{PREFIX}/">' in login_page
    assert f'action="{PREFIX}/login"' in login_page

    log_in(http, ada, prefix=PREFIX)
    alerts_page = http.get(f"{PREFIX}/alerts").text
    assert f'action="{PREFIX}/logout"' in alerts_page
    assert f'action="{PREFIX}/alerts"' in alerts_page


@pytest.mark.parametrize(
    "path", [f"{PREFIX}/static/style.css", "/static/style.css"], ids=["kept", "stripped"]
)
def test_the_stylesheet_is_served(http: TestClient, path: str) -> None:
    response = http.get(path)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "table.alerts" in response.text


def test_the_icon_is_served(http: TestClient) -> None:
    response = http.get(f"{PREFIX}/static/favicon.svg")

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"


def test_unknown_static_files_are_not_found(http: TestClient) -> None:
    for path in ("/static/nothing.css", "/static/..%2Froutes.py", "/static/%2E%2E/csrf.py"):
        assert http.get(PREFIX + path).status_code == 404, path


def test_redirects_stay_under_the_prefix(http: TestClient, ada: str) -> None:
    assert http.get(PREFIX).headers["location"] == f"{PREFIX}/login"
    assert http.get(f"{PREFIX}/alerts").headers["location"] == f"{PREFIX}/login"
    assert log_in(http, ada, prefix=PREFIX).headers["location"] == f"{PREFIX}/alerts"
    home = http.get(f"{PREFIX}/")  # the home page, its links under the prefix
    assert home.status_code == 200 and f'href="{PREFIX}/profile#availability"' in home.text
    assert log_out(http, prefix=PREFIX).headers["location"] == f"{PREFIX}/login"


def test_the_session_cookie_is_scoped_to_the_prefix(http: TestClient, ada: str) -> None:
    cookie = session_cookie_header(log_in(http, ada, prefix=PREFIX)).lower()

    assert f"; path={PREFIX};" in cookie
    assert "; httponly" in cookie


def test_a_proxy_that_strips_the_prefix_reaches_the_same_pages(http: TestClient) -> None:
    response = http.get("/login")  # what a proxy forwards for /tocsin/login

    assert response.status_code == 200
    assert f'action="{PREFIX}/login"' in response.text
    assert http.get("/alerts").headers["location"] == f"{PREFIX}/login"
