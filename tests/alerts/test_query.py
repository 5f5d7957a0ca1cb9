from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from tests.support.factories import make_integration, make_team
from tocsin.actors import Actor
from tocsin.alerts import actions, ingest, service
from tocsin.alerts.models import Alert
from tocsin.alerts.query import And, Not, Or, QuerySyntaxError, Term, parse, to_condition
from tocsin.alerts.schemas import CreateAlertPayload

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)  # the frozen clock's start
MS = int(T0.timestamp() * 1000)
ADA = Actor(name="ada@example.com", channel="web", username="ada@example.com")
BOB = Actor(name="bob@example.com", channel="web", username="bob@example.com")


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def create(db, actor, **fields) -> str:
    with db.write_session() as session:
        payload = CreateAlertPayload.model_validate(fields)
        return ingest.create_alert(session, payload=payload, actor=actor).alert_id


@pytest.fixture
def alerts(db, frozen_clock) -> dict[str, str]:
    """Four alerts, by name: disk, diskette (acknowledged), cpu (closed, count 3), memory (snoozed)."""
    make_team(db, "ops")
    make_team(db, "Database")
    prometheus, _ = make_integration(db, "Prometheus")
    grafana, _ = make_integration(db, "Grafana")
    ids = {}
    ids["disk"] = create(
        db,
        prometheus,
        message="Disk full on host1",
        alias="host1-disk",
        description="The /var partition is at 99% (100_000 inodes)",
        priority="P1",
        tags=["db", "prod"],
        details={"env": "prod", "Region": "eu-west"},
        source="nagios",
        entity="host1",
        responders=[{"type": "team", "name": "ops"}],
    )
    frozen_clock.set(at(1))
    ids["diskette"] = create(
        db,
        grafana,
        message="diskette drive missing",
        description="Legacy hardware check",
        priority="P2",
        tags=["web"],
        details={"env": "staging"},
        source="Zabbix",
        entity="floppy",
    )
    frozen_clock.set(at(2.0005))  # half a millisecond into 2000 ms
    cpu = dict(message="CPU hot: 95% [core_1]", alias="cpu*hot", tags=["web", "db-replica"], entity="host2")
    ids["cpu"] = create(
        db,
        prometheus,
        **cpu,
        source="prometheus-eu",
        responders=[{"type": "team", "name": "Database"}],
        visibleTo=[{"type": "team", "name": "ops"}],
    )
    frozen_clock.set(at(3))
    create(db, prometheus, **cpu)
    create(db, prometheus, **cpu)
    frozen_clock.set(at(4))
    ids["memory"] = create(db, prometheus, message="Memory pressure", priority="P5")
    with db.write_session() as session:
        frozen_clock.set(at(10))
        actions.acknowledge(session, ref=service.AlertRef(ids["diskette"]), actor=ADA)
        frozen_clock.set(at(11))
        actions.close(session, ref=service.AlertRef(ids["cpu"]), actor=BOB)
        frozen_clock.set(at(12))
        actions.snooze(session, ref=service.AlertRef(ids["memory"]), actor=BOB, end_time=at(3600))
    return ids


def found(db, alerts: dict[str, str], query: str) -> set[str]:
    names = {alert_id: name for name, alert_id in alerts.items()}
    with db.read_session() as session:
        return {names[alert_id] for alert_id in session.scalars(select(Alert.id).where(to_condition(query)))}


def check(db, alerts: dict[str, str], expected: dict[str, str]) -> None:
    """``expected`` maps each query to the names of the alerts it finds, space-separated."""
    wrong = {}
    for query, names in expected.items():
        got = found(db, alerts, query)
        if got != set(names.split()):
            wrong[query] = sorted(got)
    assert wrong == {}


ALL = "disk diskette cpu memory"


