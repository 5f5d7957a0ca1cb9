"""``tocsin heartbeat ...``: the real console script against each database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.support.factories import make_team
from tests.test_cli import Tocsin, tocsin_environment
from tocsin import clock
from tocsin.alerts.models import Alert
from tocsin.heartbeats import expiry
from tocsin.heartbeats import service as heartbeats
from tocsin.heartbeats.models import Heartbeat


@pytest.fixture
def tocsin(database_url: str, tmp_path: Path) -> Tocsin:
    return Tocsin(tocsin_environment(database_url=database_url, data_dir=tmp_path / "data"))


def _heartbeat(db, name: str) -> Heartbeat:
    with db.read_session() as session:
        found = heartbeats.find_heartbeat(session, name)
        assert found is not None
        return found


def test_heartbeat_commands_create_list_update_switch_and_delete(tocsin, db):
    make_team(db, "ops")
    assert tocsin.ok(
        "heartbeat", "create", "nightly-backup", "--interval", "2", "--unit", "hours", "--team", "ops",
        "--message", "Backup did not run", "--tag", "backup", "--tag", "db", "--priority", "P2",
    ) == [
        "Created heartbeat nightly-backup owned by team ops: ping it at least every 2 hours "
        "at /v2/heartbeats/nightly-backup/ping."
    ]  # fmt: skip
    tocsin.ok("heartbeat", "create", "cron", "--interval", "5", "--disabled")
    saved = _heartbeat(db, "nightly-backup")
    assert (saved.alert_message, saved.alert_tags, saved.alert_priority) == (
        "Backup did not run",
        ["backup", "db"],
        "P2",
    )

    assert tocsin.ok("heartbeat", "list") == [
        "cron\tevery 5 minutes\tdisabled\tok\tlast ping never\tteam -",
        "nightly-backup\tevery 2 hours\tenabled\tok\tlast ping never\tteam ops",
    ]

    assert tocsin.ok("heartbeat", "update", "nightly-backup", "--interval", "3", "--no-team") == [
        "Updated heartbeat nightly-backup."
    ]
    updated = _heartbeat(db, "nightly-backup")
    assert (updated.interval, updated.interval_unit, updated.owner_team_id) == (3, "hours", None)

    assert tocsin.ok("heartbeat", "enable", "cron") == ["Heartbeat cron is enabled."]
    assert _heartbeat(db, "cron").expires_at is not None
    assert tocsin.ok("heartbeat", "disable", "CRON") == ["Heartbeat cron is disabled."]
    assert _heartbeat(db, "cron").expires_at is None

    assert tocsin.ok("heartbeat", "ping", "cron") == ["Pinged heartbeat cron."]
    assert _heartbeat(db, "cron").last_ping_at is not None

    assert tocsin.ok("heartbeat", "delete", "cron") == ["Deleted heartbeat cron."]
    assert [line.split("\t")[0] for line in tocsin.ok("heartbeat", "list")] == ["nightly-backup"]


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (
            ("create", "cron", "--interval", "0"),
            "error: interval: Input should be greater than or equal to 1",
        ),
        (
            ("create", "cron", "--interval", "5", "--unit", "weeks"),
            "error: intervalUnit: Input should be 'minutes', 'hours' or 'days'",
        ),
        (("create", "cron", "--interval", "5", "--team", "nobody"), "error: team 'nobody' does not exist"),
        (("ping", "ghost"), "error: no heartbeat named 'ghost' (tocsin heartbeat list shows the names)"),
        (
            ("delete", "ghost"),
            "error: Heartbeat with name 'ghost' does not exist (tocsin heartbeat list shows the names)",
        ),
        (("update", "ghost", "--team", "a", "--no-team"), "error: give --team or --no-team, not both"),
    ],
)
def test_heartbeat_command_mistakes_are_one_line_errors_and_change_nothing(tocsin, db, arguments, error):
    result = tocsin("heartbeat", *arguments)
    assert result.returncode == 1
    assert result.stderr.strip() == error
    assert tocsin.ok("heartbeat", "list") == []


def test_cli_ping_closes_the_alert_of_an_expired_heartbeat(tocsin, db):
    tocsin.ok("heartbeat", "create", "cron", "--interval", "1")
    with db.write_session() as session:
        heartbeat = heartbeats.get_heartbeat(session, "cron")
        heartbeat.expires_at = clock.now() - timedelta(seconds=1)
    with db.write_session() as session:
        assert expiry.expire_due(session) == 1
    assert tocsin.ok("heartbeat", "list")[0].split("\t")[3] == "EXPIRED"

    tocsin.ok("heartbeat", "ping", "cron")

    with db.read_session() as session:
        alert = session.scalars(select(Alert)).one()
        assert (alert.alias, alert.status, alert.closed_by) == ("heartbeat-cron", "closed", "Heartbeat")
    assert tocsin.ok("heartbeat", "list")[0].split("\t")[3] == "ok"
