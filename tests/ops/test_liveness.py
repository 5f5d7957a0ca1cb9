"""What waits in the outbox, per kind of message, as readiness, the watchdog and metrics see it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from tocsin.notify import outbox
from tocsin.ops import liveness


def test_backlog_counts_waiting_messages_per_topic_and_the_oldest_due(db, frozen_clock):
    now = frozen_clock.now()
    with db.write_session() as session:
        outbox.enqueue_many(
            session,
            [
                outbox.row("notify.email", {"n": 1}, deliver_at=now - timedelta(minutes=3)),
                outbox.row("notify.email", {"n": 2}, deliver_at=now - timedelta(seconds=10)),
                outbox.row("notify.email", {"n": 3}, deliver_at=now + timedelta(minutes=5)),
                outbox.row("mattermost.post", {"n": 4}, deliver_at=now - timedelta(seconds=30)),
                outbox.row("mattermost.post", {"n": 5}, deliver_at=now - timedelta(hours=2)),
                outbox.row("alert.auto_close", {"n": 6}, deliver_at=now + timedelta(days=1)),
            ],
        )
        # Finished messages are not waiting, however old.
        session.connection().execute(
            update(outbox.outbox).where(outbox.outbox.c.topic == "mattermost.post",
                                        outbox.outbox.c.next_attempt_at < now - timedelta(hours=1))
            .values(state="delivered")
        )  # fmt: skip
    with db.read_session() as session:
        seen = liveness.read(session, now)
        oldest = liveness.oldest_due(session, now)
    assert seen.outbox == [
        liveness.TopicBacklog("alert.auto_close", depth=1, due=0, oldest_due_at=None),
        liveness.TopicBacklog("mattermost.post", depth=1, due=1, oldest_due_at=now - timedelta(seconds=30)),
        liveness.TopicBacklog("notify.email", depth=3, due=2, oldest_due_at=now - timedelta(minutes=3)),
    ]
    assert seen.oldest_due_age == timedelta(minutes=3)
    assert oldest == now - timedelta(minutes=3)
    assert seen.engine_last_tick is None and seen.engine_tick_age is None


def test_an_empty_outbox_has_no_backlog(db, frozen_clock):
    with db.read_session() as session:
        seen = liveness.read(session, frozen_clock.now())
        assert liveness.oldest_due(session, frozen_clock.now()) is None
    assert seen.outbox == [] and seen.oldest_due_age == timedelta(0)


def test_problems_name_a_silent_engine_and_a_stuck_outbox(frozen_clock):
    now = frozen_clock.now()
    fine = liveness.Liveness(
        at=now,
        engine_last_tick=now - timedelta(seconds=59),
        outbox=[liveness.TopicBacklog("notify.sms", 4, 4, now - timedelta(seconds=59))],
    )
    assert fine.problems() == []

    never = liveness.Liveness(at=now, engine_last_tick=None, outbox=[])
    assert [problem.key for problem in never.problems()] == ["engine_silent"]
    assert "no engine is running" in never.problems()[0].text

    stuck = liveness.Liveness(
        at=now,
        engine_last_tick=now - timedelta(minutes=5),
        outbox=[
            liveness.TopicBacklog("mattermost.post", 30, 12, now - timedelta(minutes=7)),
            liveness.TopicBacklog("notify.email", 2, 1, now - timedelta(seconds=5)),
        ],
    )
    silent, late = stuck.problems()
    assert (silent.key, late.key) == ("engine_silent", "outbox_stuck")
    assert "the last tick was 5 min ago" in silent.text
    assert "the oldest for 7 min (12 mattermost.post)" in late.text


def test_a_shorter_stale_time_names_problems_sooner_and_says_how_long(frozen_clock):
    now = frozen_clock.now()
    seen = liveness.Liveness(
        at=now,
        engine_last_tick=now - timedelta(seconds=30),
        outbox=[liveness.TopicBacklog("notify.email", 1, 1, now - timedelta(seconds=25))],
    )
    assert seen.problems() == []

    silent, late = seen.problems(stale=timedelta(seconds=20))

    assert silent.text.startswith("No engine has ticked for over 20 s (the last tick was 30 s ago)")
    assert "the oldest for 25 s (1 notify.email)" in late.text
