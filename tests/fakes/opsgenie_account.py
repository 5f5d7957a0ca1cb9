"""A whole fake Opsgenie account, the state behind tests/fakes/opsgenie_config_api.py: people and
teams (opsgenie_people), schedules, escalations and routing rules (opsgenie_schedules), and here
heartbeats, maintenance windows, integrations, policies and the account's API keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.fakes.opsgenie_people import build_people, forwarding_rules, ident
from tests.fakes.opsgenie_schedules import (
    NOW,
    build_escalations,
    build_overrides,
    build_routing_rules,
    build_schedules,
)


@dataclass(frozen=True)
class Key:
    """An API Key Management key: ``configuration`` False is a key without Configuration Access,
    ``write`` False a key limited to read-only access."""

    configuration: bool = True
    write: bool = True


FULL_KEY = "9a1c3e2b-0000-4000-8000-00000000f011"
READ_ONLY_KEY = "9a1c3e2b-0000-4000-8000-0000000000r0"
NO_CONFIG_KEY = "9a1c3e2b-0000-4000-8000-0000000000nc"


def _meta(obj: dict[str, Any]) -> dict[str, str]:
    return {"id": obj["id"], "name": obj["name"]}


@dataclass
class OpsgenieAccount:
    name: str = "acme"
    keys: dict[str, Key] = field(
        default_factory=lambda: {
            FULL_KEY: Key(),
            READ_ONLY_KEY: Key(write=False),
            NO_CONFIG_KEY: Key(configuration=False),
        }
    )

    def __post_init__(self) -> None:
        people = build_people()
        self.users: list[dict[str, Any]] = people["users"]
        self.contacts: dict[str, list[dict[str, Any]]] = people["contacts"]
        self.notification_rules: dict[str, list[dict[str, Any]]] = people["rules"]
        self.teams: list[dict[str, Any]] = people["teams"]
        self.team_roles: dict[str, list[dict[str, Any]]] = people["team_roles"]
        self.roles: list[dict[str, Any]] = people["roles"]
        self.forwarding_rules = forwarding_rules(self.users)
        by_team = {t["name"]: t for t in self.teams}
        self.schedules = build_schedules(self.users, by_team)
        by_schedule = {s["name"]: s for s in self.schedules}
        self.overrides = build_overrides(self.users, by_schedule)
        self.escalations = build_escalations(self.users, by_team, by_schedule)
        self.routing_rules = {
            team["id"]: build_routing_rules(team, schedule, escalation)
            for team, schedule, escalation in zip(self.teams, self.schedules, self.escalations, strict=False)
        }
        self.heartbeats = _heartbeats(by_team)
        self.maintenance = _maintenance()
        self.integrations, self.integration_actions = _integrations(by_team)
        self.policies = _policies(self.teams)
        for window in self.maintenance:
            window["rules"] = [
                {"state": "enabled", "entity": {"id": self.integrations[1]["id"], "type": "integration"}},
                {"state": "disabled", "entity": {"id": self.policies[0]["id"], "type": "policy"}},
            ]

    # Lookups by the identifiers Opsgenie accepts; None when nothing matches.
    def user(self, identifier: str) -> dict[str, Any] | None:
        return next((u for u in self.users if identifier in (u["id"], u["username"])), None)

    def team(self, identifier: str, kind: str = "id") -> dict[str, Any] | None:
        return next((t for t in self.teams if t[kind] == identifier), None)

    def schedule(self, identifier: str, kind: str = "id") -> dict[str, Any] | None:
        return next((s for s in self.schedules if s[kind] == identifier), None)

    def escalation(self, identifier: str, kind: str = "id") -> dict[str, Any] | None:
        return next((e for e in self.escalations if e[kind] == identifier), None)

    def info(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "userCount": len(self.users),
            "plan": {"maxUserCount": 500, "name": "Enterprise", "isYearly": True},
        }

    def user_teams(self, user: dict[str, Any]) -> list[dict[str, str]]:
        return [_meta(t) for t in self.teams if any(m["user"]["id"] == user["id"] for m in t["members"])]

    def user_schedules(self, user: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {**_meta(s), "enabled": s["enabled"]}
            for s in self.schedules
            if any(p.get("id") == user["id"] for r in s["rotations"] for p in r["participants"])
        ]

    def user_escalations(self, user: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            e for e in self.escalations if any(r["recipient"].get("id") == user["id"] for r in e["rules"])
        ]


def _heartbeats(teams: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    plans = [
        ("nightly-backup", "Platform", 1, "days", True, False, "2027-03-08T02:14:09.000Z", "P2"),
        ("payments-gateway", "Payments", 5, "minutes", True, False, "2027-03-08T11:58:31.000Z", "P1"),
        ("warehouse-load", "Data", 2, "hours", True, True, "2027-03-08T06:00:12.000Z", "P3"),
        ("old-cron", "Platform", 30, "minutes", False, False, "2026-11-02T10:00:00.000Z", "P5"),
    ]
    return [
        {
            "name": name,
            "description": f"{name} checks in every {interval} {unit}",
            "interval": interval,
            "intervalUnit": unit,
            "enabled": enabled,
            "expired": expired,
            "lastPingTime": last,
            "ownerTeam": _meta(teams[team]),
            "alertMessage": f"{name} stopped checking in",
            "alertTags": ["heartbeat", team.lower()],
            "alertPriority": priority,
        }
        for name, team, interval, unit, enabled, expired, last, priority in plans
    ]


def _maintenance() -> list[dict[str, Any]]:
    plans = [
        (
            "Database upgrade",
            "planned",
            {"type": "schedule", "startDate": "2027-03-13T22:00:00Z", "endDate": "2027-03-14T02:00:00Z"},
        ),
        ("Network work", "active", {"type": "indefinitely", "startDate": "2027-03-08T10:00:00Z"}),
        (
            "Datacentre move",
            "past",
            {"type": "schedule", "startDate": "2027-01-09T20:00:00Z", "endDate": "2027-01-10T04:00:00Z"},
        ),
        (
            "Cancelled freeze",
            "cancelled",
            {"type": "for-1-hour", "startDate": "2027-02-01T09:00:00Z", "endDate": "2027-02-01T10:00:00Z"},
        ),
    ]
    return [{"id": ident("maintenance", d), "status": s, "time": t, "description": d} for d, s, t in plans]


def _integrations(teams: dict[str, dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Integrations; ``apiKey`` is kept under ``_key`` and shown on read only where ``_keyOnRead``."""
    plans: list[tuple[str, str, str | None, dict[str, Any]]] = [
        ("Default API", "API", None, {"_keyOnRead": True, "isDefaultIntegration": True}),
        ("Payments API", "API", "Payments", {"_keyOnRead": False}),
        ("Alertmanager", "Prometheus", "Platform", {}),
        ("Support mailbox", "Email", "Support", {"emailAddress": "support@acme.app.opsgenie.com"}),
        ("Datadog", "Datadog", "Data", {}),
        (
            "Deploy webhook",
            "Webhook",
            "Mobile",
            {"url": "https://hooks.acme.example/opsgenie", "headers": {"X-Env": "prod"}},
        ),
    ]
    integrations, actions = [], {}
    for number, (name, kind, team, extra) in enumerate(plans):
        owner = teams[team] if team else None
        found: dict[str, Any] = {
            "id": ident("integration", name),
            "name": name,
            "type": kind,
            "enabled": name != "Datadog",
            "isGlobal": owner is None,
            "_readOnly": ["id", "type", "isGlobal"],
            "_key": f"{number:08d}-5e7a-4c11-9b2d-{ident('key', name)[-12:]}",
        }
        if owner:
            found["ownerTeam"] = _meta(owner)
        if kind in ("API", "Prometheus", "Datadog", "Webhook"):
            found.update(
                suppressNotifications=False,
                ignoreTeamsFromPayload=False,
                ignoreRecipientsFromPayload=False,
                ignoreTagsFromPayload=False,
                ignoreExtraPropertiesFromPayload=False,
                responders=[{"type": "team", **_meta(owner)}] if owner else [],
                allowConfigurationAccess=kind == "API" and owner is None,
                allowReadAccess=True,
                allowWriteAccess=True,
                allowDeleteAccess=owner is None,
            )
        found.update({"_keyOnRead": False, **extra})
        integrations.append(found)
        parent = {"id": found["id"], "name": name, "enabled": found["enabled"], "type": kind}
        actions[found["id"]] = {
            "_parent": parent,
            "ignore": [],
            "create": [
                {
                    "type": "create",
                    "name": "Create alert",
                    "order": 0,
                    "filter": {"type": "match-all"},
                    "user": "{{sender}}",
                    "message": "{{message}}",
                    "alias": "{{alias}}",
                    "priority": "{{priority}}",
                }
            ],
            "close": [{"type": "close", "name": "Close alert", "order": 0, "filter": {"type": "match-all"}}],
            "acknowledge": [
                {
                    "type": "acknowledge",
                    "name": "Acknowledge alert",
                    "order": 0,
                    "filter": {"type": "match-all"},
                }
            ],
            "addNote": [],
        }
    return integrations, actions


