"""Schedules, overrides, escalations and team routing rules of the fake Opsgenie account, in
Opsgenie's JSON shapes. Dates sit around NOW (a Monday): America/New_York changes to summer time
on 2027-03-14, inside the next 14 days, so on-call answers can be checked across it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.fakes.opsgenie_people import ident, user_recipient

NOW = datetime(2027, 3, 8, 12, 0, tzinfo=UTC)


def _meta(obj: dict[str, Any]) -> dict[str, str]:
    return {"id": obj["id"], "name": obj["name"]}


def _time_of_day(start: int, end: int) -> dict[str, Any]:
    return {
        "type": "time-of-day",
        "restriction": {"startHour": start, "startMin": 0, "endHour": end, "endMin": 0},
    }


def _weekdays(*intervals: tuple[str, int, str, int]) -> dict[str, Any]:
    return {
        "type": "weekday-and-time-of-day",
        "restrictions": [
            {"startDay": a, "startHour": ah, "startMin": 0, "endDay": b, "endHour": bh, "endMin": 0}
            for a, ah, b, bh in intervals
        ],
    }


def _rotation(
    schedule: str, name: str, kind: str, length: int, start: str, people: list[Any], **extra: Any
) -> dict[str, Any]:
    participants = [{"type": "none"} if p is None else user_recipient(p) for p in people]
    return {
        "id": ident("rotation", f"{schedule}:{name}"),
        "name": name,
        "startDate": start,
        "type": kind,
        "length": length,
        "participants": participants,
        **extra,
    }


def build_schedules(users: list[dict[str, Any]], teams: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    u = users
    plans: list[tuple[str, str, str, bool, list[dict[str, Any]]]] = [
        (
            "Platform primary",
            "Platform",
            "America/New_York",
            True,
            [
                _rotation(
                    "Platform primary",
                    "Weekly",
                    "weekly",
                    1,
                    "2027-01-04T14:00:00Z",
                    [u[0], u[5], u[10], u[15]],
                ),
                _rotation(
                    "Platform primary",
                    "Weeknights",
                    "daily",
                    1,
                    "2027-01-04T23:00:00Z",
                    [u[20], u[25]],
                    timeRestriction=_time_of_day(18, 8),
                ),
            ],
        ),
        (
            "Payments EU",
            "Payments",
            "Europe/Berlin",
            True,
            [
                _rotation(
                    "Payments EU",
                    "Business days",
                    "daily",
                    1,
                    "2027-01-01T07:00:00Z",
                    [u[1], u[6], u[11]],
                    timeRestriction=_weekdays(("monday", 8, "friday", 18)),
                ),
            ],
        ),
        (
            "Mobile APAC",
            "Mobile",
            "Asia/Tokyo",
            True,
            [
                _rotation(
                    "Mobile APAC",
                    "Office hours",
                    "daily",
                    2,
                    "2027-02-01T00:00:00Z",
                    [u[2], u[7], u[12], u[17], None],
                    timeRestriction=_time_of_day(9, 18),
                ),
            ],
        ),
        (
            "Data Americas",
            "Data",
            "America/Los_Angeles",
            True,
            [
                _rotation(
                    "Data Americas",
                    "Fortnightly",
                    "weekly",
                    2,
                    "2027-02-15T18:00:00Z",
                    [u[3], u[8], u[13], u[18], u[23]],
                    timeRestriction=_weekdays(
                        *[(d, 9, d, 17) for d in ("monday", "tuesday", "wednesday", "thursday", "friday")]
                    ),
                ),
            ],
        ),
        (
            "Support follow-the-sun",
            "Support",
            "Europe/London",
            True,
            [
                _rotation(
                    "Support follow-the-sun",
                    "Europe",
                    "daily",
                    1,
                    "2027-01-01T08:00:00Z",
                    [u[4], u[9]],
                    timeRestriction=_time_of_day(8, 16),
                ),
                _rotation(
                    "Support follow-the-sun",
                    "Americas",
                    "daily",
                    1,
                    "2027-01-01T16:00:00Z",
                    [u[14], u[19]],
                    timeRestriction=_time_of_day(16, 0),
                ),
                _rotation(
                    "Support follow-the-sun",
                    "Asia",
                    "daily",
                    1,
                    "2027-01-01T00:00:00Z",
                    [u[24], u[29]],
                    timeRestriction=_time_of_day(0, 8),
                ),
            ],
        ),
        (
            "Legacy pager",
            "Platform",
            "America/Chicago",
            False,
            [
                _rotation(
                    "Legacy pager",
                    "Old weekly",
                    "weekly",
                    1,
                    "2026-01-05T15:00:00Z",
                    [u[0], u[5]],
                    endDate="2026-12-28T15:00:00Z",
                ),
            ],
        ),
    ]
    return [
        {
            "id": ident("schedule", name),
            "name": name,
            "description": f"{team} on-call",
            "timezone": zone,
            "enabled": enabled,
            "ownerTeam": _meta(teams[team]),
            "rotations": rotations,
        }
        for name, team, zone, enabled, rotations in plans
    ]


def build_overrides(
    users: list[dict[str, Any]], schedules: dict[str, dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    platform, payments = schedules["Platform primary"], schedules["Payments EU"]

    def override(
        schedule: dict[str, Any], alias: str, user: dict[str, Any], start: str, end: str, rotations: list[Any]
    ) -> dict[str, Any]:
        parent = {"id": schedule["id"], "name": schedule["name"], "enabled": schedule["enabled"]}
        return {
            "_parent": parent,
            "alias": alias,
            "user": user_recipient(user),
            "startDate": start,
            "endDate": end,
            "rotations": [_meta(r) for r in rotations],
        }

    found = {s["id"]: [] for s in schedules.values()}
    found[platform["id"]] = [
        override(platform, "dentist-swap", users[10], "2027-03-10T00:00:00Z", "2027-03-11T00:00:00Z", []),
        override(
            platform,
            "nights-cover",
            users[15],
            "2027-03-15T03:00:00Z",
            "2027-03-15T06:00:00Z",
            [platform["rotations"][1]],
        ),
    ]
    found[payments["id"]] = [
        override(
            payments,
            "training-day",
            users[16],
            "2027-03-12T09:00:00Z",
            "2027-03-12T12:00:00Z",
            [payments["rotations"][0]],
        ),
        # Ended before NOW: history, which on-call answers no longer depend on.
        override(
            payments,
            "february-swap",
            users[21],
            "2027-02-15T07:00:00Z",
            "2027-02-16T07:00:00Z",
            [],
        ),
    ]
    return found


def build_escalations(
    users: list[dict[str, Any]], teams: dict[str, dict[str, Any]], schedules: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    def rule(
        delay: int, notify: str, recipient: dict[str, Any], condition: str = "if-not-acked"
    ) -> dict[str, Any]:
        return {
            "condition": condition,
            "notifyType": notify,
            "delay": {"timeAmount": delay, "timeUnit": "minutes"},
            "recipient": recipient,
        }

    def schedule(name: str) -> dict[str, Any]:
        return {"type": "schedule", **_meta(schedules[name])}

    def team(name: str) -> dict[str, Any]:
        return {"type": "team", **_meta(teams[name])}

    plans = [
        (
            "Platform escalation",
            "Platform",
            [
                rule(0, "default", schedule("Platform primary")),
                rule(10, "next", schedule("Platform primary")),
                rule(20, "all", team("Platform")),
                rule(30, "default", user_recipient(users[0])),
            ],
            {"waitInterval": 10, "count": 2, "resetRecipientStates": True, "closeAlertAfterAll": False},
        ),
        (
            "Payments escalation",
            "Payments",
            [
                rule(0, "default", schedule("Payments EU")),
                rule(15, "admins", team("Payments")),
                rule(45, "default", user_recipient(users[1]), "if-not-closed"),
            ],
            {"waitInterval": 30, "count": 1, "resetRecipientStates": False, "closeAlertAfterAll": True},
        ),
        (
            "Mobile escalation",
            "Mobile",
            [rule(0, "default", schedule("Mobile APAC")), rule(5, "users", team("Mobile"))],
            {"waitInterval": 5, "count": 3, "resetRecipientStates": False, "closeAlertAfterAll": False},
        ),
        (
            "Data escalation",
            "Data",
            [rule(0, "default", schedule("Data Americas")), rule(60, "previous", schedule("Data Americas"))],
            {"waitInterval": 0, "count": 0, "resetRecipientStates": False, "closeAlertAfterAll": False},
        ),
        (
            "Support escalation",
            "Support",
            [
                rule(0, "default", schedule("Support follow-the-sun")),
                rule(10, "default", user_recipient(users[4])),
            ],
            {"waitInterval": 15, "count": 4, "resetRecipientStates": True, "closeAlertAfterAll": True},
        ),
    ]
    return [
        {
            "id": ident("escalation", name),
            "name": name,
            "description": f"How {owner} alerts escalate",
            "ownerTeam": _meta(teams[owner]),
            "rules": rules,
            "repeat": repeat,
        }
        for name, owner, rules, repeat in plans
    ]


def _condition(
    field: str, operation: str, value: str, order: int, *, key: str | None = None
) -> dict[str, Any]:
    found = {"field": field, "not": False, "operation": operation, "expectedValue": value, "order": order}
    return found if key is None else {**found, "key": key}


def build_routing_rules(
    team: dict[str, Any], schedule: dict[str, Any], escalation: dict[str, Any]
) -> list[dict[str, Any]]:
    zone = schedule["timezone"]
    escalate = {"type": "escalation", **_meta(escalation)}
    rules: list[dict[str, Any]] = [
        {
            "name": "P1 straight to on-call",
            "criteria": {
                "type": "match-any-condition",
                "conditions": [
                    _condition("priority", "equals", "P1", 0),
                    _condition("tags", "contains", "critical", 1),
                ],
            },
            "notify": {"type": "schedule", **_meta(schedule)},
        },
        {
            "name": "Ignore test alerts",
            "criteria": {
                "type": "match-all-conditions",
                "conditions": [
                    _condition("message", "starts-with", "[test]", 0),
                    _condition("extra-properties", "equals", "staging", 1, key="environment"),
                ],
            },
            "notify": {"type": "none"},
        },
    ]
    if team["name"] in ("Payments", "Support"):
        rules.append(
            {
                "name": "Office hours",
                "criteria": {"type": "match-all"},
                "notify": escalate,
                "timeRestriction": _weekdays(
                    ("monday", 9, "monday", 17),
                    ("tuesday", 9, "tuesday", 17),
                    ("wednesday", 9, "wednesday", 17),
                    ("thursday", 9, "thursday", 17),
                    ("friday", 9, "friday", 17),
                ),
            }
        )
    if team["name"] == "Platform":
        rules.append(
            {
                "name": "Night batch",
                "criteria": {
                    "type": "match-all-conditions",
                    "conditions": [_condition("source", "equals", "batch", 0)],
                },
                "notify": {"type": "none"},
                "timeRestriction": _time_of_day(22, 6),
            }
        )
    rules.append(
        {"name": "Default", "criteria": {"type": "match-all"}, "notify": escalate, "isDefault": True}
    )
    return [
        {
            "id": ident("routing-rule", f"{team['name']}:{r['name']}"),
            "isDefault": False,
            "order": n,
            "timezone": zone,
            **r,
        }
        for n, r in enumerate(rules)
    ]
