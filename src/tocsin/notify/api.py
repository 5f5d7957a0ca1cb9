"""REST API under /v2/users/{identifier}: contact methods and notification rules (Opsgenie v2
shapes), and mute and quiet hours (Tocsin extensions). Users are named by id or username."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.alerts.json_views import iso
from tocsin.api.auth import configuration
from tocsin.api.envelope import JSONBody, body, ok
from tocsin.db import Database
from tocsin.notify import contact_trial, contacts, mute, quiet_hours, rules
from tocsin.notify.models import ContactMethod, NotificationRule
from tocsin.teams import service as teams

router = APIRouter(prefix="/v2/users", strict_content_type=False)
Configurer = Annotated[Actor, Depends(configuration)]
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


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


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
    criteria: Unsupported = None
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


class MutePayload(Payload):
    minutes: StrictInt = mute.DEFAULT_MINUTES


def _read(request: Request, identifier: str, read: Callable[[Session, User], Any]) -> Any:
    """``read`` with the user named by ``identifier`` (id or username), in a read transaction."""
    db: Database = request.app.state.db
    with db.read_session() as session:
        return read(session, accounts.get_user_by_identifier(session, identifier))


async def _write(request: Request, identifier: str, change: Callable[[Session, User], Any]) -> Any:
    """``change`` with the user named by ``identifier``, through the write queue."""

    def job(session: Session) -> Any:
        return change(session, accounts.get_user_by_identifier(session, identifier))

    return await request.app.state.writer.run(job)


def _done(request: Request, result: str, data: Any = None, status: int = 200) -> JSONBody:
    fields = {"result": result} if data is None else {"result": result, "data": data}
    return JSONBody(body(request, **fields), status_code=status)


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
    found = _read(request, identifier, lambda s, user: contacts.list_contacts(s, actor=actor, user=user))
    return ok(request, [{**contact_json(contact), "applyOrder": n} for n, contact in enumerate(found)])


@router.post("/{identifier}/contacts", status_code=201)
async def add_contact(
    request: Request, identifier: str, payload: ContactPayload, actor: Configurer
) -> JSONBody:
    def add(session: Session, user: User) -> str:
        return contacts.add_contact(session, actor=actor, user=user, method=payload.method, to=payload.to).id

    return _done(request, "Created", {"id": await _write(request, identifier, add)}, status=201)


@router.get(CONTACT)
def get_contact(request: Request, identifier: str, contact_id: str, actor: Configurer) -> JSONBody:
    def get(session: Session, user: User) -> ContactMethod:
        return contacts.get_contact(session, actor=actor, user=user, contact_id=contact_id)

    return ok(request, contact_json(_read(request, identifier, get)))


@router.patch(CONTACT)
async def update_contact(
    request: Request, identifier: str, contact_id: str, payload: UpdateContactPayload, actor: Configurer
) -> JSONBody:
    def update(session: Session, user: User) -> None:
        contacts.update_contact(session, actor=actor, user=user, contact_id=contact_id, to=payload.to)

    await _write(request, identifier, update)
    return _done(request, "Updated", {"id": contact_id})


@router.post(f"{CONTACT}/verify")
async def verify_contact(
    request: Request, identifier: str, contact_id: str, payload: VerifyPayload, actor: Configurer
) -> JSONBody:
    """Verify a phone contact with the code sent to it (Tocsin: phone contacts are used only once
    verified)."""

    def verify(session: Session, user: User) -> dict[str, Any] | Exception:
        contact = contacts.verify(session, actor=actor, user=user, contact_id=contact_id, code=payload.code)
        return contact if isinstance(contact, Exception) else contact_json(contact)

    return _done(request, "Verified", await _write(request, identifier, verify))


@router.post(f"{CONTACT}/verification-code", status_code=202)
async def send_verification_code(
    request: Request, identifier: str, contact_id: str, actor: Configurer
) -> JSONBody:
    """Send a new verification code to a phone contact (at most once a minute)."""

    def send(session: Session, user: User) -> None:
        contacts.send_verification_code(session, actor=actor, user=user, contact_id=contact_id)

    await _write(request, identifier, send)
    return _done(request, "A new code is on its way", {"id": contact_id}, status=202)


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

    await _write(request, identifier, send)
    return _done(request, "A test notification is on its way", {"id": contact_id}, status=202)


@router.delete(CONTACT)
async def delete_contact(request: Request, identifier: str, contact_id: str, actor: Configurer) -> JSONBody:
    def delete(session: Session, user: User) -> None:
        contacts.delete_contact(session, actor=actor, user=user, contact_id=contact_id)

    await _write(request, identifier, delete)
    return _done(request, "Deleted")


# Notification rules

RULE = "/{identifier}/notification-rules/{rule_id}"


@router.get("/{identifier}/notification-rules")
def list_rules(request: Request, identifier: str, actor: Configurer) -> JSONBody:
    found = _read(request, identifier, lambda s, user: rules.list_rules(s, actor=actor, user=user))
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
        )
        return rule_meta(rule)

    return _done(request, "Created", await _write(request, identifier, create), status=201)


@router.get(RULE)
def get_rule(request: Request, identifier: str, rule_id: str, actor: Configurer) -> JSONBody:
    def get(session: Session, user: User) -> dict[str, Any]:
        return rule_json(session, rules.get_rule(session, actor=actor, user=user, rule_id=rule_id))

    return ok(request, _read(request, identifier, get))


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
        )
        return rule_meta(rule)

    return _done(request, "Updated", await _write(request, identifier, update))


@router.delete(RULE)
async def delete_rule(request: Request, identifier: str, rule_id: str, actor: Configurer) -> JSONBody:
    def delete(session: Session, user: User) -> None:
        rules.delete_rule(session, actor=actor, user=user, rule_id=rule_id)

    await _write(request, identifier, delete)
    return _done(request, "Deleted")


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

        await _write(request, identifier, switch)
        return _done(request, result, {"id": contact_id})

    @router.post(f"{RULE}/{word}", name=f"{word}_rule")
    async def switch_rule(request: Request, identifier: str, rule_id: str, actor: Configurer) -> JSONBody:
        def switch(session: Session, user: User) -> dict[str, Any]:
            changed = rules.set_rule_enabled(
                session, actor=actor, user=user, rule_id=rule_id, enabled=enabled
            )
            return rule_meta(changed)

        return _done(request, result, await _write(request, identifier, switch))


_switch_routes(True)
_switch_routes(False)


# Mute (Tocsin extension)


@router.post("/{identifier}/mute")
async def mute_user(
    request: Request, identifier: str, actor: Configurer, payload: MutePayload | None = None
) -> JSONBody:
    minutes = payload.minutes if payload is not None else mute.DEFAULT_MINUTES

    def change(session: Session, user: User) -> str | None:
        return iso(mute.mute(session, actor=actor, user=user, minutes=minutes))

    return _done(request, "Muted", {"mutedUntil": await _write(request, identifier, change)})


@router.delete("/{identifier}/mute")
async def unmute_user(request: Request, identifier: str, actor: Configurer) -> JSONBody:
    await _write(request, identifier, lambda session, user: mute.unmute(session, actor=actor, user=user))
    return _done(request, "Unmuted", {"mutedUntil": None})


# Quiet hours (Tocsin extension)


class QuietHoursPayload(Payload):
    start: str = Field(min_length=1, max_length=5, description="Local time of day, HH:MM")
    end: str = Field(min_length=1, max_length=5, description="Local time of day, HH:MM")


def quiet_hours_json(user: User) -> dict[str, Any]:
    if not user.quiet_start or not user.quiet_end:
        return {"enabled": False, "timeZone": user.time_zone}
    return {"enabled": True, "start": user.quiet_start, "end": user.quiet_end, "timeZone": user.time_zone}


@router.get("/{identifier}/quiet-hours")
def get_quiet_hours(request: Request, identifier: str, actor: Configurer) -> JSONBody:
    def read(session: Session, user: User) -> dict[str, Any]:
        teams.require_to_manage_person(session, actor, user, what="the quiet hours")
        return quiet_hours_json(user)

    return ok(request, _read(request, identifier, read))


@router.put("/{identifier}/quiet-hours")
async def set_quiet_hours(
    request: Request, identifier: str, payload: QuietHoursPayload, actor: Configurer
) -> JSONBody:
    def change(session: Session, user: User) -> dict[str, Any]:
        changed = quiet_hours.set_quiet_hours(
            session, actor=actor, user=user, start=payload.start, end=payload.end
        )
        return quiet_hours_json(changed)

    return _done(request, "Updated", await _write(request, identifier, change))


@router.delete("/{identifier}/quiet-hours")
async def clear_quiet_hours(request: Request, identifier: str, actor: Configurer) -> JSONBody:
    def change(session: Session, user: User) -> dict[str, Any]:
        quiet_hours.clear_quiet_hours(session, actor=actor, user=user)
        return quiet_hours_json(user)

    return _done(request, "Cleared", await _write(request, identifier, change))
