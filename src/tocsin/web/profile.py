"""The signed-in user's profile page: their name, time zone and date format (changed in
``profile_details``), mute and quiet hours (``profile_availability``), contact methods (whether
each phone number is verified, with a form for the code: ``profile_contacts``), notification
rules (``profile_rules``), the chat accounts connected to them (and a button to revoke each),
their signed-in browsers, and forms to change the password and log out everywhere
(``profile_security``). Every form changes the signed-in user only, through the services the
API uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts import web_sessions
from tocsin.accounts.models import User
from tocsin.chat import linking
from tocsin.config import Settings
from tocsin.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TryLater
from tocsin.notify import contact_trial, contacts
from tocsin.notify.models import PHONE_METHODS
from tocsin.teams import service as teams
from tocsin.web import csrf, profile_view
from tocsin.web.moments import when
from tocsin.web.pages import (
    db,
    flash,
    flashed,
    redirect,
    render,
    session_lifetimes,
    session_token,
    signed_in_user,
    to_login,
    try_later,
)

EXPIRED = "Your session expired; please try again."


def install(app: FastAPI, settings: Settings) -> None:
    @app.get("/profile", include_in_schema=False)
    def show_profile(request: Request) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        return profile_page(request, user, notice=flashed(request))

    @app.post("/profile/chat-accounts/{account_id}/revoke", include_in_schema=False)
    async def revoke_chat_account(
        request: Request, account_id: str, csrf_token: Annotated[str, Form()] = ""
    ) -> Response:
        user = await form_sender(request, csrf_token)
        if isinstance(user, Response):
            return user

        def revoke(session: Session) -> str:
            own = {account.id: account for account in linking.accounts_of(session, user.id)}
            linking.revoke(session, user=user, account_id=account_id)  # NotFound unless one of `own`
            return linking.describe_account(own[account_id])

        try:
            revoked = await request.app.state.writer.run(revoke)
        except NotFound as missing:
            problem = missing.message
            return await run_in_threadpool(lambda: profile_page(request, user, status=404, error=problem))
        flash(request, f"Revoked {revoked}.")
        return redirect(request, "/profile")


async def apply_change(
    request: Request, csrf_token: str, change: Callable[[Session, User], str], *, anchor: str = ""
) -> Response:
    """Run ``change`` on the signed-in user (after checking the form's token) in one write; then
    back to the profile with the notice it returns, or the profile with the service's refusal."""
    user = await form_sender(request, csrf_token)
    if isinstance(user, Response):
        return user

    def job(session: Session) -> str:
        own = session.get(User, user.id)
        assert own is not None  # signed in a moment ago; deleting a user ends the session
        return change(session, own)

    try:
        notice = await request.app.state.writer.run(job)
    except TryLater as refusal:

        def show(status: int, error: str) -> Response:
            return profile_page(request, user, status=status, error=error)

        return await run_in_threadpool(try_later, refusal, show)
    except (InvalidInput, Conflict, NotFound, PermissionDenied) as problem:
        status = (
            404 if isinstance(problem, NotFound)
            else 409 if isinstance(problem, Conflict)
            else 403 if isinstance(problem, PermissionDenied)
            else 422
        )  # fmt: skip
        message = sentence(problem.message)
        return await run_in_threadpool(lambda: profile_page(request, user, status=status, error=message))
    flash(request, notice)
    return redirect(request, f"/profile{anchor}")


def sentence(message: str) -> str:
    """A service's message ("name must be ...") as a sentence for the page."""
    message = message.strip()
    return message[:1].upper() + message[1:] + ("" if message.endswith((".", "!", "?")) else ".")


async def form_sender(request: Request, csrf_token: str) -> User | Response:
    """The signed-in user who sent a profile form; or the answer when no one is signed in or the
    form's token is not right."""
    user = await run_in_threadpool(signed_in_user, request)
    if user is None:
        return to_login(request)
    if not csrf.is_valid(request, csrf_token):
        return await run_in_threadpool(lambda: profile_page(request, user, status=400, error=EXPIRED))
    return user


def profile_page(
    request: Request, user: User, *, status: int = 200, notice: str = "", error: str = ""
) -> Response:
    token = session_token(request)
    with db(request).read_session() as session:
        browsers = [
            {
                "user_agent": row.user_agent or "unknown browser",
                "address": row.address,
                "signed_in": when(row.created_at, user),
                "last_seen": when(row.last_seen_at, user),
                "this": web_sessions.is_session(row, token),
            }
            for row in web_sessions.live_sessions_of(session, user.id, session_lifetimes(request))
        ]
        member_of = teams.team_ids_of_user(session, user.id)
        team_rows = [
            {"name": team.name, "role": _role_in(session, team.id, user)}
            for team in teams.list_teams(session)
            if team.id in member_of
        ]
        contact_rows = _contact_rows(session, user, request.app.state.settings)
        chat_accounts: list[dict[str, Any]] = [
            {
                "id": account.id,
                "platform": account.platform,
                "team": account.chat_team_name or account.chat_team_id,
                "user": account.chat_user_name or account.chat_user_id,
            }
            for account in linking.accounts_of(session, user.id)
        ]
        actor = teams.actor_for_user(session, user, channel="web")
        rules_context = profile_view.rules_context(session, actor, user)
    return render(
        request,
        "profile.html",
        status,
        user=user,
        teams=team_rows,
        chat_accounts=chat_accounts,
        contacts=contact_rows,
        browsers=browsers,
        **rules_context,
        **profile_view.details_context(user),
        **profile_view.availability_context(user),
        notice=notice,
        error=error,
    )


def _contact_rows(session: Session, user: User, settings: Settings) -> list[dict[str, object]]:
    """The contact methods as the profile shows them."""
    actor = teams.actor_for_user(session, user, channel="web")
    testable = contact_trial.testable_methods(settings)
    return [
        {
            "id": contact.id,
            "method": profile_view.METHOD_NAMES.get(contact.method, contact.method),
            "address": contact.address,
            "enabled": contact.enabled,
            "verified": contact.verified,
            "needs_code": contact.method in PHONE_METHODS and not contact.verified,
            "testable": contact.verified and contact.enabled and contact.method in testable,
            "used_by": profile_view.rules_using(session, contact.id),
        }
        for contact in contacts.list_contacts(session, actor=actor, user=user)
    ]


def _role_in(session: Session, team_id: str, user: User) -> str:
    return next((role for member, role in teams.members_of(session, team_id) if member.id == user.id), "user")
