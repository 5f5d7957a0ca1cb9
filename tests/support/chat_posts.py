"""Mattermost posts waiting in the outbox, as the forwarder leaves them, for tests and benchmarks
of their delivery: an integration posting to an incoming webhook, and posts ordered per alert."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tocsin import clock
from tocsin.db import Database
from tocsin.integrations.models import Integration
from tocsin.notify import outbox

TOPIC = "mattermost.post"
HOOK_PATH = "/hooks/xb8sj1ka6py3dmqbg6gm4kzhnr"


def add_hook(db: Database, url: str, name: str = "ops-chat") -> str:
    """A Mattermost integration posting to the incoming webhook at ``url``; its id."""
    with db.write_session() as session:
        integration = Integration(
            name=name,
            type="Mattermost",
            config={"url": url},
            outgoing_actions=["Create"],
            outgoing_filter={"type": "match-all"},
            created_at=clock.now(),
        )
        session.add(integration)
        session.flush()
        return integration.id


def queue_posts(db: Database, integration_id: str, posts: Sequence[tuple[str | None, int]]) -> None:
    """Posts ``"<alert> <n>"`` for ``(alert, n)`` pairs, ordered per alert (None: unordered)."""
    rows: list[dict[str, Any]] = [
        outbox.row(
            TOPIC,
            {
                "integrationId": integration_id,
                "integrationName": "ops-chat",
                "action": "Create",
                "body": {"text": f"{alert} {n}"},
            },
            destination="Mattermost ops-chat",
            ordering_key=f"{integration_id}:{alert}" if alert else None,
        )
        for alert, n in posts
    ]
    with db.write_session() as session:
        outbox.enqueue_many(session, rows)
