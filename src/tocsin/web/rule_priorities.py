"""Which alerts a notification rule covers, as the profile shows and edits it: priorities ticked
(all of them: every alert, stored as match-all; some: match-any-condition of ``priority equals``)
and, for criteria set through the API, the conditions in words."""

from __future__ import annotations

from typing import Any

from tocsin.conditions.filters import PRIORITIES, Condition, Filter
from tocsin.errors import InvalidInput

OPERATION_WORDS = {  # operation: (holds, negated)
    "equals": ("is", "is not"),
    "contains": ("contains", "does not contain"),
    "starts-with": ("starts with", "does not start with"),
    "ends-with": ("ends with", "does not end with"),
    "matches": ("matches the pattern", "does not match the pattern"),
    "equals-ignore-whitespace": ("is (ignoring spaces)", "is not (ignoring spaces)"),
    "is-empty": ("is empty", "is not empty"),
    "contains-key": ("has the key", "does not have the key"),
    "contains-value": ("has the value", "does not have the value"),
    "greater-than": ("is more urgent than", "is not more urgent than"),
    "less-than": ("is less urgent than", "is not less urgent than"),
}


def criteria_for(ticked: list[str]) -> dict[str, Any]:
    """The criteria of a rule for alerts of the ``ticked`` priorities."""
    chosen = [name for name in PRIORITIES if name in ticked]
    unknown = sorted(set(ticked) - set(PRIORITIES))
    if unknown:
        raise InvalidInput(
            "criteria", f"{unknown[0]!r} is not a priority; choose among {', '.join(PRIORITIES)}"
        )
    if not chosen:
        raise InvalidInput(
            "criteria", "tick at least one priority: a rule for no alert would never notify you"
        )
    if len(chosen) == len(PRIORITIES):
        return {"type": "match-all"}
    return {
        "type": "match-any-condition",
        "conditions": [
            {"field": "priority", "operation": "equals", "expectedValue": name, "not": False, "order": n}
            for n, name in enumerate(chosen)
        ],
    }


def priorities_of(criteria: Filter) -> list[str] | None:
    """The priorities the criteria pick, or None when they say more than priorities."""
    if criteria.type == "match-all":
        return list(PRIORITIES)
    simple = all(
        c.field == "priority" and c.operation == "equals" and not c.negate for c in criteria.conditions
    )
    if not simple:
        return None
    if criteria.type == "match-all-conditions" and len({c.expected for c in criteria.conditions}) > 1:
        return []
    picked = {c.expected for c in criteria.conditions}
    return [name for name in PRIORITIES if name in picked]


def covers(criteria: Filter) -> str:
    """ "every alert", "P1, P2 alerts" or "alerts matching: …"."""
    picked = priorities_of(criteria)
    if picked is not None and len(picked) == len(PRIORITIES):
        return "every alert"
    if picked:
        return f"{', '.join(picked)} alerts"
    joiner = " or " if criteria.type == "match-any-condition" else " and "
    return "alerts matching: " + joiner.join(_words(condition) for condition in criteria.conditions)


def _words(condition: Condition) -> str:
    subject = f"{condition.field} {condition.key}" if condition.key else condition.field
    holds, negated = OPERATION_WORDS.get(
        condition.operation, (condition.operation, f"not {condition.operation}")
    )
    verb = negated if condition.negate else holds
    if condition.operation == "is-empty":
        return f"{subject} {verb}"
    expected = condition.expected if condition.field == "priority" else repr(condition.expected)
    return f"{subject} {verb} {expected}"
