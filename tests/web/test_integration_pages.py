"""Settings > Integrations and the team dashboard, walked as the Mattermost set-up steps walk them:
search for Mattermost, Add, paste the Mattermost URL, copy the Request URL, Save Integration."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.support.factories import make_user
from tests.support.server import LiveServer, live_settings
from tests.web.conftest import web_settings
from tests.web.pages import csrf_token_in, log_in
from tests.web.test_browser import browser  # noqa: F401  (fixture)
from tocsin.config import Settings
from tocsin.integrations import chat_kinds, outgoing
from tocsin.integrations import service as integrations
from tocsin.integrations.configuration import Changes
from tocsin.integrations.models import Integration
from tocsin.outbound import OutboundPolicy
from tocsin.teams import service as teams

if TYPE_CHECKING:
    from playwright.sync_api import Browser

HOOK = "http://127.0.0.1:8065/hooks/xgk5b9pzxtfbfm3p8eyq8dq7ch"
REQUEST_URL = re.compile(r'<code id="request-url">([^<]+)</code>')
DRAFT = re.compile(r'<input type="hidden" name="draft" value="([^"]+)">')


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """As an administrator would allow a Mattermost server on the same host."""
    return web_settings(database_url, tmp_path).model_copy(update={"outbound_allow": "127.0.0.0/8"})


@pytest.fixture
def ops(db) -> str:
    """Team ops: lead is its admin, ann a member; admin administers everything; bob is in no team."""
    for name, role in (("admin", "admin"), ("lead", "user"), ("ann", "user"), ("bob", "user")):
        make_user(db, f"{name}@example.com", role=role)
    with db.write_session() as session:
        members = [("lead@example.com", "admin"), ("ann@example.com", "user")]
        return teams.create_team(session, name="ops", members=members).id


def open_form(http: TestClient, path: str) -> tuple[str, dict[str, Any]]:
    """The add form's page, and the fields a browser would send back unchanged."""
    page = http.get(path)
    assert page.status_code == 200, page.text
    draft = DRAFT.search(page.text)
    assert draft, "the form carries no draft"
    return page.text, {"csrf_token": csrf_token_in(page.text), "draft": draft.group(1)}


def request_url_in(html: str) -> str:
    found = REQUEST_URL.search(html)
    assert found, "the page shows no Request URL"
    return found.group(1)


def all_integrations(db) -> list[Integration]:
    with db.read_session() as session:
        found = list(session.scalars(select(Integration).order_by(Integration.name)))
        session.expunge_all()
        return found


def add_mattermost(db, name: str, team_id: str | None = None) -> str:
    with db.write_session() as session:
        integration, _ = integrations.create_integration(
            session,
            type="Mattermost",
            name=name,
            team_id=team_id,
            changes=Changes(url=HOOK),
            outbound=OutboundPolicy.parse("127.0.0.0/8"),
        )
        return integration.id


def test_the_pages_ask_to_log_in_first(http: TestClient) -> None:
    for path in ("/settings/integrations", "/settings/integrations/new?type=Mattermost", "/teams"):
        response = http.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


def test_the_list_shows_what_each_person_may_see_with_links(http: TestClient, db, ops: str) -> None:
    chat_id = add_mattermost(db, "ops-chat", team_id=ops)
    with db.write_session() as session:
        integrations.create_integration(session, type="API", name="Prometheus")

    log_in(http, "admin@example.com")
    everything = http.get("/settings/integrations").text
    assert (
        "Prometheus" in everything and f'href="/settings/integrations/{chat_id}">ops-chat</a>' in everything
    )
    assert 'href="/settings/integrations/new?type=Mattermost"' in everything

    log_in(http, "ann@example.com")
    ann_sees = http.get("/settings/integrations").text
    assert "ops-chat" in ann_sees and "Prometheus" not in ann_sees
    assert "Only administrators add global integrations." in ann_sees
    assert "/settings/integrations/new" not in ann_sees


