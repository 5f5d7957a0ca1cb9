"""The ``/genie`` grammar: every command and example of the Mattermost document, and the usage
errors a mistyped command gets."""

from __future__ import annotations

import contextlib
import time
from datetime import timedelta

import pytest

from tocsin.chat.command_types import (
    Ack,
    AckAll,
    AddNote,
    AddTags,
    Assign,
    Close,
    CloseAll,
    Command,
    Connect,
    CreateAlert,
    Disable,
    Enable,
    ExecuteAction,
    GetAlert,
    Help,
    ListAlerts,
    ListIntegrations,
    ListPolicies,
    ListTeams,
    Mute,
    Own,
    TakeOnCall,
    Unmute,
    UpdatePriority,
    UsageError,
    WhoIsOnCall,
)
from tocsin.chat.commands import HELP, help_text, parse, usage_text

JOHN = "john.smith@acme.com"
HOURS_2 = timedelta(hours=2)

DOCUMENT_EXAMPLES: list[tuple[str, Command]] = [
    ("/genie ack 1", Ack(tiny_ids=(1,))),
    ("/genie ack 1 2 3", Ack(tiny_ids=(1, 2, 3))),
    ("/genie close 1", Close(tiny_ids=(1,))),
    ("/genie close 1 2 3", Close(tiny_ids=(1, 2, 3))),
    ("/genie note this is note to 1", AddNote(note="this is note", tiny_ids=(1,))),
    ("/genie note this is note to 1 2 3", AddNote(note="this is note", tiny_ids=(1, 2, 3))),
    (
        "/genie addtag high priority,important to 1",
        AddTags(tags=("high priority", "important"), tiny_ids=(1,)),
    ),
    (
        "genie addtag high priority,important to 1 2 3",
        AddTags(tags=("high priority", "important"), tiny_ids=(1, 2, 3)),
    ),
    ("/genie ackall", AckAll()),
    ("/genie closeall", CloseAll()),
    ("/genie assign 1 to john.smith@acme.com", Assign(tiny_ids=(1,), user=JOHN)),
    ("/genie assign 1 2 3 to john.smith@acme.com", Assign(tiny_ids=(1, 2, 3), user=JOHN)),
    ("/genie own 1", Own(tiny_ids=(1,))),
    ("/genie own 1 2 3", Own(tiny_ids=(1, 2, 3))),
    ("/genie update priority to P2 for 1341", UpdatePriority(priority="P2", tiny_ids=(1341,))),
    ("/genie exec customAction on 1", ExecuteAction(action="customAction", tiny_ids=(1,))),
    ("/genie exec customAction on 1 2 3", ExecuteAction(action="customAction", tiny_ids=(1, 2, 3))),
    (
        "/genie alert this is alert message for john.smith@acme.com",
        CreateAlert(message="this is alert message", responders=(JOHN,)),
    ),
    (
        "/genie alert this is alert message for myTeam",
        CreateAlert(message="this is alert message", responders=("myTeam",)),
    ),
    (
        "/genie alert this is alert message for myTeam,john.smith@acme.com",
        CreateAlert(message="this is alert message", responders=("myTeam", JOHN)),
    ),
    ("/genie get 1", GetAlert(tiny_id=1)),
    ("/genie list", ListAlerts()),
    ("/genie list alerts of team1", ListAlerts(team="team1")),
    ("/genie list integrations", ListIntegrations()),
    ("/genie list policies", ListPolicies()),
    ("/genie list teams", ListTeams()),
    ("/genie list teams contains ops", ListTeams(contains="ops")),
    ("/genie list teams starts with op", ListTeams(starts_with="op")),
    ("/genie enable policy", Enable(name="policy")),
    ("/genie disable policy", Disable(name="policy")),
    (
        "/genie oncall me 2h for weekend_schedule",
        TakeOnCall(user=None, duration=HOURS_2, target="weekend_schedule"),
    ),
    (
        "/genie oncall john.smith@acme.com 1d for ops_team",
        TakeOnCall(user=JOHN, duration=timedelta(days=1), target="ops_team"),
    ),
    ("/genie oncall me 2h for all", TakeOnCall(user=None, duration=HOURS_2, target="all")),
    ("/genie oncall me 45m", TakeOnCall(user=None, duration=timedelta(minutes=45))),
    ("/genie oncall me", TakeOnCall(user=None, duration=timedelta(hours=1))),
    ("/genie whoisoncall", WhoIsOnCall()),
    ("/genie mute john.smith@acme.com", Mute(user=JOHN, minutes=5)),
    ("/genie mute john.smith@acme.com 15", Mute(user=JOHN, minutes=15)),
    ("/genie unmute john.smith@acme.com", Unmute(user=JOHN)),
    ("/genie connect", Connect()),
    ("/genie help", Help()),
]

