"""Properties of the ``/genie`` grammar over generated text: whatever is typed gets a command or a
usage reply (never a crash), and the commands written out as text parse back to themselves."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.chat.command_types import (
    Ack,
    AddNote,
    AddTags,
    Assign,
    Close,
    Command,
    CreateAlert,
    Enable,
    ExecuteAction,
    GetAlert,
    ListTeams,
    Mute,
    Own,
    TakeOnCall,
    UpdatePriority,
    UsageError,
)
from tocsin.chat.commands import HELP, parse, usage_text

FUZZ = settings(max_examples=500, deadline=None)
ROUND_TRIP = settings(max_examples=200, deadline=None)

WORDS = sorted({word for entry in HELP for word in entry.word.split()})
KEYWORDS = [
    "to",
    "for",
    "on",
    "of",
    "me",
    "all",
    "alerts",
    "teams",
    "contains",
    "starts",
    "with",
    "genie",
    "/genie",
]
TOKENS = st.one_of(
    st.sampled_from(WORDS + KEYWORDS).map(lambda word: word.upper() if len(word) % 2 else word),
    st.from_regex(r"#?[0-9]{1,25}[mhdx,]?", fullmatch=True),
    st.text(max_size=8),
)
SEPARATORS = st.sampled_from([" ", "  ", ",", ", ", "\t", "\n"])


def outcome(text: str) -> Command | UsageError:
    try:
        command = parse(text)
    except UsageError as error:
        reply = usage_text(error)
        assert reply.strip()
        assert "/genie" in reply
        return error
    assert isinstance(command, Command)
    return command


@FUZZ
@given(st.text())
def test_any_text_is_a_command_or_a_usage_reply(text):
    outcome(text)


@FUZZ
@given(st.sampled_from(WORDS), st.lists(st.tuples(SEPARATORS, TOKENS), max_size=12))
def test_command_words_with_random_arguments_are_a_command_or_a_usage_reply(head, rest):
    outcome(head + "".join(separator + token for separator, token in rest))


INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
"""Characters the grammar ignores (a person cannot see them), so free text never holds them."""


def no_space(text: str) -> bool:
    return bool(text) and not any(char.isspace() or char in INVISIBLE for char in text)


word = st.text(min_size=1, max_size=12).filter(no_space)
free_text = st.lists(word, min_size=1, max_size=8).map(" ".join)
"""Words separated by single spaces: as a person types a note, a message, a name."""
tiny_ids = st.lists(st.integers(min_value=1, max_value=10**12), min_size=1, max_size=50, unique=True)
email = st.from_regex(r"[a-z][a-z0-9.]{0,10}@[a-z]{1,8}\.(com|org)", fullmatch=True)


@st.composite
def written_ids(draw, ids: list[int]) -> str:
    """``ids`` as a person may write them: ``12`` or ``#12``, after spaces or commas."""
    text = ""
    for index, tiny_id in enumerate(ids):
        separator = "" if index == 0 else draw(st.sampled_from([" ", ",", ", ", " ,", "  "]))
        text += separator + draw(st.sampled_from(["", "#"])) + str(tiny_id)
    return text


def round_trip(draw, text: str, command: Command) -> None:
    lead = draw(st.sampled_from(["", "/genie ", "genie ", "  "]))
    assert parse(lead + text) == command


@ROUND_TRIP
@given(st.data(), st.sampled_from([(Ack, "ack"), (Close, "close"), (Own, "own")]), tiny_ids)
def test_acting_on_alerts_by_tiny_id_round_trips(data, kind, ids):
    command_type, word = kind
    text = f"{data.draw(st.sampled_from([word, word.upper()]))} {data.draw(written_ids(ids))}"
    round_trip(data.draw, text, command_type(tiny_ids=tuple(ids)))


@ROUND_TRIP
@given(st.data(), free_text, tiny_ids)
def test_a_note_round_trips_whatever_words_it_holds(data, note, ids):
    text = f"note {note} {data.draw(st.sampled_from(['to', 'TO', 'To']))} {data.draw(written_ids(ids))}"
    round_trip(data.draw, text, AddNote(note=note, tiny_ids=tuple(ids)))


tag = st.lists(word.filter(lambda text: "," not in text), min_size=1, max_size=3).map(" ".join)


