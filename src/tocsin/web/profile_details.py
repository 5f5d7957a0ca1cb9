"""The profile's "About you" form: full name, time zone and date format, changed through
``accounts.update_user`` as ``PATCH /v2/users/{identifier}`` does."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.config import Settings
from tocsin.teams import service as teams
from tocsin.web.profile import apply_change


def install(app: FastAPI, settings: Settings) -> None:
    @app.post("/profile/details", include_in_schema=False)
    async def change_details(
        request: Request,
        full_name: Annotated[str, Form()] = "",
        time_zone: Annotated[str, Form()] = "",
        date_format: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        def change(session: Session, user: User) -> str:
            actor = teams.actor_for_user(session, user, channel="web")
            accounts.update_user(
                session,
                actor=actor,
                user=user,
                full_name=full_name,
                time_zone=time_zone.strip(),
                date_format=date_format,
            )
            return "Saved your name, time zone and date format."

        return await apply_change(request, csrf_token, change)
