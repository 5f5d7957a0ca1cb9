"""FastAPI prepares an included router's routes on the first request that reaches them; Tocsin
prepares them while starting, so that the first chat command after a start (which Slack waits 3 s
for) does not pay for it."""

from __future__ import annotations

from typing import Any

import fastapi.routing
import pytest
from fastapi.testclient import TestClient

from tocsin.app import build
from tocsin.config import Settings


def test_no_route_is_prepared_on_the_request_path(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepared: list[object] = []
    prepare = fastapi.routing._populate_api_route_state

    def counting(*arguments: Any, **keywords: Any) -> Any:
        prepared.append(arguments)
        return prepare(*arguments, **keywords)

    monkeypatch.setattr(fastapi.routing, "_populate_api_route_state", counting)

    with TestClient(build(settings, run_engine=False), base_url="http://tocsin.test") as client:
        assert prepared, "starting prepares the routes"
        at_start = len(prepared)
        client.post("/chat/slack/unknown/secret", content=b"command=%2Fgenie")
        client.get("/v2/alerts", headers={"Authorization": "GenieKey unknown"})

    assert len(prepared) == at_start
