"""``/health/live`` and ``/health/ready`` as a load balancer sees them: no login, JSON, 200 or a
503 that says which check failed, on both databases; down, hung and behind databases; an engine
in the process that stops ticking and starts again."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from alembic import command

from tests.ops.apps import settings_for
from tests.support.postgres import free_port
from tocsin.clock import FrozenClock
from tocsin.engine.runner import EngineRunner
from tocsin.migrate import alembic_config, upgrade
from tocsin.ops import health


def test_live_answers_without_a_session_and_without_asking_the_database(client_of, tmp_path):
    # A database that cannot be opened: live does not care, ready does.
    http = client_of(settings_for(f"sqlite:///{tmp_path}/missing/dir/tocsin.db", tmp_path))

    answer = http.get("/health/live")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}
    assert "set-cookie" not in answer.headers
    assert answer.headers["cache-control"] == "no-store"
    assert http.head("/health/live").status_code == 200
    assert http.get("/health/ready").status_code == 503


def test_ready_on_a_current_database_reports_every_check(http, database_url):
    answer = http.get("/health/ready")

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] is True
    schema = body["checks"]["schema"]
    assert schema["ok"] is True and schema["database"] == schema["code"] == list(health.schema_heads())
    # An API-only app: no engine has ticked, which is reported but does not make it unready.
    engine = body["checks"]["engine"]
    assert engine["ok"] is False and engine["required"] is False and engine["in_process"] is False
    assert engine["detail"] == "No engine is running."
    assert body["problems"] == []
    assert "set-cookie" not in answer.headers


def test_probes_every_second_from_many_balancers_are_never_limited(http):
    answers = [http.get("/health/ready").status_code for _ in range(60)]
    answers += [http.get("/health/live").status_code for _ in range(60)]
    assert set(answers) == {200}


def test_the_health_routes_are_not_in_the_opsgenie_api_document(http):
    paths = http.get("/api/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith("/health")]


def test_health_routes_live_under_the_root_path(database_url, client_of, tmp_path):
    http = client_of(settings_for(database_url, tmp_path, root_path="/oncall"))
    assert http.get("/oncall/health/live").json() == {"status": "ok"}
    assert http.get("/oncall/health/ready").status_code == 200


def test_a_sqlite_file_that_cannot_be_opened_is_503_naming_the_database(client_of, tmp_path):
    http = client_of(settings_for(f"sqlite:///{tmp_path}/missing/dir/tocsin.db", tmp_path))

    answer = http.get("/health/ready")

    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["database"]["detail"].startswith("The database does not answer (OperationalError)")
    assert str(tmp_path) not in answer.text  # where the database is is none of a stranger's business


def test_a_stopped_postgresql_is_503(client_of, tmp_path):
    nobody_listens = free_port()
    url = f"postgresql+psycopg://tocsin@127.0.0.1:{nobody_listens}/tocsin"
    http = client_of(settings_for(url, tmp_path))

    answer = http.get("/health/ready")

    assert answer.status_code == 503
    assert answer.json()["checks"]["database"]["ok"] is False
    assert str(nobody_listens) not in answer.text


class SilentServer:
    """A TCP server that accepts connections and never says a word: a hung database."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self) -> None:
        self.listener.close()
        for connection in self.accepted:
            connection.close()


def test_a_hung_database_does_not_hang_the_probe(client_of, tmp_path):
    hung = SilentServer()
    try:
        http = client_of(settings_for(f"postgresql+psycopg://tocsin@127.0.0.1:{hung.port}/tocsin", tmp_path))
        started = time.monotonic()

        with ThreadPoolExecutor(2) as probes:  # two balancers at once share one look
            answers = list(probes.map(lambda _: http.get("/health/ready"), range(2)))

        # Without the limit the probes would wait as long as the silent server keeps them (for
        # ever); the margin over the limit is for a busy machine, not a measure of speed.
        assert time.monotonic() - started < health_api_wait() + 10
        for answer in answers:
            assert answer.status_code == 503
            assert answer.json()["checks"]["database"] == {
                "ok": False,
                "required": True,
                "detail": f"The database did not answer within {health_api_wait():g} s.",
            }
        assert http.get("/health/ready").status_code == 503  # while it hangs, no second look
        assert len(hung.accepted) == 1
    finally:
        hung.close()  # the thread that waits for it ends


def health_api_wait() -> float:
    from tocsin.ops.health_api import ANSWER_WITHIN_SECONDS

    return ANSWER_WITHIN_SECONDS


def test_a_database_behind_the_code_is_503_until_migrated(database_url, frozen_clock, client_of, tmp_path):
    command.downgrade(alembic_config(database_url), "0015")
    http = client_of(settings_for(database_url, tmp_path))

    answer = http.get("/health/ready")

    assert answer.status_code == 503
    schema = answer.json()["checks"]["schema"]
    assert schema["ok"] is False and schema["database"] == ["0015"]
    assert schema["detail"] == "The database's schema is behind this version of Tocsin: run tocsin migrate."
    assert "engine" not in answer.json()["checks"]  # its table is not there yet to ask

    upgrade(database_url)
    frozen_clock.advance(timedelta(seconds=2))  # past the second an answer is reused for
    assert http.get("/health/ready").status_code == 200


def wait_for_ticks(engine: EngineRunner, more_than: int) -> None:
    deadline = time.monotonic() + 10
    while engine.ticks <= more_than:
        assert time.monotonic() < deadline, "the engine did not tick"
        time.sleep(0.01)


def test_an_engine_in_the_process_that_stops_ticking_makes_it_unready_until_it_ticks_again(
    database_url, frozen_clock: FrozenClock, client_of, tmp_path
):
    # The engine ticks once at start and then only when woken: as good as stuck, until woken.
    http = client_of(settings_for(database_url, tmp_path, engine_tick_seconds=3600), run_engine=True)
    engine: EngineRunner = http.state.engine
    wait_for_ticks(engine, 0)

    fine = http.get("/health/ready")
    assert fine.status_code == 200, fine.text
    assert fine.json()["checks"]["engine"] | {"detail": ""} == {
        "ok": True,
        "required": True,
        "detail": "",
        "in_process": True,
        "last_tick_age_seconds": 0.0,
        "own_round_age_seconds": 0.0,
    }

    frozen_clock.advance(timedelta(seconds=31))
    stuck = http.get("/health/ready")
    assert stuck.status_code == 503
    engine_check = stuck.json()["checks"]["engine"]
    assert engine_check["detail"] == "This process's engine has not ticked in the last 30 s."
    assert engine_check["last_tick_age_seconds"] == 31.0

    ticks = engine.ticks
    engine.wake()
    wait_for_ticks(engine, ticks)
    frozen_clock.advance(timedelta(seconds=2))  # past the second an answer is reused for
    again = http.get("/health/ready")
    assert again.status_code == 200, again.text
    assert again.json()["checks"]["engine"]["last_tick_age_seconds"] == 2.0
