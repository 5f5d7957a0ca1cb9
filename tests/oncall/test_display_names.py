"""The names pages show people by: the full name, else the username."""

from __future__ import annotations

from tests.support.factories import make_user
from tocsin.oncall import service as oncall
from tocsin.people import service as people


def test_people_are_named_by_full_name_and_unknown_ids_are_left_out(db):
    ada = make_user(db, "ada@example.com")
    with db.write_session() as session:
        grace = people.create_user(
            session, username="grace@example.com", role="user", password=None, full_name="Grace Hopper"
        ).id

    with db.read_session() as session:
        names = oncall.display_names(session, [ada, grace, "no-such-id"])

    assert names == {ada: "ada", grace: "Grace Hopper"}
    with db.read_session() as session:
        assert oncall.display_names(session, []) == {}
