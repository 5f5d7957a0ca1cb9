"""Pieces shared by the alert API's read and write routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

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
        try:
            with session.begin_nested():
                outcome = change(session, actor)
        except REQUEST_FAILURES as failure:
            requests.record(
                session,
                request_id=rid,
                action=action,
                success=False,
                status=failure.message,
                integration_id=actor.integration_id,
            )
            return
        requests.record(
            session,
            request_id=rid,
            action=action,
            success=True,
            status=outcome.status,
            alert_id=outcome.alert_id,
            alias=outcome.alias,
            integration_id=actor.integration_id,
        )

    await request.app.state.writer.run(job)
    return accepted(request)
