"""The alert list: tabs by state, the Opsgenie search with filters by team, priority and tag, sort,
pages, and a form around the rows to act on several alerts at once (``alert_bulk``). With
``fragment=rows`` it answers only the table's rows, which the page's script swaps in when an
alert it shows changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.alerts.list_filters import AlertFilter, list_page
from tocsin.alerts.models import PRIORITIES, Alert
from tocsin.alerts.search_limits import SearchLimits
from tocsin.config import Settings
from tocsin.errors import InvalidInput
from tocsin.teams import service as teams
from tocsin.web import alert_bulk, alert_list_params
from tocsin.web.alert_list_params import PAGE_SIZES, SORT_LABELS, TABS, ListParams
from tocsin.web.moments import when
from tocsin.web.pages import db, flashed, render, signed_in_user, to_login

ACTIONS_BY_TAB = {
    "open": ("acknowledge", "close", "snooze", "tag"),
    "acknowledged": ("unacknowledge", "close", "snooze", "tag"),
    "closed": ("tag",),
    "all": ("acknowledge", "unacknowledge", "close", "snooze", "tag"),
}


def install(app: FastAPI, settings: Settings) -> None:
    limits = SearchLimits.of(settings)
    alert_bulk.install(app, settings)

    @app.get("/alerts", include_in_schema=False)
    def alert_list(request: Request) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        params = alert_list_params.read(request.query_params)
        fragment = request.query_params.get("fragment") == "rows"
        with db(request).read_session() as session:
            actor = teams.actor_for_user(session, user, channel="web")
            team_names = [team.name for team in teams.list_teams(session)]
            rows, has_next, problems = _rows(session, actor, user, params, limits)
        context: dict[str, Any] = {
            "user": user,
            "alerts": rows,
            "params": params,
            "checked": params.select_all,
        }
        if fragment:
            return render(request, "alert_rows.html", **context)
        return render(
            request,
            "alerts.html",
            **context,
            problems=problems,
            has_next=has_next,
            tabs=TABS,
            sorts=SORT_LABELS,
            sizes=PAGE_SIZES,
            priorities=PRIORITIES,
            team_names=team_names,
            actions=ACTIONS_BY_TAB[params.tab],
            snooze_presets=alert_bulk.SNOOZE_PRESETS,
            notice=flashed(request),
            back=params.link(page=params.page, select_all=False)[1:],
        )


def _rows(
    session: Session, actor: Actor, user: User, params: ListParams, limits: SearchLimits
) -> tuple[list[dict[str, Any]], bool, list[str]]:
    problems = list(params.problems)
    team_ids: tuple[str, ...] = ()
    if params.team:
        team = teams.find_team(session, name=params.team)
        if team is None:
            problems.append(f"there is no team named {params.team!r}")
        else:
            team_ids = (team.id,)
    if problems:
        return [], False, problems
    view = AlertFilter(
        state=params.tab,
        query=params.query,
        team_ids=team_ids,
        priorities=params.priorities,
        tag=params.tag,
        sort=params.sort,
        descending=params.order == "desc",
    )
    try:
        limits.check(params.query)
        with limits.time_limited(session):
            alerts, has_next = list_page(
                session, scope=actor.scope, view=view, offset=params.offset, limit=params.size
            )
    except InvalidInput as problem:
        return [], False, [problem.message]
    now = clock.now()
    return [_row(alert, user, now) for alert in alerts], has_next, []


def _row(alert: Alert, viewer: User, now: datetime) -> dict[str, Any]:
    return {
        "id": alert.id,
        "tiny_id": alert.tiny_id,
        "priority": alert.priority,
        "message": alert.message,
        "state": state_of(alert),
        "count": alert.count,
        "source": alert.source,
        "owner": alert.owner,
        "created": when(alert.created_at, viewer),
        "age": age(alert.created_at, now),
    }


def state_of(alert: Alert) -> str:
    if alert.status == "closed":
        return "closed"
    if alert.snoozed:
        return "snoozed"
    return "acknowledged" if alert.acknowledged else "open"


def age(moment: datetime, now: datetime) -> str:
    """How long ago, roughly: "just now", "5 min ago", "3 h ago", "12 d ago"."""
    seconds = int((now - moment).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"
