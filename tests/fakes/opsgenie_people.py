"""The people of the fake Opsgenie account, in Opsgenie's JSON shapes: users with contact
methods and notification rules, custom user roles, teams with members and team roles, and
forwarding rules. Built by plain Python from fixed lists, so every run is the same."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

_NAMESPACE = uuid.UUID("6f1d7c52-93a4-4c55-8d8e-2f0a0b4c9e11")
DOMAIN = "acme.example"

_NAMES = (
    "Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov",
    "Donald Knuth", "Frances Allen", "Ken Thompson", "Margaret Hamilton", "Dennis Ritchie",
    "Radia Perlman", "Tim Berners-Lee", "Hedy Lamarr", "Linus Torvalds", "Shafi Goldwasser",
    "Yukihiro Matsumoto", "Sophie Wilson", "Guido Rossum", "Mary Allen Wilkes", "Bjarne Stroustrup",
    "Adele Goldberg", "John Backus", "Jean Sammet", "Niklaus Wirth", "Karen Jones",
    "Satoshi Tajiri", "Anita Borg", "Vint Cerf", "Lynn Conway", "Raj Reddy",
)  # fmt: skip
_ZONES = (
    "Europe/London", "Europe/Berlin", "Europe/Istanbul", "America/New_York", "America/Chicago",
    "America/Los_Angeles", "America/Sao_Paulo", "Asia/Tokyo", "Asia/Kolkata", "Asia/Singapore",
)  # fmt: skip
_COUNTRIES = {"Europe": "GB", "America": "US", "Asia": "JP"}
TEAMS = (
    ("Platform", "Runs the clusters and the network"),
    ("Payments", "Card and bank payment services"),
    ("Mobile", "iOS and Android apps and their backend"),
    ("Data", "Warehouse, pipelines and reporting"),
    ("Support", "Customer-facing support tooling"),
)
OBSERVER_ROLE = "Observer"


def ident(kind: str, name: str) -> str:
    """A stable UUID for an object, as Opsgenie ids look."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{name}"))


def username(full_name: str) -> str:
    return full_name.lower().replace(" ", ".").replace("-", "") + "@" + DOMAIN


def user_meta(user: dict[str, Any]) -> dict[str, str]:
    return {"id": user["id"], "username": user["username"]}


def user_recipient(user: dict[str, Any]) -> dict[str, str]:
    return {"type": "user", **user_meta(user)}


def _role(index: int) -> dict[str, str]:
    if index == 0:
        return {"id": "Owner", "name": "Owner"}
    if index in (1, 2, 3, 4):
        return {"id": "Admin", "name": "Admin"}
    if index == 29:
        return {"id": ident("role", OBSERVER_ROLE), "name": OBSERVER_ROLE}
    return {"id": "User", "name": "User"}


def _contacts(index: int, name: str) -> list[dict[str, Any]]:
    """Contacts in the contacts API's shape (``method``, ``status``, ``applyOrder``)."""
    # Numbers of the North American plan's range for fiction; one that no plan has (index 26),
    # as an account that has lived for years holds one.
    phone = "1-5550000026" if index == 26 else f"1-20155501{index:02d}"
    methods = [("email", username(name))]
    if index % 2 == 0:
        methods += [("sms", phone), ("voice", phone)]
    if index % 3 == 0:
        methods.append(("mobile", f"{name.split()[0]}'s phone"))
    return [
        {
            "id": ident("contact", f"{name}:{method}"),
            "method": method,
            "to": to,
            "status": {"enabled": not (method == "voice" and index % 4 == 0)},
            "applyOrder": order,
        }
        for order, (method, to) in enumerate(methods)
    ]


def _user(index: int, name: str) -> dict[str, Any]:
    zone = _ZONES[index % len(_ZONES)]
    created = datetime(2019, 1, 7, 9, 30, tzinfo=UTC) + timedelta(days=41 * index, minutes=index)
    user: dict[str, Any] = {
        "id": ident("user", name),
        "username": username(name),
        "fullName": name,
        "role": _role(index),
        "skypeUsername": name.split()[0].lower() if index % 5 == 0 else "",
        "timeZone": zone,
        "locale": "en_US" if zone.startswith("America") else "en_GB",
        "userAddress": {
            "country": _COUNTRIES[zone.split("/")[0]],
            "state": "",
            "city": zone.split("/")[1].replace("_", " "),
            "line": f"{index + 1} Example Street",
            "zipCode": f"{10000 + index}",
        },
        "tags": ["oncall"] if index < 24 else [],
        "details": {"employee": [f"E{1000 + index}"]},
        "blocked": index == 27,
        "verified": index != 28,
        "createdAt": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }
    return user