def test_searching_for_mattermost_finds_it_with_an_add_button(http: TestClient, ops: str) -> None:
    log_in(http, "admin@example.com")

    found = http.get("/settings/integrations", params={"q": "matter"}).text

    assert re.findall(r'href="/settings/integrations/new\?type=(\w+)">Add</a>', found) == ["Mattermost"]
    assert 'value="matter"' in found
    nothing = http.get("/settings/integrations", params={"q": "carrier pigeon"}).text
    assert 'No integration matches "carrier pigeon".' in nothing


def test_the_request_url_shown_before_saving_is_the_saved_integrations(
    http: TestClient, db, ops: str, settings: Settings
) -> None:
    log_in(http, "admin@example.com")
    page, fields = open_form(http, "/settings/integrations/new?type=Mattermost")
    shown = request_url_in(page)
    assert 'name="name" value="Mattermost"' in page
    assert "Mattermost URL" in page and "Require Matching a User" in page
    assert '"Require Matching a User" is used to force matching Mattermost accounts with Tocsin' in page
    assert '<button type="button" data-copy="#request-url">Copy</button>' in page
    assert '<script src="/static/copy.js" defer></script>' in page
    assert page.index("Request URL") < page.index("Save Integration")
    assert re.findall(r'value="(\w+)" checked', page) == list(outgoing.default_actions("Mattermost"))
    assert {"TakeOwnership", "UpdatePriority"} <= set(outgoing.default_actions("Mattermost"))
    assert '<option value="match-all" selected>All alerts</option>' in page
    assert all_integrations(db) == []

    response = http.post(
        "/settings/integrations/new",
        data=fields | {"name": "Mattermost", "url": HOOK, "require_user_matching": "on",
                       "command_token": "9tgkd1ke3fgyd8t5zy7yxsijjr",
                       "actions": ["Create", "Close"], "filter_type": "match-all"},
    )  # fmt: skip

    [saved] = all_integrations(db)
    assert response.status_code == 303
    assert response.headers["location"] == f"/settings/integrations/{saved.id}"
    assert chat_kinds.request_url(settings.base_url, settings.effective_secret_key, saved) == shown
    assert (saved.type, saved.team_id, saved.config["url"]) == ("Mattermost", None, HOOK)
    assert chat_kinds.requires_user_matching(saved)
    assert chat_kinds.command_token_matches(saved, "9tgkd1ke3fgyd8t5zy7yxsijjr")
    assert saved.outgoing_actions == ["Create", "Close"]
    assert request_url_in(http.get(response.headers["location"]).text) == shown


def test_a_form_sent_twice_saves_one_integration(http: TestClient, db, ops: str) -> None:
    log_in(http, "admin@example.com")
    _, fields = open_form(http, "/settings/integrations/new?type=Mattermost")
    form = fields | {"name": "Mattermost", "url": HOOK, "actions": ["Create"]}

    first = http.post("/settings/integrations/new", data=form)
    second = http.post("/settings/integrations/new", data=form)

    assert first.headers["location"] == second.headers["location"]
    assert len(all_integrations(db)) == 1


def test_conditions_choose_which_alerts_are_posted(http: TestClient, db, ops: str) -> None:
    log_in(http, "admin@example.com")
    _, fields = open_form(http, "/settings/integrations/new?type=Mattermost")
    rows = {
        "cond_field": ["priority", ""],
        "cond_key": ["", ""],
        "cond_not": ["", ""],
        "cond_operation": ["equals", "equals"],
        "cond_value": ["P1", ""],
    }  # a blank row is skipped

    http.post(
        "/settings/integrations/new",
        data=fields | {"name": "pages", "url": HOOK, "actions": ["Create"],
                       "filter_type": "match-all-conditions"} | rows,
    )  # fmt: skip

    [saved] = all_integrations(db)
    assert saved.outgoing_filter["type"] == "match-all-conditions"
    assert [c["expectedValue"] for c in saved.outgoing_filter["conditions"]] == ["P1"]


