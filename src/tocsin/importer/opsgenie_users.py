"""Opsgenie users → Tocsin users, with their contact methods and notification rules.

A user Tocsin does not have is created without a password (they sign in through single sign-on
or a set-password link) and with what Opsgenie had. A user Tocsin already has keeps the name,
role and time zone it has here; the import only adds the contact methods and notification rules
they lack (matched by method and address, and by rule name and kind)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.actors import SYSTEM
from tocsin.errors import InvalidInput
from tocsin.importer.changes import CANNOT, CREATE, Change, Plan
from tocsin.importer.opsgenie_source import Json, SourceUser
from tocsin.notify import contacts, rules
from tocsin.notify.models import RULE_ACTIONS
from tocsin.people import service as people

_ROLES = {"owner": "owner", "admin": "admin", "user": "user"}
_CONTACT_METHODS = ("email", "sms", "voice")
_MINUTES = {"minutes": 1, "hours": 60, "days": 1440}


@dataclass
class Wanted:
    """What Tocsin should hold for one Opsgenie user."""

    username: str
    full_name: str
    role: str
    time_zone: str
    contacts: list[tuple[str, str, bool]] = field(default_factory=list)
    """(method, address as Tocsin stores it, enabled)."""
    rules: list[Json] = field(default_factory=list)
    """Rules Tocsin can hold: name, action_type, steps (StepSpec), enabled, notification_time."""
    notes: list[str] = field(default_factory=list)


def _role(user: Json, notes: list[str]) -> str:
    role = user.get("role") or {}
    name = str(role.get("name") or role.get("id") or "user")
    if name.lower() in _ROLES:
        return _ROLES[name.lower()]
    notes.append(f"custom role {name!r}: Tocsin has the roles owner, admin and user; imported as user")
    return "user"


def _time_zone(user: Json, notes: list[str]) -> str:
    zone = str(user.get("timeZone") or "UTC")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        notes.append(f"time zone {zone!r} is not an IANA time zone; imported as UTC")
        return "UTC"
    return zone


def _contacts(source: SourceUser, notes: list[str]) -> list[tuple[str, str, bool]]:
    wanted = []
    for contact in source.contacts:
        method = str(contact.get("method") or contact.get("contactMethod") or "")
        to = str(contact.get("to") or "")
        enabled = bool((contact.get("status") or {}).get("enabled", contact.get("enabled", True)))
        if method == "mobile":
            notes.append(
                f"the Opsgenie app's push notifications to {to!r}: add an ntfy contact method for push"
            )
            continue
        if method not in _CONTACT_METHODS:
            notes.append(f"{method} contact {to!r}: Tocsin has no such contact method")
            continue
        try:
            wanted.append((method, contacts.normalise_address(method, to), enabled))
        except InvalidInput as problem:
            notes.append(f"{method} contact {to!r}: {problem}")
    return wanted


def _minutes(step: Json) -> int | None:
    after = step.get("sendAfter") or {}
    unit = _MINUTES.get(str(after.get("timeUnit") or "minutes"))
    amount = after.get("timeAmount", 0)
    return int(amount) * unit if unit is not None and isinstance(amount, int) else None


def _rule(rule: Json, known: list[tuple[str, str, bool]], notes: list[str]) -> Json | None:
    name = str(rule.get("name") or "")
    action = str(rule.get("actionType") or "")
    if action not in RULE_ACTIONS:
        notes.append(
            f"notification rule {name!r} ({action}): Tocsin notifies only for {', '.join(RULE_ACTIONS)}"
        )
        return None
    if rule.get("timeRestriction"):
        notes.append(
            f"notification rule {name!r} has a time restriction, which Tocsin's rules do not: "
            "not imported (Tocsin has quiet hours per person)"
        )
        return None
    try:
        criteria = rules.parse_criteria(action, rule.get("criteria"))
    except InvalidInput as problem:
        notes.append(
            f"notification rule {name!r}: Tocsin cannot read its conditions ({problem}): not imported"
        )
        return None
    addresses = {(method, address) for method, address, _ in known}
    steps = []
    for step in rule.get("steps") or []:
        contact = step.get("contact") or {}
        method, to = str(contact.get("method") or ""), str(contact.get("to") or "")
        minutes = _minutes(step)
        try:
            address = contacts.normalise_address(method, to) if method in _CONTACT_METHODS else None
        except InvalidInput:
            address = None
        if address is None or (method, address) not in addresses or minutes is None:
            notes.append(
                f"notification rule {name!r}: its {method} step to {to!r} has no contact method in Tocsin"
            )
            continue
        steps.append(rules.StepSpec(method, address, minutes, bool(step.get("enabled", True))))
    if (rule.get("repeat") or {}).get("enabled"):
        notes.append(f"notification rule {name!r} repeats; Tocsin's rules do not (escalations repeat)")
    return {
        "name": name,
        "action_type": action,
        "steps": steps,
        "enabled": bool(rule.get("enabled", True)),
        "notification_time": _notification_time(name, rule, notes),
        "criteria": criteria,
    }


def _notification_time(name: str, rule: Json, notes: list[str]) -> list[str] | None:
    """Tocsin tells of a shift once, so the earliest of Opsgenie's times."""
    times = [time for time in rule.get("notificationTime") or [] if time in rules.NOTIFY_TIMES]
    if not times:
        return None
    earliest = max(times, key=rules.NOTIFY_TIMES.__getitem__)
    if len(times) > 1:
        notes.append(
            f"notification rule {name!r} tells {len(times)} times before a shift; Tocsin once, {earliest}"
        )
    return [earliest]


