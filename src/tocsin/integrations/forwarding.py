"""Forwarding alert activity to outgoing integrations: the engine's router for ``alert.activity``
events. Each enabled integration that forwards the action, is not paused by a maintenance
window, may see the alert and whose filter matches it gets a delivery in the outbox (topic per
kind, ``outgoing.SENDERS``) whose body is built now, as the alert is at this moment, by the
kind's ``Sending`` (a Webhook's: Opsgenie's webhook JSON; a chat kind's: its post)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.alerts.models import Alert
from tocsin.alerts.responders import prefetched_responders, stored_responders
from tocsin.alerts.service import alerts_by_id
from tocsin.conditions import facts_of_alert, parse_filter
from tocsin.integrations import configuration, outgoing
from tocsin.integrations.body import event_body
from tocsin.integrations.chat_bots import bot_of
from tocsin.integrations.models import Integration
from tocsin.maintenance.switches import active_switches
from tocsin.notify import outbox
from tocsin.notify.outbox import Claimed

TOPIC = "alert.activity"
SUMMARY_TOPIC = "alert.activity_summary"


def may_see_alert(session: Session, integration: Integration, alert: Alert) -> bool:
    """A global integration sees every alert; a team's, the alerts its team owns or responds to
    (or may see)."""
    if integration.team_id is None or alert.owner_team_id == integration.team_id:
        return True
    rows = stored_responders(session, [alert.id])[alert.id]
    return any(row.type == "team" and row.ref_id == integration.team_id for row in rows)


def sending_integrations(session: Session, now: datetime) -> list[Integration]:
    """Enabled integrations of kinds that send, less those a maintenance window pauses."""
    switches = active_switches(session, now)
    found = session.scalars(
        select(Integration)
        .where(Integration.enabled.is_(True), Integration.type.in_(list(outgoing.SENDERS)))
        .order_by(Integration.name)
    )
    return [integration for integration in found if not switches.integration_paused(integration.id)]


def enqueue_delivery(
    session: Session,
    integration: Integration,
    alert: Alert,
    body: dict[str, Any],
    *,
    ordering_key: str | None = None,
    destination: str | None = None,
    **extra: Any,
) -> None:
    """Leave the delivery in the outbox; its ``destination`` (shown to people reading the
    outbox) is the integration's URL unless given."""
    outbox.enqueue_many(
        session,
        [delivery_row(integration, alert, body, ordering_key=ordering_key, destination=destination, **extra)],
    )


