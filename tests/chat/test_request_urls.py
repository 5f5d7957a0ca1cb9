"""A Request URL works only at the platform it was made for: the secret of a Mattermost
integration's URL opens nothing under HipChat's or Slack's path."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tocsin.config import Settings
from tocsin.db import Database
from tocsin.integrations import chat_kinds
from tocsin.integrations import service as integrations
from tocsin.integrations.configuration import Changes
from tocsin.outbound import OutboundPolicy


def test_a_request_url_moved_to_another_platform_is_unknown(
    db: Database, settings: Settings, http: TestClient
) -> None:
    with db.write_session() as session:
        integration, _ = integrations.create_integration(
            session,
            type="Mattermost",
            name="ops-chat",
            changes=Changes(url="https://mattermost.test/hooks/abc"),
            outbound=OutboundPolicy.parse("mattermost.test"),
        )
        url = chat_kinds.request_url(settings.base_url, settings.effective_secret_key, integration)
    path = url.removeprefix(settings.base_url)

    descriptor = http.get(path.replace("/chat/mattermost/", "/chat/hipchat/"))
    ssl_check = http.get(path.replace("/chat/mattermost/", "/chat/slack/") + "?ssl_check=1")

    assert descriptor.status_code == 404
    assert "belongs to no Tocsin integration" in descriptor.json()["error"]
    assert ssl_check.status_code == 404
