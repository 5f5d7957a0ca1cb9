"""Pieces shared by the Schedule API's routers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Depends, Query
from starlette.requests import Request

from tocsin import clock
from tocsin.actors import Actor
from tocsin.api.auth import configuration
from tocsin.api.envelope import JSONBody, body
from tocsin.db import Database
from tocsin.errors import InvalidInput

Configurer = Annotated[Actor, Depends(configuration)]
IdType = Literal["id", "name"]


def identifier_type(
    schedule_identifier_type: Annotated[IdType | None, Query(alias="scheduleIdentifierType")] = None,
    identifier_type: Annotated[IdType | None, Query(alias="identifierType")] = None,
) -> IdType:
    """Opsgenie names it ``identifierType`` on a schedule and ``scheduleIdentifierType`` on the
    schedule's sub-resources; either is accepted everywhere."""
    return schedule_identifier_type or identifier_type or "id"


ScheduleIdType = Annotated[IdType, Depends(identifier_type)]


def db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


EARLIEST_YEAR, LATEST_YEAR = 1900, 9000


def parse_date(value: str | None, field: str = "date") -> datetime:
    """An ISO-8601 instant with an offset (``Z`` or ``+01:00``); now when not given. A ``+`` sent
    unescaped in a query string arrives as a space, and is read back as ``+``."""
    if value is None or not value.strip():
        return clock.now()
    text = value.strip().replace(" ", "+")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            field, f"{field} must be an ISO-8601 date-time such as 2026-03-01T09:00:00Z"
        ) from None
    if moment.tzinfo is None:
        raise InvalidInput(field, f"{field} needs a time zone, e.g. 2026-03-01T09:00:00Z or +01:00")
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        # Schedules are computed some time before and after it; the calendar ends at year 9999.
        raise InvalidInput(field, f"{field} must fall between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return moment


def deleted(request: Request, **fields: object) -> JSONBody:
    return JSONBody(body(request, result="Deleted", **fields))
