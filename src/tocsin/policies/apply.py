"""Applying policies to alerts as they are created.

The policies that count at the moment (the enabled ones, as maintenance windows switch them) come
once per batch of creates from a cache kept between batches (``tocsin.policies.cache``); each
create then goes through them in memory:

1. alert policies change the incoming alert, before de-duplication: the global ones in order,
   then those of the alert's team (the team integration's team, or each team among its
   responders). In each scope the first policy whose filter and time restrictions match applies,
   and the next one is tried only if it says ``continue``;
2. notification policies decide what happens to a *new* alert's notifications: in each scope the
   first matching one applies; suppressing wins over delaying, the longest delay and the
   soonest auto-close count;
3. an alert from an integration in a maintenance window is stored but nobody is notified."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tocsin.actors import Actor
from tocsin.alerts.responders import Responder
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.conditions import AlertFacts, Filter, parse_filter
from tocsin.maintenance.switches import Switches
from tocsin.notify import outbox
from tocsin.policies.changes import facts_of, modify
from tocsin.policies.restrictions import When, when_of
from tocsin.policies.schemas import TIME_UNITS

AUTO_CLOSE_TOPIC = "alert.auto_close"


@dataclass(frozen=True)
class Compiled:
    id: str
    name: str
    type: str
    team_id: str | None
    enabled: bool
    filter: Filter
    when: When
    body: dict[str, Any]

    def applies(self, facts: AlertFacts, now: datetime) -> bool:
        return self.when.allows(now) and self.filter.matches(facts)


@dataclass
class Effects:
    """What policies and maintenance windows did to one create."""

    payload: CreateAlertPayload
    responders: list[Responder]
    logs: list[str] = field(default_factory=list)
    """Lines for the alert log, if the alert turns out to be new."""
    silenced: bool = False
    deliver_at: datetime | None = None
    auto_close: tuple[datetime, str, str] | None = None
    """When, and the id and name of the policy that closes it."""

    def outbox_rows(self, alert_id: str) -> list[dict[str, Any]]:
        """What a new alert leaves for the engine: its ``alert.created`` event (unless nobody is to
        hear of it) and the auto-close, if a policy asked for one."""
        rows = []
        if self.responders and not self.silenced:
            rows.append(
                outbox.row(
                    "alert.created",
                    {"alertId": alert_id},
                    destination="router",
                    alert_id=alert_id,
                    deliver_at=self.deliver_at,
                )
            )
        if self.auto_close is not None:
            at, policy_id, name = self.auto_close
            payload = {"alertId": alert_id, "policyId": policy_id, "policyName": name}
            rows.append(
                outbox.row(AUTO_CLOSE_TOPIC, payload, destination="router", alert_id=alert_id, deliver_at=at)
            )
        return rows


def compile_policy(policy: Any) -> Compiled:
    """A policy row, its filter and time restrictions parsed once."""
    return Compiled(
        policy.id,
        policy.name,
        policy.type,
        policy.team_id,
        policy.enabled,
        parse_filter(policy.filter or None),
        when_of(policy.time_restrictions),
        dict(policy.body or {}),
    )


class PolicySet:
    def __init__(self, policies: list[Compiled], switches: Switches, now: datetime) -> None:
        self.switches = switches
        self.now = now
        self.scopes: dict[tuple[str | None, str], list[Compiled]] = {}
        for policy in policies:
            self.scopes.setdefault((policy.team_id, policy.type), []).append(policy)

    def apply(
        self, session: Session, payload: CreateAlertPayload, responders: list[Responder], actor: Actor
    ) -> Effects:
        effects = Effects(payload, responders)
        if self.scopes:
            self._modify(session, effects, None)
            for team_id in _teams_of(effects.responders, actor):
                self._modify(session, effects, team_id)
            self._notification_policies(effects, actor)
        if self.switches.integration_paused(actor.integration_id):
            effects.silenced = True
            effects.logs.append(f"Not notified: integration {actor.name} is in a maintenance window")
        return effects

    def _modify(self, session: Session, effects: Effects, team_id: str | None) -> None:
        for policy in self.scopes.get((team_id, "alert"), []):
            if not policy.applies(facts_of(effects.payload, effects.responders), self.now):
                continue
            effects.payload, effects.responders, log = modify(
                session, policy.name, policy.body, effects.payload, effects.responders
            )
            effects.logs.append(log)
            if not policy.body.get("continue"):
                return

    def _notification_policies(self, effects: Effects, actor: Actor) -> None:
        facts = facts_of(effects.payload, effects.responders)
        for team_id in [None, *_teams_of(effects.responders, actor)]:
            policy = next(
                (p for p in self.scopes.get((team_id, "notification"), []) if p.applies(facts, self.now)),
                None,
            )
            if policy is not None:
                self._notify_per(policy, effects)

    def _notify_per(self, policy: Compiled, effects: Effects) -> None:
        body, done = policy.body, []
        if body.get("suppress"):
            effects.silenced = True
            effects.logs.append(f"Not notified: notification policy '{policy.name}' suppresses notifications")
        if body.get("delayAction") and not body.get("suppress"):
            until = self.now + _duration(body["delayAction"])
            effects.deliver_at = max(until, effects.deliver_at or until)
            done.append(f"notifications delayed until {_shown(until)}")
        if body.get("autoCloseAction"):
            at = self.now + _duration(body["autoCloseAction"])
            if effects.auto_close is None or at < effects.auto_close[0]:
                effects.auto_close = (at, policy.id, policy.name)
            done.append(f"alert will be closed at {_shown(at)} if still open")
        if done:
            effects.logs.append(f"Notification policy '{policy.name}' applied: {'; '.join(done)}")


def _teams_of(responders: list[Responder], actor: Actor) -> list[str]:
    """The teams whose policies apply: a team integration's team, else the responding teams."""
    if actor.owner_team_id:
        return [actor.owner_team_id]
    return list(dict.fromkeys(responder.id for responder in responders if responder.type == "team"))


def _duration(action: dict[str, Any]) -> timedelta:
    duration = action["duration"]
    return timedelta(minutes=duration["timeAmount"] * TIME_UNITS[duration.get("timeUnit", "minutes")])


def _shown(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")