def test_a_team_admin_adds_a_mattermost_integration_the_team_owns(
    http: TestClient, db, ops: str, settings: Settings
) -> None:
    log_in(http, "lead@example.com")
    team_page = http.get(f"/teams/{ops}", params={"q": "mattermost"}).text
    assert "lead@example.com" in team_page and "ann@example.com" in team_page
    assert f'href="/teams/{ops}/integrations/new?type=Mattermost">Add</a>' in team_page

    page, fields = open_form(http, f"/teams/{ops}/integrations/new?type=Mattermost")
    assert "Add Mattermost integration for team ops" in page
    response = http.post(
        f"/teams/{ops}/integrations/new",
        data=fields | {"name": "ops-chat", "url": HOOK, "actions": ["Create"]},
    )

    [saved] = all_integrations(db)
    assert response.status_code == 303 and saved.team_id == ops
    assert chat_kinds.request_url(settings.base_url, settings.effective_secret_key, saved) == request_url_in(
        page
    )
    assert "Team: <a" in http.get(response.headers["location"]).text
    assert f'href="/settings/integrations/{saved.id}">ops-chat</a>' in http.get(f"/teams/{ops}").text


def test_people_who_do_not_configure_cannot_add(http: TestClient, db, ops: str) -> None:
    log_in(http, "ann@example.com")
    response = http.get("/settings/integrations/new?type=Mattermost")
    assert response.status_code == 403
    assert "Only administrators add global integrations." in response.text
    response = http.get(f"/teams/{ops}/integrations/new?type=Mattermost")
    assert response.status_code == 403
    assert "Only admins of team ops add its integrations." in response.text
    assert "Only admins of team ops add its integrations." in http.get(f"/teams/{ops}").text

    log_in(http, "lead@example.com")
    assert http.get("/settings/integrations/new?type=Mattermost").status_code == 403
    _, lead_fields = open_form(http, f"/teams/{ops}/integrations/new?type=Mattermost")
    elsewhere = http.post("/settings/integrations/new", data=lead_fields | {"name": "x", "url": HOOK})
    assert elsewhere.status_code == 400  # a team's form does not make a global integration

    log_in(http, "ann@example.com")
    borrowed = lead_fields | {"csrf_token": csrf_token_in(http.get("/teams").text), "name": "x", "url": HOOK}
    assert http.post(f"/teams/{ops}/integrations/new", data=borrowed).status_code == 400
    assert all_integrations(db) == []


def test_a_bad_url_shows_the_form_again_with_the_message_and_stores_nothing(
    http: TestClient, db, ops: str
) -> None:
    log_in(http, "admin@example.com")
    page, fields = open_form(http, "/settings/integrations/new?type=Mattermost")

    response = http.post(
        "/settings/integrations/new",
        data=fields | {"name": "chat", "url": "https://10.1.2.3/hooks/x", "require_user_matching": "on",
                       "command_token": "tok", "actions": ["Create", "Close"]},
    )  # fmt: skip

    assert response.status_code == 422
    assert (
        '<p class="error" id="url-error" role="alert">https://10.1.2.3/hooks/x points to a private address '
        "(10.1.2.3); allow it with TOCSIN_OUTBOUND_ALLOW=10.0.0.0/8</p>"
    ) in response.text
    assert 'name="name" value="chat"' in response.text
    assert 'value="https://10.1.2.3/hooks/x"' in response.text and 'value="tok"' in response.text
    assert 'name="require_user_matching" checked' in response.text
    assert 'value="Close" checked' in response.text and 'value="Acknowledge" checked' not in response.text
    assert request_url_in(response.text) == request_url_in(page)
    assert all_integrations(db) == []

    broken = http.post(
        "/settings/integrations/new",
        data=fields | {"name": "chat", "url": HOOK, "filter_type": "match-any-condition",
                       "cond_field": ["tags"], "cond_key": [""], "cond_not": [""],
                       "cond_operation": ["greater-than"], "cond_value": ["P1"]},
    )  # fmt: skip
    assert broken.status_code == 422
    assert (
        '<p class="error" id="cond-error-1">Condition 1: greater-than does not apply to field tags'
        in broken.text
    )
    assert 'name="cond_value" value="P1"' in broken.text
    assert all_integrations(db) == []


