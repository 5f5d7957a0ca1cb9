"""Putting an engine together from the settings: its jobs, routers and channels."""

from __future__ import annotations

from datetime import timedelta

from tocsin import clock
from tocsin.accounts import web_sessions
from tocsin.alerts import actions, requests
from tocsin.chat.platforms import hipchat_delivery, mattermost_delivery, slack_delivery
from tocsin.config import Settings
from tocsin.engine.deliveries import BatchRouter, Channel, Deliveries, DeliverySettings, Router
from tocsin.engine.runner import EngineRunner, Job
from tocsin.escalations import progress
from tocsin.heartbeats import expiry as heartbeats
from tocsin.integrations import webhook
from tocsin.integrations.forwarding import Forwarder
from tocsin.notify import ntfy, shifts
from tocsin.notify.chat_dm import direct_channels
from tocsin.notify.email import EmailChannel, SmtpServer
from tocsin.notify.methods import configured
from tocsin.notify.outbox_destinations import ProbeSpacing
from tocsin.notify.router import AlertRouter
from tocsin.notify.twilio_channels import twilio_channels
from tocsin.policies.autoclose import AutoCloseRouter
from tocsin.writer import WriteQueue

CHAT_DELIVERIES = (mattermost_delivery, hipchat_delivery, slack_delivery)
"""Each chat platform's channel (posts into its chat) and what its forwarder builds."""


def default_jobs(settings: Settings, *, methods: frozenset[str] = frozenset()) -> list[Job]:
    keep = timedelta(days=settings.request_record_days)
    session_lifetimes = web_sessions.Lifetimes.from_settings(settings)
    return [
        Job("escalate", 0.5, lambda session: progress.fire_due(session, clock.now(), methods=methods)),
        Job("wake-snoozed", 1, lambda session: actions.wake_snoozed(session)),
        Job("heartbeats", 1, lambda session: heartbeats.expire_due(session)),
        Job(
            "shift-notices",
            30,
            lambda session: shifts.notify_shift_changes(session, clock.now(), methods=methods),
        ),
        Job(
            "purge-request-records",
            3600,
            lambda session: requests.purge_older_than(session, clock.now() - keep),
        ),
        Job(
            "purge-ended-sessions",
            3600,
            lambda session: web_sessions.purge_expired_sessions(session, session_lifetimes),
        ),
    ]


def channels(settings: Settings) -> list[Channel]:
    """The outside destinations this server can reach (e-mail only when SMTP is set up, SMS and
    calls only when Twilio is, ntfy push unless TOCSIN_NTFY_URL is set empty; direct messages on
    Mattermost and Slack always)."""
    found: list[Channel] = [webhook.from_settings(settings)]
    for platform in CHAT_DELIVERIES:
        channel = platform.from_settings(settings)
        if channel is not None:
            found.append(channel)
    if settings.smtp_host:
        found.append(EmailChannel(SmtpServer.from_settings(settings), settings.base_url))
    found += twilio_channels(settings)
    push = ntfy.from_settings(settings)
    if push is not None:
        found.append(push)
    found += direct_channels(settings)
    return found


def build_engine(settings: Settings, writer: WriteQueue) -> EngineRunner:
    """An engine whose database work runs in ``writer`` (give it one of its own: see
    ``tocsin.app``)."""
    outside = channels(settings)
    methods = configured(settings)
    routers: list[Router | BatchRouter] = [
        AlertRouter(methods=methods),
        Forwarder(
            {kind: sending for p in CHAT_DELIVERIES for kind, sending in p.forwarding(settings).items()}
        ),
        AutoCloseRouter(),
    ]
    deliveries = Deliveries(
        routers,
        outside,
        DeliverySettings(
            max_age=timedelta(hours=settings.delivery_max_age_hours),
            lease=timedelta(seconds=settings.delivery_lease_seconds),
            send_timeout=max(settings.smtp_timeout_seconds * 3, 5.0),
            batch=settings.delivery_batch,
            connections=settings.delivery_connections_per_destination,
            probes=ProbeSpacing(longest=timedelta(seconds=settings.delivery_probe_max_seconds)),
            stop_grace=settings.delivery_stop_grace_seconds,
            round_wait=settings.delivery_round_wait_seconds,
        ),
    )
    return EngineRunner(
        writer,
        default_jobs(settings, methods=methods),
        deliveries,
        single=writer.db.dialect == "sqlite",
        tick_seconds=settings.engine_tick_seconds,
        lease_ttl=timedelta(seconds=settings.engine_lease_seconds),
        listen_url=writer.db.url if writer.db.dialect == "postgresql" else None,
    )