def delivery_row(
    integration: Integration,
    alert: Alert,
    body: dict[str, Any],
    *,
    ordering_key: str | None = None,
    destination: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return outbox.row(
        outgoing.SENDERS[integration.type],
        {"integrationId": integration.id, "integrationName": integration.name, "body": body, **extra},
        destination=destination or configuration.url_of(integration) or integration.name,
        alert_id=alert.id,
        ordering_key=ordering_key,
    )


BodyBuilder = Callable[[Session, Alert, Integration, dict[str, Any]], dict[str, Any]]
SummaryBuilder = Callable[[Session, list[Alert], Integration, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Sending:
    """How an integration kind's deliveries are made from an activity event."""

    body: BodyBuilder
    ordered: bool = False
    """Whether its deliveries about one alert go out one after another, in order (a chat
    channel's posts read as a story); a webhook's go out at once, as Opsgenie's do."""
    secret_url: bool = False
    """Whether the URL is a secret (a chat hook's: whoever has it can post): the outbox then
    names the integration instead."""
    summary: SummaryBuilder | None = None
    """The one post about a command's change to many alerts (a chat channel's), which then
    stands for the post of each; None: each change is delivered on its own (a webhook's)."""
    live_card: Callable[[Integration], bool] = lambda integration: False
    """Whether the integration keeps a live card per alert (chat bot mode): a bulk command's
    changes still edit each card, and only their follow-ups give way to the summary."""


WEBHOOK = Sending(event_body)


class Forwarder:
    """Router of ``alert.activity`` events to the integrations that forward them. Knows Webhooks;
    other kinds are given (``kinds``) by whoever builds the engine."""

    topics: tuple[str, ...] = (TOPIC, SUMMARY_TOPIC)

    def __init__(self, kinds: Mapping[str, Sending] | None = None) -> None:
        self.kinds: dict[str, Sending] = {"Webhook": WEBHOOK, **(kinds or {})}

    def handle_batch(self, session: Session, messages: list[Claimed]) -> None:
        """The deliveries of a claimed batch of events: the sending integrations are looked up
        once, the alerts and their responders read in one query each, and the deliveries written
        in one INSERT, in the order of the events."""
        alerts = alerts_by_id(session, {alert_id for message in messages for alert_id in _alert_ids(message)})
        senders = sending_integrations(session, clock.now())
        rows: list[dict[str, Any]] = []
        with prefetched_responders(session, list(alerts)):
            for message in messages:
                if message.topic == SUMMARY_TOPIC:
                    about = [alerts[alert_id] for alert_id in _alert_ids(message) if alert_id in alerts]
                    rows += self._summaries(session, senders, about, message.payload)
                    continue
                alert = alerts.get(message.payload["alertId"])
                if alert is not None:
                    rows += self._deliveries(session, senders, alert, message.payload)
        outbox.enqueue_many(session, rows)

    def _summaries(
        self, session: Session, senders: list[Integration], alerts: list[Alert], event: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """One delivery per integration that would have posted about any of ``alerts``, about
        those it would have posted about."""
        rows = []
        for integration in senders:
            sending = self.kinds.get(integration.type)
            if (
                sending is None
                or sending.summary is None
                or event["action"] not in integration.outgoing_actions
            ):
                continue
            wanted = parse_filter(integration.outgoing_filter or None)
            taken = [
                alert
                for alert in alerts
                if may_see_alert(session, integration, alert)
                and wanted.matches(facts_of_alert(session, alert))
            ]
            if taken:
                rows.append(
                    delivery_row(
                        integration,
                        taken[0],
                        sending.summary(session, taken, integration, event),
                        ordering_key=f"{integration.id}:summaries",
                        destination=f"{integration.type} {integration.name}" if sending.secret_url else None,
                        action=event["action"],
                    )
                )
        return rows

    def _deliveries(
        self, session: Session, senders: list[Integration], alert: Alert, event: dict[str, Any]
    ) -> list[dict[str, Any]]:
        action = event["action"]
        takers = [
            integration
            for integration in senders
            if integration.type in self.kinds
            and action in integration.outgoing_actions
            and not _summarized_for(self.kinds[integration.type], integration, event)
            and not _ran_it_directly(integration, event)
            and may_see_alert(session, integration, alert)
        ]
        if not takers:
            return []
        facts = facts_of_alert(session, alert)
        rows = []
        for integration in takers:
            if parse_filter(integration.outgoing_filter or None).matches(facts):
                sending = self.kinds[integration.type]
                rows.append(
                    delivery_row(
                        integration,
                        alert,
                        sending.body(session, alert, integration, event),
                        ordering_key=f"{integration.id}:{alert.id}" if sending.ordered else None,
                        destination=f"{integration.type} {integration.name}" if sending.secret_url else None,
                        action=action,
                    )
                )
        return rows


def _summarized_for(sending: Sending, integration: Integration, event: dict[str, Any]) -> bool:
    """Whether a summary post stands for this event's delivery to ``integration``."""
    return (
        bool(event.get("summarized")) and sending.summary is not None and not sending.live_card(integration)
    )


def _alert_ids(message: Claimed) -> list[str]:
    payload = message.payload
    return list(payload["alertIds"]) if message.topic == SUMMARY_TOPIC else [payload["alertId"]]


def posts_about(session: Session, integration: Integration, alert: Alert, action: str) -> bool:
    """Whether ``integration`` (a chat kind's, posting to its channel) will post ``action``
    done to ``alert`` in its channel: enabled, forwarding that action, not paused by a
    maintenance window, its team's alert and its filter matching."""
    if integration.type == "Webhook" or integration.type not in outgoing.SENDERS:
        return False
    if not integration.enabled or action not in integration.outgoing_actions:
        return False
    if not configuration.url_of(integration) and bot_of(integration) is None:
        return False  # commands only: it has no channel to post to
    if active_switches(session, clock.now()).integration_paused(integration.id):
        return False
    if not may_see_alert(session, integration, alert):
        return False
    return parse_filter(integration.outgoing_filter or None).matches(facts_of_alert(session, alert))


def _ran_it_directly(integration: Integration, event: dict[str, Any]) -> bool:
    """A custom action is delivered to the integrations that define it when it runs; they do
    not get it a second time as forwarded activity."""
    name = event.get("customAction")
    return name is not None and configuration.defines(integration, name)
