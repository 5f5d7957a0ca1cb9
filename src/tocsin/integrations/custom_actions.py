"""Custom actions: names defined on an outgoing integration (``customActions``) that alerts list in
their ``actions``. Running one sends the alert, with action "CustomAction" and the action's name,
to every enabled integration that defines it and may see the alert; the result is logged on the
alert when the delivery is done or given up."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.actors import Actor
from tocsin.alerts.models import Alert
from tocsin.errors import AlertActionRefused
from tocsin.integrations import configuration, outgoing
from tocsin.integrations.body import event_body
from tocsin.integrations.forwarding import enqueue_delivery, may_see_alert
from tocsin.integrations.models import Integration
from tocsin.maintenance.switches import active_switches


def run_custom_action(session: Session, *, alert: Alert, action: str, actor: Actor) -> list[Integration]:
    """Queue the deliveries; returns the integrations they go to. Refused (naming the action) when
    no enabled integration that may see the alert defines it, or all that do are paused."""
    candidates = [
        integration
        for integration in session.scalars(
            select(Integration)
            .where(Integration.enabled.is_(True), Integration.type.in_(list(outgoing.SENDERS)))
            .order_by(Integration.name)
        )
        if configuration.defines(integration, action) and may_see_alert(session, integration, alert)
    ]
    if not candidates:
        raise AlertActionRefused(
            f"No enabled integration runs the custom action {action!r}: "
            "add it to the customActions of a Webhook integration that can see this alert"
        )
    switches = active_switches(session, clock.now())
    takers = [integration for integration in candidates if not switches.integration_paused(integration.id)]
    if not takers:
        names = ", ".join(integration.name for integration in candidates)
        raise AlertActionRefused(
            f"Custom action {action!r} cannot run: {names} paused by a maintenance window"
        )
    event = {
        "action": "CustomAction",
        "customAction": action,
        "by": actor.describe(),
        "byUserId": actor.user_id,
        "source": {"name": actor.display_name, "type": actor.channel},
    }
    for integration in takers:
        body = event_body(session, alert, integration, event)
        enqueue_delivery(session, integration, alert, body, customAction=action)
    return takers
