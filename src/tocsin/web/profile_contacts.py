"""The profile's contact methods: how the person is reached, whether each phone number is
verified, forms to enter the code sent to it or ask for a new one (phone numbers are used for
paging only once verified), a test notification to any verified contact, a form to add one,
and buttons to disable, enable or remove one (removing one also removes the notification rule
steps that send to it, as ``DELETE /v2/users/{identifier}/contacts/{id}`` does)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts.models import User
from tocsin.config import Settings
from tocsin.errors import Conflict, InvalidInput, NotFound
from tocsin.notify import contact_trial, contacts
from tocsin.notify.models import ContactMethod
from tocsin.teams import service as teams
from tocsin.web.pages import flash, redirect
from tocsin.web.profile import apply_change, form_sender, profile_page
from tocsin.web.profile_view import rules_using


def install(app: FastAPI, settings: Settings) -> None:
    @app.post("/profile/contacts", include_in_schema=False)
    async def add_contact(
        request: Request,
        method: Annotated[str, Form()] = "",
        to: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        def add(session: Session, user: User) -> ContactMethod:
            actor = teams.actor_for_user(session, user, channel="web")
            return contacts.add_contact(session, actor=actor, user=user, method=method, to=to)

        return await _change(request, csrf_token, add, _added)

    @app.post("/profile/contacts/{contact_id}/verify", include_in_schema=False)
    async def verify_contact(
        request: Request,
        contact_id: str,
        code: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        def verify(session: Session, user: User) -> ContactMethod | InvalidInput:
            actor = teams.actor_for_user(session, user, channel="web")
            return contacts.verify(session, actor=actor, user=user, contact_id=contact_id, code=code)

        return await _change(
            request, csrf_token, verify, lambda c: f"Verified {c.address}: it will be used for paging."
        )

    @app.post("/profile/contacts/{contact_id}/send-code", include_in_schema=False)
    async def send_code(
        request: Request, contact_id: str, csrf_token: Annotated[str, Form()] = ""
    ) -> Response:
        def send(session: Session, user: User) -> ContactMethod:
            actor = teams.actor_for_user(session, user, channel="web")
            return contacts.send_verification_code(session, actor=actor, user=user, contact_id=contact_id)

        return await _change(request, csrf_token, send, lambda c: f"A new code is on its way to {c.address}.")

    @app.post("/profile/contacts/{contact_id}/test", include_in_schema=False)
    async def send_test(
        request: Request, contact_id: str, csrf_token: Annotated[str, Form()] = ""
    ) -> Response:
        available = contact_trial.testable_methods(settings)

        def send(session: Session, user: User) -> ContactMethod:
            actor = teams.actor_for_user(session, user, channel="web")
            return contact_trial.send_test_notification(
                session, actor=actor, user=user, contact_id=contact_id, available=available
            )

        return await _change(
            request, csrf_token, send, lambda c: f"A test notification is on its way to {c.address}."
        )

    @app.post("/profile/contacts/{contact_id}/remove", include_in_schema=False)
    async def remove_contact(
        request: Request, contact_id: str, csrf_token: Annotated[str, Form()] = ""
    ) -> Response:
        def remove(session: Session, user: User) -> str:
            actor = teams.actor_for_user(session, user, channel="web")
            contact = contacts.get_contact(session, actor=actor, user=user, contact_id=contact_id)
            address, used = contact.address, rules_using(session, contact.id)
            contacts.delete_contact(session, actor=actor, user=user, contact_id=contact_id)
            if not used:
                return f"Removed {address}."
            return f"Removed {address}, and its steps in the rules {', '.join(used)}."

        return await apply_change(request, csrf_token, remove)

    for word, enabled in (("enable", True), ("disable", False)):
        _switch_route(app, word, enabled)


def _switch_route(app: FastAPI, word: str, enabled: bool) -> None:
    @app.post(
        f"/profile/contacts/{{contact_id}}/{word}", include_in_schema=False, name=f"profile_{word}_contact"
    )
    async def switch(request: Request, contact_id: str, csrf_token: Annotated[str, Form()] = "") -> Response:
        def change(session: Session, user: User) -> str:
            actor = teams.actor_for_user(session, user, channel="web")
            contact = contacts.set_contact_enabled(
                session, actor=actor, user=user, contact_id=contact_id, enabled=enabled
            )
            if enabled:
                return f"Enabled {contact.address}: its rule steps send to it again."
            return f"Disabled {contact.address}: no rule sends to it until you enable it."

        return await apply_change(request, csrf_token, change)


def _added(contact: ContactMethod) -> str:
    if contact.verified:
        return f"Added {contact.address}."
    return f"Added {contact.address}: enter the code sent to it to use it for paging."


async def _change(
    request: Request,
    csrf_token: str,
    change: Callable[[Session, User], ContactMethod | InvalidInput],
    done: Callable[[ContactMethod], str],
) -> Response:
    user = await form_sender(request, csrf_token)
    if isinstance(user, Response):
        return user

    def job(session: Session) -> ContactMethod | InvalidInput:
        own = session.get(User, user.id)
        assert own is not None  # signed in a moment ago; deleting a user ends the session
        return change(session, own)

    try:
        contact = await request.app.state.writer.run(job)
    except (InvalidInput, Conflict, NotFound) as problem:
        status = 404 if isinstance(problem, NotFound) else 409 if isinstance(problem, Conflict) else 422
        message = problem.message[:1].upper() + problem.message[1:] + "."
        return await run_in_threadpool(lambda: profile_page(request, user, status=status, error=message))
    flash(request, done(contact))
    return redirect(request, "/profile")
