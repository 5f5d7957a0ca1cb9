"""The page of a set-password link (``accounts.password_links``): whoever has the link sets the
password of the person it was made for, once, within 15 minutes, and is signed in as them. An
expired or used link says so, and whom to ask for a new one."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts import password_links, web_sessions
from tocsin.accounts.passwords import MIN_LENGTH
from tocsin.config import Settings
from tocsin.errors import InvalidInput, ServerBusy
from tocsin.web import csrf
from tocsin.web.admin_forms import EXPIRED, sentence
from tocsin.web.pages import address_of, db, flash, redirect, render, try_later

MISMATCH = "The two passwords are not the same; type the new password twice."
SSO_ONLY = "Password sign-in is off on this server: sign in with single sign-on instead."


def install(app: FastAPI, settings: Settings) -> None:
    @app.get("/password/{token}", include_in_schema=False)
    def password_form(request: Request, token: str) -> Response:
        return _form(request, token)

    @app.post("/password/{token}", include_in_schema=False)
    async def set_password(
        request: Request,
        token: str,
        new_password: Annotated[str, Form()] = "",
        repeat_password: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        if not csrf.is_valid(request, csrf_token):
            return await run_in_threadpool(_form, request, token, 400, EXPIRED)
        if new_password != repeat_password:
            return await run_in_threadpool(_form, request, token, 422, MISMATCH)
        address = address_of(request)

        def use(session: Session) -> str:
            person = password_links.set_password_with(session, token=token, password=new_password)
            if not settings.password_login and person.role != "owner":
                raise InvalidInput(None, SSO_ONLY)  # undoes the change: the link stays usable
            return web_sessions.start_session(
                session, user_id=person.id, user_agent=request.headers.get("user-agent", ""), address=address
            )

        try:
            session_id = await request.app.state.writer.run(use)
        except password_links.PasswordLinkExpired as expired:
            return _expired(request, expired)
        except InvalidInput as problem:
            return await run_in_threadpool(_form, request, token, 422, sentence(problem.message))
        except ServerBusy as busy:
            return await run_in_threadpool(
                try_later, busy, lambda status, error: _form(request, token, status, error)
            )
        request.session.clear()
        request.session[csrf.SESSION_ID] = session_id
        flash(request, "Your password is set and you are signed in.")
        return redirect(request, "/profile")


def _form(request: Request, token: str, status: int = 200, error: str = "") -> Response:
    with db(request).read_session() as session:
        try:
            pending = password_links.pending_link(session, token)
        except password_links.PasswordLinkExpired as expired:
            return _expired(request, expired)
    return render(
        request,
        "set_password.html",
        status,
        user=None,
        token=token,
        person=pending,
        min_length=MIN_LENGTH,
        error=error,
    )


def _expired(request: Request, expired: password_links.PasswordLinkExpired) -> Response:
    return render(request, "password_link_expired.html", 410, user=None, message=expired.message)