@ROUND_TRIP
@given(
    st.data(),
    st.lists(tag.filter(lambda text: len(text) <= 50), min_size=1, max_size=20, unique=True),
    tiny_ids,
)
def test_tags_round_trip(data, tags, ids):
    text = f"addtag {','.join(tags)} to {data.draw(written_ids(ids))}"
    round_trip(data.draw, text, AddTags(tags=tuple(tags), tiny_ids=tuple(ids)))


@ROUND_TRIP
@given(st.data(), tiny_ids, st.one_of(email, word.map(lambda name: "@" + name)))
def test_assign_round_trips(data, ids, user):
    round_trip(
        data.draw, f"assign {data.draw(written_ids(ids))} to {user}", Assign(tiny_ids=tuple(ids), user=user)
    )


@ROUND_TRIP
@given(st.data(), st.sampled_from(["P1", "P2", "P3", "P4", "P5"]), tiny_ids)
def test_update_priority_round_trips_in_any_case(data, priority, ids):
    written = data.draw(st.sampled_from([priority, priority.lower()]))
    text = f"update priority to {written} for {data.draw(written_ids(ids))}"
    round_trip(data.draw, text, UpdatePriority(priority=priority, tiny_ids=tuple(ids)))


@ROUND_TRIP
@given(st.data(), free_text.filter(lambda text: len(text) <= 50), tiny_ids)
def test_exec_round_trips(data, action, ids):
    text = f"exec {action} on {data.draw(written_ids(ids))}"
    round_trip(data.draw, text, ExecuteAction(action=action, tiny_ids=tuple(ids)))


def without_word(forbidden: str):
    return lambda text: forbidden not in text.lower().split()


responder = st.one_of(email, tag.filter(without_word("for")))


@ROUND_TRIP
@given(
    st.data(),
    free_text.filter(lambda text: len(text) <= 130),
    st.lists(responder, max_size=10, unique=True),
)
def test_create_alert_round_trips(data, message, responders):
    if responders:
        text = f"alert {message} for {','.join(responders)}"
    else:
        message = " ".join(word for word in message.split() if word.lower() != "for") or "down"
        text = f"alert {message}"
    round_trip(data.draw, text, CreateAlert(message=message, responders=tuple(responders)))


@ROUND_TRIP
@given(st.data(), st.integers(min_value=1, max_value=10**12))
def test_get_round_trips(data, tiny_id):
    round_trip(data.draw, f"get {data.draw(st.sampled_from(['', '#']))}{tiny_id}", GetAlert(tiny_id=tiny_id))


@ROUND_TRIP
@given(st.data(), free_text)
def test_names_and_searches_round_trip(data, name):
    round_trip(data.draw, f"enable {name}", Enable(name=name))
    round_trip(data.draw, f"list teams contains {name}", ListTeams(contains=name))
    round_trip(data.draw, f"list teams starts with {name}", ListTeams(starts_with=name))


durations = st.one_of(
    st.integers(min_value=1, max_value=30 * 24 * 60).map(lambda n: (f"{n}m", timedelta(minutes=n))),
    st.integers(min_value=1, max_value=30 * 24).map(lambda n: (f"{n}h", timedelta(hours=n))),
    st.integers(min_value=1, max_value=30).map(lambda n: (f"{n}d", timedelta(days=n))),
)


@ROUND_TRIP
@given(
    st.data(), st.one_of(st.none(), email), st.one_of(st.none(), durations), st.one_of(st.none(), free_text)
)
def test_taking_on_call_round_trips(data, user, duration, target):
    parts = [data.draw(st.sampled_from(["", "me"])) if user is None else user]
    parts.append("" if duration is None else duration[0])
    parts.append("" if target is None else f"for {target}")
    expected = TakeOnCall(
        user=user,
        duration=timedelta(hours=1) if duration is None else duration[1],
        target="all" if target is not None and target.lower() == "all" else target,
    )
    round_trip(data.draw, "oncall " + " ".join(part for part in parts if part), expected)


@ROUND_TRIP
@given(
    st.data(), st.one_of(st.none(), email), st.one_of(st.none(), st.integers(min_value=1, max_value=10080))
)
def test_mute_round_trips(data, user, minutes):
    who = data.draw(st.sampled_from(["", "me"])) if user is None else user
    text = " ".join(part for part in ["mute", who, "" if minutes is None else str(minutes)] if part)
    round_trip(data.draw, text, Mute(user=user, minutes=5 if minutes is None else minutes))
