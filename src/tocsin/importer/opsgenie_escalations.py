"""Opsgenie escalations → Tocsin escalations: name, description, owner team, rules (condition,
notify type, delay, recipient) and repeat. An escalation Tocsin already has (same name, in any
case) keeps what it has: adding or changing rules would change who is woken and when.

An escalation is carried whole or not at all: a rule Tocsin cannot hold would leave a policy that
wakes fewer people, or later, than the one it replaces."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tocsin.actors import SYSTEM
from tocsin.escalations import service as escalations
from tocsin.escalations.schemas import NOTIFY_TYPES_OF, EscalationPayload
from tocsin.importer.changes import CANNOT, CREATE, SAME, Change, Plan
from tocsin.importer.opsgenie_refs import Present, by_name, team_ref, validated
from tocsin.importer.opsgenie_source import Json

_UNITS = ("minutes", "hours", "days")


def _rule(rule: Json, present: Present, index: int) -> tuple[Json | None, str | None]:
    """The rule as Tocsin takes it, or why it cannot be."""
    where = f"rule {index + 1}"
    recipient = rule.get("recipient") or {}
    kind = str(recipient.get("type") or "")
    notify = str(rule.get("notifyType") or "default")
    if kind not in NOTIFY_TYPES_OF:
        return None, (
            f"{where} notifies a {kind or 'missing'} recipient; Tocsin notifies a user, team or schedule"
        )
    if kind == "team" and notify == "all":
        notify = "users"  # Opsgenie's "all members of the team"
    if notify not in NOTIFY_TYPES_OF[kind]:
        return None, (
            f"{where} notifies {notify!r} of a {kind}; Tocsin can notify a {kind}'s "
            + ", ".join(NOTIFY_TYPES_OF[kind])
        )
    lacking = present.lacks(recipient)
    if lacking:
        return None, f"{where}: {lacking}"
    delay = rule.get("delay") or {}
    unit = str(delay.get("timeUnit") or "minutes")
    if unit not in _UNITS:
        return None, f"{where} waits in {unit}; Tocsin's delays are whole minutes, hours or days"
    return {
        "recipient": by_name(recipient),
        "condition": rule.get("condition") or "if-not-acked",
        "notifyType": notify,
        "delay": {"timeAmount": delay.get("timeAmount") or 0, "timeUnit": unit},
    }, None


def wanted(source: Json, present: Present) -> tuple[EscalationPayload | None, list[str]]:
    """The escalation as Tocsin's API would take it, or the reasons it cannot be carried."""
    reasons: list[str] = []
    rules = []
    for index, rule in enumerate(source.get("rules") or []):
        made, why = _rule(rule, present, index)
        if why:
            reasons.append(why)
        else:
            rules.append(made)
    owner = team_ref(source.get("ownerTeam"))
    if owner and present.lacks({"type": "team", **owner}):
        reasons.append(f"its owner team {owner['name']!r} is neither in Tocsin nor in this import")
    if reasons:
        return None, reasons
    body = {
        "name": source.get("name"),
        "description": source.get("description") or "",
        "ownerTeam": owner,
        "rules": rules,
        "repeat": source.get("repeat"),
    }
    return validated(EscalationPayload, body)


def _create(payload: EscalationPayload) -> Any:
    def run(session: Session) -> None:
        escalations.create_policy(session, actor=SYSTEM, payload=payload)

    return run


def _summary(payload: EscalationPayload) -> list[str]:
    steps = ", ".join(
        f"{rule.delay.minutes} min: {rule.recipient.type} "
        f"{rule.recipient.username or rule.recipient.name} ({rule.notify_type})"
        for rule in payload.rules
    )
    details = [f"{len(payload.rules)} rule(s): {steps}"]
    if payload.repeat and payload.repeat.count:
        details.append(f"repeats {payload.repeat.count} time(s) after {payload.repeat.wait_interval} min")
    return details


def plan_escalations(session: Session, source: list[Json], present: Present, plan: Plan) -> None:
    for found in source:
        name = str(found.get("name") or "").strip()
        if not name:
            plan.add(Change("escalation", repr(found.get("id")), CANNOT, ["it has no name"]))
            continue
        if escalations.find_policy(session, name, "name") is not None:
            plan.add(Change("escalation", name, SAME))
            continue
        payload, reasons = wanted(found, present)
        if payload is None:
            plan.add(Change("escalation", name, CANNOT, reasons))
            present.drop("escalation", name)  # what names it cannot count on it
            continue
        plan.add(Change("escalation", name, CREATE, _summary(payload), [], _create(payload)))
