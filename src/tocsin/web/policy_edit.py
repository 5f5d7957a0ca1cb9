"""Creating (``/policies/new?type=alert&team=...``) and editing (``/policies/{id}``) a policy: the
form of ``policy_form`` for those who may change the scope's configuration, read-only for those
who may only read it. A refused form is shown again (422) with the message next to what to fix,
what was typed kept and nothing stored."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.actors import may_read_team_config
from tocsin.config import Settings
from tocsin.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tocsin.policies import service
from tocsin.policies.models import Policy
from tocsin.teams import service as teams
from tocsin.web import condition_builder, csrf, policy_form, policy_words
from tocsin.web.condition_builder import ConditionRow
from tocsin.web.integration_form import refused
from tocsin.web.pages import db, flash, redirect, render, signed_in_user, to_login
from tocsin.web.policy_form import PolicyFields

NOT_YOURS = "There is no such policy, or it is not yours to see."
EXPIRED = "Your session expired; go back, reload the page and try again."
KIND_NAMES = {"alert": "alert policy", "notification": "notification policy"}
UNITS = ("minutes", "hours", "days")


def _scope(session: Session, team_id: str | None) -> dict[str, str]:
    name = service.scope_name(session, team_id)
    return {"id": team_id or "", "name": name[:1].upper() + name[1:], "back": _back(team_id)}


def _back(team_id: str | None) -> str:
    return f"/policies?team={team_id}" if team_id else "/policies"


def _page(
    request: Request,
    user: User,
    *,
    kind: str,
    scope: dict[str, str],
    form: PolicyFields,
    rows: list[ConditionRow],
    policy_id: str = "",
    may_change: bool = True,
    kept_when: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
    focus_row: int | None = None,
) -> Response:
    return render(
        request,
        "policy_edit.html",
        status,
        user=user,
        kind=kind,
        kind_name=KIND_NAMES[kind],
        scope=scope,
        form=form,
        rows=rows,
        policy_id=policy_id,
        may_change=may_change,
        kept_when=kept_when,
        errors=errors or {},
        focus_row=focus_row,
        when_choices=policy_form.WHEN | ({policy_form.KEPT: f"As set: {kept_when}"} if kept_when else {}),
        units=UNITS,
        priorities=("P1", "P2", "P3", "P4", "P5"),
        match_types=condition_builder.MATCH_TYPES,
        field_labels=condition_builder.FIELD_LABELS,
        operation_labels=condition_builder.OPERATION_LABELS,
    )


def not_yours_to_change(session: Session, team_id: str | None) -> str:
    return f"You may not change {service.scope_name(session, team_id)}."


def stored(session: Session, user: User, policy_id: str) -> tuple[Policy, bool]:
    actor = teams.actor_for_user(session, user, channel="web")
    policy = service.get_policy(session, policy_id, actor=actor)
    return policy, actor.manages.covers_team(policy.team_id)


def _kept_when(policy: Policy | None) -> str:
    if policy is None or policy_form.form_of(policy)[0].when != policy_form.KEPT:
        return ""
    return policy_words.when(policy.time_restrictions)


def _save(
    session: Session, user_id: str, form: PolicyFields, *, kind: str, team_id: str | None, policy_id: str
) -> Policy:
    current = accounts.find_user_by_id(session, user_id)
    if current is None:
        raise NotFound("no such user")
    actor = teams.actor_for_user(session, current, channel="web")
    if not policy_id:
        payload = form.payload(kind, None)
        return service.create_policy(session, actor=actor, payload=payload, team_id=team_id)
    policy = service.get_policy(session, policy_id, actor=actor)
    payload = form.payload(policy.type, policy.time_restrictions)
    return service.update_policy(session, actor=actor, policy=policy, payload=payload)


def _submit(
    request: Request, form: PolicyFields, *, kind: str, team_id: str | None, policy_id: str = ""
) -> Response:
    """Save the form, or draw it again: with a row added or removed, or with what to fix."""
    user = signed_in_user(request)
    if user is None:
        return to_login(request)
    if not csrf.is_valid(request, form.csrf_token):
        return refused(request, user, 400, EXPIRED)
    with db(request).read_session() as session:
        try:
            if policy_id:
                policy, may_change = stored(session, user, policy_id)
                kind, team_id = policy.type, policy.team_id
            else:
                policy, may_change = None, _may_create(session, user, team_id)
        except (NotFound, PermissionDenied):
            return refused(request, user, 404, NOT_YOURS)
        if not may_change:
            return refused(request, user, 403, not_yours_to_change(session, team_id))
        scope, kept_when = _scope(session, team_id), _kept_when(policy)
    shown: dict[str, Any] = {"kind": kind, "scope": scope, "policy_id": policy_id, "kept_when": kept_when}
    if form.rearranging:
        rows, focus = form.rearranged()
        return _page(request, user, form=form, rows=rows, focus_row=focus, **shown)
    try:
        saved = request.app.state.writer.call(
            lambda session: _save(session, user.id, form, kind=kind, team_id=team_id, policy_id=policy_id)
        )
    except (InvalidInput, Conflict) as problem:
        errors = {policy_form.place_of(problem): problem.message}
        rows = form.filter_form().rows or [ConditionRow()]
        return _page(request, user, form=form, rows=rows, errors=errors, status=422, **shown)
    except PermissionDenied as problem:
        return refused(request, user, 403, f"{problem.message}.")
    except NotFound:
        return refused(request, user, 404, NOT_YOURS)
    flash(request, f"{saved.name} is saved.")
    return redirect(request, _back(team_id))


def _may_create(session: Session, user: User, team_id: str | None) -> bool:
    actor = teams.actor_for_user(session, user, channel="web")
    if team_id is not None and teams.find_team(session, team_id=team_id) is None:
        raise NotFound("no such team")
    if not may_read_team_config(actor, team_id) and not actor.manages.covers_team(team_id):
        raise PermissionDenied("may not read")
    return actor.manages.covers_team(team_id)


def install(app: FastAPI, settings: Settings) -> None:
    @app.get("/policies/new", include_in_schema=False)
    def new_policy(request: Request, type: str = "alert", team: str = "") -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        kind = type if type in KIND_NAMES else "alert"
        with db(request).read_session() as session:
            try:
                may_change = _may_create(session, user, team or None)
            except (NotFound, PermissionDenied):
                return refused(request, user, 404, NOT_YOURS)
            if not may_change:
                return refused(request, user, 403, not_yours_to_change(session, team or None))
            scope = _scope(session, team or None)
        form = PolicyFields(enabled="on")
        return _page(request, user, kind=kind, scope=scope, form=form, rows=[ConditionRow()])

    @app.post("/policies/new", include_in_schema=False)
    def create_policy(
        request: Request, form: Annotated[PolicyFields, Form()], type: str = "alert", team: str = ""
    ) -> Response:
        return _submit(request, form, kind=type if type in KIND_NAMES else "alert", team_id=team or None)

    @app.get("/policies/{policy_id}", include_in_schema=False)
    def policy_page(request: Request, policy_id: str) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        with db(request).read_session() as session:
            try:
                policy, may_change = stored(session, user, policy_id)
            except (NotFound, PermissionDenied):
                return refused(request, user, 404, NOT_YOURS)
            form, rows = policy_form.form_of(policy)
            shown: dict[str, Any] = {
                "kind": policy.type,
                "scope": _scope(session, policy.team_id),
                "kept_when": _kept_when(policy),
            }
        return _page(request, user, form=form, rows=rows, policy_id=policy_id, may_change=may_change, **shown)

    @app.post("/policies/{policy_id}", include_in_schema=False)
    def save_policy(request: Request, policy_id: str, form: Annotated[PolicyFields, Form()]) -> Response:
        return _submit(request, form, kind="alert", team_id=None, policy_id=policy_id)
