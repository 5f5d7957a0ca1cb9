"""``GET /v2/account``: Opsgenie's account information, which clients call to check that a key
works (the Python SDK's ``AccountApi.get_info``). Any valid key may read it.

A self-hosted Tocsin has no plan and no user limit: the plan is named "Tocsin" and its
``maxUserCount`` is null. The account's name is the host Tocsin is reached at (TOCSIN_BASE_URL)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends
from starlette.requests import Request

from tocsin.accounts import service as accounts
from tocsin.api.auth import Caller, caller
from tocsin.api.envelope import JSONBody, ok

router = APIRouter()


@router.get("/v2/account")
def get_account_info(request: Request, _: Annotated[Caller, Depends(caller)]) -> JSONBody:
    with request.app.state.db.read_session() as session:
        users = accounts.count_users(session)
    name = urlsplit(request.app.state.settings.base_url).hostname or "tocsin"
    plan = {"maxUserCount": None, "name": "Tocsin", "isYearly": False}
    return ok(request, {"name": name, "userCount": users, "plan": plan})
