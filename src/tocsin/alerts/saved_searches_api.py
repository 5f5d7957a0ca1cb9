"""``/v2/alerts/saved-searches``: Tocsin keeps no saved searches. Without these routes the paths
would read as an alert named "saved-searches" and answer "alert does not exist", which sends
people looking for an alert; this 404 says what is missing and what to send instead."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from tocsin.api.auth import Caller, caller
from tocsin.errors import NotFound

router = APIRouter(prefix="/v2/alerts/saved-searches", include_in_schema=False)
NOT_KEPT = (
    "Saved searches are not kept by Tocsin: send the search itself, as GET /v2/alerts?query=… "
    "(the same search language)"
)


@router.api_route("", methods=["GET", "POST"])
@router.api_route("/{identifier}", methods=["GET", "PATCH", "DELETE"])
def saved_searches(_: Annotated[Caller, Depends(caller)]) -> None:
    raise NotFound(NOT_KEPT)