def test_status_flags_and_priority(db, alerts):
    check(db, alerts, {
        "status:open": "disk diskette memory",
        "STATUS=Closed": "cpu",
        "acknowledged:true": "diskette",
        "acknowledged:FALSE": "disk cpu memory",
        "isSeen:true": "diskette",
        "seen:false": "disk cpu memory",
        "snoozed:true": "memory",
        "priority:p1": "disk",
        "priority:P3": "cpu",
        "priority<P3": "disk diskette",
        "priority >= P3": "cpu memory",
    })  # fmt: skip


def test_people_and_origin_match_exactly_ignoring_case_with_wildcards(db, alerts):
    check(db, alerts, {
        "owner:ADA@example.com": "diskette",
        "owner:ada": "",
        "owner:ada*": "diskette",
        'owner:""': "disk cpu memory",
        "acknowledgedBy:ada@example.com": "diskette",
        "closedBy:bob@EXAMPLE.com": "cpu",
        "source:NAGIOS": "disk",
        "source:prometheus": "",
        "source:prometheus*": "cpu",
        "alias:HOST1-disk": "disk",
        "alias:host1": "",
        "alias:*disk": "disk",
        'alias:"cpu*hot"': "cpu",  # quoted: the star is itself
        'alias:"cpu*"': "",
        "alias:cpu_hot": "",  # _ and % are never wildcards
        "entity:host%": "",
        "entity:host*": "disk cpu",
        "integration.name:grafana": "diskette",
        "integration.type:api": ALL,
        "integration.name:prom*us": "disk cpu memory",
    })  # fmt: skip


def test_tags_are_exact_and_case_sensitive(db, alerts):
    check(db, alerts, {
        "tag:db": "disk",
        "tags:web": "diskette cpu",
        "tag:DB": "",
        "tag:db*": "disk cpu",
        "tag:*-replica": "cpu",
        'tag:"db*"': "",
        "tags:(prod OR web)": "disk diskette cpu",
        "tags:(web AND NOT db-replica)": "diskette",
        "NOT tags:web": "disk memory",
    })  # fmt: skip


def test_teams_by_name_only_responding_teams(db, alerts):
    check(db, alerts, {
        "teams:ops": "disk",  # cpu is only visible to ops
        "teams:DATABASE": "cpu",
        "teams:data*": "cpu",
        "teams:nobody": "",
        "NOT teams:ops": "diskette cpu memory",
    })  # fmt: skip


def test_message_and_description_match_whole_words(db, alerts):
    check(db, alerts, {
        "message:disk": "disk",  # not "diskette"
        "message:DISK": "disk",
        "message:disk*": "disk diskette",
        "message:dis": "",
        'message:"disk full"': "disk",
        'message:"full  disk"': "",
        'message:"on host1"': "disk",
        "message:host": "",
        'message:"hot: 95% [core_1]"': "cpu",
        "message:core_1": "cpu",
        "message:core": "",  # _ is a word character
        "message:95": "cpu",
        "description:var": "disk",
        'description:"99%"': "disk",
        "description:hardware": "diskette",
        "description:hard": "",
        "NOT message:disk": "diskette cpu memory",
    })  # fmt: skip


def test_punctuation_in_words_is_literal_on_both_databases(db, alerts):
    punctuation = "".join(chr(code) for code in range(33, 127) if not chr(code).isalnum())
    escaped = punctuation.replace("\\", "\\\\").replace('"', '\\"')
    check(db, alerts, {
        f'message:"{escaped}"': "",
        f'"{escaped}"': "",
        f'alias:"{escaped}"': "",
        f'tag:"{escaped}"': "",
        "details.we/ird'key\\x:x": "",
        "message:a.b+c?": "",
        "tag:[ab]*": "",
    })  # fmt: skip


def test_free_text_finds_words_of_message_or_description_or_text_in_alias_entity_source(db, alerts):
    check(db, alerts, {
        "disk": "disk",
        "Pressure": "memory",
        '"disk full"': "disk",
        "partition": "disk",  # description word
        "legacy": "diskette",
        "HOST2": "cpu",  # entity
        "zabb": "diskette",  # part of the source
        "1-DIS": "disk",  # part of the alias
        "flop*": "diskette",
        "memory nagios": "",  # side by side: both must match
    })  # fmt: skip


