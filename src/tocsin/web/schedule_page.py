"""A schedule's page (``GET /schedules/{id}``): its timeline for a day, a week, two weeks or a
month (``view=``, from the local date ``start=``) in the schedule's time zone or the viewer's
(``tz=viewer``), its rotations (linked to the rotation editor), its overrides, the calendar
feed, and for those who may change it the forms to add overrides, take on-call, and edit,
disable or delete it. What a form refused is shown here again beside its field."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin import clock
from tocsin.accounts import service as accounts
from tocsin.accounts.date_formats import time_pattern_of
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.config import Settings
from tocsin.errors import PermissionDenied
from tocsin.oncall import service as oncall
from tocsin.oncall import take
from tocsin.oncall.models import Schedule, ScheduleOverride
from tocsin.oncall.wallclock import wall, zone_named
from tocsin.teams import service as teams
from tocsin.web.moments import zone_of
from tocsin.web.pages import db, flashed, render, signed_in_user, to_login
from tocsin.web.schedule_forms import may_create, owner_choices, time_zones
from tocsin.web.schedule_svg import row_bars, row_height
from tocsin.web.schedule_timeline import TO, lay_out, moment_text
from tocsin.web.schedule_window import VIEWS, Window, window_for

FEED_LINK = "schedule_feed_link"
"""A calendar link just made, shown once on the schedule's page."""
NOT_YOURS = "There is no such schedule, or it is not yours to see."
TAKE_HOURS = (1, 2, 4)
LOCAL_INPUT = "%Y-%m-%dT%H:%M"
UNITS = {"hourly": "hour", "daily": "day", "weekly": "week"}


def install(app: FastAPI, settings: Settings) -> None:
    @app.get("/schedules/{schedule_id}", include_in_schema=False)
    def schedule(
        request: Request, schedule_id: str, view: str = "", start: str = "", tz: str = ""
    ) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        link = request.session.pop(FEED_LINK, None)
        shown = link["url"] if isinstance(link, dict) and link.get("schedule") == schedule_id else ""
        return schedule_page(
            request, user, schedule_id, view=view, start=start, tz=tz, notice=flashed(request), feed=shown
        )


def visible_schedule(session: Session, actor: Actor, schedule_id: str) -> Schedule | None:
    schedule = oncall.find_schedule(session, schedule_id)
    return schedule if schedule is not None and oncall.may_see(actor, schedule) else None


def may_change(actor: Actor, schedule: Schedule) -> bool:
    return actor.manages.covers_team(schedule.owner_team_id)


def may_take(session: Session, actor: Actor, viewer: User, schedule: Schedule) -> bool:
    try:
        take.require_to_take(session, actor, viewer, schedule)
    except PermissionDenied:
        return False
    return schedule.enabled


def page_address(schedule_id: str, **query: str) -> str:
    kept = {name: value for name, value in query.items() if value}
    return f"/schedules/{schedule_id}" + (f"?{urlencode(kept)}" if kept else "")


def _navigation(schedule_id: str, window: Window, tz: str, now: datetime) -> dict[str, Any]:
    """The addresses to go back, to today and forward, to the other views (from the same first
    day, or around today while today is shown) and to the other zone."""
    view = window.view
    first = "" if window.start <= now < window.end else window.first_day.isoformat()
    return {
        "previous": page_address(schedule_id, view=view, start=window.previous.isoformat(), tz=tz),
        "today": page_address(schedule_id, view=view, tz=tz),
        "next": page_address(schedule_id, view=view, start=window.following.isoformat(), tz=tz),
        "views": [
            (name, label, page_address(schedule_id, view=name, start=first, tz=tz))
            for name, label in VIEWS.items()
        ],
        "zone_switch": page_address(
            schedule_id, view=view, start=window.first_day.isoformat(), tz="" if tz else "viewer"
        ),
    }


def _period(window: Window) -> str:
    days = window.local_days()
    if window.view == "day":
        return f"{days[0]:%A} {days[0].day} {days[0]:%B %Y}"
    if window.view == "month":
        return f"{days[0]:%B %Y}"
    return f"{days[0]:%a} {days[0].day} {days[0]:%b} {TO} {days[-1]:%a} {days[-1].day} {days[-1]:%b %Y}"


