"""Setting up Slack and HipChat integrations through /v2/integrations: the incoming-webhook URL
(Slack) or HipChat server (HipChat), Slack's signing secret (taken, never shown back: only whether
it is set), the Request URL (HipChat: the Capabilities URL), and what either kind has not."""

from __future__ import annotations

import re
from typing import Any

from tests.integrations.test_mattermost_setup import count, refused, stored
from tocsin.integrations import chat_kinds

SLACK_HOOK = "http://127.0.0.1:8066/services/T1/B2/xgk5b9pzxtfbfm3p8eyq8dq7"
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
HIPCHAT_SERVER = "http://127.0.0.1:8067"


def slack(name: str = "Slack", **fields: Any) -> dict[str, Any]:
    return {"name": name, "type": "Slack", "url": SLACK_HOOK, "slackSigningSecret": SLACK_SECRET, **fields}


def hipchat(name: str = "HipChat", **fields: Any) -> dict[str, Any]:
    return {"name": name, "type": "HipChat", "url": HIPCHAT_SERVER, **fields}


def test_a_slack_integration_takes_its_signing_secret_and_never_shows_it(api, create_integration, db):
    created = create_integration(slack(requireUserMatching=True))

    assert (created["type"], created["url"]) == ("Slack", SLACK_HOOK)
    assert created["slackSigningSecretSet"] is True and created["requireUserMatching"] is True
    assert re.fullmatch(
        rf"http://tocsin\.test/chat/slack/{created['id']}/[A-Za-z0-9_-]{{32}}", created["requestUrl"]
    )
    assert "apiKey" not in created and "commandTokenSet" not in created
    read = api.get(f"/v2/integrations/{created['id']}")
    assert read.json()["data"]["requestUrl"] == created["requestUrl"]
    listed = api.get("/v2/integrations")
    for answer in (str(created), read.text, listed.text):
        assert SLACK_SECRET not in answer and 'slackSigningSecret"' not in answer
    assert chat_kinds.slack_signing_secret(stored(db, created["id"])) == SLACK_SECRET


def test_an_update_changes_the_signing_secret_or_keeps_it_when_not_given(api, create_integration, db):
    created = create_integration(slack())

    kept = api.patch(f"/v2/integrations/{created['id']}", json={"requireUserMatching": True})
    assert kept.status_code == 200, kept.text
    assert chat_kinds.slack_signing_secret(stored(db, created["id"])) == SLACK_SECRET

    changed = api.patch(f"/v2/integrations/{created['id']}", json={"slackSigningSecret": "NewSecret123"})

    assert changed.status_code == 200, changed.text
    shown = changed.json()["data"]
    assert shown["slackSigningSecretSet"] is True and "NewSecret123" not in changed.text
    assert shown["requestUrl"] == created["requestUrl"]  # Slack's app keeps its Request URL
    assert chat_kinds.slack_signing_secret(stored(db, created["id"])) == "NewSecret123"
    bad = api.patch(f"/v2/integrations/{created['id']}", json={"slackSigningSecret": "not secret!"})
    assert bad.status_code == 422
    assert chat_kinds.slack_signing_secret(stored(db, created["id"])) == "NewSecret123"


def test_a_slack_integration_without_its_signing_secret_or_url_is_refused(api, db):
    without_secret = {key: value for key, value in slack().items() if key != "slackSigningSecret"}
    assert refused(api, without_secret) == (
        "slackSigningSecret: a Slack integration needs the Signing Secret of your Slack app (in Slack: your "
        "app > Basic Information > App Credentials); every request from Slack is checked with it"
    )
    assert refused(api, slack(slackSigningSecret="   ")).startswith("slackSigningSecret: a Slack integration")
    assert refused(api, slack(url=None)).startswith("url: a Slack integration needs the Slack URL")
    assert count(db) == 0


def test_a_hipchat_integration_shows_its_capabilities_url(api, create_integration, db):
    created = create_integration(hipchat())

    assert (created["type"], created["url"], created["requireUserMatching"]) == (
        "HipChat",
        HIPCHAT_SERVER,
        False,
    )
    assert re.fullmatch(
        rf"http://tocsin\.test/chat/hipchat/{created['id']}/[A-Za-z0-9_-]{{32}}", created["requestUrl"]
    )
    assert "slackSigningSecretSet" not in created and "commandTokenSet" not in created
    updated = api.patch(f"/v2/integrations/{created['id']}", json={"url": "http://127.0.0.2:8080"})
    assert updated.status_code == 200, updated.text
    assert updated.json()["data"]["url"] == "http://127.0.0.2:8080"
    assert api.data(f"/v2/integrations/{created['id']}")["requestUrl"] == created["requestUrl"]


def test_a_hipchat_integration_without_its_server_is_refused(api, db):
    assert refused(api, {"name": "HipChat", "type": "HipChat"}) == (
        "url: a HipChat integration needs the HipChat URL: the address of the HipChat server "
        "(https://api.hipchat.com, or your HipChat Server's)"
    )
    assert count(db) == 0


def test_settings_of_other_chat_kinds_are_refused_with_a_clear_message(api, create_integration, db):
    assert refused(api, slack(commandToken="abc123")) == (
        "commandToken: Slack integrations have no commandToken; only Mattermost integrations do"
    )
    assert refused(api, hipchat(commandToken="abc123")) == (
        "commandToken: HipChat integrations have no commandToken; only Mattermost integrations do"
    )
    assert refused(api, hipchat(slackSigningSecret=SLACK_SECRET)) == (
        "slackSigningSecret: HipChat integrations have no slackSigningSecret; only Slack integrations do"
    )
    assert count(db) == 0
    created = create_integration(slack())
    response = api.patch(f"/v2/integrations/{created['id']}", json={"commandToken": "abc123"})
    assert response.status_code == 422
    assert response.json()["message"].startswith("commandToken: Slack integrations have no commandToken")
