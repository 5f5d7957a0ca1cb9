"""``tocsin serve`` with ``TOCSIN_LOG_FORMAT=json`` as a real process: every stderr line is a
JSON object, each request has one access line (route template, status, duration, request id,
actor), and none of the secrets the requests carried appears anywhere in the output."""

from __future__ import annotations

import json
import re
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.processes import Serve
from tests.test_cli import Tocsin, tocsin_environment

COMMAND_TOKEN = "8wgkxdp3o7fgjg6u4zeo1a9qhh"
WEBHOOK_SECRET = "xr8ob1cm7fgw5pq3hh4rzuy6ta"
WRONG_PASSWORD = "not-the-Passw0rd-at-all"
FORGED_TOKEN = "forgedforgedforgedforged00"


@dataclass
class Sent:
    """A request made and what its access line must say."""

    response: httpx.Response
    route: str
    actor: str | None
    via: str | None

    @property
    def request_id(self) -> str:
        return self.response.headers["x-request-id"]


def _owner_password(stdout: str) -> str:
    found = re.search(r"^\s*password: (\S+)$", stdout, re.MULTILINE)
    assert found, stdout
    return found[1]


def _login_form_token(client: httpx.Client, sent: list[Sent]) -> str:
    form = client.get("/login")
    sent.append(Sent(form, "/login", None, None))
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text
    return token[1]