def _overrides(
    session: Session, schedule: Schedule, window: Window, viewer: User, now: datetime
) -> list[dict[str, Any]]:
    """The overrides not yet over, soonest first, with times in the window's zone."""
    found: list[ScheduleOverride] = [
        o for o in oncall.list_overrides(session, schedule.id) if o.end_date > now
    ]
    names = oncall.display_names(session, {override.user_id for override in found})
    rotations = {rotation.id: rotation.name for rotation in oncall.rotations_of(session, schedule.id)}
    pattern = time_pattern_of(viewer.date_format)
    return [
        {
            "alias": override.alias,
            "name": names.get(override.user_id, "?"),
            "start": moment_text(override.start_date, window, pattern),
            "end": moment_text(override.end_date, window, pattern),
            "start_iso": override.start_date.isoformat(),
            "end_iso": override.end_date.isoformat(),
            "rotations": [rotations[r] for r in override.rotation_ids if r in rotations],
        }
        for override in found
    ]


def _rotations(session: Session, schedule: Schedule) -> list[dict[str, Any]]:
    found = oncall.rotations_of(session, schedule.id)
    participants = oncall.participants_of(session, [rotation.id for rotation in found])
    names = oncall.display_names(
        session, {p.user_id for people in participants.values() for p in people if p.user_id}
    )
    return [
        {
            "id": rotation.id,
            "name": rotation.name,
            "every": _every(rotation.length, UNITS.get(rotation.type, rotation.type)),
            "restricted": rotation.time_restriction is not None,
            "people": [
                names.get(p.user_id, "?") if p.user_id else "(no one)" for p in participants[rotation.id]
            ],
        }
        for rotation in found
    ]


def _every(length: int, unit: str) -> str:
    return unit if length == 1 else f"{length} {unit}s"


def _next_hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def schedule_page(
    request: Request,
    viewer: User,
    schedule_id: str,
    *,
    view: str = "",
    start: str = "",
    tz: str = "",
    status: int = 200,
    notice: str = "",
    errors: dict[str, str] | None = None,
    entered: dict[str, Any] | None = None,
    feed: str = "",
) -> Response:
    now = clock.now()
    tz = "viewer" if tz == "viewer" else ""
    with db(request).read_session() as session:
        actor = teams.actor_for_user(session, viewer, channel="web")
        schedule = visible_schedule(session, actor, schedule_id)
        if schedule is None:
            return render(request, "schedule.html", 404, user=viewer, schedule=None, message=NOT_YOURS)
        own_zone = zone_named(schedule.timezone)
        window = window_for(view, start, zone_of(viewer) if tz else own_zone, now)
        plan = oncall.load_plan(session, schedule.id, window.start, window.end)
        rotations = _rotations(session, schedule)
        people = {p for rotation in plan.rotations for p in rotation.rotation.participants if p}
        names = oncall.display_names(session, people | {o.user_id for o in plan.overrides})
        timeline = lay_out(
            plan,
            window,
            names,
            rotation_names=[(rotation["id"], rotation["name"]) for rotation in rotations],
            time_pattern=time_pattern_of(viewer.date_format),
            now=now,
        )
        changing = may_change(actor, schedule)
        start_default = wall(_next_hour(now), own_zone)
        team = teams.find_team(session, team_id=schedule.owner_team_id) if schedule.owner_team_id else None
        context = {
            "schedule": {
                "id": schedule.id,
                "name": schedule.name,
                "description": schedule.description,
                "timezone": schedule.timezone,
                "enabled": schedule.enabled,
                "team": team.name if team else "",
                "team_id": schedule.owner_team_id or "none",
            },
            "window": window,
            "period": _period(window),
            "nav": _navigation(schedule.id, window, tz, now),
            "view": window.view,
            "views": VIEWS,
            "tz": tz,
            "viewer_zone": zone_of(viewer).key,
            "timeline": timeline,
            "row_bars": row_bars,
            "row_height": row_height,
            "rotations": rotations,
            "overrides": _overrides(session, schedule, window, viewer, now),
            "may_change": changing,
            "may_take": may_take(session, actor, viewer, schedule),
            "take_hours": TAKE_HOURS,
            "people": _people(session) if changing else [],
            "owners": owner_choices(session, actor) if changing and may_create(actor) else [],
            "zones": time_zones() if changing else [],
            "entered": entered
            or {
                "start": start_default.strftime(LOCAL_INPUT),
                "end": (start_default + timedelta(hours=1)).strftime(LOCAL_INPUT),
                "rotations": [],
            },
        }
    return render(
        request,
        "schedule.html",
        status,
        user=viewer,
        notice=notice,
        errors=errors or {},
        feed=feed,
        **context,
    )


def _people(session: Session) -> list[tuple[str, str]]:
    """Who may be picked for an override: the active people, as (id, name)."""
    return [
        (person.id, f"{person.full_name} ({person.username})" if person.full_name else person.username)
        for person in accounts.active_people(session)
    ]
