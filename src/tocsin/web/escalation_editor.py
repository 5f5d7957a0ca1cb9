"""An escalation's page (``/escalations/{id}``, and ``/escalations/new``): the editor for those
who may change it, the rules in words for those who may only see them, and the preview of whom
it would page. Saving goes through the service the API uses; a refused form is drawn again (422)
with the message next to what to fix, nothing stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.errors import Conflict, InvalidInput, NotFound, PermissionDenied, ServerBusy
from tocsin.escalations import service as escalations
from tocsin.escalations.models import EscalationPolicy
from tocsin.escalations.schemas import EscalationUpdate
from tocsin.oncall import service as oncall
from tocsin.teams import service as teams
from tocsin.web import csrf
from tocsin.web.admin_forms import EXPIRED, refused
from tocsin.web.escalation_form import (
    CONDITIONS,
    NO_TEAM,
    NOTIFY_LABELS,
    EscalationFields,
    RuleRow,
    field_of,
    stored_fields,
)
from tocsin.web.escalation_preview_view import asked, preview_rows
from tocsin.web.escalation_words import in_words, repeat_words, rule_line
from tocsin.web.pages import db, flash, redirect, render, signed_in_user, to_login, try_later

NOT_YOURS = "There is no such escalation, or it is not yours to see."


def owners(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """The owners the viewer may give an escalation: no team (for those who configure
    everything) and the teams they administer."""
    found = [(NO_TEAM, "No team (global)")] if actor.manages.everything else []
    return found + [
        (team.id, team.name) for team in teams.list_teams(session) if actor.manages.covers_team(team.id)
    ]


def recipients(
    session: Session, actor: Actor, chosen: list[RuleRow]
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The recipients a rule may name, by kind; a recipient already chosen is always offered."""
    schedules = [(f"schedule:{one.id}", one.name) for one in oncall.list_schedules(session, actor=actor)]
    people = [
        (f"user:{person.id}", person.full_name or person.username)
        for person in accounts.active_people(session)
    ]
    team_choices = [(f"team:{team.id}", team.name) for team in teams.list_teams(session)]
    groups = [("Schedules", schedules), ("People", people), ("Teams", team_choices)]
    offered = {value for _, choices in groups for value, _ in choices}
    for row in chosen:
        kind, _, ident = row.recipient.partition(":")
        if row.recipient and row.recipient not in offered and kind in ("schedule", "user", "team") and ident:
            label = escalations.recipient_label(session, kind, ident)
            groups[("schedule", "user", "team").index(kind)][1].append((row.recipient, label))
            offered.add(row.recipient)
    return groups


def _visible(session: Session, actor: Actor, policy_id: str) -> EscalationPolicy | None:
    policy = escalations.find_policy(session, policy_id)
    return policy if policy is not None and escalations.may_see(actor, policy) else None


def _page(
    request: Request,
    user: User,
    session: Session,
    actor: Actor,
    policy: EscalationPolicy | None,
    form: EscalationFields,
    rows: list[RuleRow],
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    focus_rule: int | None = None,
    notice: str = "",
) -> Response:
    may_manage = actor.manages.covers_team(policy.owner_team_id) if policy else bool(owners(session, actor))
    context: dict[str, Any] = {
        "policy": None,
        "preview": None,
        "asked": None,
    }
    if policy is not None:
        snapshot = escalations.snapshot(session, policy)
        team = teams.find_team(session, team_id=policy.owner_team_id) if policy.owner_team_id else None
        day, at = request.query_params.get("day"), request.query_params.get("at")
        shown, moment = asked(user, day, at)
        context |= {
            "policy": {
                "id": policy.id,
                "name": policy.name,
                "description": policy.description,
                "team": {"id": team.id, "name": team.name} if team else None,
                "team_default": policy.is_team_default,
                "rules": [rule_line(rule) for rule in snapshot["rules"]],
                "repeat": repeat_words(policy),
                "words": in_words(snapshot, policy),
            },
            "asked": shown,
            "preview": preview_rows(session, policy, user, moment),
        }
    return render(
        request,
        "escalation.html",
        422 if status == 200 and context["asked"] is not None and context["asked"].error else status,
        user=user,
        may_manage=may_manage,
        form=form,
        rows=rows,
        errors=errors or {},
        focus_rule=focus_rule,
        owners=owners(session, actor) if may_manage else [],
        recipient_groups=recipients(session, actor, rows) if may_manage else [],
        conditions=CONDITIONS,
        notify_labels=NOTIFY_LABELS,
        notice=notice,
        **context,
    )


