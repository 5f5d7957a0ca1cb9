"""A thin helper over an HTTP client for talking to the Alert API in tests."""

from __future__ import annotations

from typing import Any

import httpx


class ApiClient:
    def __init__(self, http: Any, key: str) -> None:
        self.http = http
        self.key = key

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"GenieKey {self.key}"}

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(
            method, path, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs
        )

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def status_of(self, response: httpx.Response) -> dict[str, Any]:
        """The request status record behind a 202 answer."""
        assert response.status_code == 202, response.text
        rid = response.json()["requestId"]
        status = self.get(f"/v2/alerts/requests/{rid}")
        assert status.status_code == 200, status.text
        return status.json()["data"]  # type: ignore[no-any-return]

    def create(self, **payload: Any) -> dict[str, Any]:
        """Create an alert and return it as GET /v2/alerts/{id} shows it."""
        status = self.status_of(self.post("/v2/alerts", json=payload))
        assert status["isSuccess"], status
        return self.alert(status["alertId"])

    def alert(self, identifier: str, identifier_type: str = "id") -> dict[str, Any]:
        response = self.get(f"/v2/alerts/{identifier}", params={"identifierType": identifier_type})
        assert response.status_code == 200, response.text
        return response.json()["data"]  # type: ignore[no-any-return]

    def act(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """Perform an action and return its request status."""
        return self.status_of(self.request(method, path, **kwargs))

    def logs(self, alert_id: str) -> list[str]:
        response = self.get(f"/v2/alerts/{alert_id}/logs", params={"order": "asc"})
        assert response.status_code == 200, response.text
        return [entry["log"] for entry in response.json()["data"]]