def test_integers_compare(db, alerts):
    check(db, alerts, {
        "tinyId:1": "disk",
        "tinyId=2": "diskette",
        "tinyId>2": "cpu memory",
        "tinyId <= 2": "disk diskette",
        "count:3": "cpu",
        "count>=2": "cpu",
        "count<3": "disk diskette memory",
        "count>+0": ALL,
    })  # fmt: skip


def test_times_compare_in_epoch_milliseconds(db, alerts):
    check(db, alerts, {
        f"createdAt:{MS}": "disk",
        f"createdAt:{MS + 2000}": "cpu",  # created at 2000.5 ms
        f"createdAt>{MS + 2000}": "memory",
        f"createdAt>={MS + 2000}": "cpu memory",
        f"createdAt<{MS + 2000}": "disk diskette",
        f"createdAt <= {MS + 2000}": "disk diskette cpu",
        f"createdAt>{MS + 999}": "diskette cpu memory",
        f"updatedAt>={MS + 10_000}": "diskette cpu memory",
        f"updatedAt:{MS + 11_000}": "cpu",
        f"lastOccurredAt:{MS + 3000}": "cpu",
        f"snoozedUntil>{MS}": "memory",
        f"snoozedUntil:{MS + 3_600_000}": "memory",
        f"NOT snoozedUntil>{MS}": "disk diskette cpu",
    })  # fmt: skip


def test_ids_and_details(db, alerts):
    check(db, alerts, {
        f"id:{alerts['disk']}": "disk",
        f"alertId:{alerts['cpu']}": "cpu",
        f"id:{alerts['cpu'].upper()}": "",
        f"id:{alerts['memory'][:8]}*": "memory",
        "details.env:prod": "disk",
        "details.ENV:prod": "",  # keys keep their case
        "details.env:Prod": "",
        "details.env:*": "disk diskette",
        "NOT details.env:prod": "diskette cpu memory",
        "details.Region:eu-west": "disk",
        "DETAILS.Region:eu*": "disk",
    })  # fmt: skip


def test_boolean_operators_precedence_and_grouping(db, alerts):
    check(db, alerts, {
        "": ALL,
        "   ": ALL,
        "status:open AND priority:P1": "disk",
        "status:open priority:P1": "disk",
        "status: open and priority: p2": "diskette",
        "priority:P1 OR priority:P5": "disk memory",
        "priority:P1 or status:closed And tag:web": "disk cpu",  # AND before OR
        "(priority:P1 OR status:closed) AND tag:db": "disk",
        "NOT status:open AND tag:web": "cpu",  # NOT before AND
        "NOT (status:open AND tag:web)": "disk cpu memory",
        "not not status:closed": "cpu",
        "priority:(P1 OR P2) AND NOT acknowledged:true": "disk",
        "(status:open (tag:db OR tag:web)) OR snoozed:true": "disk diskette memory",
        "((count>1))": "cpu",
    })  # fmt: skip


def test_parse_builds_a_small_ast():
    assert parse("status=open AND NOT tag:(db OR \"a \\\"b\")") == And((
        Term("status", ":", "open", False, 7),
        Not(Or((Term("tag", ":", "db", False, 25), Term("tag", ":", 'a "b', False, 31)))),
    ))  # fmt: skip
    assert parse("count >= 5") == Term("count", ">=", 5, False, 9)
    assert parse("msg*") == Term(None, ":", "msg*", True, 0)
    assert parse("alias:host:disk") == Term("alias", ":", "host:disk", False, 6)
    assert parse(f"createdAt<{MS}").value == T0
    assert parse("details.Env:x") == Term("details.Env", ":", "x", False, 12)
    assert parse("") == And(())


