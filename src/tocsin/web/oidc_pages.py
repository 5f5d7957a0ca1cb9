"""Single sign-on pages: ``/login/oidc`` sends the browser to the identity provider,
``/login/oidc/callback`` takes it back and starts a web session as the password login does.
Every refusal is a page that says what happened and what to do, and one log line (no secrets)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts import web_sessions
from tocsin.config import Settings
from tocsin.ops import request_context
from tocsin.people import oidc_login
from tocsin.people.oidc_login import SignOnRefused
from tocsin.web import csrf
from tocsin.web.oidc_client import CALLBACK_PATH, SingleSignOn, rules_of
from tocsin.web.pages import address_of, redirect, render, safe_next

log = logging.getLogger(__name__)
NEXT = "sso_next"
"""Where to go after signing in, kept in the session while the browser is at the provider."""
REFUSALS_OF_THE_PERSON = ("unknown-user", "email-unverified", "provider-access-denied")


def login_page_options(settings: Settings) -> dict[str, Any]:
    """What the login page shows: the single sign-on button, the password form."""
    return {
        "sso_label": settings.oidc_button_label if settings.oidc_configured else "",
        "password_login": settings.password_login,
    }


def refused(request: Request, refusal: SignOnRefused) -> Response:
    log.warning("single sign-on refused (%s): %s", refusal.reason, refusal.message)
    status = 403 if refusal.reason in REFUSALS_OF_THE_PERSON else 400
    return render(request, "sso_failed.html", status, message=refusal.message, advice=refusal.advice)


def unexpected(problem: Exception) -> SignOnRefused:
    return SignOnRefused(
        f"unexpected-{type(problem).__name__}",
        "Signing in failed for a reason Tocsin did not expect.",
        "Try again. If it keeps failing, tell your Tocsin administrator; the server's log names the error.",
    )


def install(app: FastAPI, settings: Settings) -> None:
    if not settings.oidc_configured:
        return
    sso = SingleSignOn(settings)
    rules = rules_of(settings)

    @app.get("/login/oidc", include_in_schema=False)
    async def start_sign_on(request: Request, next: str = "") -> Response:
        try:
            response = await sso.start(request)
        except SignOnRefused as refusal:
            return refused(request, refusal)
        except Exception as problem:  # whatever else a provider may do: a page, never a 500
            return refused(request, unexpected(problem))
        request.session[NEXT] = safe_next(next)
        return response

    @app.get(CALLBACK_PATH, include_in_schema=False)
    async def finish_sign_on(request: Request) -> Response:
        address = address_of(request)

        def begin(session: Session) -> tuple[str, str, bool, list[str]]:
            signed_on = oidc_login.sign_on(session, claims, rules)
            token = web_sessions.start_session(
                session,
                user_id=signed_on.user.id,
                user_agent=request.headers.get("user-agent", ""),
                address=address,
            )
            return token, signed_on.user.username, signed_on.created, signed_on.joined

        try:
            claims = await sso.finish(request)
            token, username, created, joined = await request.app.state.writer.run(begin)
        except SignOnRefused as refusal:
            return refused(request, refusal)
        except Exception as problem:
            return refused(request, unexpected(problem))
        target = safe_next(request.session.get(NEXT))
        request_context.note(username, via="web")
        request.session.clear()
        request.session[csrf.SESSION_ID] = token
        log.info(
            "single sign-on: %s signed in%s%s",
            username,
            " (user created)" if created else "",
            f", added to team(s) {', '.join(joined)}" if joined else "",
        )
        return redirect(request, target)
