"""REST API under /v2/users/{identifier}: contact methods and notification rules (Opsgenie v2
shapes; mute and quiet hours are in ``availability_api``). Users are named by id or username."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import AfterValidator, Field, StrictBool, StrictInt
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin.accounts.models import User
from tocsin.api.envelope import JSONBody, ok
from tocsin.notify import contact_trial, contacts, rules
from tocsin.notify.models import ContactMethod, NotificationRule
from tocsin.notify.user_routes import Configurer, Payload, done, read_user, write_user

router = APIRouter(prefix="/v2/users", strict_content_type=False)
TIME_UNITS = {"minutes": 1, "hours": 60, "days": 1440}


def _unsupported(value: Any) -> Any:
    """Opsgenie fields Tocsin does not implement: refused rather than silently ignored."""
    harmless = (
        not value
        or (isinstance(value, dict) and value.get("type") == "match-all" and not value.get("conditions"))
        or (isinstance(value, dict) and set(value) <= {"enabled", "loopAfter"} and not value.get("enabled"))
    )
    if not harmless:
        raise ValueError("not supported by Tocsin yet; leave it out")
    return value


Unsupported = Annotated[Any, AfterValidator(_unsupported)]


class ContactPayload(Payload):
    method: str = Field(min_length=1, max_length=16)
    to: str = Field(min_length=1, max_length=contacts.ADDRESS_MAX)


class VerifyPayload(Payload):
    code: str = Field(min_length=1, max_length=16, description="The 6-digit code sent to the contact")


class UpdateContactPayload(Payload):
    to: str = Field(min_length=1, max_length=contacts.ADDRESS_MAX)


class Duration(Payload):
    time_amount: StrictInt = Field(alias="timeAmount", ge=0)
    time_unit: Literal["minutes", "hours", "days"] = Field(default="minutes", alias="timeUnit")


class StepPayload(Payload):
    contact: ContactPayload
    send_after: Duration = Field(default_factory=lambda: Duration(timeAmount=0), alias="sendAfter")
    enabled: StrictBool = True

    def spec(self) -> rules.StepSpec:
        minutes = self.send_after.time_amount * TIME_UNITS[self.send_after.time_unit]
        return rules.StepSpec(self.contact.method, self.contact.to, minutes, self.enabled)


class UpdateRulePayload(Payload):
    name: str | None = Field(default=None, min_length=1, max_length=rules.NAME_MAX)
    notification_time: list[str] | None = Field(default=None, alias="notificationTime")
    steps: list[StepPayload] | None = None
    enabled: StrictBool | None = None
    order: int | None = Field(default=None, ge=0)
    criteria: dict[str, Any] | None = Field(
        default=None, description="Which alerts the rule is for: an Opsgenie filter (match-all when left out)"
    )
    time_restriction: Unsupported = Field(default=None, alias="timeRestriction")
    schedules: Unsupported = None
    repeat: Unsupported = None

    def step_specs(self) -> list[rules.StepSpec] | None:
        return None if self.steps is None else [step.spec() for step in self.steps]


class RulePayload(UpdateRulePayload):
    name: str = Field(min_length=1, max_length=rules.NAME_MAX)
    action_type: str = Field(alias="actionType")
    steps: list[StepPayload] | None = Field(default_factory=list)
    enabled: StrictBool | None = True


def contact_json(contact: ContactMethod) -> dict[str, Any]:
    return {
        "id": contact.id,
        "method": contact.method,
        "to": contact.address,
        "status": {"enabled": contact.enabled, "verified": contact.verified},
    }


def rule_meta(rule: NotificationRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "actionType": rule.action_type,
        "order": rule.position,
        "enabled": rule.enabled,
    }


def rule_json(session: Session, rule: NotificationRule) -> dict[str, Any]:
    data = rule_meta(rule)
    if rule.action_type in rules.SCHEDULE_ACTIONS:
        data["notificationTime"] = rules.notification_time_of(rule)
    data["criteria"] = rules.criteria_of(rule).to_json()
    data["steps"] = [
        {
            "id": step.id,
            "contact": {"method": contact.method, "to": contact.address},
            "sendAfter": {"timeAmount": step.send_after_minutes, "timeUnit": "minutes"},
            "enabled": step.enabled,
        }
        for step, contact in rules.steps_of(session, rule)
    ]
    return data


# Contact methods

CONTACT = "/{identifier}/contacts/{contact_id}"


@router.get("/{identifier}/contacts")
def list_contacts(request: Request, identifier: str, actor: Configurer) -> JSONBody:
    found = read_user(request, identifier, lambda s, user: contacts.list_contacts(s, actor=actor, user=user))
    return ok(request, [{**contact_json(contact), "applyOrder": n} for n, contact in enumerate(found)])


@router.post("/{identifier}/contacts", status_code=201)
async def add_contact(
    request: Request, identifier: str, payload: ContactPayload, actor: Configurer
) -> JSONBody:
    def add(session: Session, user: User) -> str:
        return contacts.add_contact(session, actor=actor, user=user, method=payload.method, to=payload.to).id

    return done(request, "Created", {"id": await write_user(request, identifier, add)}, status=201)


@router.get(CONTACT)
def get_contact(request: Request, identifier: str, contact_id: str, actor: Configurer) -> JSONBody:
    def get(session: Session, user: User) -> ContactMethod:
        return contacts.get_contact(session, actor=actor, user=user, contact_id=contact_id)

    return ok(request, contact_json(read_user(request, identifier, get)))


@router.patch(CONTACT)
async def update_contact(
    request: Request, identifier: str, contact_id: str, payload: UpdateContactPayload, actor: Configurer
) -> JSONBody:
    def update(session: Session, user: User) -> None:
        contacts.update_contact(session, actor=actor, user=user, contact_id=contact_id, to=payload.to)

    await write_user(request, identifier, update)
    return done(request, "Updated", {"id": contact_id})


@router.post(f"{CONTACT}/verify")
async def verify_contact(
    request: Request, identifier: str, contact_id: str, payload: VerifyPayload, actor: Configurer
) -> JSONBody:
    """Verify a phone contact with the code sent to it (Tocsin: phone contacts are used only once
    verified)."""

    def verify(session: Session, user: User) -> dict[str, Any] | Exception:
        contact = contacts.verify(session, actor=actor, user=user, contact_id=contact_id, code=payload.code)
        return contact if isinstance(contact, Exception) else contact_json(contact)

    return done(request, "Verified", await write_user(request, identifier, verify))


@router.post(f"{CONTACT}/verification-code", status_code=202)
async def send_verification_code(
    request: Request, identifier: str, contact_id: str, actor: Configurer
) -> JSONBody:
    """Send a new verification code to a phone contact (at most once a minute)."""

    def send(session: Session, user: User) -> None:
        contacts.send_verification_code(session, actor=actor, user=user, contact_id=contact_id)

    await write_user(request, identifier, send)
    return done(request, "A new code is on its way", {"id": contact_id}, status=202)


@router.post(f"{CONTACT}/test", status_code=202)
async def send_test_notification(
    request: Request, identifier: str, contact_id: str, actor: Configurer
) -> JSONBody:
    """Send a test notification to the contact (ntfy push, for now), through its channel."""
    available = contact_trial.testable_methods(request.app.state.settings)

    def send(session: Session, user: User) -> None:
        contact_trial.send_test_notification(
            session, actor=actor, user=user, contact_id=contact_id, available=available
        )

    await write_user(request, identifier, send)
    return done(request, "A test notification is on its way", {"id": contact_id}, status=202)


@router.delete(CONTACT)
async def delete_contact(request: Request, identifier: str, contact_id: str, actor: Configurer) -> JSONBody:
    def delete(session: Session, user: User) -> None:
        contacts.delete_contact(session, actor=actor, user=user, contact_id=contact_id)

    await write_user(request, identifier, delete)
    return done(request, "Deleted")


# Notification rules

RULE = "/{identifier}/notification-rules/{rule_id}"


@router.get("/{identifier}/notification-rules")
def list_rules(request: Request, identifier: str, actor: Configurer) -> JSONBody:
    found = read_user(request, identifier, lambda s, user: rules.list_rules(s, actor=actor, user=user))
    return ok(request, [rule_meta(rule) for rule in found])


@router.post("/{identifier}/notification-rules", status_code=201)
async def create_rule(request: Request, identifier: str, payload: RulePayload, actor: Configurer) -> JSONBody:
    def create(session: Session, user: User) -> dict[str, Any]:
        rule = rules.create_rule(
            session,
            actor=actor,
            user=user,
            name=payload.name,
            action_type=payload.action_type,
            steps=payload.step_specs() or [],
            notification_time=payload.notification_time,
            enabled=payload.enabled is not False,
            order=payload.order,
            criteria=payload.criteria,
        )
        return rule_meta(rule)

    return done(request, "Created", await write_user(request, identifier, create), status=201)


@router.get(RULE)
def get_rule(request: Request, identifier: str, rule_id: str, actor: Configurer) -> JSONBody:
    def get(session: Session, user: User) -> dict[str, Any]:
        return rule_json(session, rules.get_rule(session, actor=actor, user=user, rule_id=rule_id))

    return ok(request, read_user(request, identifier, get))


@router.patch(RULE)
async def update_rule(
    request: Request, identifier: str, rule_id: str, payload: UpdateRulePayload, actor: Configurer
) -> JSONBody:
    def update(session: Session, user: User) -> dict[str, Any]:
        rule = rules.update_rule(
            session,
            actor=actor,
            user=user,
            rule_id=rule_id,
            name=payload.name,
            notification_time=payload.notification_time,
            steps=payload.step_specs(),
            enabled=payload.enabled,
            order=payload.order,
            criteria=payload.criteria,
        )
        return rule_meta(rule)

    return done(request, "Updated", await write_user(request, identifier, update))


@router.delete(RULE)
async def delete_rule(request: Request, identifier: str, rule_id: str, actor: Configurer) -> JSONBody:
    def delete(session: Session, user: User) -> None:
        rules.delete_rule(session, actor=actor, user=user, rule_id=rule_id)

    await write_user(request, identifier, delete)
    return done(request, "Deleted")


def _switch_routes(enabled: bool) -> None:
    """POST …/contacts/{id}/enable|disable and …/notification-rules/{id}/enable|disable."""
    word, result = ("enable", "Enabled") if enabled else ("disable", "Disabled")

    @router.post(f"{CONTACT}/{word}", name=f"{word}_contact")
    async def switch_contact(
        request: Request, identifier: str, contact_id: str, actor: Configurer
    ) -> JSONBody:
        def switch(session: Session, user: User) -> None:
            contacts.set_contact_enabled(
                session, actor=actor, user=user, contact_id=contact_id, enabled=enabled
            )

        await write_user(request, identifier, switch)
        return done(request, result, {"id": contact_id})

    @router.post(f"{RULE}/{word}", name=f"{word}_rule")
    async def switch_rule(request: Request, identifier: str, rule_id: str, actor: Configurer) -> JSONBody:
        def switch(session: Session, user: User) -> dict[str, Any]:
            changed = rules.set_rule_enabled(
                session, actor=actor, user=user, rule_id=rule_id, enabled=enabled
            )
            return rule_meta(changed)

        return done(request, result, await write_user(request, identifier, switch))


_switch_routes(True)
_switch_routes(False)
