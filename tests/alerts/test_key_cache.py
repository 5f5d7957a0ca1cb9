"""Recognised keys are kept a couple of seconds per process: a key disabled elsewhere (another
server process, the CLI) is refused once that time has passed, and at once by the process that
disabled it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.support.api import ApiClient
from tests.support.factories import make_integration
from tocsin.accounts import apikeys
from tocsin.actors import SYSTEM
from tocsin.api.auth import Caller, KeyCache
from tocsin.app import build
from tocsin.config import Settings
from tocsin.db import Database


@pytest.fixture
def other_process(settings: Settings) -> Iterator[TestClient]:
    """A second application on the same database, as a second ``tocsin serve`` worker is."""
    with TestClient(build(settings, run_engine=False), base_url="http://tocsin.test") as client:
        yield client


def test_a_key_disabled_through_another_process_is_refused_here_within_the_cache_time(
    http: TestClient, other_process: TestClient, db: Database, frozen_clock
) -> None:
    with db.write_session() as session:
        _, admin_key = apikeys.create_api_key(
            session, name="admin", rights=["read", "create-update", "configuration"]
        )
    _, key = make_integration(db, "Prometheus")
    here = ApiClient(http, key)
    assert here.post("/v2/alerts", json={"message": "disk full"}).status_code == 202

    disabled = ApiClient(other_process, admin_key).post(
        "/v2/integrations/Prometheus/disable?identifierType=name"
    )
    assert disabled.status_code == 200, disabled.text

    assert (
        ApiClient(other_process, key).post("/v2/alerts", json={"message": "x"}).status_code == 401
    )  # at once
    assert here.post("/v2/alerts", json={"message": "disk full"}).status_code == 202  # still kept here
    frozen_clock.advance(timedelta(seconds=KeyCache.SECONDS + 0.5))
    refused = here.post("/v2/alerts", json={"message": "disk full"})
    assert refused.status_code == 401 and "disabled" in refused.json()["message"]


def test_an_answer_looked_up_before_a_clear_is_not_kept(frozen_clock) -> None:
    cache = KeyCache()
    caller = Caller(SYSTEM, True, frozenset({"read"}))
    started_in = cache.generation  # a lookup starts...
    cache.clear()  # ...the key is disabled in this process meanwhile...
    cache.put("hash", caller, generation=started_in)  # ...and the lookup's answer comes back

    assert cache.get("hash") is None
    cache.put("hash", caller, generation=cache.generation)
    assert cache.get("hash") is caller
    frozen_clock.advance(timedelta(seconds=KeyCache.SECONDS))
    assert cache.get("hash") is None
