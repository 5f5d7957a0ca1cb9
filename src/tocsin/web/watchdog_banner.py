"""The watchdog's banner on every page: what it found at its last check, for owners and admins
(``base.html`` shows it to them only). Read from memory: a page costs no query for it."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request


def problems(request: Request) -> dict[str, Any]:
    watchdog = getattr(request.app.state, "watchdog", None)
    return {"watchdog_problems": watchdog.current if watchdog is not None else []}