def _steps(rule: dict[str, Any], contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    chosen = [c for c in contacts if c["method"] in ("email", "sms", "mobile")]
    return [
        {
            "_parent": {"id": rule["id"], "name": rule["name"]},
            "id": ident("step", f"{rule['id']}:{c['method']}"),
            "sendAfter": {"timeAmount": 5 * n, "timeUnit": "minutes"},
            "contact": {"method": c["method"], "to": c["to"]},
            "enabled": True,
        }
        for n, c in enumerate(chosen)
    ]


def _notification_rules(
    index: int, user: dict[str, Any], contacts: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    kinds = [("New alert", "create-alert"), ("Shift starts", "schedule-start")]
    if index % 3 == 0:
        kinds.append(("Quiet hours", "create-alert"))
    if index % 3 == 1:
        kinds.append(("Urgent by every means", "create-alert"))
    for order, (name, action) in enumerate(kinds, start=1):
        rule: dict[str, Any] = {
            "id": ident("notification-rule", f"{user['username']}:{name}"),
            "name": name,
            "actionType": action,
            "order": order,
            "enabled": True,
            "criteria": {"type": "match-all"},
            "notificationTime": ["just-before", "1-hour-ago"] if action == "schedule-start" else [],
            "schedules": [],
            "repeat": {"loopAfter": 2, "enabled": action == "create-alert"},
        }
        if name == "Quiet hours":
            rule["criteria"] = {
                "type": "match-all-conditions",
                "conditions": [
                    {
                        "field": "priority",
                        "not": False,
                        "operation": "equals",
                        "expectedValue": "P5",
                        "order": 0,
                    }
                ],
            }
            rule["timeRestriction"] = {
                "type": "time-of-day",
                "restriction": {"startHour": 22, "startMin": 0, "endHour": 7, "endMin": 30},
            }
        if name == "Urgent by every means":
            rule["criteria"] = {
                "type": "match-any-condition",
                "conditions": [
                    {"field": "priority", "operation": "equals", "expectedValue": "P1", "not": False},
                    {"field": "tags", "operation": "contains", "expectedValue": "customer", "not": False},
                ],
            }
        rule["steps"] = _steps(rule, contacts if name != "Quiet hours" else contacts[:1])
        rules.append(rule)
    return rules


def build_people() -> dict[str, Any]:
    users, contacts, rules = [], {}, {}
    for index, name in enumerate(_NAMES):
        user = _user(index, name)
        users.append(user)
        contacts[user["id"]] = _contacts(index, name)
        rules[user["id"]] = _notification_rules(index, user, contacts[user["id"]])
    teams = []
    for number, (name, description) in enumerate(TEAMS):
        members = [u for i, u in enumerate(users[1:], start=1) if i % len(TEAMS) == number]
        if name == "Platform":
            members.insert(0, users[0])
        if name == "Support":
            members += [users[3], users[7]]  # some people are in two teams
        teams.append(
            {
                "id": ident("team", name),
                "name": name,
                "description": description,
                "members": [
                    {"user": user_meta(u), "role": "admin" if n == 0 else ("responder" if n == 3 else "user")}
                    for n, u in enumerate(members)
                ],
            }
        )
    team_roles = {
        t["id"]: [
            {
                "id": ident("team-role", f"{t['name']}:responder"),
                "name": "responder",
                "rights": [
                    {"right": "manage-members", "granted": False},
                    {"right": "edit-team-roles", "granted": False},
                    {"right": "edit-routing-rules", "granted": False},
                    {"right": "edit-escalations", "granted": False},
                    {"right": "edit-schedules", "granted": True},
                    {"right": "access-reports", "granted": True},
                ],
            }
        ]
        for t in teams
    }
    roles = [
        {
            "id": ident("role", OBSERVER_ROLE),
            "name": OBSERVER_ROLE,
            "extendedRole": "user",
            "grantedRights": ["reports-access", "logs-page-access"],
            "disallowedRights": ["alert-delete", "configure-integrations"],
        }
    ]
    return {
        "users": users,
        "contacts": contacts,
        "rules": rules,
        "teams": teams,
        "team_roles": team_roles,
        "roles": roles,
    }


def forwarding_rules(users: list[dict[str, Any]]) -> list[dict[str, Any]]:
    pairs = [
        (5, 6, "2027-03-10T08:00:00Z", "2027-03-17T08:00:00Z"),
        (12, 13, "2027-03-20T00:00:00Z", "2027-03-27T00:00:00Z"),
    ]
    return [
        {
            "id": ident("forwarding-rule", users[a]["username"]),
            "alias": f"holiday-{users[a]['username'].split('@')[0]}",
            "fromUser": user_meta(users[a]),
            "toUser": user_meta(users[b]),
            "startDate": start,
            "endDate": end,
        }
        for a, b, start, end in pairs
    ]
