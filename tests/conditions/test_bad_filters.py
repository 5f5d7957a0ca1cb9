"""Filters that cannot work are refused with a message that says where and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from tocsin.conditions import parse_filter
from tocsin.errors import InvalidInput


def refusal(*conditions: Any, type: str = "match-all-conditions", field: str = "filter") -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_filter({"type": type, "conditions": list(conditions)}, field=field)
    return caught.value


def test_unknown_field_names_the_condition_and_lists_the_fields() -> None:
    error = refusal(
        {"field": "message", "operation": "contains", "expectedValue": "x"},
        {"field": "colour", "operation": "equals", "expectedValue": "red"},
    )
    assert error.field == "filter.conditions[1].field"
    assert "unknown field 'colour'" in error.message
    assert "message, alias, description" in error.message and "priority" in error.message


def test_unknown_operation_lists_the_operations() -> None:
    error = refusal({"field": "message", "operation": "sounds-like", "expectedValue": "x"}, field="policy")
    assert error.field == "policy.conditions[0].operation"
    assert "unknown operation 'sounds-like'" in error.message and "starts-with" in error.message


@pytest.mark.parametrize(
    ("condition", "place", "words"),
    [
        (
            {"field": "tags", "operation": "greater-than", "expectedValue": "x"},
            "operation",
            "greater-than does not apply to field tags",
        ),
        (
            {"field": "details", "operation": "contains"},
            "operation",
            "contains does not apply to field details",
        ),
        (
            {"field": "priority", "operation": "contains", "expectedValue": "P1"},
            "operation",
            "allowed: equals, greater-than, less-than",
        ),
        ({"field": "message", "operation": "contains"}, "expectedValue", "contains needs an expectedValue"),
        (
            {"field": "priority", "operation": "equals", "expectedValue": "urgent"},
            "expectedValue",
            "'urgent' is not a priority",
        ),
        (
            {"field": "message", "operation": "equals", "expectedValue": 5},
            "expectedValue",
            "must be a string",
        ),
        (
            {"field": "message", "key": "k", "operation": "equals", "expectedValue": "x"},
            "key",
            "only the details field takes a key",
        ),
        (
            {"field": "message", "operation": "equals", "expectedValue": "x", "not": "yes"},
            "not",
            "must be true or false",
        ),
        (
            {"field": "message", "operation": "equals", "expectedValue": "x", "colour": 1},
            "",
            "unknown key 'colour'",
        ),
        (
            {"field": "message", "operation": "matches", "expectedValue": "(unclosed"},
            "expectedValue",
            "not a valid regular expression",
        ),
        (
            {"field": "message", "operation": "matches", "expectedValue": "a" * 501},
            "expectedValue",
            "at most 500",
        ),
    ],
)
def test_bad_condition_is_refused_saying_what_to_fix(
    condition: dict[str, Any], place: str, words: str
) -> None:
    error = refusal(condition)
    assert error.field == "filter.conditions[0]" + (f".{place}" if place else "")
    assert words in error.message


@pytest.mark.parametrize("pattern", ["(a+)+", "(a*)*", "(.*a){20}", "(?:x+y?)*z", "((ab)+c)+", "(a{1,9})+"])
def test_catastrophic_regex_is_refused_when_parsed(pattern: str) -> None:
    error = refusal({"field": "message", "operation": "matches", "expectedValue": pattern})
    assert error.message.startswith("nested repetition can take exponential time")


@pytest.mark.parametrize(
    "pattern", [r"db-\d+", "(ab)+", "(a{2}){3}", r"[(]+x*", r"\p{L}+ (?:x|y)*", "(a+)?b"]
)
def test_ordinary_regex_is_accepted(pattern: str) -> None:
    condition = {"field": "message", "operation": "matches", "expectedValue": pattern}
    assert parse_filter({"type": "match-any-condition", "conditions": [condition]}).to_json()["conditions"]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ({"type": "match-some"}, "unknown type 'match-some'; allowed: match-all, match-any-condition"),
        ({"type": "match-all-conditions"}, "needs at least one condition"),
        (
            {"type": "match-all", "conditions": [{"field": "message", "operation": "is-empty"}]},
            "match-all matches every alert and takes no conditions",
        ),
        ({"type": "match-all-conditions", "conditions": "message"}, "must be a list"),
        ({"type": "match-all", "rules": []}, "unknown key 'rules'"),
    ],
)
def test_bad_filter_shape_is_refused(raw: dict[str, Any], words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_filter(raw)
    assert words in caught.value.message
