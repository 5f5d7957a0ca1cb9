"""What the people and team forms share: who sent a form (signed in, with the right CSRF token),
carrying out its change in a write transaction, and answering a refusal the way a page should:
a 403 page for what the sender may not do, the form again with the problem for bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts.models import User
from tocsin.errors import Conflict, InvalidInput, NotFound, PermissionDenied, ServerBusy
from tocsin.web import csrf
from tocsin.web.pages import render, signed_in_user, to_login, try_later

T = TypeVar("T")
EXPIRED = "Your session expired; please try again."
Show = Callable[[int, str], Response]
"""Renders the page a form is on, with an answer status and an error to show."""


def sentence(message: str) -> str:
    """A service's message as a sentence on a page."""
    message = message.strip()
    if not message:
        return message
    if "@" not in message.split(" ", 1)[0]:  # an e-mail address keeps its case
        message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


def refused(request: Request, user: User, message: str) -> Response:
    return render(request, "refused.html", 403, user=user, message=sentence(message))


async def sender(
    request: Request, csrf_token: str, show: Callable[[User, int, str], Response]
) -> User | Response:
    """The signed-in user who sent the form; or the answer when no one is signed in (to log in)
    or the form's token is not right (the page again, saying so, with nothing changed)."""
    user = await run_in_threadpool(signed_in_user, request)
    if user is None:
        return to_login(request)
    if not csrf.is_valid(request, csrf_token):
        return await run_in_threadpool(show, user, 400, EXPIRED)
    return user


async def carry_out(request: Request, user: User, change: Callable[[Session], T], show: Show) -> T | Response:
    """Run ``change`` in a write transaction; its result, or the answer to its refusal."""
    try:
        return await request.app.state.writer.run(change)  # type: ignore[no-any-return]
    except PermissionDenied as refusal:
        return refused(request, user, refusal.message)
    except InvalidInput as problem:  # before NotFound: an unknown user named in a form is input to fix
        return await _show(show, 422, problem.message)
    except NotFound as missing:
        return await _show(show, 404, missing.message)
    except Conflict as conflict:
        return await _show(show, 409, conflict.message)
    except ServerBusy as busy:
        return await run_in_threadpool(try_later, busy, show)


async def _show(show: Show, status: int, message: str) -> Response:
    return await run_in_threadpool(show, status, sentence(message))
