"""Putting an engine together from the settings: its jobs, routers and channels."""

from __future__ import annotations

from datetime import timedelta

from tocsin import clock
from tocsin.alerts import actions, requests
from tocsin.config import Settings
from tocsin.engine.deliveries import Channel, Deliveries, DeliverySettings, Router
from tocsin.engine.runner import EngineRunner, Job
from tocsin.notify.email import EmailChannel, SmtpServer
from tocsin.writer import WriteQueue


def default_jobs(settings: Settings) -> list[Job]:
    keep = timedelta(days=settings.request_record_days)
    return [
        Job("wake-snoozed", 1, lambda session: actions.wake_snoozed(session)),
        Job(
            "purge-request-records",
            3600,
            lambda session: requests.purge_older_than(session, clock.now() - keep),
        ),
    ]


def channels(settings: Settings) -> list[Channel]:
    """The outside destinations this server can reach (e-mail only when SMTP is set up)."""
    found: list[Channel] = []
    if settings.smtp_host:
        found.append(EmailChannel(SmtpServer.from_settings(settings), settings.base_url))
    return found


def build_engine(
    settings: Settings, writer: WriteQueue, *, routers: list[Router] | None = None
) -> EngineRunner:
    deliveries = Deliveries(
        routers or [],
        channels(settings),
        DeliverySettings(max_age=timedelta(hours=settings.delivery_max_age_hours)),
    )
    return EngineRunner(
        writer,
        default_jobs(settings),
        deliveries,
        single=writer.db.dialect == "sqlite",
        tick_seconds=settings.engine_tick_seconds,
    )
