"""``tocsin integration create|update|show|list|enable|disable|delete``, run as the real console script."""

from __future__ import annotations

from datetime import timedelta

from tests.support.api import ApiClient
from tests.support.factories import make_team
from tests.test_cli import Tocsin
from tocsin.integrations import chat_kinds
from tocsin.integrations import service as integrations


def test_create_list_and_delete_by_name(tocsin: Tocsin, db) -> None:
    make_team(db, "ops")
    tocsin.ok("integration", "create", "--name", "Prometheus")
    tocsin.ok("integration", "create", "--name", "ops-api", "--type", "api", "--team", "ops")
    assert tocsin.ok("integration", "list") == [
        "ops-api\tAPI\tenabled\tops\t-",
        "Prometheus\tAPI\tenabled\t-\t-",
    ]
    assert tocsin.ok("integration", "list", "--team", "ops") == ["ops-api\tAPI\tenabled\tops\t-"]
    assert tocsin.ok("integration", "delete", "PROMETHEUS") == ["Deleted integration PROMETHEUS."]
    assert tocsin.ok("integration", "list", "--type", "API") == ["ops-api\tAPI\tenabled\tops\t-"]


def test_disable_by_name_makes_the_key_refused_and_enable_brings_it_back(
    tocsin: Tocsin, http, frozen_clock
) -> None:
    key = tocsin.ok("integration", "create", "--name", "Prometheus")[-1]
    sender = ApiClient(http, key)
    assert sender.post("/v2/alerts", json={"message": "disk full"}).status_code == 202

    assert tocsin.ok("integration", "disable", "prometheus") == [
        "Disabled integration prometheus. Its key is refused within a few seconds."
    ]
    frozen_clock.advance(timedelta(seconds=3))  # the server's cache of recognised keys expires
    refused = sender.post("/v2/alerts", json={"message": "disk full"})
    assert refused.status_code == 401
    assert refused.json()["message"] == "Could not authenticate: integration Prometheus is disabled"
    assert tocsin.ok("integration", "list") == ["Prometheus\tAPI\tdisabled\t-\t-"]

    tocsin.ok("integration", "enable", "Prometheus")
    frozen_clock.advance(timedelta(seconds=3))
    assert sender.post("/v2/alerts", json={"message": "disk full"}).status_code == 202


def test_a_webhook_is_created_with_its_url_and_prints_its_signing_secret(tocsin: Tocsin, db) -> None:
    allowed = Tocsin({**tocsin.environment, "TOCSIN_OUTBOUND_ALLOW": "10.0.0.0/8"})
    lines = allowed.ok("integration", "create", "--type", "Webhook", "--name", "hooks", "--webhook-url",
                       "https://10.1.2.3/hook")  # fmt: skip
    assert lines[0] == "Created Webhook integration hooks. Signing secret:"
    assert lines[-1].startswith("whsec_")
    assert tocsin.ok("integration", "list") == [
        "hooks\tWebhook\tenabled\t-\tCreate,Acknowledge,UnAcknowledge,Close,AddNote,AssignOwnership"
    ]
    with db.read_session() as session:
        assert integrations.find_integration(session, name="hooks").config["url"] == "https://10.1.2.3/hook"


def test_bad_input_is_one_line_and_stores_nothing(tocsin: Tocsin) -> None:
    private = tocsin("integration", "create", "--type", "Webhook", "--name", "hooks", "--webhook-url",
                     "https://10.1.2.3/hook")  # fmt: skip
    assert private.returncode == 1
    assert private.stderr == (
        "error: https://10.1.2.3/hook points to a private address (10.1.2.3); "
        "allow it with TOCSIN_OUTBOUND_ALLOW=10.0.0.0/8\n"
    )
    missing = tocsin("integration", "create", "--type", "Webhook", "--name", "hooks")
    assert missing.stderr == "error: a Webhook integration needs the url it posts to\n"
    unknown = tocsin("integration", "disable", "nothing")
    assert unknown.returncode == 1
    assert unknown.stderr == "error: no integration 'nothing' (tocsin integration list shows the names)\n"
    tocsin.ok("integration", "create", "--name", "Prometheus")
    duplicate = tocsin("integration", "create", "--name", "prometheus")
    assert duplicate.stderr == (
        "error: an integration named 'Prometheus' already exists; choose another name\n"
    )
    assert tocsin.ok("integration", "list") == ["Prometheus\tAPI\tenabled\t-\t-"]


