"""Which notifications just sent were the first to a person about their alert: the notification
latency (alert created → first notification sent) is observed once per alert, for those."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.db import table_of
from tocsin.notify.outbox import Claimed, outbox
from tocsin.ops import metrics

alerts = table_of(Alert)


def observe(session: Session, sent: Sequence[Claimed], now: datetime) -> None:
    """Observe the latency of the alerts whose first notification to a person is among ``sent``
    (just marked delivered in ``session``), in one statement."""
    personal = [message for message in sent if message.topic in metrics.PERSONAL_TOPICS and message.alert_id]
    if not personal:
        return
    earlier = outbox.alias("earlier")
    sent_before = exists().where(
        earlier.c.alert_id == alerts.c.id,
        earlier.c.topic.in_(metrics.PERSONAL_TOPICS),
        earlier.c.state == "delivered",
        earlier.c.last_error == "",  # delivered with a note: skipped, not sent
        earlier.c.id.not_in([message.id for message in personal]),
    )
    created = session.connection().execute(
        select(alerts.c.created_at).where(
            and_(alerts.c.id.in_({message.alert_id for message in personal}), ~sent_before)
        )
    )
    metrics.observe_notification_latency(session, created.scalars(), now)
