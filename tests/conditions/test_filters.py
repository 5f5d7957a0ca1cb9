"""What each field and operation of a filter matches, and the round trip through JSON."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.conditions import AlertFacts, Filter, parse_filter


def when(*conditions: dict[str, Any], type: str = "match-all-conditions") -> Filter:
    return parse_filter({"type": type, "conditions": list(conditions)})


def cond(field: str, operation: str, expected: str | None = None, **more: Any) -> dict[str, Any]:
    condition: dict[str, Any] = {"field": field, "operation": operation, **more}
    if expected is not None:
        condition["expectedValue"] = expected
    return condition


DB_ALERT = AlertFacts(
    message="Disk full on db-1",
    alias="disk-db-1",
    description="  ",
    source="prometheus",
    entity="db-1",
    tags=["db", "prod"],
    actions=["Restart"],
    details={"region": "eu-west", "env": "Production"},
    priority="P3",
    teams=["ops"],
)


@pytest.mark.parametrize("raw", [None, {}, {"type": "match-all"}, {"type": "match-all", "conditions": []}])
def test_no_filter_or_match_all_matches_every_alert(raw: dict[str, Any] | None) -> None:
    assert parse_filter(raw).matches(AlertFacts())
    assert parse_filter(raw).to_json() == {"type": "match-all"}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (cond("message", "contains", "disk full"), True),  # text comparisons ignore case
        (cond("message", "starts-with", "Disk"), True),
        (cond("message", "ends-with", "db-2"), False),
        (cond("message", "equals", "disk full on DB-1"), True),
        (cond("message", "equals-ignore-whitespace", "Diskfull  on\tdb-1"), True),
        (cond("message", "matches", r"Disk full on db-\d"), True),
        (cond("message", "matches", "Disk"), False),  # a regex must match the whole value
        (cond("description", "is-empty"), True),  # only blanks counts as empty
        (cond("source", "is-empty"), False),
        (cond("tags", "contains", "db"), True),
        (cond("tags", "contains", "d"), False),  # contains on a list means "has the element"
        (cond("tags", "starts-with", "pro"), True),
        (cond("tags", "matches", "p.*"), True),
        (cond("actions", "equals", "restart"), True),
        (cond("teams", "contains", "ops"), True),
        (cond("teams", "is-empty"), False),
        (cond("details", "contains-key", "region"), True),
        (cond("extra-properties", "contains-value", "production"), True),
        (cond("details", "equals", "eu-west", key="region"), True),
        (cond("details", "starts-with", "us", key="region"), False),
        (cond("details", "is-empty", key="missing"), True),
        (cond("details", "is-empty"), False),
        (cond("priority", "equals", "P3"), True),
        (cond("priority", "greater-than", "P4"), True),  # P3 is more urgent than P4
        (cond("priority", "greater-than", "P3"), False),
        (cond("priority", "less-than", "P2"), True),
    ],
)
def test_condition_matches_as_documented(condition: dict[str, Any], expected: bool) -> None:
    assert when(condition).matches(DB_ALERT) is expected
    assert when({**condition, "not": True}).matches(DB_ALERT) is not expected


def test_greater_than_p3_means_p1_or_p2() -> None:
    urgent = when(cond("priority", "greater-than", "P3"))
    matched = [p for p in ("P1", "P2", "P3", "P4", "P5") if urgent.matches(AlertFacts(priority=p))]
    assert matched == ["P1", "P2"]


def test_match_any_needs_one_condition_and_match_all_needs_every_one() -> None:
    db, eu = cond("tags", "contains", "db"), cond("details", "equals", "us", key="region")
    assert when(db, eu, type="match-any-condition").matches(DB_ALERT)
    assert not when(db, eu, type="match-all-conditions").matches(DB_ALERT)


def test_regex_that_runs_out_of_time_counts_as_no_match(caplog: pytest.LogCaptureFixture) -> None:
    # Alternation of overlapping branches is not caught when parsing; the timeout stops it.
    slow = when(cond("message", "matches", "(a|aa)*b"))
    assert not slow.matches(AlertFacts(message="a" * 40 + "ba"))
    assert "timed out" in caplog.text


values = st.text(max_size=12)
conditions = st.one_of(
    st.builds(
        lambda field, operation, value, negate: cond(field, operation, value or "x", **{"not": negate}),
        st.sampled_from(["message", "alias", "tags", "teams"]),
        st.sampled_from(["equals", "contains", "starts-with", "ends-with", "equals-ignore-whitespace"]),
        values,
        st.booleans(),
    ),
    st.builds(
        lambda operation, value: cond(
            "details", operation, None if operation == "is-empty" else value or "x"
        ),
        st.sampled_from(["contains-key", "contains-value", "is-empty"]),
        values,
    ),
    st.builds(
        lambda operation, value: cond("details", operation, value or "x", key="region"),
        st.sampled_from(["equals", "contains", "is-empty"]),
        values,
    ),
    st.builds(
        lambda operation, priority: cond("priority", operation, priority),
        st.sampled_from(["equals", "greater-than", "less-than"]),
        st.sampled_from(["P1", "P2", "P3", "P4", "P5"]),
    ),
)
facts = st.builds(
    AlertFacts,
    message=values,
    alias=values,
    tags=st.lists(values, max_size=3),
    teams=st.lists(values, max_size=2),
    details=st.dictionaries(st.sampled_from(["region", "env"]), values, max_size=2),
    priority=st.sampled_from(["P1", "P2", "P3", "P4", "P5"]),
)


@given(
    st.lists(conditions, min_size=1, max_size=4),
    st.sampled_from(["match-any-condition", "match-all-conditions"]),
    facts,
)
def test_filter_survives_a_round_trip_through_json_and_matches_the_same(
    raw: list[dict[str, Any]], match_type: str, alert: AlertFacts
) -> None:
    parsed = when(*raw, type=match_type)
    again = parse_filter(parsed.to_json())
    assert again == parsed
    assert again.matches(alert) == parsed.matches(alert)


@given(facts, st.sampled_from(["P1", "P2", "P3", "P4", "P5"]))
def test_every_priority_is_equal_greater_or_less_than_another(alert: AlertFacts, other: str) -> None:
    operations = ("equals", "greater-than", "less-than")
    outcomes = [when(cond("priority", operation, other)).matches(alert) for operation in operations]
    assert outcomes.count(True) == 1
