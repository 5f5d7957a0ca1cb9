"""Schedule exports as Opsgenie serves them: ``GET /v2/schedules/{identifier}.ics`` (who is on
call in a schedule) and ``GET /v2/schedules/on-calls/{user}.ics`` (a person's shifts), for keys
with configuration rights. Calendar apps that cannot send a key subscribe to a calendar feed
(``feeds_api``) instead."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts import service as accounts
from tocsin.oncall import feeds, service
from tocsin.oncall.api_common import Configurer, ScheduleIdType, db

router = APIRouter()
CALENDAR = "text/calendar; charset=utf-8"


@router.get("/on-calls/{user}.ics", response_class=Response)
def export_user_on_calls(request: Request, user: str, actor: Configurer) -> Response:
    with db(request).read_session() as session:
        person = accounts.get_user_by_identifier(session, user)
        feeds.require_for_user(session, actor, person)
        return Response(feeds.user_calendar(session, person), media_type=CALENDAR)


@router.get("/{identifier}.ics", response_class=Response)
def export_schedule(
    request: Request, identifier: str, actor: Configurer, id_type: ScheduleIdType
) -> Response:
    with db(request).read_session() as session:
        schedule = service.schedule_named(session, identifier, id_type)
        service.require_to_see(actor, schedule)
        return Response(feeds.schedule_calendar(session, schedule), media_type=CALENDAR)
