"""Calendar feeds (iCalendar) at secret, revocable addresses, for calendar apps to subscribe to.

``POST``/``DELETE`` ``/v2/schedules/{identifier}/calendar-feed`` and
``/v2/users/{identifier}/calendar-feed`` make and revoke feeds (configuration keys);
``GET /calendar/{token}.ics`` serves one to anyone holding the address.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.api.envelope import JSONBody, ok
from tocsin.oncall import feeds, service
from tocsin.oncall.api_common import Configurer, ScheduleIdType, db, deleted
from tocsin.oncall.lookup import UserRef

router = APIRouter()


def _user(identifier: str) -> UserRef:
    return UserRef(username=identifier) if "@" in identifier else UserRef(id=identifier)


def _created(request: Request, token: str) -> JSONBody:
    return ok(request, {"url": request.app.state.settings.base_url + feeds.feed_path(token)}, status=201)


@router.post("/v2/schedules/{identifier}/calendar-feed", status_code=201)
async def create_schedule_feed(
    request: Request, identifier: str, actor: Configurer, id_type: ScheduleIdType
) -> JSONBody:
    def job(session: Session) -> str:
        schedule_id = service.schedule_named(session, identifier, id_type).id
        return feeds.create_schedule_feed(session, actor=actor, schedule_id=schedule_id)

    return _created(request, await request.app.state.writer.run(job))


@router.delete("/v2/schedules/{identifier}/calendar-feed")
async def revoke_schedule_feeds(
    request: Request, identifier: str, actor: Configurer, id_type: ScheduleIdType
) -> JSONBody:
    def job(session: Session) -> int:
        schedule_id = service.schedule_named(session, identifier, id_type).id
        return feeds.revoke_schedule_feeds(session, actor=actor, schedule_id=schedule_id)

    return deleted(request, data={"revoked": await request.app.state.writer.run(job)})


@router.post("/v2/users/{identifier}/calendar-feed", status_code=201)
async def create_user_feed(request: Request, identifier: str, actor: Configurer) -> JSONBody:
    def job(session: Session) -> str:
        return feeds.create_user_feed(session, actor=actor, user=_user(identifier))

    return _created(request, await request.app.state.writer.run(job))


@router.delete("/v2/users/{identifier}/calendar-feed")
async def revoke_user_feeds(request: Request, identifier: str, actor: Configurer) -> JSONBody:
    def job(session: Session) -> int:
        return feeds.revoke_user_feeds(session, actor=actor, user=_user(identifier))

    return deleted(request, data={"revoked": await request.app.state.writer.run(job)})


@router.get("/calendar/{token}.ics", include_in_schema=False)
def calendar_feed(request: Request, token: str) -> Response:
    with db(request).read_session() as session:
        document = feeds.calendar_for_token(session, token)
    headers: dict[str, Any] = {"Cache-Control": "private, max-age=300"}
    return Response(document, media_type="text/calendar; charset=utf-8", headers=headers)
