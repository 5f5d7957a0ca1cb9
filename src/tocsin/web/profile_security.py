"""The profile's security forms: change the password (which needs the current one) and log out
everywhere. Both end every web session of the user; a new password then signs this browser in
again with a fresh session, so an old copy of its cookie is refused too."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts import service as accounts
from tocsin.accounts import web_sessions
from tocsin.accounts.models import User
from tocsin.config import Settings
from tocsin.errors import InvalidInput, ServerBusy, TooManyRequests, TryLater
from tocsin.web import csrf
from tocsin.web.pages import address_of, flash, redirect, signed_in_user, to_login, try_later
from tocsin.web.profile import EXPIRED, profile_page


def install(app: FastAPI, settings: Settings) -> None:
    @app.post("/profile/password", include_in_schema=False)
    async def change_password(
        request: Request,
        current_password: Annotated[str, Form()] = "",
        new_password: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        user = await run_in_threadpool(signed_in_user, request)
        if user is None:
            return to_login(request)
        if not csrf.is_valid(request, csrf_token):
            return await _show(request, user, 400, EXPIRED)
        # A stolen session must not become a way round the login limits to guess the password.
        throttles = request.app.state.throttles
        address = address_of(request)
        wait = throttles.login_wait_seconds(username=user.username, address=address)
        if wait:
            return await _show_try_later(
                request, user, TooManyRequests("Too many wrong passwords.", retry_after=wait)
            )

        def change(session: Session) -> str:
            own = session.get(User, user.id)
            assert own is not None  # signed in a moment ago; deleting a user ends the session
            accounts.change_own_password(
                session, user=own, current_password=current_password, new_password=new_password
            )
            return web_sessions.start_session(
                session, user_id=own.id, user_agent=request.headers.get("user-agent", ""), address=address
            )

        try:
            token = await request.app.state.writer.run(change)
        except ServerBusy as busy:
            return await _show_try_later(request, user, busy)
        except InvalidInput as problem:
            if problem.field == "current_password":
                throttles.login_failed(username=user.username, address=address)
            return await _show(request, user, 422, problem.message[:1].upper() + problem.message[1:] + ".")
        request.session.clear()
        request.session[csrf.SESSION_ID] = token
        flash(request, "Password changed. Every other browser has been logged out.")
        return redirect(request, "/profile")

    @app.post("/profile/sessions/end", include_in_schema=False)
    async def log_out_everywhere(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
        user = await run_in_threadpool(signed_in_user, request)
        if user is None:
            return to_login(request)
        if not csrf.is_valid(request, csrf_token):
            return await _show(request, user, 400, EXPIRED)
        await request.app.state.writer.run(lambda session: web_sessions.end_sessions_of(session, user.id))
        request.session.clear()
        return redirect(request, "/login")


async def _show(request: Request, user: User, status: int, error: str) -> Response:
    return await run_in_threadpool(lambda: profile_page(request, user, status=status, error=error))


async def _show_try_later(request: Request, user: User, refusal: TryLater) -> Response:
    def show(status: int, error: str) -> Response:
        return profile_page(request, user, status=status, error=error)

    return await run_in_threadpool(try_later, refusal, show)