def _policies(teams: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Global alert policies (``teamId`` None) and per-team alert and notification policies."""
    office = {
        "type": "time-of-day",
        "restriction": {"startHour": 9, "startMin": 0, "endHour": 18, "endMin": 0},
    }
    found: list[dict[str, Any]] = []

    def add(name: str, kind: str, team: dict[str, Any] | None, **extra: Any) -> None:
        found.append(
            {
                "id": ident("policy", f"{team['name'] if team else 'global'}:{name}"),
                "name": name,
                "type": kind,
                "policyDescription": f"{name} policy",
                "teamId": team["id"] if team else None,
                "filter": {
                    "type": "match-all-conditions",
                    "conditions": [
                        {
                            "field": "source",
                            "not": False,
                            "operation": "equals",
                            "expectedValue": "monitoring",
                            "order": 0,
                        }
                    ],
                },
                "timeRestrictions": extra.pop("timeRestrictions", None),
                "enabled": True,
                "order": len(found),
                **extra,
            }
        )

    add(
        "Tag production",
        "alert",
        None,
        message="{{message}}",
        tags=["production"],
        priority="P3",
        continue_=True,
    )
    add(
        "Raise database alerts",
        "alert",
        None,
        message="[DB] {{message}}",
        priority="P2",
        timeRestrictions=office,
    )
    for team in teams:
        add(
            f"{team['name']} responders",
            "alert",
            team,
            responders=[{"type": "team", **_meta(team)}],
            priority="P3",
        )
        add(
            "Deduplicate flapping",
            "notification",
            team,
            suppress=False,
            deduplicationAction={
                "deduplicationActionType": "frequency-based",
                "count": 3,
                "duration": {"timeAmount": 10, "timeUnit": "minutes"},
            },
        )
        if team["name"] == "Support":
            add(
                "Hold overnight",
                "notification",
                team,
                suppress=False,
                timeRestrictions=office,
                delayAction={"delayOption": "next-time", "untilHour": 8, "untilMinute": 30},
            )
    for policy in found:
        if "continue_" in policy:
            policy["continue"] = policy.pop("continue_")
        if policy["timeRestrictions"] is None:
            del policy["timeRestrictions"]
    return found


__all__ = ["FULL_KEY", "NOW", "NO_CONFIG_KEY", "READ_ONLY_KEY", "Key", "OpsgenieAccount"]
