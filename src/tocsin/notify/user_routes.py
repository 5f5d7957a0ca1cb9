"""What the REST routes under /v2/users/{identifier} share: the user named by id or username read
or changed in one transaction, the answer envelope, the payload base and who may call them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.api.auth import configuration
from tocsin.api.envelope import JSONBody, body
from tocsin.db import Database

Configurer = Annotated[Actor, Depends(configuration)]


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


def read_user(request: Request, identifier: str, read: Callable[[Session, User], Any]) -> Any:
    """``read`` with the user named by ``identifier`` (id or username), in a read transaction."""
    db: Database = request.app.state.db
    with db.read_session() as session:
        return read(session, accounts.get_user_by_identifier(session, identifier))


async def write_user(request: Request, identifier: str, change: Callable[[Session, User], Any]) -> Any:
    """``change`` with the user named by ``identifier``, through the write queue."""

    def job(session: Session) -> Any:
        return change(session, accounts.get_user_by_identifier(session, identifier))

    return await request.app.state.writer.run(job)


def done(request: Request, result: str, data: Any = None, status: int = 200) -> JSONBody:
    fields = {"result": result} if data is None else {"result": result, "data": data}
    return JSONBody(body(request, **fields), status_code=status)
