"""The header's Settings link leads to a page that names every kind of configuration."""

from __future__ import annotations

from tests.support.factories import make_user
from tests.web.pages import log_in


def test_the_settings_page_links_every_kind_of_configuration(http, db) -> None:
    make_user(db, "ada@example.com", password="correct horse")
    log_in(http, "ada@example.com")
    page = http.get("/settings")
    assert page.status_code == 200
    for path in ("/settings/integrations", "/escalations", "/heartbeats", "/maintenance", "/policies"):
        assert f'href="{path}"' in page.text
    assert 'href="/settings"' in page.text  # the header's link


def test_the_settings_page_asks_to_log_in_first(http) -> None:
    answer = http.get("/settings")
    assert answer.status_code in (302, 303)
    assert answer.headers["location"].startswith("/login")
