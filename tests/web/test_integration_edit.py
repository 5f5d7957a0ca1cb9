"""Editing a saved integration on its page: every setting the API changes, the filter as rows of
conditions saved as the API saves the same JSON, refused values shown on the form with nothing
changed, and only for those who may configure the integration."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.factories import make_user
from tests.web.conftest import web_settings
from tests.web.pages import csrf_token_in, log_in
from tests.web.test_integration_pages import HOOK, SLACK_HOOK, SLACK_SECRET, all_integrations
from tocsin.conditions import parse_filter
from tocsin.config import Settings
from tocsin.integrations import chat_kinds, configuration
from tocsin.integrations import service as integrations
from tocsin.integrations.configuration import Changes
from tocsin.outbound import OutboundPolicy
from tocsin.teams import service as teams

LOOPBACK = OutboundPolicy.parse("127.0.0.0/8")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return web_settings(database_url, tmp_path).model_copy(update={"outbound_allow": "127.0.0.0/8"})


@pytest.fixture
def ops(db) -> str:
    """Team ops: lead is its admin, ann a member; admin administers everything."""
    for name, role in (("admin", "admin"), ("lead", "user"), ("ann", "user"), ("bob", "user")):
        make_user(db, f"{name}@example.com", role=role)
    with db.write_session() as session:
        members = [("lead@example.com", "admin"), ("ann@example.com", "user")]
        return teams.create_team(session, name="ops", members=members).id


def add(db, kind: str, name: str, team_id: str | None = None, **changes: Any) -> str:
    with db.write_session() as session:
        integration, _ = integrations.create_integration(
            session, type=kind, name=name, team_id=team_id, changes=Changes(**changes), outbound=LOOPBACK
        )
        return integration.id


def edit_fields(http: TestClient, integration_id: str) -> tuple[str, dict[str, Any]]:
    """The edit form's page, and what a browser sends back when nothing is changed."""
    page = http.get(f"/settings/integrations/{integration_id}/edit")
    assert page.status_code == 200, page.text
    html = page.text
    fields: dict[str, Any] = {"csrf_token": csrf_token_in(html)}
    for name in ("name", "url", "command_token", "server_url", "bot_channel"):
        found = re.search(rf'<input id="{name}" name="{name}"[^>]* value="([^"]*)"', html)
        if found:
            fields[name] = found.group(1)
    fields["actions"] = re.findall(r'name="actions" value="(\w+)" checked', html)
    if 'name="require_user_matching" checked' in html:
        fields["require_user_matching"] = "on"
    return html, fields


def conditions(*rows: tuple[str, str, str, str, str]) -> dict[str, list[str]]:
    """Rows of the condition builder: (field, key, not, operation, value)."""
    names = ("cond_field", "cond_key", "cond_not", "cond_operation", "cond_value")
    return {name: [row[index] for row in rows] for index, name in enumerate(names)}


def only(db) -> Any:
    [integration] = all_integrations(db)
    return integration


