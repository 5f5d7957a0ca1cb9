"""What a scrape reads from the database, as it is at that moment: the outbox's backlog per
kind of message, how long ago an engine ticked, the open alerts per priority and the watchdog's
problems. A handful of cheap statements (grouped counts on indexes), whatever is stored."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.alerts.models import Alert
from tocsin.alerts.service import is_open
from tocsin.db import Database, table_of
from tocsin.ops import liveness

log = logging.getLogger(__name__)
PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
PROBLEMS = ("engine_silent", "outbox_stuck")

alerts = table_of(Alert)
OPEN_BY_PRIORITY = select(alerts.c.priority, func.count()).where(is_open()).group_by(alerts.c.priority)
"""Counted on the partial index of open alerts' priorities alone: no alert row is read. The
literal ``'open'`` lets both databases see that the partial index applies."""


def open_alerts_by_priority(session: Session) -> dict[str, int]:
    counts = dict.fromkeys(PRIORITIES, 0)
    for priority, number in session.connection().execute(OPEN_BY_PRIORITY):
        counts[priority] = number
    return counts


class DatabaseCollector(Collector):
    def __init__(self, db: Database, stale: timedelta = liveness.STALE) -> None:
        self.db = db
        self.stale = stale
        """The watchdog's threshold (TOCSIN_WATCHDOG_STALE_SECONDS), so both name the same problems."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        reachable = GaugeMetricFamily(
            "tocsin_database_up", "1 when the scrape could read the database, 0 when it could not."
        )
        now = clock.now()
        try:
            with self.db.read_session() as session:
                seen = liveness.read(session, now)
                open_alerts = open_alerts_by_priority(session)
        except SQLAlchemyError as error:  # the counters are still worth a scrape; say what is wrong
            log.warning("metrics could not read the database: %s", error)
            reachable.add_metric([], 0)
            yield reachable
            return
        reachable.add_metric([], 1)
        yield reachable
        depth = GaugeMetricFamily(
            "tocsin_outbox_messages",
            "Messages waiting in the outbox (not yet delivered nor given up), by kind (topic).",
            labels=["topic"],
        )
        due = GaugeMetricFamily(
            "tocsin_outbox_due_messages", "Of those, the messages whose time has come.", labels=["topic"]
        )
        age = GaugeMetricFamily(
            "tocsin_outbox_oldest_due_age_seconds",
            "How long the longest-waiting due message of each kind has been due (0: none due).",
            labels=["topic"],
        )
        for backlog in seen.outbox:
            depth.add_metric([backlog.topic], backlog.depth)
            due.add_metric([backlog.topic], backlog.due)
            age.add_metric([backlog.topic], backlog.oldest_due_age(now).total_seconds())
        yield from (depth, due, age)
        lag = GaugeMetricFamily(
            "tocsin_engine_tick_lag_seconds",
            "Seconds since an engine last ticked (absent while no engine has ever run).",
        )
        if seen.engine_tick_age is not None:
            lag.add_metric([], seen.engine_tick_age.total_seconds())
        yield lag
        by_priority = GaugeMetricFamily(
            "tocsin_open_alerts", "Open alerts, by priority.", labels=["priority"]
        )
        for priority, number in open_alerts.items():
            by_priority.add_metric([priority], number)
        yield by_priority
        problems = {problem.key for problem in seen.problems(self.stale)}
        watchdog = GaugeMetricFamily(
            "tocsin_watchdog_problem",
            "1 while the watchdog sees the problem (engine_silent: no engine tick for a minute; "
            "outbox_stuck: a due message waiting for over a minute), else 0.",
            labels=["problem"],
        )
        for key in PROBLEMS:
            watchdog.add_metric([key], 1 if key in problems else 0)
        yield watchdog
