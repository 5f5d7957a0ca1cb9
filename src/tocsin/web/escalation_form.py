"""An escalation as a form: name, description, owner team, the ordered rules (each: after how
many minutes, on what condition, which notifyType, which recipient) and the repeat settings,
read back into the API's payload and checked by the API's own schema, so the page refuses what
the API refuses. Add, Remove, Move up and Move down send the form back to be drawn again."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel, ValidationError

from tocsin.errors import InvalidInput
from tocsin.escalations.models import EscalationPolicy, EscalationRule
from tocsin.escalations.schemas import MAX_DELAY_MINUTES, NOTIFY_TYPES_OF, EscalationPayload

MAX_RULES = 20
NO_TEAM = "none"
CONDITIONS = {"if-not-acked": "if not acknowledged", "if-not-closed": "if not closed"}
NOTIFY_LABELS = {
    "default": "default: the person, or the on-call",
    "next": "next: the next on-call (schedule)",
    "previous": "previous: the previous on-call (schedule)",
    "users": "users: all members (team)",
    "admins": "admins: the admins (team)",
}
assert set(NOTIFY_LABELS) == {kind for kinds in NOTIFY_TYPES_OF.values() for kind in kinds}


@dataclass(frozen=True)
class RuleRow:
    delay: str = "0"
    condition: str = "if-not-acked"
    notify: str = "default"
    recipient: str = ""
    """``type:id`` of a schedule, user or team; "" while none is chosen."""

    def to_json(self) -> dict[str, Any]:
        kind, _, ident = self.recipient.partition(":")
        delay: Any = int(self.delay) if self.delay.strip().isdigit() else self.delay.strip()
        return {
            "condition": self.condition,
            "notifyType": self.notify,
            "delay": {"timeAmount": delay, "timeUnit": "minutes"},
            "recipient": {"type": kind, "id": ident} if ident else {"type": kind},
        }


class EscalationFields(BaseModel):
    """The fields the editor sends; a rule's fields come as one list per column."""

    csrf_token: str = ""
    name: str = ""
    description: str = ""
    owner_team: str | None = None
    """A team's id or NO_TEAM; left out (no choice was offered): the owner stays."""
    team_default: str = ""
    rule_delay: list[str] = []
    rule_condition: list[str] = []
    rule_notify: list[str] = []
    rule_recipient: list[str] = []
    repeat_wait: str = "0"
    repeat_count: str = "0"
    repeat_reset: str = ""
    repeat_close: str = ""
    add_rule: str = ""
    remove_rule: str = ""
    up_rule: str = ""
    down_rule: str = ""

    def rules(self) -> list[RuleRow]:
        def at(items: list[str], index: int, default: str) -> str:
            return items[index] if index < len(items) else default

        return [
            RuleRow(
                delay=at(self.rule_delay, index, "0").strip(),
                condition=at(self.rule_condition, index, "if-not-acked"),
                notify=at(self.rule_notify, index, "default"),
                recipient=at(self.rule_recipient, index, ""),
            )
            for index in range(min(len(self.rule_recipient), MAX_RULES + 1))
        ]

    @property
    def rearranging(self) -> bool:
        return bool(self.add_rule or self.remove_rule or self.up_rule or self.down_rule)

    def rearranged(self) -> tuple[list[RuleRow], int]:
        """The rules after the button pressed, and the rule to put the focus on."""
        rules = self.rules() or [RuleRow()]
        if self.add_rule:
            if len(rules) >= MAX_RULES:
                return rules, len(rules) - 1
            last = rules[-1]
            return [*rules, replace(RuleRow(), condition=last.condition)], len(rules)
        for pressed, step in ((self.up_rule, -1), (self.down_rule, 1)):
            if pressed:
                index = _index(pressed, len(rules))
                other = index + step
                if 0 <= index < len(rules) and 0 <= other < len(rules):
                    rules[index], rules[other] = rules[other], rules[index]
                    return rules, other
                return rules, max(index, 0)
        index = _index(self.remove_rule, len(rules))
        kept = [rule for number, rule in enumerate(rules) if number != index] or [RuleRow()]
        return kept, min(max(index, 0), len(kept) - 1)

    def repeat_json(self) -> dict[str, Any]:
        return {
            "waitInterval": _number(self.repeat_wait),
            "count": _number(self.repeat_count),
            "resetRecipientStates": bool(self.repeat_reset),
            "closeAlertAfterAll": bool(self.repeat_close),
        }

    def payload_json(self, *, offers_owner: bool) -> dict[str, Any]:
        """The API's payload for this form (what ``EscalationPayload`` takes)."""
        rows = self.rules()
        blank = [number for number, row in enumerate(rows) if not row.recipient]
        if blank:
            raise InvalidInput(f"rules[{blank[0]}].recipient", "choose whom this rule notifies")
        data: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "teamDefault": bool(self.team_default),
            "rules": [row.to_json() for row in rows],
            "repeat": self.repeat_json(),
        }
        if offers_owner:
            data["ownerTeam"] = None if self.owner_team in (None, "", NO_TEAM) else {"id": self.owner_team}
        return data

    def payload(self, *, offers_owner: bool) -> EscalationPayload:
        """The checked payload; a problem is an InvalidInput naming the field, in the API's words."""
        data = self.payload_json(offers_owner=offers_owner)
        try:
            return EscalationPayload.model_validate(data)
        except ValidationError as error:
            problem = error.errors()[0]
            raise InvalidInput(_place(problem["loc"]), _words(problem)) from None


