"""``tocsin contact test USER CONTACT_ID`` through the real console script: it queues a test
push for the engine, and says why not where it cannot."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from tests.support.factories import make_user
from tests.test_cli import Tocsin, tocsin  # noqa: F401  (fixture)
from tocsin.db import Database
from tocsin.notify.ntfy import TOPIC
from tocsin.notify.outbox import OutboxMessage


def test_a_test_push_is_queued_for_the_contact(tocsin: Tocsin, database_url: str) -> None:  # noqa: F811
    db = Database(database_url)
    try:
        make_user(db, "ann@example.com")
        added = tocsin.ok("contact", "add", "ann@example.com", "ntfy", "ann-pager")
        contact_id = added[0].split("\t")[0].removeprefix("Added: ")

        said = tocsin.ok("contact", "test", "ann@example.com", contact_id)

        assert said == ["A test notification is on its way to ann-pager by ntfy."]
        with db.read_session() as session:
            [queued] = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == TOPIC)).all()
            assert queued.destination == "ann-pager"
            assert queued.payload["kind"] == "test" and queued.payload["by"] == "tocsin (CLI)"

        off = replace(tocsin, environment={**tocsin.environment, "TOCSIN_NTFY_URL": ""})
        refused = off("contact", "test", "ann@example.com", contact_id)
        assert refused.returncode == 1
        assert refused.stderr.strip() == "error: ntfy push is not set up on this server (TOCSIN_NTFY_URL)"
    finally:
        db.dispose()
