"""Who is on call, who is next, the timeline, and taking on-call (a Tocsin extension)."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin.api.envelope import JSONBody, ok
from tocsin.errors import InvalidInput
from tocsin.oncall import service
from tocsin.oncall.api_common import Configurer, ScheduleIdType, db, parse_date
from tocsin.oncall.json_views import iso, on_call_json, parent, people
from tocsin.oncall.models import Schedule
from tocsin.oncall.schemas import TakeOnCallIn

router = APIRouter(strict_content_type=False)
Flat = Annotated[bool, Query()]
LONGEST_TIMELINE = timedelta(days=400)


@router.get("/on-calls")
def list_on_calls(
    request: Request, actor: Configurer, flat: Flat = False, date: str | None = None
) -> JSONBody:
    at = parse_date(date)
    with db(request).read_session() as session:
        answers = [
            (schedule, service.on_call(session, schedule.id, at).user_ids)
            for schedule in service.list_schedules(session, actor=actor)
        ]
        names = service.usernames(session, [user_id for _, user_ids in answers for user_id in user_ids])
    return ok(request, [on_call_json(schedule, user_ids, names, flat=flat) for schedule, user_ids in answers])


def _visible(session: Session, identifier: str, id_type: Literal["id", "name"], actor: Any) -> Schedule:
    schedule = service.schedule_named(session, identifier, id_type)
    service.require_to_see(actor, schedule)
    return schedule


@router.get("/{identifier}/on-calls")
def get_on_calls(
    request: Request,
    identifier: str,
    actor: Configurer,
    id_type: ScheduleIdType,
    flat: Flat = False,
    date: str | None = None,
) -> JSONBody:
    at = parse_date(date)
    with db(request).read_session() as session:
        schedule = _visible(session, identifier, id_type, actor)
        user_ids = service.on_call(session, schedule.id, at).user_ids
        return ok(request, on_call_json(schedule, user_ids, service.usernames(session, user_ids), flat=flat))


@router.get("/{identifier}/next-on-calls")
def get_next_on_calls(
    request: Request,
    identifier: str,
    actor: Configurer,
    id_type: ScheduleIdType,
    flat: Flat = False,
    date: str | None = None,
) -> JSONBody:
    """``exactNextOnCallRecipients``: the people on call right after the current set (possibly no
    one); ``nextOnCallRecipients``: the next set with someone in it."""
    at = parse_date(date)
    with db(request).read_session() as session:
        schedule = _visible(session, identifier, id_type, actor)
        following = service.next_on_call(session, schedule.id, at)
        exact = service.next_on_call(session, schedule.id, at, exact=True)
        names = service.usernames(session, following.user_ids + exact.user_ids)
    return ok(
        request,
        {
            "_parent": parent(schedule),
            "nextOnCallRecipients": people(following.user_ids, names, flat=flat),
            "exactNextOnCallRecipients": people(exact.user_ids, names, flat=flat),
            "nextOnCallStartDate": iso(following.since),
            "exactNextOnCallStartDate": iso(exact.since),
        },
    )


def _add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


@router.get("/{identifier}/timeline")
def get_timeline(
    request: Request,
    identifier: str,
    actor: Configurer,
    id_type: ScheduleIdType,
    date: str | None = None,
    interval: Annotated[int, Query(ge=1, le=LONGEST_TIMELINE.days)] = 1,
    interval_unit: Annotated[Literal["days", "weeks", "months"], Query(alias="intervalUnit")] = "weeks",
) -> JSONBody:
    start = parse_date(date)
    if interval_unit == "months":
        end = _add_months(start, interval)
    else:
        end = start + timedelta(**{interval_unit: interval})
    if end - start > LONGEST_TIMELINE:
        raise InvalidInput("interval", f"a timeline covers at most {LONGEST_TIMELINE.days} days")
    with db(request).read_session() as session:
        schedule = _visible(session, identifier, id_type, actor)
        data = {
            "_parent": parent(schedule),
            "startDate": iso(start),
            "endDate": iso(end),
            "finalTimeline": {"rotations": final_timeline(session, schedule, start, end)},
        }
    return ok(request, data)


def final_timeline(
    session: Session, schedule: Schedule, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Opsgenie's shape: per rotation, its periods; an override shows in every rotation it
    replaces (on a schedule without rotations, in an entry of its own named "Overrides")."""
    shifts = service.timeline(session, schedule.id, start, end)
    entries: dict[str | None, dict[str, Any]] = {
        rotation.id: {"id": rotation.id, "name": rotation.name, "order": float(number), "periods": []}
        for number, rotation in enumerate(service.rotations_of(session, schedule.id), start=1)
    }
    covered = {o.alias: o.rotation_ids for o in service.list_overrides(session, schedule.id)}
    names = service.usernames(session, [shift.user_id for shift in shifts])
    for shift in shifts:
        period = {
            "startDate": iso(shift.start),
            "endDate": iso(shift.end),
            "type": "override" if shift.override_alias is not None else "default",
            "recipient": {"type": "user", "id": shift.user_id, "name": names.get(shift.user_id, "")},
        }
        targets: list[str | None] = [shift.rotation_id]
        if shift.override_alias is not None:
            named: list[str | None] = [rid for rid in covered.get(shift.override_alias, []) if rid in entries]
            targets = named or [rid for rid in entries if rid is not None] or [None]
        if targets == [None] and None not in entries:
            entries[None] = {"id": None, "name": "Overrides", "order": float(len(entries) + 1), "periods": []}
        for target in targets:
            entries[target]["periods"].append(period)
    return list(entries.values())


@router.post("/{identifier}/take-on-call", status_code=201)
async def take_on_call(
    request: Request,
    identifier: str,
    actor: Configurer,
    id_type: ScheduleIdType,
    payload: TakeOnCallIn | None = None,
) -> JSONBody:
    """Tocsin extension: the user (the caller by default) is on call for this schedule, in place
    of every rotation, from now for the duration (one hour by default)."""
    payload = payload or TakeOnCallIn()
    user = None if payload.user is None else payload.user.id or payload.user.username or payload.user.name
    duration = payload.duration.delta() if payload.duration else timedelta(hours=1)

    def job(session: Session) -> dict[str, Any]:
        schedule_id = service.schedule_named(session, identifier, id_type).id
        override = service.take_oncall(
            session, actor=actor, user=user, duration=duration, schedule_id=schedule_id
        )[0]
        username = service.usernames(session, [override.user_id]).get(override.user_id, "")
        return {
            "alias": override.alias,
            "user": {"type": "user", "id": override.user_id, "username": username},
            "startDate": iso(override.start_date),
            "endDate": iso(override.end_date),
        }

    return ok(request, await request.app.state.writer.run(job), status=201)
