"""``tocsin engine`` runs a watchdog too: an engine kept waiting for its turn (on SQLite another
engine holds the lease and has gone silent) mails the owners itself, and mails again when it has
taken over. A real process on the real clock, so the minute is shortened."""

from __future__ import annotations

import signal
import subprocess
from datetime import timedelta
from pathlib import Path

from tests.support.factories import make_user
from tests.support.smtp import SmtpServer
from tests.test_cli import TOCSIN, tocsin_environment
from tocsin.db import Database
from tocsin.engine import lease, runner
from tocsin.migrate import upgrade


def test_a_waiting_engine_tells_the_owners_of_the_silence_and_of_its_end(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/tocsin.db"
    upgrade(url)
    db = Database(url)
    make_user(db, "olga@example.com", role="owner", password=None)
    with db.write_session() as session:  # an engine elsewhere took the lease, then went quiet
        assert lease.hold(session, runner.LEASE_NAME, "gone-quiet", timedelta(hours=1))
    with SmtpServer() as smtp:
        environment = tocsin_environment(
            database_url=url,
            data_dir=tmp_path / "data",
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            engine_tick_seconds="0.2",
            watchdog_stale_seconds="1",
        )
        engine = subprocess.Popen([str(TOCSIN), "engine"], env=environment, stdout=subprocess.DEVNULL)
        try:
            (silent,) = smtp.wait_for(1, timeout=20)
            assert silent.recipients == ["olga@example.com"]
            assert silent.subject == "[Tocsin] No engine is running: nobody is being notified"
            with db.write_session() as session:  # the lease ends: this engine takes over and ticks
                lease.release(session, runner.LEASE_NAME, "gone-quiet")
            over = smtp.wait_for(2, timeout=20)[1]
            assert over.subject == "[Tocsin] Resolved: An engine is running again"
        finally:
            engine.send_signal(signal.SIGTERM)
            assert engine.wait(20) == 0
    db.dispose()