def test_an_unknown_type_is_refused_naming_the_types(tocsin: Tocsin) -> None:
    result = tocsin("integration", "list", "--type", "pigeon")
    assert (
        result.stderr
        == "error: integration type must be one of API, Webhook, Heartbeat, Mattermost, HipChat, Slack, "
        "got 'pigeon'\n"
    )


def test_a_mattermost_integration_prints_its_request_url_on_the_last_line(tocsin: Tocsin, db) -> None:
    make_team(db, "ops")
    chat = Tocsin(
        {
            **tocsin.environment,
            "TOCSIN_OUTBOUND_ALLOW": "10.0.0.0/8",
            "TOCSIN_PUBLIC_BASE_URL": "https://tocsin.example",
            "TOCSIN_SECRET_KEY": "cli-secret",
        }
    )
    lines = chat.ok("integration", "create", "--type", "mattermost", "--name", "ops-chat", "--team", "ops",
                    "--webhook-url", "https://10.1.2.3/hooks/abc", "--require-user-matching",
                    "--command-token", "9tgkd1ke3fgyd8t5zy7yxsijjr")  # fmt: skip

    with db.read_session() as session:
        integration = integrations.find_integration(session, name="ops-chat")
        request_url = chat_kinds.request_url("https://tocsin.example", "cli-secret", integration)
        assert integration.config["url"] == "https://10.1.2.3/hooks/abc"
        assert chat_kinds.requires_user_matching(integration)
        assert chat_kinds.command_token_matches(integration, "9tgkd1ke3fgyd8t5zy7yxsijjr")
    assert lines == [
        "Created Mattermost integration ops-chat owned by team ops. "
        "Paste this Request URL into the /genie slash command in Mattermost:",
        request_url,
    ]
    assert chat.ok("integration", "show", "OPS-CHAT") == [
        "Name: ops-chat",
        "Type: Mattermost",
        "Team: ops",
        "Enabled: yes",
        "Mattermost URL: https://10.1.2.3/hooks/abc",
        "Forwards: Create, Acknowledge, UnAcknowledge, Close, AddNote, AssignOwnership, TakeOwnership, "
        "UpdatePriority",
        'Filter: {"type": "match-all"}',
        "Require matching a user: yes",
        "Command token: set",
        f"Request URL: {request_url}",
    ]


def test_show_prints_a_webhooks_url_and_signing_secret_and_an_api_integrations_basics(tocsin: Tocsin) -> None:
    allowed = Tocsin({**tocsin.environment, "TOCSIN_OUTBOUND_ALLOW": "10.0.0.0/8"})
    secret = allowed.ok("integration", "create", "--type", "Webhook", "--name", "hooks", "--webhook-url",
                        "https://10.1.2.3/hook")[-1]  # fmt: skip
    shown = allowed.ok("integration", "show", "hooks")
    assert shown[4] == "URL: https://10.1.2.3/hook"
    assert shown[-1] == f"Signing secret: {secret}"
    tocsin.ok("integration", "create", "--name", "Prometheus")
    assert tocsin.ok("integration", "show", "prometheus") == [
        "Name: Prometheus",
        "Type: API",
        "Team: -",
        "Enabled: yes",
    ]
    unknown = tocsin("integration", "show", "nothing")
    assert unknown.stderr == "error: no integration 'nothing' (tocsin integration list shows the names)\n"


