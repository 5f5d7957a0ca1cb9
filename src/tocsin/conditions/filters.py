"""Filters in Opsgenie's shape: a match type and conditions on the fields of an alert.

Text comparisons (equals, contains, starts-with, ends-with, equals-ignore-whitespace) ignore case;
``matches`` is a regular expression that must match the whole value (as in Opsgenie), case
sensitive unless the pattern says ``(?i)``. On a list field (tags, actions, teams) an operation
holds when it holds for some element, and ``contains`` means "has an element equal to", so
``tags contains db`` matches the tag ``db`` and not ``mongodb``. Priorities compare by urgency:
P1 is the highest, so ``greater-than P3`` means P1 or P2."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import regex

from tocsin.conditions.facts import AlertFacts
from tocsin.conditions.regexes import UnsafePattern, compile_pattern, full_match
from tocsin.errors import InvalidInput

MATCH_TYPES = ("match-all", "match-any-condition", "match-all-conditions")
TEXT_FIELDS = ("message", "alias", "description", "source", "entity")
LIST_FIELDS = ("tags", "actions", "teams")
DETAILS_FIELDS = ("details", "extra-properties")
FIELDS = (*TEXT_FIELDS, *LIST_FIELDS, *DETAILS_FIELDS, "priority")
TEXT_OPERATIONS = (
    "equals",
    "contains",
    "starts-with",
    "ends-with",
    "matches",
    "equals-ignore-whitespace",
    "is-empty",
)
DETAILS_OPERATIONS = ("contains-key", "contains-value", "is-empty")
PRIORITY_OPERATIONS = ("equals", "greater-than", "less-than")
OPERATIONS = (*TEXT_OPERATIONS, "contains-key", "contains-value", "greater-than", "less-than")
PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
CONDITION_KEYS = ("field", "key", "not", "operation", "expectedValue", "order")
MAX_CONDITIONS = 50
MAX_EXPECTED_LENGTH = 1000


def _squash(text: str) -> str:
    return "".join(text.split()).casefold()


_COMPARE: dict[str, Callable[[str, str], bool]] = {
    "equals": lambda value, expected: value.casefold() == expected.casefold(),
    "contains": lambda value, expected: expected.casefold() in value.casefold(),
    "starts-with": lambda value, expected: value.casefold().startswith(expected.casefold()),
    "ends-with": lambda value, expected: value.casefold().endswith(expected.casefold()),
    "equals-ignore-whitespace": lambda value, expected: _squash(value) == _squash(expected),
}


@dataclass(frozen=True)
class Condition:
    field: str
    operation: str
    expected: str = ""
    key: str = ""
    negate: bool = False
    order: int = 0
    pattern: regex.Pattern[str] | None = dataclasses.field(default=None, compare=False, repr=False)

    def holds(self, facts: AlertFacts) -> bool:
        return self._test(facts) != self.negate

    def _test(self, facts: AlertFacts) -> bool:
        operation = self.operation
        if self.field == "priority":
            if operation == "equals":
                return facts.priority == self.expected
            # A smaller number is more urgent: "greater-than P3" is P1 or P2.
            rank, expected = PRIORITIES.index(facts.priority), PRIORITIES.index(self.expected)
            return rank < expected if operation == "greater-than" else rank > expected
        if self.field in DETAILS_FIELDS and not self.key:
            if operation == "contains-key":
                return self.expected in facts.details
            if operation == "contains-value":
                return any(value.casefold() == self.expected.casefold() for value in facts.details.values())
            return not facts.details
        if self.field in LIST_FIELDS:
            values: list[str] = list(getattr(facts, self.field))
            if operation == "is-empty":
                return not any(value.strip() for value in values)
            if operation == "contains":
                operation = "equals"
            return any(self._compare(operation, value) for value in values)
        if self.field in DETAILS_FIELDS:
            value = facts.details.get(self.key, "")
        else:
            value = getattr(facts, self.field)
        if operation == "is-empty":
            return not value.strip()
        return self._compare(operation, value)

    def _compare(self, operation: str, value: str) -> bool:
        if operation == "matches":
            assert self.pattern is not None
            return full_match(self.pattern, value)
        return _COMPARE[operation](value, self.expected)

    def to_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"field": self.field, "not": self.negate, "operation": self.operation}
        if self.key:
            shown["key"] = self.key
        if self.operation != "is-empty":
            shown["expectedValue"] = self.expected
        shown["order"] = self.order
        return shown


@dataclass(frozen=True)
class Filter:
    type: str = "match-all"
    conditions: tuple[Condition, ...] = ()

    def matches(self, facts: AlertFacts) -> bool:
        if self.type == "match-all":
            return True
        if self.type == "match-any-condition":
            return any(condition.holds(facts) for condition in self.conditions)
        return all(condition.holds(facts) for condition in self.conditions)

    def to_json(self) -> dict[str, Any]:
        if self.type == "match-all":
            return {"type": "match-all"}
        return {"type": self.type, "conditions": [condition.to_json() for condition in self.conditions]}


MATCH_EVERYTHING = Filter()


def parse_filter(raw: dict[str, Any] | None, *, field: str = "filter") -> Filter:
    """A Filter from its Opsgenie JSON; None, ``{}`` and ``{"type": "match-all"}`` match every alert.
    Anything unknown or incomplete raises InvalidInput naming the place and what is allowed."""
    if raw is None or raw == {}:
        return MATCH_EVERYTHING
    if not isinstance(raw, dict):
        raise InvalidInput(field, "must be an object with a type and conditions")
    unknown = sorted(set(raw) - {"type", "conditions"})
    if unknown:
        raise InvalidInput(field, f"unknown key {unknown[0]!r}; a filter has only type and conditions")
    match_type = raw.get("type", "match-all")
    if match_type not in MATCH_TYPES:
        raise InvalidInput(f"{field}.type", f"unknown type {match_type!r}; allowed: {', '.join(MATCH_TYPES)}")
    conditions = raw.get("conditions") or []
    if not isinstance(conditions, list):
        raise InvalidInput(f"{field}.conditions", "must be a list of conditions")
    if match_type == "match-all":
        if conditions:
            raise InvalidInput(
                f"{field}.type",
                "match-all matches every alert and takes no conditions; "
                "use match-all-conditions or match-any-condition to apply them",
            )
        return MATCH_EVERYTHING
    if not conditions:
        raise InvalidInput(f"{field}.conditions", f"{match_type} needs at least one condition")
    if len(conditions) > MAX_CONDITIONS:
        raise InvalidInput(f"{field}.conditions", f"at most {MAX_CONDITIONS} conditions")
    parsed = [
        _parse_condition(item, index, f"{field}.conditions[{index}]") for index, item in enumerate(conditions)
    ]
    return Filter(match_type, tuple(sorted(parsed, key=lambda condition: condition.order)))


def _parse_condition(raw: Any, index: int, place: str) -> Condition:
    if not isinstance(raw, dict):
        raise InvalidInput(place, "must be an object with field, operation and expectedValue")
    unknown = sorted(set(raw) - set(CONDITION_KEYS))
    if unknown:
        raise InvalidInput(place, f"unknown key {unknown[0]!r}; allowed: {', '.join(CONDITION_KEYS)}")
    name = raw.get("field")
    if name not in FIELDS:
        raise InvalidInput(f"{place}.field", f"unknown field {name!r}; allowed: {', '.join(FIELDS)}")
    operation = raw.get("operation")
    if operation not in OPERATIONS:
        raise InvalidInput(
            f"{place}.operation", f"unknown operation {operation!r}; allowed: {', '.join(OPERATIONS)}"
        )
    key = raw.get("key") or ""
    if not isinstance(key, str):
        raise InvalidInput(f"{place}.key", "must be a string")
    if key and name not in DETAILS_FIELDS:
        raise InvalidInput(f"{place}.key", f"only the details field takes a key, not {name}")
    allowed = _operations_for(name, key)
    if operation not in allowed:
        target = f"details key {key!r}" if key else f"field {name}"
        raise InvalidInput(
            f"{place}.operation", f"{operation} does not apply to {target}; allowed: {', '.join(allowed)}"
        )
    negate = raw.get("not", False)
    if not isinstance(negate, bool):
        raise InvalidInput(f"{place}.not", "must be true or false")
    order = raw.get("order", index)
    if order is None:
        order = index
    if not isinstance(order, int) or isinstance(order, bool):
        raise InvalidInput(f"{place}.order", "must be a whole number")
    if operation == "is-empty":
        return Condition(name, operation, "", key, negate, order)
    expected = _expected_value(raw.get("expectedValue"), name, operation, f"{place}.expectedValue")
    pattern = None
    if operation == "matches":
        try:
            pattern = compile_pattern(expected)
        except UnsafePattern as error:
            raise InvalidInput(f"{place}.expectedValue", str(error)) from None
    return Condition(name, operation, expected, key, negate, order, pattern)


def _operations_for(name: str, key: str) -> tuple[str, ...]:
    if name == "priority":
        return PRIORITY_OPERATIONS
    if name in DETAILS_FIELDS and not key:
        return DETAILS_OPERATIONS
    return TEXT_OPERATIONS


def _expected_value(value: Any, name: str, operation: str, place: str) -> str:
    if value is None or value == "":
        raise InvalidInput(
            place, f"{operation} needs an expectedValue (use is-empty to test for an empty field)"
        )
    if not isinstance(value, str):
        raise InvalidInput(place, "must be a string")
    if len(value) > MAX_EXPECTED_LENGTH:
        raise InvalidInput(place, f"at most {MAX_EXPECTED_LENGTH} characters")
    if name == "priority" and value not in PRIORITIES:
        raise InvalidInput(place, f"{value!r} is not a priority; allowed: {', '.join(PRIORITIES)}")
    return value
