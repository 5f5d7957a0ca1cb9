"""The create lane answers ``POST /v2/alerts`` exactly as the route does, takes only the plain
case, and hands everything else to the route with the body intact."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.support.api import ApiClient
from tests.support.factories import make_integration
from tocsin.accounts import apikeys
from tocsin.alerts import create_lane
from tocsin.alerts.create_lane import CreateLane
from tocsin.api.envelope import RequestContext
from tocsin.app import create_app
from tocsin.config import Settings
from tocsin.errors import InvalidInput
from tocsin.prefix import PathPrefix


class Passed:
    """An ASGI layer that notes the requests that reach the app behind it (the route)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.paths: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.paths.append(f"{scope['method']} {scope['path']}")
        await self.app(scope, receive, send)


@pytest.fixture
def lane(settings: Settings) -> Iterator[tuple[TestClient, Passed]]:
    """The application with the lane in front of a recorder in front of FastAPI."""
    api = create_app(settings, run_engine=False)
    passed = Passed(api)
    with TestClient(RequestContext(CreateLane(passed, api)), base_url="http://tocsin.test") as client:
        yield client, passed


@pytest.fixture
def route_only(settings: Settings) -> Iterator[TestClient]:
    """The same application without the lane: every request answered by the route."""
    with TestClient(
        RequestContext(create_app(settings, run_engine=False)), base_url="http://tocsin.test"
    ) as client:
        yield client


@pytest.fixture
def key(db: Any) -> str:
    _, secret = make_integration(db, "Prometheus")
    return secret


def _answer(
    client: TestClient, key: str, body: bytes, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    response = client.post(
        "/v2/alerts", content=body, headers={"Authorization": f"GenieKey {key}", **(headers or {})}
    )
    shown = response.json()
    shown.pop("took"), shown.pop("requestId")
    kept = {name: response.headers.get(name) for name in ("content-type", "retry-after", "x-ratelimit-state")}
    return {"status": response.status_code, "body": shown, "headers": kept}


JSON = {"Content-Type": "application/json"}
CASES: dict[str, tuple[Any, dict[str, str]]] = {
    "plain": ({"message": "disk full", "alias": "a1"}, JSON),
    "no content type": ({"message": "disk full", "alias": "a2"}, {}),
    "charset": ({"message": "disk full", "alias": "a3"}, {"Content-Type": "application/json; charset=utf-8"}),
    "on behalf of a user": ({"message": "disk full", "user": "alice", "source": "cron"}, JSON),
    "invalid JSON": (b'{"message": "disk', JSON),
    "not an object": ([1, 2], JSON),
    "invalid fields": ({"message": "", "priority": "P9", "tags": "x"}, JSON),
    "encoded NUL": ({"message": "disk\u0000full"}, JSON),
    "text/plain": ({"message": "disk full"}, {"Content-Type": "text/plain"}),
    "form": (b"message=disk+full", {"Content-Type": "application/x-www-form-urlencoded"}),
    "empty": (b"", JSON),
}


def _bytes(body: Any) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


@pytest.mark.parametrize("case", list(CASES))
def test_every_answer_is_the_routes(
    lane: tuple[TestClient, Passed], route_only: TestClient, key: str, case: str
) -> None:
    body, headers = CASES[case]
    warm_up = _bytes({"message": "warm-up"})
    for client in (lane[0], route_only):  # the key is then one this process recognised
        assert _answer(client, key, warm_up, JSON)["status"] == 202

    assert _answer(lane[0], key, _bytes(body), headers) == _answer(route_only, key, _bytes(body), headers)


def test_a_plain_create_does_not_go_through_the_route(lane: tuple[TestClient, Passed], key: str) -> None:
    client, passed = lane
    api = ApiClient(client, key)
    api.create(message="first: the key is looked up by the route")
    passed.paths.clear()

    answer = api.post(
        "/v2/alerts", json={"message": "disk full", "alias": "lane", "user": "alice", "tags": ["db"]}
    )

    assert answer.status_code == 202
    assert passed.paths == []
    alert = api.alert("lane", "alias")
    assert (alert["message"], alert["tags"]) == ("disk full", ["db"])
    assert alert["source"] == "testclient"  # the client's address, as the route sets it
    assert api.status_of(answer)["alertId"] == alert["id"]
    assert any("alice via Prometheus" in line for line in api.logs(alert["id"]))


def test_what_it_does_not_take_reaches_the_route_whole(lane: tuple[TestClient, Passed], key: str) -> None:
    client, passed = lane
    ApiClient(client, key).create(message="warm-up")
    passed.paths.clear()
    too_long = {"message": "disk full", "description": "x" * (create_lane.BODY_TAKEN + 1)}

    answer = client.post("/v2/alerts", json=too_long, headers={"Authorization": f"GenieKey {key}"})

    assert passed.paths == ["POST /v2/alerts"]
    assert answer.status_code == 422
    assert "description" in answer.json()["errors"]


def test_a_body_in_several_pieces_is_read_whole(lane: tuple[TestClient, Passed], key: str) -> None:
    client, passed = lane
    ApiClient(client, key).create(message="warm-up")
    passed.paths.clear()
    pieces = [b'{"message": "disk ', b'full", "alias": "pieces"}']

    answer = client.post("/v2/alerts", content=iter(pieces), headers={"Authorization": f"GenieKey {key}"})

    assert answer.status_code == 202
    assert passed.paths == []
    assert ApiClient(client, key).alert("pieces", "alias")["message"] == "disk full"


def test_keys_it_has_not_seen_and_account_keys_are_left_to_the_route(
    lane: tuple[TestClient, Passed], key: str, db: Any
) -> None:
    client, passed = lane
    with db.write_session() as session:
        _, account_key = apikeys.create_api_key(session, name="reader", rights=["read", "create-update"])
    answers = []
    for secret in ("not-a-key", account_key, account_key, key):
        answers.append(
            client.post("/v2/alerts", json={"message": "x"}, headers={"Authorization": f"GenieKey {secret}"})
        )

    assert [a.status_code for a in answers] == [401, 403, 403, 202]
    assert passed.paths == ["POST /v2/alerts"] * 4


def test_an_error_while_storing_gets_the_apis_answer(
    lane: tuple[TestClient, Passed], key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _ = lane
    ApiClient(client, key).create(message="warm-up")

    async def refuse(*_: Any) -> None:
        raise InvalidInput("responders", "team ops does not exist")

    monkeypatch.setattr(create_lane, "create", refuse)
    answer = client.post("/v2/alerts", json={"message": "x"}, headers={"Authorization": f"GenieKey {key}"})

    assert answer.status_code == 422
    assert answer.json()["errors"] == {"responders": "team ops does not exist"}
    assert answer.headers["x-request-id"] == answer.json()["requestId"]


def test_under_a_path_prefix(settings: Settings, key: str) -> None:
    api = create_app(settings, run_engine=False)
    passed = Passed(api)
    app = PathPrefix(RequestContext(CreateLane(passed, api)), "/tocsin")
    with TestClient(app, base_url="http://tocsin.test") as client:
        prefixed = ApiClient(client, key)
        for path in ("/tocsin/v2/alerts", "/tocsin/v2/alerts"):
            assert prefixed.post(path, json={"message": "x"}).status_code == 202

    assert passed.paths == ["POST /tocsin/v2/alerts"]  # the second one took the lane
