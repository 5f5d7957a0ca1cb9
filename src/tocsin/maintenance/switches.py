"""What the maintenance windows active at a moment switch off (or on).

Nothing is rewritten when a window starts or ends: whoever needs to know whether an integration
or policy counts at a moment asks here, so a window "restores" everything exactly on time, even
if no engine ran at its end.

``Windows`` keeps the rules of the windows that are not over yet, so a cache can decide the
switches of any later moment by the clock alone (a window that starts or ends needs no change,
hence no reload)."""

from __future__ import annotations

from collections.abc import Iterable
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


def _switches_of(rules: Iterable[tuple[str, str, str]]) -> Switches:
    """The switches of (entity type, entity id, state) rules of the windows active at a moment."""
    found: dict[tuple[str, str], set[str]] = {
        (kind, state): set() for kind in ("integration", "policy") for state in ("disabled", "enabled")
    }
    for entity_type, entity_id, state in rules:
        found[(entity_type, state)].add(entity_id)
    if not any(found.values()):
        return NONE
    return Switches(
        integrations_off=frozenset(found[("integration", "disabled")]),
        integrations_on=frozenset(found[("integration", "enabled")]),
        policies_off=frozenset(found[("policy", "disabled")]),
        policies_on=frozenset(found[("policy", "enabled")]),
    )


def active_switches(session: Session, now: datetime) -> Switches:
    return _switches_of(
        session.execute(
            select(MaintenanceRule.entity_type, MaintenanceRule.entity_id, MaintenanceRule.state)
            .join(Maintenance, Maintenance.id == MaintenanceRule.maintenance_id)
            .where(
                Maintenance.cancelled_at.is_(None),
                Maintenance.start_at <= now,
                or_(Maintenance.end_at.is_(None), Maintenance.end_at > now),
            )
        ).all()
    )


@dataclass(frozen=True)
class Windows:
    """The rules of every window not cancelled and not over at ``loaded_at`` (current and future
    ones), with their times: valid for any moment from ``loaded_at`` on, until a window changes."""

    loaded_at: datetime
    rules: tuple[tuple[datetime, datetime | None, str, str, str], ...]
    """(start, end, entity type, entity id, state)"""

    def switches_at(self, now: datetime) -> Switches:
        if not self.rules:
            return NONE
        return _switches_of(
            (kind, entity_id, state)
            for start, end, kind, entity_id, state in self.rules
            if start <= now and (end is None or end > now)
        )


def windows_from(session: Session, now: datetime) -> Windows:
    rows = session.execute(
        select(
            Maintenance.start_at,
            Maintenance.end_at,
            MaintenanceRule.entity_type,
            MaintenanceRule.entity_id,
            MaintenanceRule.state,
        )
        .join(Maintenance, Maintenance.id == MaintenanceRule.maintenance_id)
        .where(
            Maintenance.cancelled_at.is_(None), or_(Maintenance.end_at.is_(None), Maintenance.end_at > now)
        )
    ).all()
    return Windows(now, tuple(rows))
