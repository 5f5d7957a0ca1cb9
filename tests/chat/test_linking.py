"""Chat account links at the service level: one-time connect and disconnect links valid for 15
minutes, one chat user per chat team for each Tocsin user, and refusals that leave a link usable."""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.accounts.people import cast, raises, user  # noqa: F401  (cast is a fixture)
from tocsin import clock
from tocsin.actors import SYSTEM
from tocsin.chat import linking
from tocsin.chat.models import ChatAccount, ChatLinkToken
from tocsin.chat.requests import ChatIdentity
from tocsin.db import Database
from tocsin.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tocsin.integrations import registry
from tocsin.integrations import service as integrations
from tocsin.integrations.configuration import Changes
from tocsin.outbound import OutboundPolicy

pytestmark = pytest.mark.usefixtures("cast")
BOB = ChatIdentity("Mattermost", "t-acme", "acme", "u-bob", "bob")
ALICE = ChatIdentity("Mattermost", "t-acme", "acme", "u-alice", "alice")


def issue(db: Database, identity: ChatIdentity = BOB, purpose: str = "connect") -> str:
    with db.write_session() as session:
        return linking.issue_link(session, identity=identity, purpose=purpose, integration_name="Mattermost")


def approve(db: Database, token: str, name: str) -> linking.ApproveOutcome:
    with db.write_session() as session:
        return linking.approve(session, token=token, user=user(session, name))


def connect(db: Database, identity: ChatIdentity, name: str) -> None:
    approve(db, issue(db, identity), name)


def linked_user(db: Database, identity: ChatIdentity = BOB) -> str | None:
    with db.read_session() as session:
        found = linking.user_for_chat_user(
            session, platform=identity.platform, team_id=identity.team_id, chat_user_id=identity.user_id
        )
        return found.username if found else None


def is_pending(db: Database, token: str) -> bool:
    with db.read_session() as session:
        return linking.pending_link(session, token) is not None


def test_approving_a_connect_link_makes_the_chat_user_act_as_the_tocsin_user(db, frozen_clock):
    token = issue(db)
    assert linked_user(db) is None

    outcome = approve(db, token, "ann")

    assert outcome.message == "Connected: your actions in Mattermost now run as ann@example.com"
    assert (outcome.purpose, outcome.changed, outcome.chat_user_name, outcome.chat_team_name) == (
        "connect",
        True,
        "bob",
        "acme",
    )
    assert linked_user(db) == "ann@example.com"
    with db.read_session() as session:
        account = linking.account_for(session, BOB)
        assert account is not None
        assert (account.user_id, account.chat_team_name, account.chat_user_name) == (
            user(session, "ann").id,
            "acme",
            "bob",
        )
        assert account.created_at == clock.now()


def test_a_link_is_stored_only_as_the_sha256_of_its_token(db, frozen_clock):
    token = issue(db)

    with db.read_session() as session:
        stored = session.scalars(select(ChatLinkToken)).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(value) for value in vars(stored).values()}
    assert len(token) >= 40
    assert stored.expires_at == clock.now() + timedelta(minutes=15)
    assert (stored.platform, stored.chat_team_id, stored.chat_user_id) == ("Mattermost", "t-acme", "u-bob")
    assert (
        linking.link_url("https://tocsin.example.com", token)
        == f"https://tocsin.example.com/chat/link/{token}"
    )


def test_a_link_works_until_15_minutes_and_not_after(db, frozen_clock):
    late, in_time = issue(db), issue(db, ALICE)
    frozen_clock.advance(linking.LINK_LIFETIME - timedelta(seconds=1))
    approve(db, in_time, "ann")

    frozen_clock.advance(timedelta(seconds=1))

    assert not is_pending(db, late)
    with raises(
        linking.LinkExpired,
        "Token expired: a link can be used once, within 15 minutes. Run /genie connect again.",
    ):
        approve(db, late, "lead")
    assert linked_user(db, BOB) is None
    assert linked_user(db, ALICE) == "ann@example.com"


