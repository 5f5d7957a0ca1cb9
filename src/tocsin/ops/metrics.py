"""The metrics Tocsin counts as it works (``tocsin_…``), in prometheus-client's default registry.

Labels are bounded: integration names (those that exist), route templates, channels (one per
kind of destination). Never an alert id, a person or a raw path. What is read from the
database at scrape time (outbox, engine, open alerts) is in ``metrics_collector``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client import Counter, Histogram, disable_created_metrics
from sqlalchemy.orm import Session

from tocsin.actors import Actor
from tocsin.ops.committed import on_commit

if TYPE_CHECKING:
    from tocsin.alerts.ingest import CreateOutcome

disable_created_metrics()  # no "_created" series beside each counter: half the scrape, never queried

NO_INTEGRATION = "(none)"
"""The integration label of alerts created otherwise: with an account API key, or by a person
from chat."""

ALERTS_CREATED = Counter(
    "tocsin_alerts_created", "Alerts created (a new alert), by integration.", ["integration"]
)
ALERTS_DEDUPLICATED = Counter(
    "tocsin_alerts_deduplicated",
    "Creates that counted one more occurrence of an open alert with the same alias, by integration.",
    ["integration"],
)
HTTP_REQUESTS = Counter(
    "tocsin_http_requests", "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)  # fmt: skip
HTTP_DURATION = Histogram(
    "tocsin_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by route template and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DELIVERIES = Counter(
    "tocsin_deliveries",
    "Messages the engine finished trying to deliver, by channel and outcome: sent, failed (to be "
    "retried) or dead (given up).",
    ["channel", "outcome"],
)
NOTIFICATION_LATENCY = Histogram(
    "tocsin_notification_latency_seconds",
    "Time from an alert's creation to the first notification sent to a person about it.",
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300),
)

PERSONAL_TOPICS = (
    "notify.email",
    "notify.sms",
    "notify.voice",
    "notify.ntfy",
    "notify.mattermost",
    "notify.slack",
)
"""Notifications to a person (for the notification latency)."""


def channel_of(topic: str) -> str:
    """The channel a message of ``topic`` goes through: ``notify.sms`` → ``sms``,
    ``mattermost.post`` → ``mattermost``, ``webhook.send`` → ``webhook``."""
    kind, _, rest = topic.partition(".")
    return rest if kind == "notify" else kind


def integration_label(actor: Actor) -> str:
    """The integration's name when an integration acted as itself (its key; chat as an unlinked
    user); never a person's name."""
    return actor.name if actor.integration_id and actor.user_id is None else NO_INTEGRATION


def count_creates(session: Session, outcomes: Iterable[tuple[Actor, CreateOutcome]]) -> None:
    """Count creates (new or de-duplicated) by integration once ``session`` commits."""
    created: dict[str, int] = {}
    deduplicated: dict[str, int] = {}
    for actor, outcome in outcomes:
        into = deduplicated if outcome.deduplicated else created
        integration = integration_label(actor)
        into[integration] = into.get(integration, 0) + 1

    def count() -> None:
        for integration, number in created.items():
            ALERTS_CREATED.labels(integration).inc(number)
        for integration, number in deduplicated.items():
            ALERTS_DEDUPLICATED.labels(integration).inc(number)

    if created or deduplicated:
        on_commit(session, count)


def count_deliveries(session: Session, outcomes: Iterable[tuple[str, str]]) -> None:
    """Count finished deliveries, (topic, "sent" | "failed" | "dead"), once ``session`` commits."""
    counted: dict[tuple[str, str], int] = {}
    for topic, outcome in outcomes:
        key = (channel_of(topic), outcome)
        counted[key] = counted.get(key, 0) + 1

    def count() -> None:
        for (channel, outcome), number in counted.items():
            DELIVERIES.labels(channel, outcome).inc(number)

    if counted:
        on_commit(session, count)


def observe_notification_latency(session: Session, created: Iterable[datetime], now: datetime) -> None:
    """Observe, once ``session`` commits, how long after their alerts' creation first notifications went."""
    seconds = [max(0.0, (now - at).total_seconds()) for at in created]

    def observe() -> None:
        for value in seconds:
            NOTIFICATION_LATENCY.observe(value)

    if seconds:
        on_commit(session, observe)