def test_options_a_kind_has_not_are_refused_in_one_line_and_nothing_is_stored(tocsin: Tocsin) -> None:
    url_for_api = tocsin(
        "integration", "create", "--name", "Prometheus", "--webhook-url", "https://x.example/"
    )
    assert url_for_api.returncode == 1
    assert url_for_api.stderr == (
        "error: --webhook-url is for HipChat, Mattermost, Slack and Webhook integrations; "
        "API integrations have no URL\n"
    )
    matching_for_webhook = tocsin("integration", "create", "--type", "Webhook", "--name", "hooks",
                                  "--webhook-url", "https://x.example/",
                                  "--require-user-matching")  # fmt: skip
    assert matching_for_webhook.stderr == (
        "error: --require-user-matching is for HipChat, Mattermost and Slack integrations, not Webhook\n"
    )
    token_for_api = tocsin("integration", "create", "--name", "Prometheus", "--command-token", "abc")
    assert token_for_api.stderr == "error: --command-token is for Mattermost integrations, not API\n"
    no_url = tocsin("integration", "create", "--type", "Mattermost", "--name", "chat")
    assert no_url.stderr == (
        "error: a Mattermost integration needs the Mattermost URL: the URL of the incoming webhook "
        "it posts to (in Mattermost: Integrations > Incoming Webhooks)\n"
    )
    assert tocsin.ok("integration", "list") == []


SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def chat_cli(tocsin: Tocsin) -> Tocsin:
    """The CLI of a server at https://tocsin.example whose chat platforms are on 10.0.0.0/8."""
    return Tocsin(
        {
            **tocsin.environment,
            "TOCSIN_OUTBOUND_ALLOW": "10.0.0.0/8",
            "TOCSIN_PUBLIC_BASE_URL": "https://tocsin.example",
            "TOCSIN_SECRET_KEY": "cli-secret",
        }
    )


def chat_url_of(db, name: str) -> str:
    """The Request URL (HipChat: Capabilities URL) of chat integration ``name`` on that server."""
    with db.read_session() as session:
        integration = integrations.find_integration(session, name=name)
        url = chat_kinds.request_url("https://tocsin.example", "cli-secret", integration)
    assert url.startswith(f"https://tocsin.example/chat/{integration.type.lower()}/{integration.id}/")
    return url


def create_chat(chat: Tocsin, db, name: str, *options: str) -> tuple[str, str, list[str]]:
    """``integration create --name name *options``: the sentence printed above the URL, the URL
    (checked to be the integration's Request URL, alone on the last line), and what
    ``integration show`` prints of it."""
    lines = chat.ok("integration", "create", "--name", name, *options)
    url = chat_url_of(db, name)
    assert lines[1:] == [url]
    return lines[0], url, chat.ok("integration", "show", name)


def test_a_slack_integration_prints_its_request_url_and_its_signing_secret_can_be_changed(
    tocsin: Tocsin, db
) -> None:
    make_team(db, "ops")
    chat = chat_cli(tocsin)
    said, request_url, shown = create_chat(
        chat, db, "ops-slack", "--type", "slack", "--team", "ops",
        "--url", "https://10.1.2.3/services/T1/B2/x", "--slack-signing-secret", SLACK_SECRET,
        "--require-user-matching",
    )  # fmt: skip

    with db.read_session() as session:
        integration = integrations.find_integration(session, name="ops-slack")
        assert integration.config["url"] == "https://10.1.2.3/services/T1/B2/x"
        assert chat_kinds.slack_signing_secret(integration) == SLACK_SECRET
    assert said == (
        "Created Slack integration ops-slack owned by team ops. "
        "Paste this Request URL into your Slack app's /genie slash command and its Interactivity:"
    )
    assert shown[4] == "Slack URL: https://10.1.2.3/services/T1/B2/x"
    assert shown[-3:] == [
        "Require matching a user: yes",
        "Signing secret: set",
        f"Request URL: {request_url}",
    ]
    assert SLACK_SECRET not in "\n".join(shown)

    assert chat.ok("integration", "update", "ops-slack", "--slack-signing-secret", "NewSecret123",
                   "--no-require-user-matching") == ["Updated Slack integration ops-slack."]  # fmt: skip
    bad = chat("integration", "update", "ops-slack", "--slack-signing-secret", "not secret!")
    assert bad.returncode == 1 and bad.stderr.startswith("error: the Signing Secret is the one Slack shows")
    with db.read_session() as session:
        integration = integrations.find_integration(session, name="ops-slack")
        assert chat_kinds.slack_signing_secret(integration) == "NewSecret123"
        assert not chat_kinds.requires_user_matching(integration)
    assert chat_url_of(db, "ops-slack") == request_url


