"""Putting a chat integration (Mattermost, Slack, HipChat) of Tocsin in place for tests: allowed to
reach the fakes on loopback, with the Request URL its platform is given."""

from __future__ import annotations

from tocsin.config import Settings
from tocsin.db import Database
from tocsin.integrations import chat_kinds
from tocsin.integrations import service as integrations
from tocsin.integrations.configuration import Changes
from tocsin.outbound import OutboundPolicy

LOOPBACK = "127.0.0.0/8"


def add_chat_integration(
    db: Database, settings: Settings, type: str, changes: Changes, name: str = "ops-chat"
) -> tuple[str, str]:
    """A chat integration of kind ``type``: its id and Request URL."""
    with db.write_session() as session:
        integration, _ = integrations.create_integration(
            session, type=type, name=name, changes=changes, outbound=OutboundPolicy.parse(LOOPBACK)
        )
        url = chat_kinds.request_url(settings.base_url, settings.effective_secret_key, integration)
        return integration.id, url
