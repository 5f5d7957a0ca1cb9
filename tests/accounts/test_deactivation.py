"""Deactivating a person: who may (as for roles: owners for owners, never yourself, the last
active owner stays), what it does (their web sessions end, they cannot sign in, the API says
``blocked``), and reactivating."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.accounts.people import actor_of, email, raises, user
from tocsin.accounts import service as accounts
from tocsin.accounts import web_sessions
from tocsin.accounts.web_sessions import Lifetimes
from tocsin.actors import SYSTEM
from tocsin.errors import InvalidInput, PermissionDenied


def _signed_in(session, token):
    return web_sessions.signed_in(
        session, token, Lifetimes(idle=timedelta(hours=1), absolute=timedelta(days=1))
    )


def test_an_admin_deactivates_a_user_whose_sessions_end_and_who_can_no_longer_act(db, cast):
    with db.write_session() as session:
        token = web_sessions.start_session(session, user_id=cast["ann"], user_agent="", address="")
        assert _signed_in(session, token) is not None
        accounts.set_active(
            session, actor=actor_of(session, "admin"), user=user(session, "ann"), active=False
        )
        assert _signed_in(session, token) is None
        ann = user(session, "ann")
        assert not ann.is_active and ann.deactivated_at is not None
        # a session begun by some other way round is refused too while they are deactivated
        again = web_sessions.start_session(session, user_id=cast["ann"], user_agent="", address="")
        assert _signed_in(session, again) is None
        accounts.set_active(session, actor=actor_of(session, "admin"), user=ann, active=True)
        assert ann.is_active and _signed_in(session, again) is not None


@pytest.mark.parametrize(
    ("actor", "target", "error", "message"),
    [
        ("lead", "ann", PermissionDenied, "lead@example.com may not change users"),
        ("ann", "bob", PermissionDenied, "ann@example.com may not change users"),
        ("admin", "owner", PermissionDenied, "only an owner may deactivate or reactivate an owner"),
        ("admin", "admin", InvalidInput, "you cannot deactivate yourself; ask another administrator"),
        ("owner", "owner", InvalidInput, "you cannot deactivate yourself; ask another administrator"),
    ],
)
def test_who_may_not_deactivate_whom(db, cast, actor, target, error, message):
    with db.write_session() as session, raises(error, message):
        accounts.set_active(session, actor=actor_of(session, actor), user=user(session, target), active=False)
    with db.read_session() as session:
        assert user(session, target).is_active


def test_the_last_active_owner_cannot_be_deactivated_nor_demoted_while_the_other_is_deactivated(db, cast):
    with db.write_session() as session:
        accounts.update_user(
            session, actor=actor_of(session, "owner"), user=user(session, "admin"), role="owner"
        )
        accounts.set_active(
            session, actor=actor_of(session, "owner"), user=user(session, "admin"), active=False
        )
        with raises(
            InvalidInput,
            "owner@example.com is the last owner and cannot be demoted; make someone else owner first",
        ):
            accounts.update_user(
                session, actor=actor_of(session, "owner"), user=user(session, "owner"), role="admin"
            )
    with db.write_session() as session:
        accounts.set_active(
            session, actor=actor_of(session, "owner"), user=user(session, "admin"), active=True
        )
        accounts.set_active(
            session, actor=actor_of(session, "admin"), user=user(session, "owner"), active=False
        )
        with raises(
            InvalidInput,
            "admin@example.com is the last owner and cannot be deactivated; make someone else owner first",
        ):
            accounts.set_active(session, actor=SYSTEM, user=user(session, "admin"), active=False)


def test_the_api_says_blocked_for_a_deactivated_user(db, cast, api):
    assert api.data(f"/v2/users/{email('ann')}")["blocked"] is False
    with db.write_session() as session:
        accounts.set_active(
            session, actor=actor_of(session, "admin"), user=user(session, "ann"), active=False
        )
    assert api.data(f"/v2/users/{email('ann')}")["blocked"] is True
