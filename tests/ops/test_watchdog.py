"""The watchdog tells owners when no engine ticks or the outbox is stuck: a banner on every page
for owners and admins, a line in /health/ready, and (SMTP set up) one e-mail per owner when it
begins and one when it is over, however many nodes watch the same database. Time moves on
Tocsin's frozen clock; the e-mails go to a real SMTP server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.ops.apps import settings_for
from tests.support.factories import make_user
from tests.support.smtp import SmtpServer
from tests.web.pages import log_in
from tocsin.clock import FrozenClock
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.engine import ticks
from tocsin.notify import outbox
from tocsin.ops import episodes
from tocsin.ops.watchdog import Watchdog

OWNERS = ["olga@example.com", "otto@example.com"]
ENGINE_SILENT = "No engine has ticked for over a minute (no engine is running)"


def make_people(db: Database, password: str | None = None) -> None:
    """Two owners, an admin and a user (who can log in only when given a password)."""
    for owner in OWNERS:
        make_user(db, owner, role="owner", password=password)
    make_user(db, "ada@example.com", role="admin", password=password)
    make_user(db, "uli@example.com", role="user", password=password)


@pytest.fixture
def people(db: Database) -> None:
    make_people(db)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def mailing(database_url: str, tmp_path: Path, smtp: SmtpServer) -> Settings:
    return settings_for(database_url, tmp_path, smtp_host="127.0.0.1", smtp_port=smtp.port)


@pytest.fixture
def watchdogs(
    database_url: str, frozen_clock: FrozenClock
) -> Iterator[Callable[[Settings, int], list[Watchdog]]]:
    """Start ``count`` watchdogs on the database, each with connections of its own, as on that
    many nodes."""
    started: list[tuple[Watchdog, Database]] = []

    def start(settings: Settings, count: int) -> list[Watchdog]:
        for _ in range(count):
            watchdog = Watchdog(settings, node_db := Database(database_url))
            watchdog.start()
            started.append((watchdog, node_db))
        return [watchdog for watchdog, _ in started[-count:]]

    yield start
    for watchdog, node_db in started:
        watchdog.stop()
        node_db.dispose()


def after(frozen_clock: FrozenClock, watching: list[Watchdog], seconds: float = 15) -> None:
    """Move the clock on and wait until every watchdog has checked."""
    done = [watchdog.checks for watchdog in watching]
    frozen_clock.advance(timedelta(seconds=seconds))
    for watchdog, checks in zip(watching, done, strict=True):
        watchdog.wait_for_check(checks)


def record_tick(db: Database, at_clock: FrozenClock) -> None:
    with db.write_session() as session:
        ticks.record(session, "engine-on-another-node", at_clock.now())


def mail_by_recipient(smtp: SmtpServer, subject: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for mail in smtp.received:
        if mail.subject == subject:
            for recipient in mail.recipients:
                found[recipient] = found.get(recipient, 0) + 1
    return found


@pytest.mark.usefixtures("people")
def test_a_silent_engine_is_mailed_to_each_owner_once_by_two_nodes_and_its_end_too(
    db, frozen_clock, smtp, mailing, watchdogs
):
    nodes = watchdogs(mailing, 2)

    after(frozen_clock, nodes, 30)  # just started: engines may still be starting
    assert [node.current for node in nodes] == [[], []]
    after(frozen_clock, nodes, 31)  # a minute without a tick
    after(frozen_clock, nodes)
    after(frozen_clock, nodes)

    assert [[problem.key for problem in node.current] for node in nodes] == [["engine_silent"]] * 2
    began = "[Tocsin] No engine is running: nobody is being notified"
    assert mail_by_recipient(smtp, began) == dict.fromkeys(OWNERS, 1)
    assert len(smtp.received) == 2
    body = smtp.to(OWNERS[0])[0].body
    assert ENGINE_SILENT in body and "Start one (tocsin engine" in body

    record_tick(db, frozen_clock)
    after(frozen_clock, nodes)
    after(frozen_clock, nodes)

    assert [node.current for node in nodes] == [[], []]
    assert mail_by_recipient(smtp, "[Tocsin] Resolved: An engine is running again") == dict.fromkeys(
        OWNERS, 1
    )
    assert len(smtp.received) == 4
    with db.read_session() as session:
        assert episodes.open_problems(session) == []


@pytest.mark.usefixtures("people")
def test_a_stuck_outbox_is_mailed_once_and_so_is_its_end(db, frozen_clock, smtp, mailing, watchdogs):
    with db.write_session() as session:
        outbox.enqueue_many(
            session,
            [outbox.row("notify.email", {"n": 1}, deliver_at=frozen_clock.now() - timedelta(seconds=45))],
        )
    record_tick(db, frozen_clock)
    nodes = watchdogs(mailing, 2)

    after(frozen_clock, nodes)  # due for a minute now: not yet over it
    assert smtp.received == []
    record_tick(db, frozen_clock)
    after(frozen_clock, nodes)
    after(frozen_clock, nodes)

    assert [[problem.key for problem in node.current] for node in nodes] == [["outbox_stuck"]] * 2
    assert mail_by_recipient(smtp, "[Tocsin] Messages are stuck in the outbox") == dict.fromkeys(OWNERS, 1)
    assert "the oldest for 75 s (1 notify.email)" in smtp.to(OWNERS[1])[0].body

    with db.write_session() as session:
        session.connection().execute(update(outbox.outbox).values(state="delivered"))
    record_tick(db, frozen_clock)
    after(frozen_clock, nodes)
    after(frozen_clock, nodes)

    assert mail_by_recipient(smtp, "[Tocsin] Resolved: The outbox is moving again") == dict.fromkeys(
        OWNERS, 1
    )
    assert len(smtp.received) == 4


@pytest.mark.usefixtures("people")
def test_when_the_smtp_server_is_down_too_the_next_check_tries_again(
    db, frozen_clock, smtp, mailing, watchdogs
):
    (node,) = watchdogs(mailing, 1)
    smtp.stop()
    after(frozen_clock, [node], 61)
    assert [problem.key for problem in node.current] == ["engine_silent"]
    with db.read_session() as session:
        assert episodes.open_problems(session) == []  # nobody was told: not yet an episode

    smtp.start()
    after(frozen_clock, [node])

    assert sorted(mail.recipients[0] for mail in smtp.received) == OWNERS
    after(frozen_clock, [node])
    assert len(smtp.received) == 2


def test_the_banner_shows_owners_and_admins_what_is_wrong_and_ready_lists_it(
    db, database_url, frozen_clock, client_of, tmp_path
):
    make_people(db, password="correct horse")
    http = client_of(settings_for(database_url, tmp_path))  # no SMTP: banner and readiness only
    watchdog: Watchdog = http.state.watchdog

    def alert_page_of(username: str) -> str:
        http.cookies.clear()
        log_in(http, username)
        page = http.get("/alerts").text
        assert "Log out" in page  # signed in
        return page

    assert 'class="watchdog"' not in alert_page_of("olga@example.com")

    checks = watchdog.checks
    frozen_clock.advance(timedelta(seconds=61))
    watchdog.wait_for_check(checks)

    for username in ("olga@example.com", "ada@example.com"):
        page = alert_page_of(username)
        assert 'class="watchdog" role="alert"' in page
        assert ENGINE_SILENT in page
    assert 'class="watchdog"' not in alert_page_of("uli@example.com")
    http.cookies.clear()
    assert 'class="watchdog"' not in http.get("/login").text

    ready = http.get("/health/ready")
    assert ready.status_code == 200  # an API-only app stays in its load balancer
    assert [problem["problem"] for problem in ready.json()["problems"]] == ["engine_silent"]
    assert ready.json()["problems"][0]["text"].startswith(ENGINE_SILENT)
