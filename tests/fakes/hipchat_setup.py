"""Putting a HipChat integration of Tocsin in place for tests: an integration whose HipChat URL is
the fake's, its Capabilities URL, and what it keeps of its installation."""

from __future__ import annotations

from typing import Any

from tests.fakes.hipchat import FakeHipChat
from tests.support.chat_integration import add_chat_integration
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.integrations.configuration import Changes
from tocsin.integrations.models import Integration


def add_hipchat(
    db: Database,
    settings: Settings,
    fake: FakeHipChat,
    name: str = "ops-room",
    *,
    require_matching: bool = False,
    forwarded: tuple[str, ...] | None = None,
) -> tuple[str, str]:
    """A HipChat integration on the fake's server: its id and Capabilities URL. ``forwarded``:
    the alert actions it posts in its room (by default, those of every new chat integration)."""
    changes = Changes(
        url=fake.base_url,
        require_user_matching=require_matching,
        outgoing_actions=None if forwarded is None else list(forwarded),
    )
    return add_chat_integration(db, settings, "HipChat", changes, name)


def config_of(db: Database, integration_id: str) -> dict[str, Any]:
    with db.read_session() as session:
        integration = session.get(Integration, integration_id)
        assert integration is not None
        return dict(integration.config or {})
