"""The forms of an alert's page: ``POST /alerts/{id}/{action}`` does the action through the service
the API's action calls, as the signed-in person via the web, then goes back to the page with what
happened (303), or shows the page again with the problem at the form and nothing changed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts.models import User
from tocsin.alerts.actions import ActionOutcome
from tocsin.alerts.service import AlertRef
from tocsin.config import Settings
from tocsin.errors import (
    AlertActionRefused,
    AlertNotFound,
    AlertNotVisible,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TryLater,
)
from tocsin.teams import service as teams
from tocsin.web import csrf
from tocsin.web.alert_forms import ACTIONS, Act, text
from tocsin.web.alert_page import show
from tocsin.web.pages import flash, redirect, render, signed_in_user, to_login, try_later

EXPIRED = "Your session expired; please try again."


def install(app: FastAPI, settings: Settings) -> None:
    # One route per form, so that other pages' paths under /alerts/ stay free.
    for action, act in ACTIONS.items():
        app.add_api_route(
            f"/alerts/{{alert_id}}/{action}",
            _endpoint(action, act),
            methods=["POST"],
            include_in_schema=False,
        )


def _endpoint(action: str, act: Act) -> Callable[[Request, str], Awaitable[Response]]:
    async def act_on_alert(request: Request, alert_id: str) -> Response:
        user = await run_in_threadpool(signed_in_user, request)
        if user is None:
            return to_login(request)
        form = await request.form()
        fields = {key: value for key, value in form.items() if isinstance(value, str)}
        if not csrf.is_valid(request, fields.get("csrf_token")):
            return await _again(request, user, alert_id, 400, EXPIRED, action, fields)

        def change(session: Session) -> ActionOutcome:
            actor = teams.actor_for_user(session, user, channel="web")
            return act(session, AlertRef(alert_id), actor, fields, user)

        try:
            outcome = await request.app.state.writer.run(change)
        except (AlertNotFound, AlertNotVisible):
            return await run_in_threadpool(lambda: render(request, "alert.html", 404, user=user, alert=None))
        except TryLater as refusal:

            def busy(status: int, error: str) -> Response:
                return show(
                    request, user, alert_id, status=status, error=error, error_for=action, entered=fields
                )

            return await run_in_threadpool(try_later, refusal, busy)
        except PermissionDenied as refusal:
            return await _again(request, user, alert_id, 403, _sentence(refusal.message), action, fields)
        except (AlertActionRefused, Conflict) as refusal:
            return await _again(request, user, alert_id, 409, _sentence(refusal.message), action, fields)
        except (InvalidInput, NotFound) as problem:
            return await _again(request, user, alert_id, 422, _sentence(problem.message), action, fields)
        flash(request, _notice(outcome, action, fields))
        return redirect(request, f"/alerts/{alert_id}")

    act_on_alert.__name__ = f"alert_{action.replace('-', '_')}"
    return act_on_alert


async def _again(
    request: Request, user: User, alert_id: str, status: int, error: str, action: str, fields: dict[str, str]
) -> Response:
    entered = {key: value for key, value in fields.items() if key != "csrf_token"}
    return await run_in_threadpool(
        lambda: show(request, user, alert_id, status=status, error=error, error_for=action, entered=entered)
    )


def _sentence(message: str) -> str:
    if "@" not in message.split(" ", 1)[0]:  # a username stays as it is
        message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."


def _notice(outcome: ActionOutcome, action: str, fields: dict[str, str]) -> str:
    """What happened, in words: the service's status ("Acknowledged", "Alert is already
    acknowledged"), with what was named where it helps."""
    if action == "custom-action":
        return f"{text(fields, 'action')}: {outcome.status.lower()}."
    return _sentence(outcome.status)
