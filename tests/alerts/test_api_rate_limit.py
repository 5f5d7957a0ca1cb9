"""Each API key has a rate limit (TOCSIN_API_RATE_LIMIT); beyond it the API answers as Opsgenie
does: 429, {"message": "You are making too many requests!", ...}, Retry-After and the
X-RateLimit-* headers. Alertmanager and opsgenie-sdk retry a 429 later."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.support.api import ApiClient
from tests.support.factories import make_integration
from tocsin.accounts import apikeys
from tocsin.clock import FrozenClock
from tocsin.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"api_rate_limit": "3/minute"})


def create(api: ApiClient, message: str = "disk full"):
    return api.post("/v2/alerts", json={"message": message})


def test_a_key_over_its_limit_gets_opsgenies_429_until_the_window_passes(
    http: TestClient, api: ApiClient, frozen_clock: FrozenClock
) -> None:
    assert [create(api).status_code for _ in range(3)] == [202, 202, 202]
    frozen_clock.advance(timedelta(seconds=20))

    refused = create(api)

    assert refused.status_code == 429
    body = refused.json()
    assert body["message"] == "You are making too many requests!"
    assert set(body) == {"message", "took", "requestId"}
    assert refused.headers["retry-after"] == "40"
    assert refused.headers["x-ratelimit-state"] == "THROTTLED"
    assert refused.headers["x-ratelimit-period-in-sec"] == "60"
    frozen_clock.advance(timedelta(seconds=40))
    assert create(api).status_code == 202


def test_reads_count_against_the_same_limit(
    http: TestClient, api: ApiClient, frozen_clock: FrozenClock
) -> None:
    for _ in range(3):
        assert api.get("/v2/alerts").status_code == 200

    assert api.get("/v2/alerts/count").status_code == 429


def test_other_keys_are_not_affected(http: TestClient, db, api: ApiClient, frozen_clock: FrozenClock) -> None:
    _, other_key = make_integration(db, "Grafana")
    with db.write_session() as session:
        _, account_key = apikeys.create_api_key(session, name="reader", rights=["read"])
    for _ in range(4):
        create(api)

    assert create(ApiClient(http, other_key)).status_code == 202
    assert ApiClient(http, account_key).get("/v2/alerts").status_code == 200
    assert create(api).status_code == 429


def test_a_refused_request_changes_nothing(
    http: TestClient, api: ApiClient, frozen_clock: FrozenClock
) -> None:
    for number in range(3):
        create(api, f"alert {number}")

    assert create(api, "one too many").status_code == 429
    frozen_clock.advance(timedelta(minutes=1))
    assert api.get("/v2/alerts/count").json()["data"]["count"] == 3
