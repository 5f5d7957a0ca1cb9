"""The name key: one key per name as people mean it, in any case and any language; and the store
agrees with it: two names clash exactly when their keys are equal, on both databases."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tocsin.db import Database
from tocsin.errors import Conflict, InvalidInput
from tocsin.names import NAME_KEY_MAX, name_key
from tocsin.teams import service as teams


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ÉQUIPE", "équipe"),
        ("Ñightly", "ñIGHTLY"),
        ("Straße", "STRASSE"),
        ("STRAẞE", "strasse"),
        ("İstanbul", "i̇stanbul"),  # the second is i + COMBINING DOT ABOVE, as İ folds
        ("ΣΊΣΥΦΟΣ", "σίσυφος"),
        ("ﬁle", "FILE"),  # a ligature is its letters
        ("\uff37\uff49\uff44\uff45", "wide"),  # full-width letters are letters
        ("e\u0301quipe", "équipe"),  # decomposed and composed é
        ("  ops ", "OPS"),
    ],
)
def test_names_that_people_call_the_same_share_a_key(one: str, other: str) -> None:
    assert name_key(one) == name_key(other)


@pytest.mark.parametrize(("one", "other"), [("İstanbul", "istanbul"), ("ops", "op s"), ("café", "cafe")])
def test_names_that_differ_in_letters_keep_different_keys(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)


@given(st.text(max_size=40))
def test_the_key_of_a_key_is_itself(text: str) -> None:
    assert name_key(name_key(text)) == name_key(text)


@given(st.text(max_size=40))
def test_lower_and_upper_case_share_the_key(text: str) -> None:
    assert name_key(text.lower()) == name_key(text)
    dotless_i = "\u0131"  # Turkish: its own letter, whose capital is I
    assert name_key(text.upper()) == name_key(text) or dotless_i in text


def test_a_name_whose_key_does_not_fit_is_refused_naming_the_field(db: Database) -> None:
    long_when_folded = "\ufdfa" * 30  # one character, 18 once normalised
    assert len(name_key(long_when_folded)) > NAME_KEY_MAX
    with db.write_session() as session, pytest.raises(InvalidInput, match="too long") as refused:
        teams.create_team(session, name=long_when_folded)
    assert refused.value.field == "name"


class _Undo(Exception):
    pass


_NAMES = st.sampled_from(["équipe", "ÉQUIPE", "Straße", "STRASSE", "İstanbul", "istanbul", "ops", "ﬁle"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=_NAMES | st.text(min_size=1, max_size=12), second=_NAMES | st.text(min_size=1, max_size=12))
def test_the_store_refuses_a_second_name_exactly_when_the_keys_are_equal(
    db: Database, first: str, second: str
) -> None:
    if not first.strip() or not second.strip() or "\x00" in first + second:
        return
    try:
        with db.write_session() as session:
            teams.create_team(session, name=first)
            try:
                teams.create_team(session, name=second)
                clashed = False
            except Conflict:
                clashed = True
            raise _Undo
    except _Undo:
        pass
    assert clashed == (name_key(first) == name_key(second))
