"""Pieces shared by the alert API's read and write routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import Query
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin.actors import Actor
from tocsin.alerts import requests
from tocsin.alerts.actions import ActionOutcome
from tocsin.api.envelope import JSONBody, accepted, request_id
from tocsin.errors import AlertActionRefused, AlertNotFound, AlertNotVisible

IdentifierType = Annotated[Literal["id", "alias", "tiny"], Query(alias="identifierType")]

# Failures that can only be known once the alert is looked up are reported, as in Opsgenie,
# through the request status (202 first); bad input is a 4xx straight away.
REQUEST_FAILURES = (AlertNotFound, AlertNotVisible, AlertActionRefused)


async def perform(
    request: Request,
    action: str,
    actor: Actor,
    change: Callable[[Session, Actor], ActionOutcome],
    *,
    user: str | None = None,
) -> JSONBody:
    """Apply ``change`` through the write queue, record the request's outcome, answer 202."""
    actor = actor.with_on_behalf_of(user)
    rid = request_id(request)

    def job(session: Session) -> None:
        outcome: dict[str, Any]
        try:
            with session.begin_nested():
                done = change(session, actor)
            outcome = {"success": True, "status": done.status, "alert_id": done.alert_id, "alias": done.alias}
        except REQUEST_FAILURES as failure:
            outcome = {"success": False, "status": failure.message}
        requests.record(
            session, request_id=rid, action=action, integration_id=actor.integration_id, **outcome
        )

    await request.app.state.writer.run(job)
    return accepted(request)
