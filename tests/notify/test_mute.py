"""Mute: until a moment, a person is sent nothing; who may mute whom (the /genie mute rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.accounts.people import actor_of, user
from tocsin import clock
from tocsin.errors import InvalidInput, PermissionDenied
from tocsin.notify import mute

NINE = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_muted_until_the_time_then_not(db, cast, frozen_clock):
    with db.write_session() as session:
        until = mute.mute(session, actor=actor_of(session, "ann"), user=user(session, "ann"))
    assert until == NINE + timedelta(minutes=5)
    with db.read_session() as session:
        ann = user(session, "ann")
        assert ann.muted_until == until
        assert mute.is_muted(ann, clock.now())
        frozen_clock.advance(timedelta(minutes=4, seconds=59))
        assert mute.is_muted(ann, clock.now())
        frozen_clock.advance(timedelta(seconds=1))
        assert not mute.is_muted(ann, clock.now())
        assert mute.muted_until(ann, clock.now()) is None
        assert not mute.is_muted(user(session, "bob"), clock.now())


def test_muting_again_replaces_the_end_and_unmute_ends_it(db, cast, frozen_clock):
    with db.write_session() as session:
        ann, as_ann = user(session, "ann"), actor_of(session, "ann")
        assert mute.mute(session, actor=as_ann, user=ann, minutes=60) == NINE + timedelta(hours=1)
        assert mute.mute(session, actor=as_ann, user=ann, minutes=10080) == NINE + timedelta(days=7)
        mute.unmute(session, actor=as_ann, user=ann)
        assert ann.muted_until is None and not mute.is_muted(ann, clock.now())


@pytest.mark.parametrize("minutes", [0, -5, 10081, True, 2.5])
def test_minutes_must_be_1_to_a_week(db, cast, minutes):
    with db.write_session() as session, pytest.raises(InvalidInput) as bad:
        mute.mute(session, actor=actor_of(session, "ann"), user=user(session, "ann"), minutes=minutes)
    assert bad.value.field == "minutes" and "from 1 to 10080" in bad.value.message


def test_who_may_mute_whom(db, cast, frozen_clock):
    outcomes = {}
    with db.write_session() as session:
        for actor in ("owner", "admin", "lead", "ann", "eve"):
            for target in ("lead", "ann", "bob", "eve"):
                try:
                    mute.mute(
                        session,
                        actor=actor_of(session, actor, channel="Mattermost"),
                        user=user(session, target),
                    )
                    mute.unmute(
                        session,
                        actor=actor_of(session, actor, channel="Mattermost"),
                        user=user(session, target),
                    )
                    outcomes[actor, target] = True
                except PermissionDenied as refused:
                    assert (
                        refused.message
                        == f"{actor}@example.com may not change the mute of {target}@example.com"
                    )
                    outcomes[actor, target] = False
    allowed = {pair for pair, done in outcomes.items() if done}
    assert allowed == {
        *{("owner", t) for t in ("lead", "ann", "bob", "eve")},
        *{("admin", t) for t in ("lead", "ann", "bob", "eve")},
        ("lead", "lead"),
        ("lead", "ann"),
        ("ann", "ann"),
        ("eve", "eve"),
    }


def test_mute_and_unmute_through_the_api(api, cast, frozen_clock):
    default = api.post("/v2/users/ann@example.com/mute")
    assert default.status_code == 200, default.text
    assert default.json()["result"] == "Muted"
    assert default.json()["data"] == {"mutedUntil": "2026-03-01T09:05:00.000Z"}
    fifteen = api.post(f"/v2/users/{cast['ann']}/mute", json={"minutes": 15})
    assert fifteen.json()["data"] == {"mutedUntil": "2026-03-01T09:15:00.000Z"}
    assert api.data("/v2/users/ann@example.com")["mutedUntil"] == "2026-03-01T09:15:00.000Z"
    unmuted = api.delete("/v2/users/ann@example.com/mute")
    assert unmuted.status_code == 200 and unmuted.json()["result"] == "Unmuted"
    assert "mutedUntil" not in api.data("/v2/users/ann@example.com")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"minutes": 0}, "minutes must be a whole number from 1 to 10080, got 0"),
        ({"minutes": 10081}, "minutes must be a whole number from 1 to 10080, got 10081"),
        ({"minutes": "ten"}, "Input should be a valid integer"),
    ],
    ids=["zero", "over-a-week", "text"],
)
def test_bad_minutes_are_422s_and_leave_the_user_unmuted(api, cast, payload, message):
    response = api.post("/v2/users/ann@example.com/mute", json=payload)
    assert response.status_code == 422 and response.json()["errors"] == {"minutes": message}
    assert "mutedUntil" not in api.data("/v2/users/ann@example.com")


def test_keys_and_mute(api, integration_key, account_key, cast):
    ops_key = integration_key("ops monitor", team="ops")
    refused = ops_key.post("/v2/users/ann@example.com/mute")
    assert (
        refused.status_code == 403
        and refused.json()["message"] == "ops monitor may not change the mute of ann@example.com"
    )
    assert ops_key.delete("/v2/users/ann@example.com/mute").status_code == 403
    assert account_key("read", "create-update").post("/v2/users/ann@example.com/mute").status_code == 403
    assert integration_key("Prometheus").post("/v2/users/ann@example.com/mute").status_code == 200
    missing = api.post("/v2/users/ghost@example.com/mute")
    assert (
        missing.status_code == 404 and missing.json()["message"] == "user 'ghost@example.com' does not exist"
    )