def test_an_admin_edits_every_setting_of_a_mattermost_integration(http: TestClient, db, ops: str) -> None:
    chat_id = add(db, "Mattermost", "chat", url=HOOK)
    log_in(http, "admin@example.com")
    page = http.get(f"/settings/integrations/{chat_id}").text
    assert f'<a class="button" href="/settings/integrations/{chat_id}/edit">Edit</a>' in page
    html, fields = edit_fields(http, chat_id)
    assert fields["url"] == HOOK and "Require Matching a User" in html and "{&#34;" not in html
    new_hook = HOOK.replace("xgk5", "abcd")

    response = http.post(
        f"/settings/integrations/{chat_id}/edit",
        data=fields
        | {
            "name": "ops-chat",
            "url": new_hook,
            "require_user_matching": "on",
            "command_token": "9tgkd1ke3fgyd8t5zy7yxsijjr",
            "actions": ["Create", "Close"],
            "filter_type": "match-any-condition",
        }
        | conditions(("priority", "", "", "equals", "P1"), ("details", "env", "not", "equals", "test")),
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/settings/integrations/{chat_id}?saved=1"
    saved = only(db)
    assert (saved.name, configuration.url_of(saved), saved.outgoing_actions) == (
        "ops-chat",
        new_hook,
        ["Create", "Close"],
    )
    assert chat_kinds.requires_user_matching(saved)
    assert chat_kinds.command_token_matches(saved, "9tgkd1ke3fgyd8t5zy7yxsijjr")
    as_the_api_saves_it = {
        "type": "match-any-condition",
        "conditions": [
            {"field": "priority", "operation": "equals", "expectedValue": "P1"},
            {"field": "details", "key": "env", "not": True, "operation": "equals", "expectedValue": "test"},
        ],
    }
    assert saved.outgoing_filter == parse_filter(as_the_api_saves_it).to_json()
    shown = http.get(response.headers["location"]).text
    assert '<p class="notice" role="status">Saved.</p>' in shown
    assert "<li>Alerts that match any condition:</li><li>priority equals &#39;P1&#39;</li>" in shown
    assert "<li>details &#39;env&#39; not equals &#39;test&#39;</li>" in shown


def test_the_form_shows_the_stored_filter_as_rows_and_keeps_secrets_unless_changed(
    http: TestClient, db, ops: str
) -> None:
    stored = {
        "type": "match-all-conditions",
        "conditions": [
            {"field": "tags", "operation": "contains", "expectedValue": "db"},
            {"field": "priority", "operation": "greater-than", "expectedValue": "P4", "not": True},
        ],
    }
    chat_id = add(db, "Mattermost", "chat", url=HOOK, command_token="tok1", outgoing_filter=stored)
    log_in(http, "admin@example.com")

    html, fields = edit_fields(http, chat_id)

    assert '<option value="match-all-conditions" selected>' in html
    the_filter = html[html.index('<fieldset class="filter">') :]
    assert re.findall(r'<option value="([\w-]*)" selected>', the_filter) == [
        "match-all-conditions",
        "tags",
        "",
        "contains",
        "priority",
        "not",
        "greater-than",
    ]
    assert re.findall(r'name="cond_value" value="([^"]*)"', html) == ["db", "P4"]
    assert fields["command_token"] == "" and "set; leave empty to keep it" in html
    rows = conditions(("tags", "", "", "contains", "db"), ("priority", "", "not", "greater-than", "P4"))
    http.post(
        f"/settings/integrations/{chat_id}/edit", data=fields | {"filter_type": "match-all-conditions"} | rows
    )
    saved = only(db)
    assert chat_kinds.command_token_matches(saved, "tok1") and not chat_kinds.command_token_matches(
        saved, "x"
    )
    assert saved.outgoing_filter == parse_filter(stored).to_json()

    http.post(f"/settings/integrations/{chat_id}/edit", data=fields | {"remove_command_token": "on"})
    assert not chat_kinds.command_token_set(only(db)) and only(db).outgoing_filter == {"type": "match-all"}


def test_a_bad_condition_is_shown_on_its_row_and_nothing_changes(http: TestClient, db, ops: str) -> None:
    chat_id = add(db, "Mattermost", "chat", url=HOOK)
    log_in(http, "admin@example.com")
    _, fields = edit_fields(http, chat_id)
    before = only(db)

    nested = http.post(
        f"/settings/integrations/{chat_id}/edit",
        data=fields
        | {"name": "renamed", "filter_type": "match-all-conditions"}
        | conditions(
            ("message", "", "", "contains", "disk"),
            ("", "", "", "equals", ""),
            ("message", "", "", "matches", "(a+)+"),
        ),
    )
    assert nested.status_code == 422
    assert re.search(
        r'<li class="condition invalid">.*?id="cond-value-3" name="cond_value" value="\(a\+\)\+"',
        nested.text,
        re.S,
    )
    assert '<p class="error" id="cond-error-3">Condition 3: nested repetition can take exponential time' in (
        nested.text
    )
    assert 'role="alert">Nothing was saved: Condition 3: nested repetition' in nested.text
    assert 'name="name" value="renamed"' in nested.text  # what was typed stays on the form

    missing = http.post(
        f"/settings/integrations/{chat_id}/edit",
        data=fields | {"filter_type": "match-all-conditions"} | conditions(("source", "", "", "equals", " ")),
    )
    assert missing.status_code == 422
    assert "Condition 1: enter the value to compare with, or choose “is empty”" in missing.text
    wrong_operation = http.post(
        f"/settings/integrations/{chat_id}/edit",
        data=fields
        | {"filter_type": "match-all-conditions"}
        | conditions(("priority", "", "", "contains", "P1")),
    )
    assert wrong_operation.status_code == 422
    assert "Condition 1: contains does not apply to field priority; allowed: equals, greater-than" in (
        wrong_operation.text
    )
    no_rows = http.post(
        f"/settings/integrations/{chat_id}/edit", data=fields | {"filter_type": "match-any-condition"}
    )
    assert no_rows.status_code == 422 and 'id="filter-error">add a condition' in no_rows.text
    private = http.post(f"/settings/integrations/{chat_id}/edit", data=fields | {"url": "https://10.1.2.3/h"})
    assert (
        private.status_code == 422 and 'id="url-error">https://10.1.2.3/h points to a private' in private.text
    )
    after = only(db)
    assert (after.name, after.config, after.outgoing_filter, after.outgoing_actions) == (
        before.name,
        before.config,
        before.outgoing_filter,
        before.outgoing_actions,
    )


def test_add_and_remove_redraw_the_form_without_saving(http: TestClient, db, ops: str) -> None:
    chat_id = add(db, "Mattermost", "chat", url=HOOK)
    log_in(http, "admin@example.com")
    html, fields = edit_fields(http, chat_id)
    assert html.count('name="cond_field"') == 1  # an empty row to fill in
    typed = fields | {"name": "typed", "filter_type": "match-all-conditions"}

    added = http.post(
        f"/settings/integrations/{chat_id}/edit",
        data=typed | {"add_condition": "1"} | conditions(("alias", "", "", "equals", "x")),
    )
    assert added.status_code == 200 and added.text.count('name="cond_field"') == 2
    assert 'id="cond-field-2" name="cond_field" autofocus' in added.text
    assert 'name="name" value="typed"' in added.text and only(db).name == "chat"

    rows = conditions(("alias", "", "", "equals", "x"), ("entity", "", "", "equals", "y"))
    removed = http.post(
        f"/settings/integrations/{chat_id}/edit", data=typed | {"remove_condition": "0"} | rows
    )
    assert re.findall(r'name="cond_value" value="([^"]*)"', removed.text) == ["y"]
    assert only(db).name == "chat"


def test_a_webhooks_headers_and_custom_actions_are_edited_as_lines(http: TestClient, db, ops: str) -> None:
    hook_id = add(db, "Webhook", "hooks", url=HOOK, headers={"Authorization": "Bearer old"})
    log_in(http, "admin@example.com")
    html, fields = edit_fields(http, hook_id)
    assert ">Authorization: Bearer old</textarea>" in html

    http.post(
        f"/settings/integrations/{hook_id}/edit",
        data=fields
        | {"headers": "Authorization: Bearer new\nX-Team: ops", "custom_actions": "Restart\nPage DBA\n"},
    )

    saved = only(db)
    assert configuration.headers_of(saved) == {"Authorization": "Bearer new", "X-Team": "ops"}
    assert configuration.custom_actions_of(saved) == ["Restart", "Page DBA"]
    for headers, message in (
        ("no colon here", "line 1: write each header as Name: value"),
        ("X-Tocsin-Signature: x", "is set by Tocsin and cannot be configured"),
    ):
        refused = http.post(f"/settings/integrations/{hook_id}/edit", data=fields | {"headers": headers})
        assert refused.status_code == 422 and message in refused.text
    twice = http.post(
        f"/settings/integrations/{hook_id}/edit", data=fields | {"custom_actions": "Restart\nrestart"}
    )
    assert twice.status_code == 422 and "listed twice" in twice.text
    assert configuration.headers_of(only(db)) == {"Authorization": "Bearer new", "X-Team": "ops"}


def test_a_slack_signing_secret_is_kept_when_left_empty_and_replaced_when_given(
    http: TestClient, db, ops: str
) -> None:
    slack_id = add(db, "Slack", "slack", url=SLACK_HOOK, slack_signing_secret=SLACK_SECRET)
    log_in(http, "admin@example.com")
    html, fields = edit_fields(http, slack_id)
    assert SLACK_SECRET not in html

    http.post(f"/settings/integrations/{slack_id}/edit", data=fields | {"actions": ["Create"]})
    assert chat_kinds.slack_signing_secret(only(db)) == SLACK_SECRET and only(db).outgoing_actions == [
        "Create"
    ]
    bad = http.post(
        f"/settings/integrations/{slack_id}/edit", data=fields | {"slack_signing_secret": "no way!"}
    )
    assert bad.status_code == 422 and 'id="slack_signing_secret-error">the Signing Secret is' in bad.text
    http.post(f"/settings/integrations/{slack_id}/edit", data=fields | {"slack_signing_secret": "abc123"})
    assert chat_kinds.slack_signing_secret(only(db)) == "abc123"


def test_an_api_integration_has_only_its_name_and_description(http: TestClient, db, ops: str) -> None:
    api_id = add(db, "API", "Prometheus")
    log_in(http, "admin@example.com")
    html, fields = edit_fields(http, api_id)
    assert 'name="url"' not in html and 'name="cond_field"' not in html and 'name="actions"' not in html

    http.post(f"/settings/integrations/{api_id}/edit", data=fields | {"name": "Prom", "description": "k8s"})
    assert (only(db).name, only(db).description) == ("Prom", "k8s")
    assert '<p class="description">k8s</p>' in http.get(f"/settings/integrations/{api_id}").text


def test_team_admins_edit_their_teams_integrations_and_no_one_else_can(
    http: TestClient, db, ops: str
) -> None:
    team_chat = add(db, "Mattermost", "ops-chat", team_id=ops, url=HOOK)
    global_chat = add(db, "Mattermost", "everyone", url=HOOK)
    log_in(http, "lead@example.com")
    _, fields = edit_fields(http, team_chat)
    assert (
        http.post(f"/settings/integrations/{team_chat}/edit", data=fields | {"name": "ops-room"}).status_code
        == 303
    )
    assert http.get(f"/settings/integrations/{global_chat}/edit").status_code == 404  # not the team's to see
    denied = http.post(f"/settings/integrations/{global_chat}/edit", data=fields | {"name": "mine"})
    assert (
        denied.status_code == 404
        and "There is no such integration, or it is not yours to see." in denied.text
    )

    log_in(http, "ann@example.com")
    page = http.get(f"/settings/integrations/{team_chat}").text
    assert "/edit" not in page
    refused = http.get(f"/settings/integrations/{team_chat}/edit")
    assert refused.status_code == 403 and "Only admins of team ops change its integrations." in refused.text
    token = csrf_token_in(page)
    assert (
        http.post(
            f"/settings/integrations/{team_chat}/edit", data=fields | {"csrf_token": token, "name": "ann's"}
        ).status_code
        == 403
    )

    log_in(http, "bob@example.com")
    assert http.get(f"/settings/integrations/{team_chat}/edit").status_code == 404
    assert sorted(i.name for i in all_integrations(db)) == ["everyone", "ops-room"]


def test_an_edit_without_the_forms_token_is_refused(http: TestClient, db, ops: str) -> None:
    chat_id = add(db, "Mattermost", "chat", url=HOOK)
    log_in(http, "admin@example.com")
    _, fields = edit_fields(http, chat_id)

    forged = http.post(
        f"/settings/integrations/{chat_id}/edit", data=fields | {"csrf_token": "x", "name": "evil"}
    )

    assert forged.status_code == 400 and only(db).name == "chat"
    assert http.post(f"/settings/integrations/{chat_id}/edit", data={"name": "evil"}).status_code == 400


def test_a_name_taken_is_shown_next_to_the_name(http: TestClient, db, ops: str) -> None:
    add(db, "API", "Prometheus")
    chat_id = add(db, "Mattermost", "chat", url=HOOK)
    log_in(http, "admin@example.com")
    _, fields = edit_fields(http, chat_id)

    taken = http.post(f"/settings/integrations/{chat_id}/edit", data=fields | {"name": "prometheus"})

    assert taken.status_code == 422
    assert 'id="name-error">an integration named &#39;Prometheus&#39; already exists' in taken.text


def test_an_admin_moves_an_integration_to_a_team_and_back(http: TestClient, db, ops: str) -> None:
    chat_id = add(db, "Mattermost", "chat", url=HOOK)
    log_in(http, "admin@example.com")
    html, fields = edit_fields(http, chat_id)
    assert '<option value="none" selected>No team (global)</option>' in html
    assert f'<option value="{ops}">ops</option>' in html

    http.post(f"/settings/integrations/{chat_id}/edit", data=fields | {"owner_team": ops})
    assert only(db).team_id == ops
    http.post(f"/settings/integrations/{chat_id}/edit", data=fields | {"owner_team": "none"})
    assert only(db).team_id is None
    gone = http.post(f"/settings/integrations/{chat_id}/edit", data=fields | {"owner_team": "no-such-team"})
    assert gone.status_code == 422 and 'id="owner_team-error">that team no longer exists' in gone.text
    assert only(db).team_id is None


def test_a_team_admin_cannot_make_the_teams_integration_global(http: TestClient, db, ops: str) -> None:
    chat_id = add(db, "Mattermost", "ops-chat", team_id=ops, url=HOOK)
    log_in(http, "lead@example.com")
    html, fields = edit_fields(http, chat_id)
    assert 'name="owner_team"' not in html  # one team: nothing to choose

    refused = http.post(f"/settings/integrations/{chat_id}/edit", data=fields | {"owner_team": "none"})

    assert refused.status_code == 403 and only(db).team_id == ops


@pytest.mark.parametrize(
    "junk",
    [
        {"filter_type": "match-everything"},
        {"filter_type": "match-any-condition", "cond_field": ["no-such-field"] * 60, "cond_value": ["x"]},
        {"filter_type": "match-all-conditions", "cond_field": ["tags"], "cond_operation": ["explode"]},
        {"filter_type": "match-all-conditions", "cond_field": ["message"], "cond_key": ["k"],
         "cond_operation": ["equals"], "cond_value": ["x"]},
        {"filter_type": "match-all-conditions", "cond_field": ["message"], "cond_value": ["x" * 1001]},
        {"remove_condition": "99999999999999999999"},
        {"remove_condition": "-1"},
        {"actions": ["Explode"]},
        {"name": "x" * 101},
        {"name": " "},
        {"description": "d" * 10001},
        {"url": "h" * 2001},
        {"url": "ftp://example.com/x"},
        {"command_token": "two words"},
    ],
)  # fmt: skip
def test_whatever_a_form_sends_is_answered_without_a_server_error(
    http: TestClient, db, ops: str, junk: dict[str, Any]
) -> None:
    chat_id = add(db, "Mattermost", "chat", url=HOOK)
    log_in(http, "admin@example.com")
    _, fields = edit_fields(http, chat_id)
    before = only(db)

    answer = http.post(f"/settings/integrations/{chat_id}/edit", data=fields | junk)

    assert answer.status_code in (200, 422), answer.text
    after = only(db)
    assert (after.name, after.config, after.outgoing_filter) == (
        before.name,
        before.config,
        before.outgoing_filter,
    )
    if answer.status_code == 422:
        assert 'role="alert">Nothing was saved: ' in answer.text