SHORT_FORMS: list[tuple[str, Command]] = [
    ("oncall", TakeOnCall()),
    ("oncall 2h", TakeOnCall(duration=HOURS_2)),
    ("oncall for ops_team", TakeOnCall(target="ops_team")),
    (
        "oncall @john 3d for Weekend schedule",
        TakeOnCall(user="@john", duration=timedelta(days=3), target="Weekend schedule"),
    ),
    ("mute", Mute()),
    ("mute me", Mute()),
    ("mute 15", Mute(minutes=15)),
    ("mute me 10080", Mute(minutes=10080)),
    ("mute 2h", Mute(minutes=120)),
    ("unmute", Unmute()),
    ("unmute me", Unmute()),
    ("help ack", Help(topic="ack")),
    ("help update", Help(topic="update priority")),
    ("help list teams contains", Help(topic="list teams")),
    ("alert disk full on db-1", CreateAlert(message="disk full on db-1", responders=())),
    ("assign 4 to @john", Assign(tiny_ids=(4,), user="@john")),
    ("list alerts", ListAlerts()),
    ("list alerts of Database Admins", ListAlerts(team="Database Admins")),
    ("enable Nightly maintenance webhook", Enable(name="Nightly maintenance webhook")),
    ("oncall me 30d", TakeOnCall(duration=timedelta(days=30))),
]


@pytest.mark.parametrize(("text", "command"), DOCUMENT_EXAMPLES + SHORT_FORMS)
def test_every_example_of_the_document_parses(text, command):
    assert parse(text) == command


def test_every_help_example_parses_to_its_own_command():
    for entry in HELP:
        for example in entry.examples:
            assert parse(example).word == entry.word, example


def test_empty_text_asks_for_help():
    assert parse("") == Help()
    assert parse("   ") == Help()
    assert parse("/genie") == Help()


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("ACK 1", Ack(tiny_ids=(1,))),
        ("Note Hello World TO 3", AddNote(note="Hello World", tiny_ids=(3,))),
        ("UPDATE PRIORITY TO p3 FOR 4", UpdatePriority(priority="P3", tiny_ids=(4,))),
        ("List Teams Contains Ops", ListTeams(contains="Ops")),
        ("OnCall ME 2H FOR All", TakeOnCall(duration=HOURS_2, target="all")),
        ("AddTag Prod,DB Team TO 5", AddTags(tags=("Prod", "DB Team"), tiny_ids=(5,))),
        ("GENIE whoisoncall", WhoIsOnCall()),
    ],
)
def test_command_words_ignore_case_and_free_text_keeps_it(text, command):
    assert parse(text) == command


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("ack #12", (12,)),
        ("ack 1,2,3", (1, 2, 3)),
        ("ack 1, 2 ,3", (1, 2, 3)),
        ("ack #1,#2 3", (1, 2, 3)),
        ("ack 3 1 3 1", (3, 1)),
        ("ack 007", (7,)),
        ("ack " + " ".join(str(n) for n in range(1, 51)), tuple(range(1, 51))),
    ],
)
def test_tiny_ids_may_have_a_hash_and_commas(text, ids):
    assert parse(text) == Ack(tiny_ids=ids)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("note go to 5 to 1", AddNote(note="go to 5", tiny_ids=(1,))),
        ("note deploy  to\tprod to 2", AddNote(note="deploy  to\tprod", tiny_ids=(2,))),
        ("exec Restart on host on 1", ExecuteAction(action="Restart on host", tiny_ids=(1,))),
        ("alert disk full for db for ops", CreateAlert(message="disk full for db", responders=("ops",))),
        ("alert x for ops , bob@acme.com,ops", CreateAlert(message="x", responders=("ops", "bob@acme.com"))),
        ("addtag  a ,  b  c  ,a to 1", AddTags(tags=("a", "b c"), tiny_ids=(1,))),
    ],
)
def test_free_text_ends_at_the_last_keyword(text, command):
    assert parse(text) == command


