"""The pages of the links ``/genie connect`` hands out: approve connecting (or disconnecting) the
chat account that asked, once, within 15 minutes."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts.models import User
from tocsin.chat import linking
from tocsin.config import Settings
from tocsin.errors import Conflict, PermissionDenied
from tocsin.web import csrf
from tocsin.web.pages import db, render, signed_in_user, to_login

SESSION_EXPIRED = "Your session expired; please try again."
NOT_CHANGED = "Nothing was changed"


def install(app: FastAPI, settings: Settings) -> None:
    @app.get("/chat/link/{token}", include_in_schema=False)
    def link_page(request: Request, token: str) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        return _approve_page(request, token, user)

    @app.post("/chat/link/{token}", include_in_schema=False)
    async def approve_link(request: Request, token: str, csrf_token: Annotated[str, Form()] = "") -> Response:
        user = await run_in_threadpool(signed_in_user, request)
        if user is None:
            return to_login(request)
        if not csrf.is_valid(request, csrf_token):
            return await run_in_threadpool(
                lambda: _approve_page(request, token, user, status=400, error=SESSION_EXPIRED)
            )

        def approve(session: Session) -> linking.ApproveOutcome:
            return linking.approve(session, token=token, user=user)

        try:
            outcome = await request.app.state.writer.run(approve)
        except linking.LinkExpired:
            return _expired(request, user)
        except Conflict as refusal:
            return render(
                request, "link_done.html", 409, user=user, heading=NOT_CHANGED, refused=refusal.message
            )
        except PermissionDenied as refusal:
            return render(
                request, "link_done.html", 403, user=user, heading=NOT_CHANGED, refused=refusal.message
            )
        return render(
            request, "link_done.html", user=user, heading=_heading(outcome), message=outcome.message
        )


def _approve_page(
    request: Request, token: str, user: User, *, status: int = 200, error: str = ""
) -> Response:
    with db(request).read_session() as session:
        link = linking.pending_link(session, token)
    if link is None:
        return _expired(request, user)
    return render(
        request,
        "link_approve.html",
        status,
        user=user,
        token=token,
        purpose=link.purpose,
        platform=link.platform,
        chat_team=link.chat_team_name or link.chat_team_id,
        chat_user=link.chat_user_name or link.chat_user_id,
        error=error,
    )


def _heading(outcome: linking.ApproveOutcome) -> str:
    if outcome.purpose == "connect":
        return "Connected" if outcome.changed else "Already connected"
    return "Disconnected" if outcome.changed else "Not connected"


def _expired(request: Request, user: User) -> Response:
    return render(request, "link_expired.html", 410, user=user)
