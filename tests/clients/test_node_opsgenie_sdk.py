"""Opsgenie's official Node client (npm opsgenie-sdk 0.5.1) against a real Tocsin server.

It calls collection paths with a trailing slash (``POST /v2/alerts/``, ``GET /v2/alerts/?…``) and
action paths too (``/v2/alerts/{id}/close/``): a redirect would break it, so Tocsin serves both."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.support.api import ApiClient

pytestmark = pytest.mark.clients

NODE_CLIENTS = Path(__file__).parent / "node"


@pytest.fixture(scope="session")
def node() -> str:
    node = shutil.which("node")
    if node is None or not (NODE_CLIENTS / "node_modules" / "opsgenie-sdk").is_dir():
        pytest.fail(
            "Node.js and the npm clients are needed: make test installs nodejs and npm, then runs "
            f"npm ci --prefix {NODE_CLIENTS.relative_to(Path.cwd())}"
        )
    return node


def test_the_node_client_creates_finds_notes_acknowledges_and_closes(node, live_server, integration_key):
    ran = subprocess.run(
        [node, "alert_flow.js", live_server.url, integration_key],
        cwd=NODE_CLIENTS, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    seen = json.loads(ran.stdout)

    assert seen["created"] == "Request will be processed"
    assert seen["got"]["message"] == "Node client: disk full" and seen["got"]["priority"] == "P2"
    assert seen["listed"] == [seen["id"]] and seen["searched"] == [seen["id"]]
    assert seen["closed"]["status"] == "closed" and seen["closed"]["acknowledged"] is True

    with httpx.Client(base_url=live_server.url) as http:
        notes = ApiClient(http, integration_key).get(f"/v2/alerts/{seen['id']}/notes").json()["data"]
    assert "from node" in [note["note"] for note in notes]