def _not_found(request: Request, user: User) -> Response:
    return render(request, "escalation_missing.html", 404, user=user, message=NOT_YOURS)


def show(request: Request, policy_id: str | None, notice: str = "") -> Response:
    user = signed_in_user(request)
    if user is None:
        return to_login(request)
    with db(request).read_session() as session:
        actor = teams.actor_for_user(session, user, channel="web")
        if policy_id is None:
            choices = owners(session, actor)
            if not choices:
                return refused(request, user, f"{user.username} may not create escalations")
            team = request.query_params.get("team", "")
            owner = team if team in {value for value, _ in choices} else choices[0][0]
            form = EscalationFields(owner_team=owner)
            return _page(request, user, session, actor, None, form, [RuleRow()], notice=notice)
        policy = _visible(session, actor, policy_id)
        if policy is None:
            return _not_found(request, user)
        form = stored_fields(policy, escalations.rules_of(session, policy.id))
        return _page(request, user, session, actor, policy, form, form.rules() or [RuleRow()], notice=notice)


def submit(request: Request, policy_id: str | None, form: EscalationFields) -> Response:
    """Save the form, or draw it again: rearranged (nothing saved), or with what to fix."""
    user = signed_in_user(request)
    if user is None:
        return to_login(request)
    with db(request).read_session() as session:
        actor = teams.actor_for_user(session, user, channel="web")
        policy = _visible(session, actor, policy_id) if policy_id else None
        if policy_id and policy is None:
            return _not_found(request, user)
        rows = form.rules() or [RuleRow()]
        if not csrf.is_valid(request, form.csrf_token):
            return _page(
                request, user, session, actor, policy, form, rows, status=400, errors={"form": EXPIRED}
            )
        if policy is not None and not actor.manages.covers_team(policy.owner_team_id):
            return refused(request, user, f"{user.username} may not change escalation {policy.name}")
        if form.rearranging:
            rows, focus = form.rearranged()
            return _page(request, user, session, actor, policy, form, rows, focus_rule=focus)
    try:
        payload = form.payload(offers_owner=True)
        saved_id = request.app.state.writer.call(lambda session: _save(session, user.id, policy_id, form))
    except (InvalidInput, Conflict) as problem:
        place = field_of(problem.field) if isinstance(problem, InvalidInput) else "name"
        with db(request).read_session() as session:
            actor = teams.actor_for_user(session, user, channel="web")
            policy = _visible(session, actor, policy_id) if policy_id else None
            return _page(
                request,
                user,
                session,
                actor,
                policy,
                form,
                rows,
                status=422,
                errors={place: _sentence(problem.message)},
            )
    except PermissionDenied as denied:
        return refused(request, user, denied.message)
    except NotFound:
        return _not_found(request, user)
    except ServerBusy as busy:
        return try_later(busy, lambda status, error: refused(request, user, error))
    flash(request, f"Escalation {payload.name} {'saved' if policy_id else 'created'}.")
    return redirect(request, f"/escalations/{saved_id}")


def _sentence(message: str) -> str:
    message = message.strip()
    first = message.split(" ", 1)[0]
    if first == first.lower():  # an API field's name (notifyType) keeps its case
        message = message[:1].upper() + message[1:]
    return message if message.endswith(".") else message + "."


def _save(session: Session, user_id: str, policy_id: str | None, form: EscalationFields) -> str:
    current = accounts.find_user_by_id(session, user_id)
    if current is None:
        raise NotFound("no such user")
    actor = teams.actor_for_user(session, current, channel="web")
    if policy_id is None:
        return escalations.create_policy(session, actor=actor, payload=form.payload(offers_owner=True)).id
    policy = escalations.get_policy(session, policy_id)
    escalations.require_to_see(actor, policy)
    form.payload(offers_owner=True)  # checked as a whole, as a new escalation is
    update = EscalationUpdate.model_validate(form.payload_json(offers_owner=True))
    escalations.update_policy(session, actor=actor, policy=policy, payload=update)
    return policy.id
