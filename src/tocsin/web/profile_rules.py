"""The profile's notification rules editor: create a rule (what it is for, the alert priorities
it covers, and its first step), change a rule's priorities, enable, disable, move up or down
among the rules of its kind, delete; add a step (a contact method, after how many minutes), move
a step up or down, remove it. Each form is a plain POST
through ``notify.rules``, the service behind ``/v2/users/{identifier}/notification-rules``."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.config import Settings
from tocsin.errors import InvalidInput
from tocsin.notify import contacts, rules
from tocsin.notify.models import NotificationRule
from tocsin.teams import service as teams
from tocsin.web.profile import apply_change
from tocsin.web.rule_priorities import covers, criteria_for

ANCHOR = "#rules"
RULE = "/profile/rules/{rule_id}"
STEP = RULE + "/steps/{index}"
MOVES = {"up": -1, "down": 1}


def install(app: FastAPI, settings: Settings) -> None:
    @app.post("/profile/rules", include_in_schema=False)
    async def create_rule(
        request: Request,
        name: Annotated[str, Form()] = "",
        action_type: Annotated[str, Form()] = "",
        notification_time: Annotated[str, Form()] = "",
        contact_id: Annotated[str, Form()] = "",
        after: Annotated[str, Form()] = "0",
        priority: Annotated[list[str] | None, Form()] = None,
        priorities_shown: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        def change(session: Session, user: User) -> str:
            actor = _actor(session, user)
            # A form without the priority boxes (a shift rule, or an older page) is for every alert.
            for_alerts = bool(priorities_shown) and action_type not in rules.SCHEDULE_ACTIONS
            criteria = criteria_for(priority or []) if for_alerts else None
            if not contact_id:
                raise InvalidInput("steps", "choose a contact method for the first step: a rule needs one")
            step = _step(session, actor, user, contact_id, after)
            times = (
                [notification_time] if notification_time and action_type in rules.SCHEDULE_ACTIONS else None
            )
            rule = rules.create_rule(
                session,
                actor=actor,
                user=user,
                name=name,
                action_type=action_type,
                steps=[step],
                notification_time=times,
                criteria=criteria,
            )
            return f"Created the rule {rule.name}."

        return await apply_change(request, csrf_token, change, anchor=ANCHOR)

    for word, enabled in (("enable", True), ("disable", False)):
        _switch_route(app, word, enabled)
    for word, by in MOVES.items():
        _move_rule_route(app, word, by)
        _move_step_route(app, word, by)

    @app.post(f"{RULE}/delete", include_in_schema=False)
    async def delete_rule(
        request: Request, rule_id: str, csrf_token: Annotated[str, Form()] = ""
    ) -> Response:
        def change(session: Session, user: User) -> str:
            actor = _actor(session, user)
            rule = rules.get_rule(session, actor=actor, user=user, rule_id=rule_id)
            name = rule.name
            rules.delete_rule(session, actor=actor, user=user, rule_id=rule_id)
            return f"Deleted the rule {name}."

        return await apply_change(request, csrf_token, change, anchor=ANCHOR)

    @app.post(f"{RULE}/priorities", include_in_schema=False)
    async def set_priorities(
        request: Request,
        rule_id: str,
        priority: Annotated[list[str] | None, Form()] = None,
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        def change(session: Session, user: User) -> str:
            actor = _actor(session, user)
            criteria = criteria_for(priority or [])
            rule = rules.update_rule(session, actor=actor, user=user, rule_id=rule_id, criteria=criteria)
            return f"The rule {rule.name} is now for {covers(rules.criteria_of(rule))}."

        return await apply_change(request, csrf_token, change, anchor=ANCHOR)

    @app.post(f"{RULE}/steps", include_in_schema=False)
    async def add_step(
        request: Request,
        rule_id: str,
        contact_id: Annotated[str, Form()] = "",
        after: Annotated[str, Form()] = "0",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        def change(session: Session, user: User) -> str:
            actor = _actor(session, user)
            rule = rules.get_rule(session, actor=actor, user=user, rule_id=rule_id)
            steps = [*_specs(session, rule), _step(session, actor, user, contact_id, after)]
            rules.update_rule(session, actor=actor, user=user, rule_id=rule.id, steps=steps)
            return f"Added a step to the rule {rule.name}."

        return await apply_change(request, csrf_token, change, anchor=ANCHOR)

    @app.post(f"{STEP}/remove", include_in_schema=False)
    async def remove_step(
        request: Request, rule_id: str, index: int, csrf_token: Annotated[str, Form()] = ""
    ) -> Response:
        def change(session: Session, user: User) -> str:
            actor = _actor(session, user)
            rule = rules.get_rule(session, actor=actor, user=user, rule_id=rule_id)
            steps = _specs(session, rule)
            _require_step(steps, index)
            if len(steps) == 1:
                raise InvalidInput("steps", "a rule needs at least one step: delete the rule instead")
            del steps[index]
            rules.update_rule(session, actor=actor, user=user, rule_id=rule.id, steps=steps)
            return f"Removed a step from the rule {rule.name}."

        return await apply_change(request, csrf_token, change, anchor=ANCHOR)


def _switch_route(app: FastAPI, word: str, enabled: bool) -> None:
    @app.post(f"{RULE}/{word}", include_in_schema=False, name=f"profile_{word}_rule")
    async def switch(request: Request, rule_id: str, csrf_token: Annotated[str, Form()] = "") -> Response:
        def change(session: Session, user: User) -> str:
            rule = rules.set_rule_enabled(
                session, actor=_actor(session, user), user=user, rule_id=rule_id, enabled=enabled
            )
            return f"{word.capitalize()}d the rule {rule.name}."

        return await apply_change(request, csrf_token, change, anchor=ANCHOR)


def _move_rule_route(app: FastAPI, word: str, by: int) -> None:
    @app.post(f"{RULE}/{word}", include_in_schema=False, name=f"profile_rule_{word}")
    async def move(request: Request, rule_id: str, csrf_token: Annotated[str, Form()] = "") -> Response:
        def change(session: Session, user: User) -> str:
            actor = _actor(session, user)
            rule = rules.get_rule(session, actor=actor, user=user, rule_id=rule_id)
            order = max(0, rule.position + by)
            rules.update_rule(session, actor=actor, user=user, rule_id=rule.id, order=order)
            return f"Moved the rule {rule.name} {word}."

        return await apply_change(request, csrf_token, change, anchor=ANCHOR)


def _move_step_route(app: FastAPI, word: str, by: int) -> None:
    @app.post(f"{STEP}/{word}", include_in_schema=False, name=f"profile_step_{word}")
    async def move(
        request: Request, rule_id: str, index: int, csrf_token: Annotated[str, Form()] = ""
    ) -> Response:
        def change(session: Session, user: User) -> str:
            actor = _actor(session, user)
            rule = rules.get_rule(session, actor=actor, user=user, rule_id=rule_id)
            steps = _specs(session, rule)
            _require_step(steps, index)
            other = index + by
            if 0 <= other < len(steps):
                steps[index], steps[other] = steps[other], steps[index]
                rules.update_rule(session, actor=actor, user=user, rule_id=rule.id, steps=steps)
            return f"Moved a step of the rule {rule.name} {word}."

        return await apply_change(request, csrf_token, change, anchor=ANCHOR)


def _actor(session: Session, user: User) -> Actor:
    return teams.actor_for_user(session, user, channel="web")


def _specs(session: Session, rule: NotificationRule) -> list[rules.StepSpec]:
    return [
        rules.StepSpec(contact.method, contact.address, step.send_after_minutes, step.enabled)
        for step, contact in rules.steps_of(session, rule)
    ]


def _require_step(steps: list[rules.StepSpec], index: int) -> None:
    if not 0 <= index < len(steps):
        raise InvalidInput("steps", "that step is no longer there: the page was out of date, look again")


def _step(session: Session, actor: Actor, user: User, contact_id: str, after: str) -> rules.StepSpec:
    contact = contacts.get_contact(session, actor=actor, user=user, contact_id=contact_id)
    try:
        minutes = int(after.strip() or "0")
    except ValueError:
        raise InvalidInput(
            "sendAfter", f"after must be a whole number of minutes from 0 to {rules.SEND_AFTER_MAX}"
        ) from None
    return rules.StepSpec(contact.method, contact.address, minutes)