def _access_lines(stderr: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in stderr.splitlines()]  # every line: one JSON object
    assert all(isinstance(line, dict) for line in lines)
    return [line for line in lines if line.get("logger") == "tocsin.access"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[Serve, list[Sent], list[str]]:
    """One server in JSON mode, the requests sent to it (stopped, so all its output is in), and
    the secrets those requests carried."""
    tmp_path = tmp_path_factory.mktemp("json-logs")
    environment = tocsin_environment(
        data_dir=tmp_path / "data", log_format="json", outbound_allow="127.0.0.0/8"
    )
    tocsin = Tocsin(environment)
    tocsin.ok("migrate")
    api_key = tocsin.ok("apikey", "create", "--name", "dashboards", "--rights", "read")[-1]
    integration_key = tocsin.ok("integration", "create", "--name", "Prometheus")[-1]
    request_url = tocsin.ok(
        "integration", "create", "--name", "ops-chat", "--type", "Mattermost",
        "--command-token", COMMAND_TOKEN, "--webhook-url", f"http://127.0.0.1:9/hooks/{WEBHOOK_SECRET}",
    )[-1]  # fmt: skip
    serve = Serve(environment, tmp_path / "logs")
    try:
        serve.wait_until_serving()
        password = _owner_password(serve.stdout)
        sent = _send_requests(serve.url, api_key, integration_key, urlsplit(request_url).path, password)
        serve.stop(signal.SIGTERM)
    finally:
        serve.kill()
    secrets = [
        api_key,
        integration_key,
        password,
        WRONG_PASSWORD,
        COMMAND_TOKEN,
        FORGED_TOKEN,
        WEBHOOK_SECRET,
    ]
    secrets.append(urlsplit(request_url).path.rsplit("/", 1)[-1])
    secrets += [value for one in sent for value in one.response.cookies.values()]
    link = [one for one in sent if one.route == "/chat/link/{token}"]
    secrets += [urlsplit(str(one.response.request.url)).path.rsplit("/", 1)[-1] for one in link]
    return serve, sent, secrets


def _send_requests(url: str, api_key: str, integration_key: str, chat_path: str, password: str) -> list[Sent]:
    sent: list[Sent] = []
    reader = {"Authorization": f"GenieKey {api_key}"}
    writer = {"Authorization": f"GenieKey {integration_key}"}
    with httpx.Client(base_url=url, timeout=10) as client:
        sent.append(Sent(client.get("/v2/alerts", headers=reader), "/v2/alerts", "dashboards", "API"))
        sent.append(Sent(client.get(f"/v2/alerts?apiKey={api_key}"), "/v2/alerts", "dashboards", "API"))
        # The first create is routed; the second, its key now recognised, goes through the lane.
        for message in ("disk full on db-1", "disk full on db-2"):
            created = client.post("/v2/alerts", headers=writer, json={"message": message})
            assert created.status_code == 202, created.text
            sent.append(Sent(created, "/v2/alerts", "Prometheus", "API"))
        invalid = client.post("/v2/alerts", headers=writer, json={"priority": "P1"})
        assert invalid.status_code == 422, invalid.text
        sent.append(Sent(invalid, "/v2/alerts", "Prometheus", "API"))
        missing = client.get("/v2/alerts/no-such-alert", headers=reader)
        assert missing.status_code == 404, missing.text
        sent.append(Sent(missing, "/v2/alerts/{identifier}", "dashboards", "API"))
        nowhere = client.get(f"/no/such/page/{api_key}?token={api_key}")
        assert nowhere.status_code == 404
        sent.append(Sent(nowhere, "(unmatched)", None, None))

        form = {
            "token": COMMAND_TOKEN, "team_id": "t1", "team_domain": "acme", "user_id": "u1",
            "user_name": "bob", "channel_id": "c1", "channel_name": "ops", "command": "/genie",
        }  # fmt: skip
        connect = client.post(chat_path, data={**form, "text": "connect"})
        assert connect.status_code == 200, connect.text
        sent.append(Sent(connect, "/chat/mattermost/{integration_id}/{secret}", "@bob", "Mattermost"))
        link = re.search(r"https?://[^\s)>\]]+/chat/link/[\w-]+", connect.text)
        assert link, connect.text
        forged = client.post(chat_path, data={**form, "token": FORGED_TOKEN, "text": "ack 1"})
        assert forged.status_code == 401, forged.text
        sent.append(Sent(forged, "/chat/mattermost/{integration_id}/{secret}", None, None))

    with httpx.Client(base_url=url, timeout=10) as browser:
        failed = browser.post(
            "/login",
            data={"username": "owner@example.com", "password": WRONG_PASSWORD,
                  "csrf_token": _login_form_token(browser, sent)},
        )  # fmt: skip
        assert failed.status_code == 401
        sent.append(Sent(failed, "/login", None, None))
        good = browser.post(
            "/login",
            data={"username": "owner@example.com", "password": password,
                  "csrf_token": _login_form_token(browser, sent)},
        )  # fmt: skip
        assert good.status_code == 303
        sent.append(Sent(good, "/login", "owner@example.com", "web"))
        page = browser.get("/alerts")
        assert page.status_code == 200
        sent.append(Sent(page, "/alerts", "owner@example.com", "web"))
        approval = browser.get(urlsplit(link[0]).path)
        assert approval.status_code == 200, approval.text
        sent.append(Sent(approval, "/chat/link/{token}", "owner@example.com", "web"))
    return sent


def test_every_line_on_stderr_is_a_json_object(served: tuple[Serve, list[Sent], list[str]]) -> None:
    serve, _, _ = served

    lines = [json.loads(line) for line in serve.stderr.splitlines()]

    assert lines, "no log lines at all"
    usual = {"timestamp", "level", "logger", "event"}
    assert all(isinstance(line, dict) and usual <= line.keys() for line in lines)
    assert any(line["logger"].startswith("uvicorn") for line in lines)  # uvicorn's own lines too


def test_each_request_has_one_access_line_with_route_status_duration_and_actor(
    served: tuple[Serve, list[Sent], list[str]],
) -> None:
    serve, sent, _ = served
    access = _access_lines(serve.stderr)

    for one in sent:
        [line] = [line for line in access if line.get("request_id") == one.request_id]
        assert line["event"] == "request"
        assert line["method"] == one.response.request.method
        assert line["route"] == one.route
        assert line["status"] == one.response.status_code
        assert isinstance(line["duration_ms"], float | int) and line["duration_ms"] >= 0
        assert line["client"] == "127.0.0.1"
        assert (line["actor"], line["via"]) == (one.actor, one.via), line
    assert len(access) >= len(sent)


def test_what_a_request_logs_besides_its_access_line_carries_its_request_id(
    served: tuple[Serve, list[Sent], list[str]],
) -> None:
    serve, sent, _ = served
    [forged] = [one for one in sent if one.response.status_code == 401 and one.route.startswith("/chat/")]
    lines = [json.loads(line) for line in serve.stderr.splitlines()]

    [refusal] = [line for line in lines if line["logger"] == "tocsin.chat.platforms.mattermost"]

    assert refusal["event"] == "Mattermost command for ops-chat refused: wrong command token"
    assert refusal["level"] == "warning"
    assert refusal["request_id"] == forged.request_id  # written in the write queue's thread
    assert not [line for line in lines if line["logger"].startswith("tocsin.engine") and "request_id" in line]


def test_uvicorn_does_not_print_its_own_access_lines(served: tuple[Serve, list[Sent], list[str]]) -> None:
    serve, _, _ = served

    assert "HTTP/1.1" not in serve.stderr
    assert not [line for line in serve.stderr.splitlines() if json.loads(line)["logger"] == "uvicorn.access"]


def test_no_secret_the_requests_carried_appears_in_any_line(
    served: tuple[Serve, list[Sent], list[str]],
) -> None:
    serve, _, secrets = served

    assert len(secrets) >= 9  # keys, passwords, tokens, the chat URL's secret, the session cookie
    for secret in secrets:
        assert secret not in serve.stderr, f"{secret!r} is in the log"
    assert "/v2/alerts/no-such-alert" not in serve.stderr  # raw paths are never logged


def _text_server(serves: Callable[..., Serve], tmp_path: Path, **settings: str) -> tuple[Serve, str]:
    """A server in text mode, stopped after one request (refused: the key is unknown)."""
    serve = serves(tocsin_environment(data_dir=tmp_path / "data", **settings))
    answer = httpx.get(f"{serve.url}/v2/alerts?apiKey={UNKNOWN_KEY}", timeout=10)
    assert answer.status_code == 401
    serve.stop(signal.SIGTERM)
    return serve, answer.headers["x-request-id"]


UNKNOWN_KEY = "0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a"


def test_text_mode_prints_readable_lines_without_access_lines(
    serves: Callable[..., Serve], tmp_path: Path
) -> None:
    serve, request_id = _text_server(serves, tmp_path)

    lines = serve.stderr.splitlines()
    started = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d INFO uvicorn\.error: Application startup complete\."
    assert any(re.fullmatch(started, line) for line in lines), lines
    assert not any(line.startswith("{") for line in lines)
    assert request_id not in serve.stderr  # no access line unless asked for


def test_text_mode_with_the_access_log_on_prints_a_readable_access_line(
    serves: Callable[..., Serve], tmp_path: Path
) -> None:
    serve, request_id = _text_server(serves, tmp_path, access_log="true")

    [line] = [line for line in serve.stderr.splitlines() if request_id in line]
    assert " INFO tocsin.access: request method=GET route=/v2/alerts status=401 duration_ms=" in line
    assert "client=127.0.0.1" in line
    assert UNKNOWN_KEY not in serve.stderr


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [("log_format", "xml", "TOCSIN_LOG_FORMAT"), ("log_level", "loud", "TOCSIN_LOG_LEVEL")],
)
def test_an_unknown_log_setting_is_a_one_line_error_naming_it(
    setting: str, value: str, named: str, tmp_path: Path
) -> None:
    result = Tocsin(tocsin_environment(data_dir=tmp_path / "data", **{setting: value}))("serve")

    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: {named}: ")
    assert repr(value) in line