def test_a_link_is_used_once(db, frozen_clock):
    token = issue(db)
    approve(db, token, "ann")

    with pytest.raises(linking.LinkExpired):
        approve(db, token, "ann")
    with pytest.raises(linking.LinkExpired):
        approve(db, "not-a-token-anyone-was-given", "ann")


def test_two_tabs_approving_the_same_link_at_once_connect_once(db, frozen_clock):
    tokens = [issue(db, ChatIdentity("Mattermost", f"t-{n}", f"team{n}", "u-bob", "bob")) for n in range(4)]
    for token in tokens:
        start = threading.Barrier(2)
        outcomes: list[object] = []

        def tab(token: str = token, start: threading.Barrier = start, outcomes: list = outcomes) -> None:
            start.wait()
            try:
                outcomes.append(approve(db, token, "ann"))
            except linking.LinkExpired as expired:
                outcomes.append(expired)

        tabs = [threading.Thread(target=tab) for _ in range(2)]
        for thread in tabs:
            thread.start()
        for thread in tabs:
            thread.join()

        assert sorted(type(outcome).__name__ for outcome in outcomes) == ["ApproveOutcome", "LinkExpired"]
    with db.read_session() as session:
        assert len(linking.accounts_of(session, user(session, "ann").id)) == 4


def test_a_user_connects_one_chat_user_per_chat_team(db, frozen_clock):
    connect(db, ALICE, "ann")
    token = issue(db, BOB)

    with raises(
        Conflict,
        "You are already connected to Mattermost as @alice in team acme; disconnect that account first",
    ):
        approve(db, token, "ann")

    assert linked_user(db, BOB) is None
    assert is_pending(db, token)  # refused, so still usable: by someone else here
    approve(db, token, "lead")
    assert linked_user(db, BOB) == "lead@example.com"


def test_a_chat_user_connected_to_someone_else_is_refused_and_the_link_stays_usable(db, frozen_clock):
    connect(db, BOB, "ann")
    token = issue(db, BOB)

    with raises(
        Conflict,
        "The Mattermost account @bob of team acme is already connected to another Tocsin user; "
        "that user must disconnect it first",
    ):
        approve(db, token, "lead")

    assert linked_user(db) == "ann@example.com"
    assert is_pending(db, token)


def test_a_refusal_leaves_the_link_usable_even_when_the_transaction_goes_on(db, frozen_clock):
    connect(db, BOB, "ann")
    token = issue(db, BOB)
    with db.write_session() as session:
        with pytest.raises(Conflict):
            linking.approve(session, token=token, user=user(session, "lead"))
        linking.issue_link(session, identity=ALICE, purpose="connect")  # committed with it

    assert is_pending(db, token)


def test_connecting_the_chat_user_already_connected_to_you_changes_nothing(db, frozen_clock):
    connect(db, BOB, "ann")

    outcome = approve(db, issue(db, BOB), "ann")

    assert not outcome.changed
    assert (
        outcome.message
        == "Already connected: the Mattermost account @bob of team acme runs as ann@example.com"
    )
    assert linked_user(db) == "ann@example.com"


def test_there_is_no_limit_on_chat_accounts_across_teams_and_platforms(db, frozen_clock):
    identities = [
        BOB,
        ChatIdentity("Mattermost", "t-other", "other", "u-bob2", "bob"),
        ChatIdentity("HipChat", "t-acme", "acme", "u-bob", "bob"),
    ]
    for identity in identities:
        connect(db, identity, "ann")

    with db.read_session() as session:
        accounts = linking.accounts_of(session, user(session, "ann").id)
    assert [(a.platform, a.chat_team_name) for a in accounts] == [
        ("HipChat", "acme"),
        ("Mattermost", "acme"),
        ("Mattermost", "other"),
    ]