def test_add_a_condition_on_the_add_form_draws_it_again_with_the_same_request_url(
    http: TestClient, db, ops: str
) -> None:
    log_in(http, "admin@example.com")
    page, fields = open_form(http, "/settings/integrations/new?type=Mattermost")

    added = http.post(
        "/settings/integrations/new",
        data=fields | {"name": "chat", "url": HOOK, "filter_type": "match-all-conditions",
                       "cond_field": ["source"], "cond_key": [""], "cond_not": ["not"],
                       "cond_operation": ["equals"], "cond_value": ["test"], "add_condition": "1"},
    )  # fmt: skip

    assert added.status_code == 200 and all_integrations(db) == []
    assert added.text.count('name="cond_field"') == 2 and request_url_in(added.text) == request_url_in(page)
    assert '<option value="not" selected>not</option>' in added.text


def test_a_duplicate_name_is_shown_next_to_the_name(http: TestClient, db, ops: str) -> None:
    add_mattermost(db, "chat")
    log_in(http, "admin@example.com")
    _, fields = open_form(http, "/settings/integrations/new?type=Mattermost")

    response = http.post("/settings/integrations/new", data=fields | {"name": "Chat", "url": HOOK})

    assert response.status_code == 422
    assert "an integration named &#39;chat&#39; already exists; choose another name" in response.text
    assert len(all_integrations(db)) == 1


def test_a_tampered_or_expired_form_is_refused(http: TestClient, db, ops: str, frozen_clock) -> None:
    log_in(http, "admin@example.com")
    _, fields = open_form(http, "/settings/integrations/new?type=Mattermost")
    draft = fields["draft"]
    tampered = draft[:-3] + ("AAA" if not draft.endswith("AAA") else "BBB")

    response = http.post("/settings/integrations/new", data=fields | {"draft": tampered, "url": HOOK})
    assert response.status_code == 400
    assert "This form is more than an hour old or was altered; open it again." in response.text

    frozen_clock.advance(timedelta(minutes=61))
    expired = http.post("/settings/integrations/new", data=fields | {"name": "chat", "url": HOOK})
    assert expired.status_code == 400
    assert all_integrations(db) == []


