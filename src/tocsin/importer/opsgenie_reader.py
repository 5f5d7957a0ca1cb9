"""Reading an Opsgenie account through its REST API as Opsgenie serves it: ``GenieKey`` keys,
the ``data`` envelope, ``offset``/``limit`` paging that follows ``paging.next``, and its rate
limits. Opsgenie answers 429 when a domain's per-second or per-minute bucket is empty and is not
known to say when to come back, so a 429 (or a 5xx, or a dropped connection) is retried after
``Retry-After`` when it is sent and otherwise after 1, 2, 4 … up to 30 s, as Opsgenie's own Go
client does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import tenacity

from tocsin.errors import InvalidInput, TocsinError

US = "https://api.opsgenie.com"
EU = "https://api.eu.opsgenie.com"
PAGE_SIZE = 100
ATTEMPTS = 8
MAX_WAIT_SECONDS = 30.0


class OpsgenieUnavailable(Exception):
    """Opsgenie did not answer after every retry: nothing later can be read."""


class OpsgenieRefused(TocsinError):
    """Opsgenie refused a read (the key, or the request): trying again will not help."""


class _Retry(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


def _retry_after(response: httpx2.Response) -> float | None:
    for header in ("Retry-After", "X-RateLimit-Period-In-Sec"):
        value = response.headers.get(header, "")
        try:
            seconds = float(value)
        except ValueError:
            continue
        if seconds >= 0:
            return min(seconds, MAX_WAIT_SECONDS)
    return None


def _wait(state: tenacity.RetryCallState) -> float:
    error = state.outcome.exception() if state.outcome is not None else None
    if isinstance(error, _Retry) and error.retry_after is not None:
        return error.retry_after
    return float(min(2 ** (state.attempt_number - 1), MAX_WAIT_SECONDS))


class OpsgenieReader:
    """GETs against one account. ``on_request`` is told each path read (for progress) and
    ``on_wait`` each pause with its reason (for the operator: "rate limited, waiting 4 s")."""

    def __init__(
        self,
        api_url: str,
        api_key: str,
        *,
        on_request: Callable[[str], None] = lambda path: None,
        on_wait: Callable[[str, float], None] = lambda reason, seconds: None,
        sleep: Callable[[float], None] | None = None,
        timeout: float = 30.0,
    ) -> None:
        if not api_key.strip():
            raise InvalidInput(
                "api_key",
                "give the Opsgenie API key (--api-key or OPSGENIE_API_KEY): "
                "an API Key Management key with Read and Configuration Access",
            )
        parts = urlsplit(api_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidInput(
                "api_url", f"--api-url {api_url!r} is not a URL; use {US} or, for EU accounts, {EU}"
            )
        self.api_url = api_url.rstrip("/")
        self.on_request = on_request
        self.on_wait = on_wait
        self.requests = 0
        self._client = httpx2.Client(
            base_url=self.api_url,
            headers={"Authorization": f"GenieKey {api_key.strip()}", "Accept": "application/json"},
            timeout=timeout,
            follow_redirects=False,
        )
        self._retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Retry),
            wait=_wait,
            stop=tenacity.stop_after_attempt(ATTEMPTS),
            sleep=sleep or tenacity.nap.sleep,
            before_sleep=self._tell_wait,
            reraise=True,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> OpsgenieReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _tell_wait(self, state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        seconds = state.next_action.sleep if state.next_action is not None else 0.0
        self.on_wait(str(error), seconds)

    def get(self, path: str, **params: Any) -> Any:
        """The ``data`` of a GET (an object or a list)."""
        return self._envelope(path, params).get("data")

    def pages(self, path: str, *, page_size: int = PAGE_SIZE, **params: Any) -> Iterator[dict[str, Any]]:
        """Every item of a paged list, following ``paging.next`` until it is absent."""
        offset = 0
        seen = 0
        while True:
            body = self._envelope(path, {**params, "limit": page_size, "offset": offset})
            items = body.get("data") or []
            yield from items
            seen += len(items)
            following = (body.get("paging") or {}).get("next")
            total = body.get("totalCount")
            if not items or not following or (isinstance(total, int) and seen >= total):
                return
            offsets = parse_qs(urlsplit(following).query).get("offset")
            next_offset = int(offsets[0]) if offsets and offsets[0].isdigit() else offset + len(items)
            if next_offset <= offset:
                return  # a server that does not move on would have us read forever
            offset = next_offset

    def _envelope(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            body = self._retrying(self._once, path, params)
        except _Retry as error:
            raise OpsgenieUnavailable(
                f"Opsgenie did not answer GET {path} after {ATTEMPTS} tries: {error}"
            ) from None
        return body

    def _once(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        self.requests += 1
        self.on_request(path)
        try:
            response = self._client.get(path, params=params)
        except httpx2.TransportError as error:
            raise _Retry(f"{type(error).__name__}: {error}") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise _Retry(f"HTTP {response.status_code} for GET {path}", _retry_after(response))
        if response.status_code in (401, 403):
            raise OpsgenieRefused(
                f"Opsgenie refused the key for GET {path} "
                f"(HTTP {response.status_code}: {_message(response)}); "
                "use an API Key Management key with Read and Configuration Access"
            )
        if response.status_code >= 400:
            raise OpsgenieRefused(
                f"Opsgenie answered HTTP {response.status_code} to GET {path}: {_message(response)}"
            )
        try:
            body = response.json()
        except ValueError:
            raise _Retry(f"GET {path} answered something that is not JSON") from None
        if not isinstance(body, dict):
            raise OpsgenieRefused(f"GET {path} answered JSON that is not Opsgenie's envelope")
        return body


def _message(response: httpx2.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return str(body.get("message", "")) if isinstance(body, dict) else response.text[:200]