ERRORS = [
    ("ack", "ack", "say which alerts"),
    ("ack x", "ack", "`x` is not a tinyId"),
    ("ack 0", "ack", "no alert with tinyId `0`"),
    ("ack 99999999999999999999", "ack", "no alert with tinyId"),
    ("ack all", "ack", "/genie ackall"),
    ("ack " + " ".join(str(n) for n in range(1, 52)), "ack", "at most 50 alerts"),
    ("close", "close", "say which alerts"),
    ("close all", "close", "/genie closeall"),
    ("own 1 two", "own", "`two` is not a tinyId"),
    ("note to 1", "note", "the note is empty"),
    ("note this is a note", "note", "`to`"),
    ("note hello to", "note", "say which alerts"),
    ("note " + "n" * 25001 + " to 1", "note", "at most 25000 characters"),
    ("addtag a,,b to 1", "addtag", "is empty"),
    ("addtag to 1", "addtag", "say which tags"),
    ("addtag " + "t" * 51 + " to 1", "addtag", "at most 50 characters"),
    ("addtag " + ",".join(f"t{n}" for n in range(21)) + " to 1", "addtag", "at most 20 tags"),
    ("assign 1", "assign", "say who"),
    ("assign 1 to", "assign", "name one user"),
    ("assign 1 to john smith", "assign", "name one user"),
    ("assign x to john", "assign", "`x` is not a tinyId"),
    ("update", "update priority", "say the new priority"),
    ("update severity to P2 for 1", "update priority", "only the priority"),
    ("update priority to P9 for 1", "update priority", "not `P9`"),
    ("update priority to for 1", "update priority", "say the new priority"),
    ("update priority to P2", "update priority", "`for`"),
    ("update priority to P2 for", "update priority", "say which alerts"),
    ("exec on 1", "exec", "say which action"),
    ("exec restart", "exec", "`on`"),
    ("alert", "alert", "message is empty"),
    ("alert for ops", "alert", "message is empty"),
    ("alert hi for ops,", "alert", "separated by single commas"),
    ("alert " + "m" * 131, "alert", "at most 130 characters"),
    ("get", "get", "say which alert"),
    ("get 1 2", "get", "one alert"),
    ("list bogus", "list", "`bogus` is not something to list"),
    ("list team", "list", "/genie list teams"),
    ("list alerts of", "list", "list alerts of"),
    ("list alerts for ops", "list", "list alerts of"),
    ("list integrations now", "list integrations", "takes nothing after it"),
    ("list policies all", "list policies", "takes nothing after it"),
    ("list teams contains", "list teams", "`contains` or `starts with`"),
    ("list teams starts op", "list teams", "`contains` or `starts with`"),
    ("enable", "enable", "say the name"),
    ("disable", "disable", "say the name"),
    ("oncall me 31d", "oncall", "at most 30 days"),
    ("oncall me 721h", "oncall", "at most 30 days"),
    ("oncall me 0h", "oncall", "1 minute up to 30 days"),
    ("oncall me 2x", "oncall", "`2x` is not a time"),
    ("oncall me 45", "oncall", "`45` is not a time"),
    ("oncall me 2h for", "oncall", "after `for`"),
    ("oncall me you", "oncall", "one user"),
    ("oncall 1h 2h", "oncall", "one time"),
    ("whoisoncall ops", "whoisoncall", "takes nothing after it"),
    ("mute 0", "mute", "1 to 10080 minutes"),
    ("mute 10081", "mute", "1 to 10080 minutes"),
    ("mute 8d", "mute", "1 to 10080 minutes"),
    ("mute 1234567890123", "mute", "1 to 10080 minutes"),
    ("mute 15x", "mute", "not a number of minutes"),
    ("mute me 15 20", "mute", "one number of minutes"),
    ("mute me you", "mute", "one user"),
    ("unmute me you", "unmute", "one user"),
    ("ackall 1 2", "ackall", "takes nothing after it (got `1 2`)"),
    ("closeall now", "closeall", "takes nothing after it"),
    ("connect me", "connect", "takes nothing after it"),
    ("help bogus", "help", "no command `bogus`"),
    ("help acknowledge", "help", "/genie help ack"),
]


