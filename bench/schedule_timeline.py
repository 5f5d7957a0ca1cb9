"""Schedule timeline benchmark: how long a schedule's page takes with 5 rotations and 200
overrides, viewed a month at a time.

Stores a team's schedule "big" (Europe/Berlin) with 5 rotations of 4 people each (daily, weekly,
12-hourly, and two with time restrictions) and 200 overrides spread over March 2027 (the month
the clocks go forward), and a schedule "small" with 1 rotation and no override as the baseline.
Then times, in the same run: the whole page ``GET /schedules/{id}?view=month&start=2027-03-01``
through the app (in the process, with a signed-in admin's cookie) for each schedule; the layout
function (``web.schedule_timeline.lay_out``) alone on each schedule's plan; and a bare FastAPI
app's trivial page as the floor. p50 and p95 of ``--rounds`` runs each.

    .venv/bin/python bench/schedule_timeline.py
    .venv/bin/python bench/schedule_timeline.py --backend postgresql
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support.databases import BACKENDS, Databases, chosen
from bench.web_alerts import bare_app
from fastapi.testclient import TestClient
from tests.support.factories import make_team, make_user
from tests.web.pages import log_in

from tocsin.actors import SYSTEM
from tocsin.app import build
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.migrate import upgrade
from tocsin.oncall import service as oncall
from tocsin.oncall.lookup import NameRef, UserRef
from tocsin.oncall.rotation_config import RotationInput
from tocsin.web.schedule_timeline import lay_out
from tocsin.web.schedule_window import window_for

BERLIN = ZoneInfo("Europe/Berlin")
MONTH = "2027-03-01"
PEOPLE = [f"p{n}@example.com" for n in range(20)]
OVERRIDES = 200


def _hours(start: int, end: int) -> dict[str, object]:
    restriction = {"startHour": start, "startMin": 0, "endHour": end, "endMin": 0}
    return {"type": "time-of-day", "restriction": restriction}


def fill(db: Database) -> dict[str, str]:
    """The two schedules; their ids by name."""
    make_user(db, "root@example.com", role="admin")
    for person in PEOPLE:
        make_user(db, person)
    make_team(db, "ops", *PEOPLE)
    began = datetime(2027, 1, 4, 9, 0, tzinfo=BERLIN)
    shapes = [
        ("daily", 1, None),
        ("weekly", 1, None),
        ("hourly", 12, None),
        ("daily", 1, _hours(8, 18)),
        ("weekly", 1, _hours(18, 8)),
    ]
    rotations = [
        RotationInput(
            name=f"rotation {number + 1}",
            type=kind,
            length=length,
            start=began,
            participants=[UserRef(username=p) for p in PEOPLE[number * 4 : number * 4 + 4]],
            time_restriction=restriction,
        )
        for number, (kind, length, restriction) in enumerate(shapes)
    ]
    ids = {}
    with db.write_session() as session:
        big = oncall.create_schedule(
            session, actor=SYSTEM, name="big", timezone="Europe/Berlin", owner_team=NameRef(name="ops"),
            rotations=rotations,
        )  # fmt: skip
        small = oncall.create_schedule(
            session, actor=SYSTEM, name="small", timezone="Europe/Berlin", owner_team=NameRef(name="ops"),
            rotations=rotations[:1],
        )  # fmt: skip
        ids = {"big": big.id, "small": small.id}
        month_start = datetime(2027, 3, 1, tzinfo=BERLIN)
        for number in range(OVERRIDES):
            start = month_start + timedelta(hours=number * 31 * 24 / OVERRIDES)
            oncall.create_override(
                session,
                actor=SYSTEM,
                schedule_id=big.id,
                user=UserRef(username=PEOPLE[number % len(PEOPLE)]),
                start=start,
                end=start + timedelta(hours=2 + number % 5),
            )
    return ids


def timed(action: Callable[[], object], rounds: int) -> tuple[float, float]:
    """p50 and p95 of ``rounds`` runs, in milliseconds, after a few to warm up."""
    took = []
    for round_ in range(rounds + 3):
        started = time.perf_counter()
        action()
        elapsed = time.perf_counter() - started
        if round_ >= 3:
            took.append(elapsed * 1000)
    took.sort()
    return statistics.median(took), took[max(0, round(len(took) * 0.95) - 1)]


def page_view(client: TestClient, schedule_id: str) -> Callable[[], object]:
    def view() -> None:
        response = client.get(f"/schedules/{schedule_id}", params={"view": "month", "start": MONTH})
        assert response.status_code == 200, response.text[:500]

    return view


def layout_alone(db: Database, schedule_id: str) -> Callable[[], object]:
    window = window_for("month", MONTH, BERLIN, datetime(2027, 3, 1, tzinfo=UTC))
    with db.read_session() as session:
        plan = oncall.load_plan(session, schedule_id, window.start, window.end)
        rotations = [(rotation.id, rotation.name) for rotation in oncall.rotations_of(session, schedule_id)]
    names = {person: person for person in PEOPLE}
    return lambda: lay_out(plan, window, names, rotation_names=rotations)


def run(backend: str, url: str, rounds: int) -> None:
    upgrade(url)
    db = Database(url)
    ids = fill(db)
    with db.read_session() as session:
        shifts = len(oncall.timeline(session, ids["big"], *_march()))
    print(f"\n{backend}: schedule big has {shifts} shifts in March 2027\n")
    print("| what | p50 | p95 | p95 ÷ baseline p95 |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as data_dir, TestClient(bare_app()) as bare:
        settings = Settings(database_url=url, data_dir=Path(data_dir), secret_key="bench-secret")
        with TestClient(
            build(settings, run_engine=False, freeze_heap=True), base_url="http://tocsin.test"
        ) as admin:
            assert log_in(admin, "root@example.com").status_code in (200, 303)
            floor = timed(lambda: bare.get("/page"), rounds)
            small_page = timed(page_view(admin, ids["small"]), rounds)
            big_page = timed(page_view(admin, ids["big"]), rounds)
        small_layout = timed(layout_alone(db, ids["small"]), rounds)
        big_layout = timed(layout_alone(db, ids["big"]), rounds)
    rows = [
        ("bare FastAPI page (floor)", floor, floor),
        ("month page, 1 rotation, no override (baseline)", small_page, small_page),
        ("month page, 5 rotations, 200 overrides", big_page, small_page),
        ("layout alone, 1 rotation (baseline)", small_layout, small_layout),
        ("layout alone, 5 rotations, 200 overrides", big_layout, small_layout),
    ]
    for name, (p50, p95), (_, base95) in rows:
        print(f"| {name} | {p50:.1f} ms | {p95:.1f} ms | {p95 / base95:.1f} |")
    db.dispose()


def _march() -> tuple[datetime, datetime]:
    return datetime(2027, 3, 1, tzinfo=BERLIN), datetime(2027, 4, 1, tzinfo=BERLIN)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--backend", choices=BACKENDS, default="sqlite")
    arguments = parser.parse_args()
    with Databases() as databases:
        for backend in chosen(arguments.backend):
            run(backend, databases.fresh(backend), arguments.rounds)


if __name__ == "__main__":
    main()
