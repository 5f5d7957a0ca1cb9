"""Reading and submitting Tocsin's server-rendered pages in tests, as a browser would."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import httpx

_CSRF = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]*)">')


def csrf_token_in(html: str) -> str:
    """The CSRF token a page's form carries (the first one, if there are several)."""
    match = _CSRF.search(html)
    assert match, "the page has no hidden csrf_token field"
    return match.group(1)


def log_in(http: Any, username: str, password: str = "correct horse", prefix: str = "") -> httpx.Response:
    """Open the login page and submit its form, token included; returns the answer to the POST."""
    token = csrf_token_in(http.get(f"{prefix}/login").text)
    return http.post(
        f"{prefix}/login", data={"username": username, "password": password, "csrf_token": token}
    )


def log_out(http: Any, prefix: str = "") -> httpx.Response:
    """Press "Log out" on the alert list."""
    token = csrf_token_in(http.get(f"{prefix}/alerts").text)
    return http.post(f"{prefix}/logout", data={"csrf_token": token})


def session_cookie_header(response: httpx.Response) -> str:
    """The Set-Cookie header for the session cookie, or "" if the response sets none."""
    headers = response.headers.get_list("set-cookie")
    return next((header for header in headers if header.startswith("tocsin_session=")), "")


class _TableReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
        elif tag in ("th", "td") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            (self.rows[-1] if self._in_body else self.headers).append(text)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def alert_rows(html: str) -> list[dict[str, str]]:
    """The rows of the alert table, each as {column heading: cell text}; [] without a table."""
    reader = _TableReader()
    reader.feed(html)
    return [dict(zip(reader.headers, row, strict=True)) for row in reader.rows]


def messages_listed(html: str) -> list[str]:
    return [row["Message"] for row in alert_rows(html)]