@pytest.mark.parametrize(("text", "command", "problem"), ERRORS)
def test_a_mistyped_command_is_explained_with_its_syntax_and_an_example(text, command, problem):
    with pytest.raises(UsageError) as caught:
        parse(text)
    error = caught.value
    entry = next(entry for entry in HELP if entry.word == command)
    assert error.command == command
    assert problem in error.problem
    assert (error.syntax, error.example) == (entry.syntax, entry.example)
    reply = usage_text(error)
    assert reply.startswith(f"**/genie {command}**: ")
    assert f"`{entry.syntax}`" in reply
    if entry.example != entry.syntax:
        assert f"`{entry.example}`" in reply


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("ak 1", "/genie ack"),
        ("acknowledge 12", "/genie ack"),
        ("who", "/genie whoisoncall"),
        ("mutte", "/genie mute"),
    ],
)
def test_an_unknown_word_suggests_the_closest_command(text, suggestion):
    with pytest.raises(UsageError) as caught:
        parse(text)
    error = caught.value
    assert error.command is None
    assert "is not a /genie command" in error.problem
    assert f"Did you mean `{suggestion}`?" in error.problem
    assert "`/genie help`" in error.problem
    assert error.syntax.startswith(suggestion)


def test_an_unknown_word_with_nothing_close_points_to_help():
    with pytest.raises(UsageError) as caught:
        parse("xyzzy plugh")
    assert caught.value.command is None
    assert "Did you mean" not in caught.value.problem
    assert usage_text(caught.value) == "`xyzzy` is not a /genie command. `/genie help` lists them all."


def test_typed_text_echoed_in_an_error_stays_inert_code():
    with pytest.raises(UsageError) as caught:
        parse("ack @channel")
    assert "`@channel` is not a tinyId" in caught.value.problem
    with pytest.raises(UsageError) as caught:
        parse("ack `x`y")
    assert "`` `x`y `` is not a tinyId" in caught.value.problem


def test_usage_text_of_an_error_raised_elsewhere_fills_in_the_syntax():
    reply = usage_text(UsageError("alert 7 is closed", command="ack"))
    assert reply.splitlines() == [
        "**/genie ack**: alert 7 is closed",
        "Usage: `/genie ack [tinyID tinyID2..]`",
        "Example: `/genie ack 1 2 3`",
    ]


def test_help_lists_every_command_by_group_with_syntax_and_an_example():
    text = help_text()
    for entry in HELP:
        assert f"`{entry.syntax}`" in text
        assert f"`{entry.example}`" in text
    groups = ["**Alerts**", "**Lists**", "**Configuration**", "**On-call**", "**Mute**", "**Account**"]
    assert [text.index(group) for group in groups] == sorted(text.index(group) for group in groups)
    assert text.index("/genie ackall") < text.index("**Lists**") < text.index("/genie list teams")
    assert len(text) < 4000


def test_help_on_one_command_shows_its_syntax_examples_and_limits():
    text = help_text("ack")
    assert "`/genie ack [tinyID tinyID2..]`" in text
    assert "`/genie ack 1 2 3`" in text and "`/genie ack 1`" in text
    assert "ackall" not in text
    assert "at most 30 days" in help_text("oncall")
    assert "10080" in help_text("mute")
    assert "`/genie update priority to P2 for 1341`" in help_text("update")


def test_help_on_list_shows_every_list_command():
    text = help_text("list")
    for word in ("list", "list integrations", "list policies", "list teams"):
        assert f"**/genie {word}**" in text
    assert "/genie list teams starts with op" in text


def test_help_on_an_unknown_topic_says_so():
    assert help_text("acknowledge") == (
        "`acknowledge` is not a /genie command. Did you mean `/genie ack`? `/genie help` lists them all."
    )


def test_parse_stays_fast_on_long_adversarial_text():
    texts = [
        "note " + "to " * 5000 + "1",
        "alert " + "for " * 5000,
        "oncall " + "me " * 5000,
        "ack " + "1 " * 5000,
        "note a" + " " * 20000 + "x",
        "help " + "list " * 5000,
    ]
    started = time.perf_counter()
    for text in texts:
        with contextlib.suppress(UsageError):
            parse(text)
    assert time.perf_counter() - started < 1.0