def test_a_hipchat_integration_prints_its_capabilities_url_and_where_it_is_installed(
    tocsin: Tocsin, db
) -> None:
    chat = chat_cli(tocsin)
    said, capabilities_url, shown = create_chat(
        chat, db, "rooms", "--type", "HipChat", "--webhook-url", "https://10.1.2.3"
    )

    assert said == (
        "Created HipChat integration rooms. Install it in a HipChat room (Integrations > Install an "
        "integration from a descriptor URL) with this Capabilities URL:"
    )
    assert shown[4] == "HipChat URL: https://10.1.2.3"
    assert shown[-2:] == ["Installation: Not installed yet", f"Capabilities URL: {capabilities_url}"]

    with db.write_session() as session:
        integration = integrations.find_integration(session, name="rooms")
        integration.config = integration.config | {
            "hipchatInstallation": {"oauthId": "cba74fbc-0d9b", "oauthSecret": "NothWQzSecretValue42",
                                    "groupId": 1, "groupName": "Acme", "roomId": 100,
                                    "installedAt": "2024-05-02T10:00:00+00:00"}
        }  # fmt: skip
    shown = chat.ok("integration", "show", "rooms")
    assert shown[-2] == "Installation: Installed in room 100 of Acme since 2024-05-02"
    assert "NothWQzSecretValue42" not in "\n".join(shown) and "cba74fbc" not in "\n".join(shown)


def test_chat_options_of_another_kind_and_a_missing_signing_secret_are_refused(tocsin: Tocsin) -> None:
    chat = chat_cli(tocsin)
    secret_for_hipchat = chat("integration", "create", "--type", "HipChat", "--name", "rooms", "--url",
                              "https://10.1.2.3", "--slack-signing-secret", SLACK_SECRET)  # fmt: skip
    assert (
        secret_for_hipchat.stderr == "error: --slack-signing-secret is for Slack integrations, not HipChat\n"
    )
    token_for_slack = chat("integration", "create", "--type", "Slack", "--name", "slack", "--url",
                           "https://10.1.2.3/services/x", "--slack-signing-secret", SLACK_SECRET,
                           "--command-token", "abc")  # fmt: skip
    assert token_for_slack.stderr == "error: --command-token is for Mattermost integrations, not Slack\n"
    no_secret = chat("integration", "create", "--type", "Slack", "--name", "slack", "--url",
                     "https://10.1.2.3/services/x")  # fmt: skip
    assert no_secret.returncode == 1
    assert no_secret.stderr.startswith(
        "error: a Slack integration needs the Signing Secret of your Slack app"
    )
    no_url = chat("integration", "create", "--type", "HipChat", "--name", "rooms")
    assert no_url.stderr.startswith("error: a HipChat integration needs the HipChat URL")
    assert chat.ok("integration", "list") == []


def test_the_help_says_what_the_url_is_for_each_kind(tocsin: Tocsin) -> None:
    wide = Tocsin({**tocsin.environment, "COLUMNS": "200"})
    shown = " ".join(" ".join(wide.ok("integration", "create", "--help")).replace("│", " ").split())
    assert "--webhook-url,--url" in shown and "--slack-signing-secret" in shown
    assert "Mattermost, Slack: the URL of the incoming webhook alerts are posted through" in shown
    assert "HipChat: the HipChat server, https://api.hipchat.com or your own" in shown