def test_a_disconnect_link_removes_the_connection_of_the_user_it_is_connected_to(db, frozen_clock):
    connect(db, BOB, "ann")
    connect(db, ALICE, "lead")
    token = issue(db, BOB, "disconnect")

    with raises(
        PermissionDenied,
        "The Mattermost account @bob of team acme is connected to another Tocsin user; "
        "only that user can disconnect it",
    ):
        approve(db, token, "lead")
    assert linked_user(db) == "ann@example.com"
    assert is_pending(db, token)

    outcome = approve(db, token, "ann")

    assert outcome.message == (
        "Disconnected: the Mattermost account @bob of team acme no longer runs as ann@example.com"
    )
    assert (outcome.purpose, outcome.changed) == ("disconnect", True)
    assert linked_user(db, BOB) is None
    assert linked_user(db, ALICE) == "lead@example.com"
    with pytest.raises(linking.LinkExpired):
        approve(db, token, "ann")


def test_a_disconnect_link_for_a_chat_user_no_longer_connected_says_so(db, frozen_clock):
    connect(db, BOB, "ann")
    token = issue(db, BOB, "disconnect")
    with db.write_session() as session:
        account = linking.account_for(session, BOB)
        assert account is not None
        linking.revoke(session, user=user(session, "ann"), account_id=account.id)

    outcome = approve(db, token, "ann")

    assert not outcome.changed
    assert (
        outcome.message == "Nothing to disconnect: the Mattermost account @bob of team acme is not connected"
    )


def test_users_revoke_their_own_chat_accounts_only(db, frozen_clock):
    connect(db, BOB, "ann")
    connect(db, ALICE, "lead")
    with db.read_session() as session:
        bobs = linking.account_for(session, BOB)
        alices = linking.account_for(session, ALICE)
    assert bobs is not None and alices is not None

    with db.write_session() as session:
        with raises(NotFound, "That chat account is not connected to your Tocsin account"):
            linking.revoke(session, user=user(session, "ann"), account_id=alices.id)
        linking.revoke(session, user=user(session, "ann"), account_id=bobs.id)

    assert linked_user(db, BOB) is None
    assert linked_user(db, ALICE) == "lead@example.com"


def test_chat_accounts_outlive_the_integration_they_were_connected_through(db, frozen_clock):
    with db.write_session() as session:
        integration, _ = integrations.create_integration(
            session,
            type="Mattermost",
            name="Mattermost",
            changes=Changes(url="https://chat.example.com/hooks/abc"),
            outbound=OutboundPolicy.parse("chat.example.com"),
        )
        token = linking.issue_link(
            session, identity=BOB, purpose="connect", integration_name=integration.name
        )
    approve(db, token, "ann")

    with db.write_session() as session:
        registry.delete_integration(session, actor=SYSTEM, integration=integration)
        assert session.scalars(select(ChatAccount)).all() != []

    assert linked_user(db) == "ann@example.com"


def test_only_connect_and_disconnect_links_exist(db):
    with db.write_session() as session, raises(InvalidInput, "purpose must be one of connect, disconnect"):
        linking.issue_link(session, identity=BOB, purpose="promote")


def test_links_expired_for_a_day_are_cleared_when_the_next_is_issued(db, frozen_clock):
    old, also_old = issue(db), issue(db, ALICE)
    frozen_clock.advance(timedelta(hours=1))
    recent = issue(db, ALICE)
    frozen_clock.advance(timedelta(days=1, minutes=14))

    issue(db)

    with db.read_session() as session:
        hashes = set(session.scalars(select(ChatLinkToken.token_hash)))
    assert hashlib.sha256(old.encode()).hexdigest() not in hashes
    assert hashlib.sha256(also_old.encode()).hexdigest() not in hashes
    assert hashlib.sha256(recent.encode()).hexdigest() in hashes
    assert len(hashes) == 2