def test_enable_disable_and_delete_need_the_forms_token(http: TestClient, db, ops: str) -> None:
    chat_id = add_mattermost(db, "chat")
    log_in(http, "admin@example.com")
    page = http.get(f"/settings/integrations/{chat_id}").text
    token = csrf_token_in(page)
    assert f'action="/settings/integrations/{chat_id}/disable"' in page

    assert (
        http.post(f"/settings/integrations/{chat_id}/disable", data={"csrf_token": "forged"}).status_code
        == 400
    )
    assert all_integrations(db)[0].enabled is True
    response = http.post(f"/settings/integrations/{chat_id}/disable", data={"csrf_token": token})
    assert response.status_code == 303 and all_integrations(db)[0].enabled is False
    assert (
        f'action="/settings/integrations/{chat_id}/enable"'
        in http.get(f"/settings/integrations/{chat_id}").text
    )
    http.post(f"/settings/integrations/{chat_id}/enable", data={"csrf_token": token})
    assert all_integrations(db)[0].enabled is True

    confirm = http.get(f"/settings/integrations/{chat_id}/delete").text
    assert "Delete chat?" in confirm
    assert http.post(f"/settings/integrations/{chat_id}/delete", data={}).status_code == 400
    assert len(all_integrations(db)) == 1
    deleted = http.post(f"/settings/integrations/{chat_id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 303 and deleted.headers["location"] == "/settings/integrations"
    assert all_integrations(db) == []


def test_team_members_see_their_teams_integration_but_not_its_urls_or_buttons(
    http: TestClient, db, ops: str
) -> None:
    chat_id = add_mattermost(db, "ops-chat", team_id=ops)
    log_in(http, "ann@example.com")
    page = http.get(f"/settings/integrations/{chat_id}")
    assert page.status_code == 200
    assert "Team: <a" in page.text and HOOK not in page.text and "request-url" not in page.text
    assert "/disable" not in page.text
    token = csrf_token_in(page.text)
    refused = http.post(f"/settings/integrations/{chat_id}/disable", data={"csrf_token": token})
    assert refused.status_code == 403 and all_integrations(db)[0].enabled is True

    log_in(http, "bob@example.com")
    assert http.get(f"/settings/integrations/{chat_id}").status_code == 404


def test_an_api_integrations_key_is_shown_once_after_saving(http: TestClient, db, ops: str) -> None:
    log_in(http, "admin@example.com")
    page, fields = open_form(http, "/settings/integrations/new?type=API")
    assert "request-url" not in page and "Mattermost URL" not in page

    saved = http.post("/settings/integrations/new", data=fields | {"name": "Prometheus"})

    assert saved.status_code == 200
    key = re.search(r'<code id="integration-key">([^<]+)</code>', saved.text)
    assert key
    with db.read_session() as session:
        assert integrations.find_by_secret(session, key.group(1)).name == "Prometheus"
    assert key.group(1) not in http.get(f"/settings/integrations/{all_integrations(db)[0].id}").text


def test_the_teams_page_lists_teams(http: TestClient, ops: str) -> None:
    log_in(http, "lead@example.com")
    page = http.get("/teams").text
    assert f'<a href="/teams/{ops}">ops</a> <span class="mine">(your team)</span>' in page
    assert http.get("/teams/no-such-team").status_code == 404


@pytest.mark.browser
def test_in_a_browser_the_copied_request_url_is_the_one_saved(
    browser: Browser,  # noqa: F811  (the fixture imported above)
    database_url: str,
    tmp_path: Path,
    db,
) -> None:
    from playwright.sync_api import expect

    make_user(db, "admin@example.com", role="admin")
    settings = live_settings(database_url, str(tmp_path)).model_copy(update={"outbound_allow": "127.0.0.0/8"})
    with LiveServer(settings) as server:
        context = browser.new_context()
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
        context.set_default_timeout(10_000)
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        try:
            page.goto(server.url + "/settings/integrations")
            page.get_by_label("E-mail").fill("admin@example.com")
            page.get_by_label("Password").fill("correct horse")
            page.get_by_role("button", name="Log in").click()
            page.get_by_label("Search integrations").fill("Mattermost")
            page.get_by_role("button", name="Search").click()
            page.get_by_role("link", name="Add").click()
            page.get_by_label("Mattermost URL").fill(HOOK)
            shown = page.locator("#request-url").inner_text()
            page.get_by_role("button", name="Copy").click()
            expect(page.get_by_role("button", name="Copied")).to_be_visible()
            assert page.evaluate("navigator.clipboard.readText()") == shown
            page.get_by_role("button", name="Save Integration").click()

            expect(page.get_by_role("heading", name="Mattermost")).to_be_visible()
            assert page.locator("#request-url").inner_text() == shown
            assert problems == []
        finally:
            context.close()


SLACK_HOOK = "http://127.0.0.1:8066/services/T1/B2/xgk5b9pzxtfbfm3p8eyq8dq7"
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
HIPCHAT_SERVER = "http://127.0.0.1:8067"


def open_chat_form(http: TestClient, kind: str) -> tuple[str, dict[str, Any], str]:
    """The global add form of a chat kind, its fields, and the Request URL it shows."""
    page, fields = open_form(http, f"/settings/integrations/new?type={kind}")
    shown = request_url_in(page)
    assert shown.startswith(f"http://tocsin.test/chat/{kind.lower()}/")
    return page, fields, shown


def test_searching_finds_slack_and_hipchat_with_add_buttons(http: TestClient, ops: str) -> None:
    log_in(http, "admin@example.com")
    for query, kind in (("slack", "Slack"), ("HIPCHAT", "HipChat")):
        found = http.get("/settings/integrations", params={"q": query}).text
        assert re.findall(r'href="/settings/integrations/new\?type=(\w+)">Add</a>', found) == [kind]


def test_the_slack_form_shows_the_request_url_and_the_steps_and_keeps_the_signing_secret_secret(
    http: TestClient, db, ops: str, settings: Settings
) -> None:
    log_in(http, "admin@example.com")
    page, fields, shown = open_chat_form(http, "Slack")
    assert '<label for="url">Slack URL</label>' in page and 'name="command_token"' not in page
    assert '<input id="slack_signing_secret" name="slack_signing_secret" type="password"' in page
    steps = ["Create a Slack app", "<strong>Incoming Webhooks</strong>", "<strong>Slash Commands</strong>",
             "<code>/genie</code>", 'id="request-url"', "<strong>Interactivity &amp; Shortcuts</strong>",
             "<strong>Basic Information</strong>", "Signing Secret</label>", "Require Matching a User",
             "Save Integration"]  # fmt: skip
    assert [page.index(step) for step in steps] == sorted(page.index(step) for step in steps)

    response = http.post(
        "/settings/integrations/new",
        data=fields | {"name": "slack-ops", "url": SLACK_HOOK, "slack_signing_secret": SLACK_SECRET,
                       "require_user_matching": "on", "actions": ["Create", "Close"]},
    )  # fmt: skip

    [saved] = all_integrations(db)
    assert (
        response.status_code == 303 and response.headers["location"] == f"/settings/integrations/{saved.id}"
    )
    assert chat_kinds.request_url(settings.base_url, settings.effective_secret_key, saved) == shown
    assert (saved.type, saved.config["url"], chat_kinds.slack_signing_secret(saved)) == (
        "Slack",
        SLACK_HOOK,
        SLACK_SECRET,
    )
    assert chat_kinds.requires_user_matching(saved) and saved.outgoing_actions == ["Create", "Close"]
    integration_page = http.get(response.headers["location"]).text
    assert request_url_in(integration_page) == shown
    assert "<dt>Request URL</dt>" in integration_page and "<dt>Slack URL</dt>" in integration_page
    assert "<dt>Signing Secret</dt><dd>set</dd>" in integration_page
    assert SLACK_SECRET not in integration_page and "Command token" not in integration_page


def test_a_slack_form_without_a_signing_secret_or_with_a_bad_url_is_shown_again_and_nothing_stored(
    http: TestClient, db, ops: str
) -> None:
    log_in(http, "admin@example.com")
    page, fields = open_form(http, "/settings/integrations/new?type=Slack")

    missing = http.post("/settings/integrations/new", data=fields | {"name": "slack", "url": SLACK_HOOK})
    assert missing.status_code == 422
    assert (
        '<p class="error" id="slack_signing_secret-error" role="alert">a Slack integration needs the Signing '
        "Secret of your Slack app"
    ) in missing.text
    assert f'value="{SLACK_HOOK}"' in missing.text and request_url_in(missing.text) == request_url_in(page)

    not_a_secret = http.post(
        "/settings/integrations/new",
        data=fields | {"name": "slack", "url": SLACK_HOOK, "slack_signing_secret": "not a secret!"},
    )
    assert not_a_secret.status_code == 422
    assert 'id="slack_signing_secret-error" role="alert">the Signing Secret is the one Slack shows' in (
        not_a_secret.text
    )

    private = http.post(
        "/settings/integrations/new",
        data=fields | {"name": "slack", "url": "https://10.1.2.3/services/x",
                       "slack_signing_secret": SLACK_SECRET},
    )  # fmt: skip
    assert private.status_code == 422
    assert (
        'id="url-error" role="alert">https://10.1.2.3/services/x points to a private address' in private.text
    )
    assert SLACK_SECRET not in private.text  # a secret is not written back into the page
    assert all_integrations(db) == []


def test_the_hipchat_form_starts_with_hipchats_server_and_shows_the_capabilities_url(
    http: TestClient, db, ops: str, settings: Settings
) -> None:
    log_in(http, "admin@example.com")
    page, fields, shown = open_chat_form(http, "HipChat")
    assert '<label for="url">HipChat URL</label>' in page
    assert 'name="url" type="url" value="https://api.hipchat.com"' in page
    assert '<span class="label">Capabilities URL</span>' in page and "Request URL" not in page
    assert "<strong>Integrations &gt; Install an integration from a descriptor URL</strong>" in page
    assert "Signing Secret" not in page and 'name="command_token"' not in page

    response = http.post("/settings/integrations/new", data=fields | {"name": "rooms", "url": HIPCHAT_SERVER})

    [saved] = all_integrations(db)
    assert response.status_code == 303
    assert (saved.type, saved.config["url"]) == ("HipChat", HIPCHAT_SERVER)
    assert chat_kinds.request_url(settings.base_url, settings.effective_secret_key, saved) == shown
    integration_page = http.get(response.headers["location"]).text
    assert request_url_in(integration_page) == shown
    assert "<dt>Capabilities URL</dt>" in integration_page and "<dt>HipChat URL</dt>" in integration_page
    assert "<dt>Installation</dt><dd>Not installed yet</dd>" in integration_page


def test_a_hipchat_integrations_page_says_where_it_is_installed_but_not_its_credentials(
    http: TestClient, db, ops: str
) -> None:
    with db.write_session() as session:
        integration, _ = integrations.create_integration(
            session, type="HipChat", name="rooms", team_id=ops, changes=Changes(url=HIPCHAT_SERVER),
            outbound=OutboundPolicy.parse("127.0.0.0/8"),
        )  # fmt: skip
        integration.config = integration.config | {
            "hipchatInstallation": {
                "oauthId": "cba74fbc-0d9b-4f8a-9a4d-4c1d2f0e8a11", "oauthSecret": "NothWQzSecretValue42",
                "groupId": 1, "groupName": "Acme", "roomId": 100,
                "capabilitiesUrl": "https://api.hipchat.com/v2/capabilities",
                "tokenUrl": "https://api.hipchat.com/v2/oauth/token", "apiUrl": "https://api.hipchat.com/v2/",
                "installedAt": "2024-05-02T10:00:00+00:00",
            }
        }  # fmt: skip
        integration_id = integration.id

    for who in ("lead@example.com", "ann@example.com"):
        log_in(http, who)
        page = http.get(f"/settings/integrations/{integration_id}").text
        assert "<dt>Installation</dt><dd>Installed in room 100 of Acme since 2024-05-02</dd>" in page
        assert "NothWQzSecretValue42" not in page and "cba74fbc" not in page


def test_a_team_admin_adds_a_slack_integration_the_team_owns(http: TestClient, db, ops: str) -> None:
    log_in(http, "lead@example.com")
    assert (
        f'href="/teams/{ops}/integrations/new?type=Slack">Add</a>'
        in http.get(f"/teams/{ops}", params={"q": "slack"}).text
    )
    page, fields = open_form(http, f"/teams/{ops}/integrations/new?type=Slack")
    assert "Add Slack integration for team ops" in page

    response = http.post(
        f"/teams/{ops}/integrations/new",
        data=fields | {"name": "ops-slack", "url": SLACK_HOOK, "slack_signing_secret": SLACK_SECRET},
    )

    [saved] = all_integrations(db)
    assert response.status_code == 303 and (saved.type, saved.team_id) == ("Slack", ops)
    assert request_url_in(http.get(response.headers["location"]).text) == request_url_in(page)
