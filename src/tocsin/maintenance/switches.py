"""What the maintenance windows active at a moment switch off (or on).

Nothing is rewritten when a window starts or ends: whoever needs to know whether an integration
or policy counts at a moment asks here, so a window "restores" everything exactly on time, even
if no engine ran at its end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tocsin.maintenance.models import Maintenance, MaintenanceRule


@dataclass(frozen=True)
class Switches:
    integrations_off: frozenset[str] = frozenset()
    integrations_on: frozenset[str] = frozenset()
    policies_off: frozenset[str] = frozenset()
    policies_on: frozenset[str] = frozenset()

    def integration_paused(self, integration_id: str | None) -> bool:
        """In a window that disables it: its alerts are stored but nobody is notified of them,
        and its outgoing side sends nothing."""
        return integration_id is not None and integration_id in self.integrations_off

    def policy_enabled(self, policy_id: str, enabled: bool) -> bool:
        """Whether a policy applies now: a window may disable an enabled one or enable a
        disabled one; disabling wins when windows disagree."""
        if policy_id in self.policies_off:
            return False
        return enabled or policy_id in self.policies_on


NONE = Switches()


def active_switches(session: Session, now: datetime) -> Switches:
    rows = session.execute(
        select(MaintenanceRule.entity_type, MaintenanceRule.entity_id, MaintenanceRule.state)
        .join(Maintenance, Maintenance.id == MaintenanceRule.maintenance_id)
        .where(
            Maintenance.cancelled_at.is_(None),
            Maintenance.start_at <= now,
            or_(Maintenance.end_at.is_(None), Maintenance.end_at > now),
        )
    ).all()
    if not rows:
        return NONE
    found: dict[tuple[str, str], set[str]] = {
        (kind, state): set() for kind in ("integration", "policy") for state in ("disabled", "enabled")
    }
    for entity_type, entity_id, state in rows:
        found[(entity_type, state)].add(entity_id)
    return Switches(
        integrations_off=frozenset(found[("integration", "disabled")]),
        integrations_on=frozenset(found[("integration", "enabled")]),
        policies_off=frozenset(found[("policy", "disabled")]),
        policies_on=frozenset(found[("policy", "enabled")]),
    )
