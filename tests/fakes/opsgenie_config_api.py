"""A fake Opsgenie API host on a loopback port serving a fake account's configuration
(tests/fakes/opsgenie_reads.py) as Opsgenie does: ``Authorization: GenieKey`` checked, the
success and error envelopes and headers, and switches tests use to see an importer cope:
429 answers for a path (the first N requests, or every Kth), a 500 or a dropped connection once,
and a count of the requests each path received."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from tests.fakes.opsgenie_account import NOW, OpsgenieAccount
from tests.fakes.opsgenie_reads import ApiError, ConfigApi, Reply

TOO_MANY = "You are making too many requests! To avoid errors, we recommend you limit requests."
# Domains a key without Configuration Access may still read.
_OUTSIDE_CONFIGURATION = ("/v2/account", "/v1/maintenance")


@dataclass
class _Throttle:
    first: int
    every: int
    retry_after: int | None
    seen: int = 0

    def hits(self) -> bool:
        self.seen += 1
        return self.seen <= self.first or (self.every > 0 and self.seen % self.every == 0)


class FakeOpsgenie:
    def __init__(self, account: OpsgenieAccount | None = None, now: datetime = NOW) -> None:
        self.account = account or OpsgenieAccount()
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._throttles: dict[str, _Throttle] = {}
        self._failures: dict[str, str] = {}
        self._served = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.api = ConfigApi(self.account, self.base_url, now)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-opsgenie", daemon=True)

    def start(self) -> FakeOpsgenie:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # Switches for tests
    def throttle(self, path: str, *, first: int = 0, every: int = 0, retry_after: int | None = None) -> None:
        """Answer 429 to the first ``first`` requests to ``path`` from now on and/or to every
        ``every``-th one, with ``Retry-After`` when given (Opsgenie is not known to send it)."""
        with self._lock:
            self._throttles[path] = _Throttle(first, every, retry_after)

    def fail_once(self, path: str, how: str = "500") -> None:
        """The next request to ``path`` gets a 500 (``"500"``) or its connection closed (``"close"``)."""
        if how not in ("500", "close"):
            raise ValueError("how should be '500' or 'close'")
        with self._lock:
            self._failures[path] = how

    def requests_to(self, path: str) -> int:
        with self._lock:
            return self._counts[path]

    def reset(self) -> None:
        """Forget counts, throttles and failures (the account stays as it is)."""
        with self._lock:
            self._counts.clear()
            self._throttles.clear()
            self._failures.clear()

    # Answering
    def handle(self, method: str, target: str, authorization: str) -> Reply | None:
        """The reply to a request; None means: close the connection without answering."""
        parts = urlsplit(target)
        path, query = unquote(parts.path), dict(parse_qsl(parts.query, keep_blank_values=True))
        with self._lock:
            self._counts[path] += 1
            self._served += 1
            request_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.base_url}#{self._served}"))
            failure = self._failures.pop(path, None)
            throttle = self._throttles.get(path)
            throttled = throttle.hits() if throttle else False
        headers = {"X-Request-ID": request_id, "X-Response-Time": "0.004"}
        if failure == "close":
            return None
        if failure == "500":
            return _error(500, "Internal Server Error", request_id, headers)
        if throttled and throttle:
            headers["X-RateLimit-State"] = "THROTTLED"
            if throttle.retry_after is not None:
                headers["Retry-After"] = str(throttle.retry_after)
            return _error(429, TOO_MANY, request_id, headers)
        key = (
            self.account.keys.get(authorization.removeprefix("GenieKey ").strip())
            if authorization.startswith("GenieKey ")
            else None
        )
        if key is None:
            return _error(401, "Could not authenticate", request_id, headers)
        if not key.configuration and not path.startswith(_OUTSIDE_CONFIGURATION):
            return _error(
                403, "Access to configurations is not allowed with this API key", request_id, headers
            )
        if method != "GET" and not key.write:
            return _error(403, "This API key has read-only access", request_id, headers)
        if method != "GET":
            return _error(405, f"This fake Opsgenie only serves reads, not {method}", request_id, headers)
        try:
            reply = self.api.answer(path, query)
        except ApiError as error:
            return _error(error.status, error.message, request_id, headers)
        reply.body.update(took=0.004, requestId=request_id)
        reply.headers.update(headers, **{"X-RateLimit-State": "OK", "X-RateLimit-Period-In-Sec": "60"})
        return reply


def _error(status: int, message: str, request_id: str, headers: dict[str, str]) -> Reply:
    return Reply(status, {"message": message, "took": 0.001, "requestId": request_id}, dict(headers))


def _handler(fake: FakeOpsgenie) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            reply = fake.handle(self.command, self.path, self.headers.get("Authorization", ""))
            if reply is None:
                self.close_connection = True
                return
            body = json.dumps(reply.body).encode()
            self.send_response(reply.status)
            for name, value in {"Content-Type": "application/json", **reply.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    return Handler


@pytest.fixture(scope="module")
def fake_opsgenie() -> Iterator[FakeOpsgenie]:
    fake = FakeOpsgenie().start()
    yield fake
    fake.stop()
