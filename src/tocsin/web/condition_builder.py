"""The filter of an integration as a form: a match type (all alerts, all conditions, any
condition) and rows of conditions (field, details key, not, operation, value), read back into the
same filter JSON the API takes and checked by the same parser. Rows left without a field are
skipped, so a form can offer an empty row to fill in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from tocsin.conditions import FIELDS, OPERATIONS, parse_filter
from tocsin.errors import InvalidInput

MATCH_TYPES = {
    "match-all": "All alerts",
    "match-all-conditions": "Alerts that match all conditions",
    "match-any-condition": "Alerts that match any condition",
}
FIELD_LABELS = {name: name for name in FIELDS} | {"extra-properties": "extra-properties (details)"}
OPERATION_LABELS = {
    "equals": "equals",
    "contains": "contains",
    "starts-with": "starts with",
    "ends-with": "ends with",
    "matches": "matches (regular expression)",
    "equals-ignore-whitespace": "equals, ignoring spaces",
    "is-empty": "is empty",
    "contains-key": "has the key",
    "contains-value": "has the value",
    "greater-than": "is more urgent than",
    "less-than": "is less urgent than",
}
assert set(OPERATION_LABELS) == set(OPERATIONS)
MAX_ROWS = 50
_PLACE = re.compile(r"^outgoing\.filter\.conditions\[(\d+)\]")


@dataclass(frozen=True)
class ConditionRow:
    field: str = ""
    key: str = ""
    negate: bool = False
    operation: str = "equals"
    value: str = ""

    @property
    def blank(self) -> bool:
        return not self.field.strip()

    def to_json(self, order: int) -> dict[str, Any]:
        shown: dict[str, Any] = {"field": self.field, "not": self.negate, "operation": self.operation}
        if self.key.strip():
            shown["key"] = self.key.strip()
        if self.operation != "is-empty":
            shown["expectedValue"] = self.value
        shown["order"] = order
        return shown


@dataclass(frozen=True)
class FilterForm:
    match: str
    rows: list[ConditionRow]


class ConditionFields(BaseModel):
    """The fields a form with a filter sends: the match type, the rows (one list per column), and
    which of Add a condition or Remove (a row's number from 0) was pressed, if any."""

    filter_type: str = "match-all"
    cond_field: list[str] = []
    cond_key: list[str] = []
    cond_not: list[str] = []
    cond_operation: list[str] = []
    cond_value: list[str] = []
    add_condition: str = ""
    remove_condition: str = ""

    def filter_form(self) -> FilterForm:
        rows = rows_from(self.cond_field, self.cond_key, self.cond_not, self.cond_operation, self.cond_value)
        return FilterForm(self.filter_type, rows)

    @property
    def rearranging(self) -> bool:
        """Whether Add a condition or Remove was pressed (the form is drawn again, not saved)."""
        return bool(self.add_condition or self.remove_condition)

    def rearranged(self) -> tuple[list[ConditionRow], int]:
        return rearranged(self.filter_form().rows, add=bool(self.add_condition), remove=self.remove_condition)


class ConditionProblem(InvalidInput):
    """A condition refused, with the number (from 0) of the row of the form it is on."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__("outgoing.filter", message)
        self.row = row


def form_of(filter_json: dict[str, Any] | None) -> FilterForm:
    """The form showing a stored (already checked) filter."""
    parsed = parse_filter(filter_json or None)
    rows = [ConditionRow(c.field, c.key, c.negate, c.operation, c.expected) for c in parsed.conditions]
    return FilterForm(parsed.type, rows)


def rows_from(
    fields: list[str], keys: list[str], negations: list[str], operations: list[str], values: list[str]
) -> list[ConditionRow]:
    """The rows as a form sent them (lists cut short by a tampered form count as blank)."""

    def at(items: list[str], index: int, default: str = "") -> str:
        return items[index] if index < len(items) else default

    return [
        ConditionRow(
            field=at(fields, index).strip(),
            key=at(keys, index),
            negate=at(negations, index) == "not",
            operation=at(operations, index, "equals").strip(),
            value=at(values, index),
        )
        for index in range(min(len(fields), MAX_ROWS + 1))
    ]


def rearranged(rows: list[ConditionRow], *, add: bool, remove: str) -> tuple[list[ConditionRow], int]:
    """The rows after Add a condition (``add``) or Remove (``remove``: the row's number from 0),
    and the row to put the focus on; there is always a row to fill in."""
    rows = rows or [ConditionRow()]
    if add:
        if len(rows) >= MAX_ROWS:
            return rows, len(rows) - 1
        return [*rows, ConditionRow()], len(rows)
    index = int(remove) if remove.isdigit() else -1
    kept = [row for number, row in enumerate(rows) if number != index] or [ConditionRow()]
    return kept, min(max(index, 0), len(kept) - 1)


def filter_json(form: FilterForm) -> dict[str, Any]:
    """The filter the form asks for, in the API's shape, checked; a problem with a condition is
    a ConditionProblem naming its row."""
    if form.match not in MATCH_TYPES:
        raise InvalidInput("outgoing.filter", "choose which alerts are sent: all of them, or by conditions")
    if form.match == "match-all":
        return {"type": "match-all"}
    filled = [(number, row) for number, row in enumerate(form.rows) if not row.blank]
    if not filled:
        raise InvalidInput("outgoing.filter", "add a condition (choose its field), or choose All alerts")
    if len(filled) > MAX_ROWS:
        raise InvalidInput("outgoing.filter", f"at most {MAX_ROWS} conditions")
    for number, row in filled:
        if row.operation != "is-empty" and not row.value.strip():
            raise ConditionProblem(
                number, f"Condition {number + 1}: enter the value to compare with, or choose “is empty”"
            )
    raw = {"type": form.match, "conditions": [row.to_json(order) for order, (_, row) in enumerate(filled)]}
    try:
        return parse_filter(raw, field="outgoing.filter").to_json()
    except InvalidInput as problem:
        found = _PLACE.match(problem.field or "")
        if found is None:
            raise
        number = filled[int(found.group(1))][0]
        message = problem.message.replace("an expectedValue", "a value")
        raise ConditionProblem(number, f"Condition {number + 1}: {message}") from None


def describe(filter_json_: dict[str, Any] | None) -> list[str]:
    """The filter in words, one line per condition (for the integration's page)."""
    form = form_of(filter_json_)
    if form.match == "match-all":
        return ["All alerts"]
    lines = [MATCH_TYPES[form.match] + ":"]
    for row in form.rows:
        subject = f"{row.field} {row.key!r}" if row.key else row.field
        words = [subject, "not" if row.negate else "", OPERATION_LABELS[row.operation]]
        if row.operation != "is-empty":
            words.append(repr(row.value))
        lines.append(" ".join(word for word in words if word))
    return lines
