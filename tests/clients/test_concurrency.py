"""De-duplication and tinyIds under concurrent load, over real sockets and in parallel transactions."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from tests.support.factories import make_integration, make_team
from tocsin.alerts import ingest
from tocsin.alerts.models import Alert
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.db import Database

CLIENTS = 200


async def _post_all(url: str, key: str, payloads: list[dict[str, str]]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        headers = {"Authorization": f"GenieKey {key}"}
        return await asyncio.gather(
            *(client.post("/v2/alerts", json=body, headers=headers) for body in payloads)
        )


def test_200_concurrent_creates_of_one_alias_make_one_alert_counted_200(live_server, integration_key, db):
    responses = asyncio.run(
        _post_all(live_server.url, integration_key, [{"message": "storm", "alias": "storm"}] * CLIENTS)
    )
    assert [response.status_code for response in responses] == [202] * CLIENTS
    with db.read_session() as session:
        alerts = session.execute(select(Alert.status, Alert.count)).all()
    assert [tuple(alert) for alert in alerts] == [("open", CLIENTS)]


def test_200_concurrent_creates_of_distinct_aliases_get_200_distinct_tiny_ids(
    live_server, integration_key, db
):
    payloads = [{"message": f"alert {n}", "alias": f"alias-{n}"} for n in range(CLIENTS)]
    responses = asyncio.run(_post_all(live_server.url, integration_key, payloads))
    assert [response.status_code for response in responses] == [202] * CLIENTS
    with db.read_session() as session:
        tiny_ids = session.scalars(select(Alert.tiny_id)).all()
    assert len(tiny_ids) == len(set(tiny_ids)) == CLIENTS


def test_200_concurrent_creates_per_team_of_one_alias_make_one_alert_per_team_counted_200(live_server, db):
    """Two teams' keys sending the same alias at once: each team's creates count on its own alert."""
    keys = []
    for team in ("ops", "db"):
        make_team(db, team)
        keys.append(make_integration(db, f"{team}-prometheus", team=team)[1])

    async def both_teams() -> list[list[httpx.Response]]:
        storm = [{"message": "storm", "alias": "storm"}] * CLIENTS
        return await asyncio.gather(*(_post_all(live_server.url, key, storm) for key in keys))

    responses = [response for team in asyncio.run(both_teams()) for response in team]
    assert [response.status_code for response in responses] == [202] * (2 * CLIENTS)
    with db.read_session() as session:
        alerts = session.execute(select(Alert.dedup_scope, Alert.status, Alert.count)).all()
    assert [(status, count) for _scope, status, count in alerts] == [("open", CLIENTS)] * 2
    assert len({scope for scope, _status, _count in alerts}) == 2


@pytest.mark.parametrize("aliases", ["one", "distinct"])
def test_parallel_transactions_never_duplicate_an_open_alias_or_a_tiny_id(database_url, aliases):
    """Without the write queue: many connections creating at once, each in its own transaction."""
    db = Database(database_url)
    actor, _ = make_integration(db, "Prometheus")

    def create(number: int) -> None:
        alias = "storm" if aliases == "one" else f"alias-{number}"
        with db.write_session() as session:
            ingest.create_alert(session, payload=CreateAlertPayload(message="m", alias=alias), actor=actor)

    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(create, range(CLIENTS)))
        with db.read_session() as session:
            count, total, distinct_tiny = session.execute(
                select(func.count(), func.sum(Alert.count), func.count(func.distinct(Alert.tiny_id)))
            ).one()
    finally:
        db.dispose()
    expected_alerts = 1 if aliases == "one" else CLIENTS
    assert (count, total, distinct_tiny) == (expected_alerts, CLIENTS, expected_alerts)