def _index(value: str, count: int) -> int:
    return int(value) if value.isdigit() and int(value) < count else -1


def _number(value: str) -> Any:
    value = value.strip()
    return int(value) if value.isdigit() else value or 0


def _place(loc: tuple[Any, ...]) -> str:
    """The API's name of a field, as ``InvalidInput`` names it: ``rules[1].delay``."""
    place = ""
    for part in loc:
        place += f"[{part}]" if isinstance(part, int) else (f".{part}" if place else str(part))
    return place


def _words(problem: Any) -> str:
    message = str(problem["msg"]).removeprefix("Value error, ")
    loc = problem["loc"]
    if loc and loc[-1] in ("timeAmount", "delay"):
        return f"the delay must be a whole number of minutes, from 0 to {MAX_DELAY_MINUTES} (7 days)"
    if loc[:1] == ("repeat",) and loc[-1] == "waitInterval":
        return f"the wait must be a whole number of minutes, from 0 to {MAX_DELAY_MINUTES} (7 days)"
    if loc[:1] == ("repeat",) and loc[-1] == "count":
        return "repeat from 0 to 20 times"
    if loc[:1] == ("rules",) and len(loc) > 2 and loc[2] == "recipient":
        return "choose whom this rule notifies"
    if loc == ("rules",):
        return f"an escalation has 1 to {MAX_RULES} rules"
    if loc == ("name",):
        return "give the escalation a name of 1 to 100 characters"
    return message[:1].lower() + message[1:]


def field_of(place: str | None) -> str:
    """Where on the form a problem the API names at ``place`` is shown."""
    place = place or ""
    if place.startswith("rules["):
        return "rule-" + place[len("rules[") :].split("]", 1)[0]
    if place.startswith("rules"):
        return "rules"
    return {
        "ownerTeam": "owner_team",
        "teamDefault": "team_default",
        "repeat.waitInterval": "repeat_wait",
        "repeat.count": "repeat_count",
    }.get(place, place if place in ("name", "description") else "form")


def stored_fields(policy: EscalationPolicy, rules: list[EscalationRule]) -> EscalationFields:
    return EscalationFields(
        name=policy.name,
        description=policy.description,
        owner_team=policy.owner_team_id or NO_TEAM,
        team_default="on" if policy.is_team_default else "",
        rule_delay=[str(rule.delay_minutes) for rule in rules],
        rule_condition=[rule.condition for rule in rules],
        rule_notify=[rule.notify_type for rule in rules],
        rule_recipient=[f"{rule.recipient_type}:{rule.recipient_id}" for rule in rules],
        repeat_wait=str(policy.repeat_wait_minutes or 0),
        repeat_count=str(policy.repeat_count),
        repeat_reset="on" if policy.repeat_reset_recipient_states else "",
        repeat_close="on" if policy.repeat_close_alert_after_all else "",
    )
