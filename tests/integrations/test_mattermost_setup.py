"""Setting up a Mattermost integration through /v2/integrations: its Mattermost URL (checked like a
webhook's), its Request URL (derived, shown to configurers, changed by rotating the signing
secret), Require Matching a User, and the optional command token (stored only hashed)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tocsin.errors import InvalidInput
from tocsin.integrations import chat_kinds
from tocsin.integrations import service as integrations
from tocsin.integrations.configuration import Changes
from tocsin.integrations.models import Integration
from tocsin.outbound import OutboundPolicy

HOOK = "http://127.0.0.1:8065/hooks/xgk5b9pzxtfbfm3p8eyq8dq7ch"
SECRET_KEY = "test-secret"  # the settings' key in tests/integrations/conftest.py


def mattermost(name: str = "Mattermost", **fields):
    return {"name": name, "type": "Mattermost", "url": HOOK, **fields}


def stored(db, integration_id: str) -> Integration:
    with db.read_session() as session:
        found = session.get(Integration, integration_id)
        assert found is not None
        session.expunge(found)
        return found


def refused(api, payload, status: int = 422) -> str:
    response = api.post("/v2/integrations", json=payload)
    assert response.status_code == status, response.text
    return str(response.json()["message"])


def count(db) -> int:
    with db.read_session() as session:
        return int(session.scalar(select(func.count()).select_from(Integration)))


def test_a_mattermost_integration_shows_its_url_and_request_url_but_gets_no_key(api, create_integration):
    created = create_integration(mattermost())

    assert created["type"] == "Mattermost" and "apiKey" not in created
    assert created["url"] == HOOK
    assert created["requireUserMatching"] is False and created["commandTokenSet"] is False
    assert re.fullmatch(
        rf"http://tocsin\.test/chat/mattermost/{created['id']}/[A-Za-z0-9_-]{{32}}", created["requestUrl"]
    )
    assert created["outgoing"] == {
        "actions": [
            *("Create", "Acknowledge", "UnAcknowledge", "Close", "AddNote", "AssignOwnership"),
            *("TakeOwnership", "UpdatePriority"),  # a channel hears who took it and priority changes
        ],
        "filter": {"type": "match-all"},
    }
    assert "customActions" not in created and "headers" not in created
    assert api.data(f"/v2/integrations/{created['id']}")["requestUrl"] == created["requestUrl"]


def test_the_request_url_secret_finds_only_its_own_integration(api, create_integration, db):
    first = create_integration(mattermost("first"))
    second = create_integration(mattermost("second"))
    keyed = create_integration({"name": "Prometheus", "type": "API"})
    secret = first["requestUrl"].rsplit("/", 1)[1]

    def find(integration_id: str, given: str) -> str | None:
        with db.read_session() as session:
            found = chat_kinds.find_by_request_secret(
                session, secret_key=SECRET_KEY, integration_id=integration_id, secret=given
            )
            return found.name if found else None

    assert find(first["id"], secret) == "first"
    assert find(second["id"], secret) is None
    assert find(first["id"], secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert find(first["id"], "") is None
    assert find(first["id"], "é" * 32) is None
    assert find(keyed["id"], secret) is None
    assert find("no-such-id", secret) is None


def test_a_disabled_integration_is_still_found_so_the_caller_can_say_it_is_disabled(
    api, create_integration, db
):
    created = create_integration(mattermost(enabled=False))
    with db.read_session() as session:
        found = chat_kinds.find_by_request_secret(
            session,
            secret_key=SECRET_KEY,
            integration_id=created["id"],
            secret=created["requestUrl"].rsplit("/", 1)[1],
        )
        assert found is not None and found.enabled is False


def test_rotating_the_signing_secret_gives_a_new_request_url(api, create_integration, db):
    created = create_integration(mattermost())
    old_secret = created["requestUrl"].rsplit("/", 1)[1]

    response = api.post(f"/v2/integrations/{created['id']}/rotate-signing-secret")

    assert response.status_code == 200, response.text
    new_url = response.json()["data"]["requestUrl"]
    assert new_url != created["requestUrl"]
    assert api.data(f"/v2/integrations/{created['id']}")["requestUrl"] == new_url
    with db.read_session() as session:
        for secret, expected in ((old_secret, False), (new_url.rsplit("/", 1)[1], True)):
            found = chat_kinds.find_by_request_secret(
                session, secret_key=SECRET_KEY, integration_id=created["id"], secret=secret
            )
            assert (found is not None) is expected


def test_the_command_token_is_kept_only_as_a_hash_and_can_be_removed(api, create_integration, db):
    created = create_integration(mattermost(commandToken="  9tgkd1ke3fgyd8t5zy7yxsijjr "))
    assert created["commandTokenSet"] is True and "commandToken" not in created
    integration = stored(db, created["id"])
    assert "9tgkd1ke3fgyd8t5zy7yxsijjr" not in str(integration.config)
    assert chat_kinds.command_token_matches(integration, "9tgkd1ke3fgyd8t5zy7yxsijjr")
    assert not chat_kinds.command_token_matches(integration, "9tgkd1ke3fgyd8t5zy7yxsijjR")
    assert not chat_kinds.command_token_matches(integration, None)
    assert not chat_kinds.command_token_matches(integration, "")

    response = api.patch(f"/v2/integrations/{created['id']}", json={"commandToken": ""})

    assert response.status_code == 200, response.text
    assert response.json()["data"]["commandTokenSet"] is False
    assert chat_kinds.command_token_matches(stored(db, created["id"]), None)


def test_an_update_without_a_token_keeps_the_stored_one(api, create_integration, db):
    created = create_integration(mattermost(commandToken="abc123"))
    response = api.patch(f"/v2/integrations/{created['id']}", json={"requireUserMatching": True})
    assert response.status_code == 200, response.text
    shown = response.json()["data"]
    assert (shown["requireUserMatching"], shown["commandTokenSet"]) == (True, True)
    integration = stored(db, created["id"])
    assert chat_kinds.requires_user_matching(integration)
    assert chat_kinds.command_token_matches(integration, "abc123")


def test_require_matching_a_user_is_set_at_creation(create_integration, db):
    created = create_integration(mattermost(requireUserMatching=True))
    assert created["requireUserMatching"] is True
    assert chat_kinds.requires_user_matching(stored(db, created["id"]))


def test_a_missing_or_private_mattermost_url_is_refused_and_nothing_stored(api, db):
    assert refused(api, {"name": "Mattermost", "type": "Mattermost"}) == (
        "url: a Mattermost integration needs the Mattermost URL: the URL of the incoming webhook "
        "it posts to (in Mattermost: Integrations > Incoming Webhooks)"
    )
    assert refused(api, mattermost(url="https://10.1.2.3/hooks/abc")) == (
        "url: https://10.1.2.3/hooks/abc points to a private address (10.1.2.3); "
        "allow it with TOCSIN_OUTBOUND_ALLOW=10.0.0.0/8"
    )
    assert refused(api, mattermost(url="ftp://chat.example.com/hooks/abc")).startswith("url: ")
    assert count(db) == 0


def test_a_private_mattermost_server_is_accepted_once_the_administrator_allows_it(db):
    changes = Changes(url="https://10.1.2.3/hooks/abc")
    with db.write_session() as session, pytest.raises(InvalidInput):
        integrations.create_integration(session, type="Mattermost", name="mm", changes=changes)
    with db.write_session() as session:
        integration, key = integrations.create_integration(
            session,
            type="Mattermost",
            name="mm",
            changes=changes,
            outbound=OutboundPolicy.parse("10.0.0.0/8"),
        )
        assert key == "" and integration.config["url"] == "https://10.1.2.3/hooks/abc"


def test_settings_mattermost_has_not_are_refused_with_what_to_do(api, db):
    assert refused(api, mattermost(customActions=["Restart"])) == (
        "customActions: Mattermost integrations post alerts to a channel and run no custom actions; "
        "only Webhook integrations do"
    )
    assert refused(api, mattermost(headers={"X-Team": "ops"})) == (
        "headers: Mattermost integrations have no headers; only Webhook integrations do"
    )
    assert refused(api, mattermost(commandToken="two words")) == (
        "commandToken: the command token is the Token Mattermost shows for the slash command: "
        "one word of at most 200 characters"
    )
    response = api.post("/v2/integrations", json=mattermost(requireUserMatching="sometimes"))
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"requireUserMatching"}
    assert count(db) == 0


def test_chat_settings_are_refused_for_kinds_that_are_not_chat(api, db, receiver):
    hook = {"name": "hooks", "type": "Webhook", "url": receiver.url()}
    assert refused(api, hook | {"requireUserMatching": True}) == (
        "requireUserMatching: Webhook integrations have no requireUserMatching; "
        "only HipChat, Mattermost and Slack integrations do"
    )
    assert refused(api, {"name": "am", "type": "API", "commandToken": "abc"}) == (
        "commandToken: API integrations have no commandToken; only Mattermost integrations do"
    )
    assert count(db) == 0


def test_a_team_owns_its_mattermost_integration_and_other_teams_do_not_see_it(
    cast, integration_key, create_integration
):
    ops_key = integration_key("ops-key", team="ops")
    created = create_integration(mattermost("ops-chat", ownerTeam={"name": "ops"}), client=ops_key)

    assert created["ownerTeam"]["name"] == "ops"
    assert ops_key.data(f"/v2/integrations/{created['id']}")["requestUrl"] == created["requestUrl"]
    db_key = integration_key("db-key", team="db")
    assert db_key.get(f"/v2/integrations/{created['id']}").status_code == 403
    assert (
        db_key.post("/v2/integrations", json=mattermost("db-chat", ownerTeam={"name": "ops"})).status_code
        == 403
    )


def test_the_request_secret_is_32_url_safe_characters_bound_to_the_server_key(db):
    with db.write_session() as session:
        integration, _ = integrations.create_integration(
            session,
            type="Mattermost",
            name="mm",
            changes=Changes(url=HOOK),
            outbound=OutboundPolicy.parse("127.0.0.0/8"),
        )
        secret = chat_kinds.request_secret(SECRET_KEY, integration)
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", secret)
        assert chat_kinds.request_secret("another-server", integration) != secret
        assert chat_kinds.request_url("https://tocsin.example", SECRET_KEY, integration) == (
            f"https://tocsin.example/chat/mattermost/{integration.id}/{secret}"
        )
