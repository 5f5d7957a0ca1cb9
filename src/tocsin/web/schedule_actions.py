"""How every form on a schedule's page is carried out: the sender signed in with the right CSRF
token, the change run as them through the on-call service, and a refusal answered as the page
again with the message beside its field (what they typed kept), or a 403 page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.teams import service as teams
from tocsin.web.admin_forms import sender
from tocsin.web.pages import flash, redirect
from tocsin.web.schedule_forms import carry_out_on_form
from tocsin.web.schedule_page import schedule_page

T = TypeVar("T")


async def act_on_schedule(
    request: Request,
    schedule_id: str,
    csrf_token: str,
    change: Callable[[Session, Actor], T],
    *,
    fields: dict[str, str] | None = None,
    entered: dict[str, Any] | None = None,
) -> T | Response:
    """``change(session, actor)``'s result, or the answer to show instead."""

    def show(viewer: User, status: int, errors: dict[str, str]) -> Response:
        return schedule_page(request, viewer, schedule_id, status=status, errors=errors, entered=entered)

    user = await sender(request, csrf_token, lambda viewer, status, error: show(viewer, status, {"": error}))
    if isinstance(user, Response):
        return user

    def as_user(session: Session) -> T:
        return change(session, teams.actor_for_user(session, user, channel="web"))

    return await carry_out_on_form(
        request, user, as_user, lambda status, errors: show(user, status, errors), fields or {}
    )


async def change_schedule(
    request: Request,
    schedule_id: str,
    csrf_token: str,
    change: Callable[[Session, Actor], T],
    notice: Callable[[T], str],
    *,
    to: str | None = None,
    fields: dict[str, str] | None = None,
    entered: dict[str, Any] | None = None,
) -> Response:
    """``act_on_schedule``, then to ``to`` (the schedule's page) with ``notice(result)``."""
    done = await act_on_schedule(request, schedule_id, csrf_token, change, fields=fields, entered=entered)
    if isinstance(done, Response):
        return done
    flash(request, notice(done))
    return redirect(request, to or f"/schedules/{schedule_id}")