def wanted(source: SourceUser) -> Wanted:
    user = source.user
    notes: list[str] = []
    role = _role(user, notes)
    zone = _time_zone(user, notes)
    known = _contacts(source, notes)
    username = source.username.strip().lower()
    if ("email", username, True) not in known and not any(c[:2] == ("email", username) for c in known):
        known.insert(0, ("email", username, True))  # every Tocsin user has their username as e-mail
    chosen = sorted(source.rules, key=lambda rule: rule.get("order", 0))
    kept = [rule for rule in (_rule(rule, known, notes) for rule in chosen) if rule is not None]
    if user.get("blocked"):
        notes.append("blocked in Opsgenie: imported as an ordinary user (remove them in Tocsin if they left)")
    return Wanted(username, str(user.get("fullName") or ""), role, zone, known, kept, notes)


def _rule_key(name: str, action: str) -> tuple[str, str]:
    return name.strip().lower(), action


def _missing(
    session: Session, user: User | None, want: Wanted
) -> tuple[list[tuple[str, str, bool]], list[Json]]:
    if user is None:
        return want.contacts, want.rules
    lacking = [c for c in want.contacts if contacts.find_contact(session, user.id, c[0], c[1]) is None]
    have = {
        _rule_key(rule.name, rule.action_type) for rule in rules.list_rules(session, actor=SYSTEM, user=user)
    }
    return lacking, [rule for rule in want.rules if _rule_key(rule["name"], rule["action_type"]) not in have]


def _add(session: Session, user: User, lacking: list[tuple[str, str, bool]], new_rules: list[Json]) -> None:
    for method, address, enabled in lacking:
        if contacts.find_contact(session, user.id, method, address) is None:
            contacts.import_contact(session, user=user, method=method, to=address, enabled=enabled)
    for rule in new_rules:
        rules.create_rule(session, actor=SYSTEM, user=user, **rule)


def _create(want: Wanted) -> Any:
    def run(session: Session) -> None:
        user = people.create_user(
            session,
            username=want.username,
            role=want.role,
            password=None,
            full_name=want.full_name,
            time_zone=want.time_zone,
            default_rule=not any(rule["action_type"] == "create-alert" for rule in want.rules),
        )
        _add(session, user, [c for c in want.contacts if c[:2] != ("email", want.username)], want.rules)

    return run


def _fill(want: Wanted) -> Any:
    def run(session: Session) -> None:
        user = accounts.get_user(session, want.username)
        _add(session, user, *_missing(session, user, want))

    return run


def _differences(user: User, want: Wanted) -> list[str]:
    kept = []
    for label, here, there in (
        ("role", user.role, want.role),
        ("time zone", user.time_zone, want.time_zone),
        ("name", user.full_name, want.full_name or user.full_name),
    ):
        if here != there:
            kept.append(f"{label} stays {here!r} (Opsgenie: {there!r})")
    return kept


def plan_users(session: Session, users: list[SourceUser], plan: Plan) -> None:
    for source in users:
        want = wanted(source)
        if not want.username:
            plan.add(Change("user", repr(source.user.get("id")), CANNOT, ["it has no username"]))
            continue
        user = accounts.find_user(session, want.username)
        lacking, new_rules = _missing(session, user, want)
        if user is None:
            details = [
                want.role,
                want.time_zone,
                f"{len(want.contacts)} contact method(s)",
                f"{len(want.rules)} notification rule(s)",
            ]
            plan.add(Change("user", want.username, CREATE, details, want.notes, _create(want)))
            continue
        additions = [
            *(f"add {method} contact {address}" for method, address, _ in lacking),
            *(f"add notification rule {rule['name']!r}" for rule in new_rules),
        ]
        plan.add_existing("user", want.username, additions, _differences(user, want), want.notes, _fill(want))