@pytest.mark.parametrize(
    ("query", "position", "words"),
    [
        ("status:", 7, "expected a value after 'status:'"),
        ("status: AND priority:P1", 8, "expected a value after 'status:'"),
        ("foo:bar", 0, "unknown field 'foo'"),
        ("status:open AND", 15, "expected a search term after 'AND'"),
        ("status:open OR OR tag:x", 15, "expected a search term after 'OR'"),
        ("NOT", 3, "expected a search term after 'NOT'"),
        ("AND status:open", 0, "expected a search term, found 'AND'"),
        ("(status:open", 0, "unclosed '('"),
        ("status:open)", 11, "unexpected ')'"),
        ("()", 1, "expected a search term after '('"),
        ("tags:(a OR", 10, "expected a value after 'OR'"),
        ("tags:(a :b)", 8, "expected ')' for the '(' at position 5"),
        ('message:"disk', 8, "unterminated quoted value"),
        ('"a" "b\\"', 4, "unterminated quoted value"),
        (":open", 0, "expected a field name before ':'"),
        ('"status":open', 0, "expected a field name before ':'"),
        ("status:open :x", 12, "expected a field name before ':'"),
        ("count=>5", 6, "expected a value after 'count='"),
        ("status:AND", 7, "expected a value after 'status:'"),
        ("status:pending", 7, "status must be open or closed, got 'pending'"),
        ("status:open*", 7, "status must be open or closed"),
        ("acknowledged:yes", 13, "acknowledged must be true or false"),
        ("snoozed:1", 8, "snoozed must be true or false"),
        ("priority:P6", 9, "priority must be one of P1, P2, P3, P4, P5"),
        ("status>open", 6, "status cannot be compared with '>'"),
        ("tag <= x", 4, "tag cannot be compared with '<='"),
        ("tinyId:1.5", 7, "tinyId must be an integer, got '1.5'"),
        ("count>lots", 6, "count must be an integer"),
        ("count:99999999999999999999", 6, "count is out of range"),
        ("createdAt>yesterday", 10, "createdAt must be a time in epoch milliseconds"),
        ("updatedAt:999999999999999999", 10, "updatedAt must be a time in epoch milliseconds"),
        ("snoozedUntil<9999999999999999", 13, "snoozedUntil is out of range"),
        ('message:""', 8, "expected a word to search for"),
        ('"   "', 0, "expected a word to search for"),
        ("(" * 40 + "x" + ")" * 40, 32, "nested deeper than 32"),
        ("a\x00b", 1, "NUL"),
    ],
)
def test_syntax_errors_say_what_and_where(query, position, words):
    with pytest.raises(QuerySyntaxError) as error:
        to_condition(query)
    assert error.value.field == "query" and error.value.position == position
    assert words in error.value.message and f"at position {position} (near " in error.value.message


def test_unknown_field_error_lists_the_known_fields():
    with pytest.raises(QuerySyntaxError) as error:
        parse("status:open AND foo:bar")
    assert error.value.message.startswith("unknown field 'foo' at position 16 (near ':open AND foo:bar')")
    assert "; known fields: " in error.value.message and "details.KEY" in error.value.message
    assert "integration.name" in error.value.message


FRAGMENTS = [
    '"',
    " ",
    *["status", "tag", "details.x", ":", "=", ">=", "<", "(", ")", "\\", "*", "AND", "or", "NOT"],
]


@settings(max_examples=300)
@given(
    st.text()
    | st.text(alphabet='ab:="()<>*\\ \t.é\x00')
    | st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join)
)
def test_parse_raises_nothing_but_query_syntax_errors_and_what_parses_compiles_everywhere(text):
    with contextlib.suppress(QuerySyntaxError):
        statement = select(Alert.id).where(to_condition(text))
        for dialect in (sqlite.dialect(), postgresql.dialect()):
            statement.compile(dialect=dialect)
