"""The rotation editor: adding a rotation to a schedule, changing one and deleting one (after a
confirmation), for those who may configure the schedule, through the service functions the API
calls. Preview shows, saving nothing, the rotation's next two weeks and who would be on call in
the schedule; a form that is refused comes back with the message next to what to fix and nothing
stored. Every save ends on the schedule's page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tocsin import clock
from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.config import Settings
from tocsin.errors import Conflict, InvalidInput, NotFound, PermissionDenied, ServerBusy
from tocsin.oncall import service as oncall
from tocsin.oncall.lookup import require_to_change
from tocsin.oncall.restrictions import DAYS
from tocsin.oncall.wallclock import zone_named
from tocsin.teams import service as teams
from tocsin.web import csrf
from tocsin.web.admin_forms import sentence
from tocsin.web.pages import db, flash, redirect, render, signed_in_user, to_login, try_later
from tocsin.web.rotation_form import (
    GAP,
    RESTRICTIONS,
    TYPE_LABELS,
    RotationSubmitted,
    error_place,
    preview_end,
    preview_start,
    stored_form,
)
from tocsin.web.rotation_preview import preview_view
from tocsin.web.schedule_svg import row_bars, row_height

NOT_YOURS = "There is no such schedule or rotation, or it is not yours to see."
EXPIRED = "Your session expired; open the rotation again and try again. Nothing was saved."
PEOPLE_SHOWN = 500


@dataclass
class Editing:
    """The schedule (and rotation) a form is about, as the page shows them."""

    schedule_id: str
    schedule_name: str
    zone: ZoneInfo
    team: str | None
    rotation_id: str | None = None
    rotation_name: str = ""
    people: list[tuple[str, str]] = field(default_factory=list)
    """Who can be added: (user id, label)."""

    @property
    def names(self) -> dict[str, str]:
        return dict(self.people)

    @property
    def action(self) -> str:
        base = f"/schedules/{self.schedule_id}/rotations"
        return f"{base}/{self.rotation_id}" if self.rotation_id else f"{base}/new"


class Refusal(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _label(person: User) -> str:
    return f"{person.full_name} ({person.username})" if person.full_name else person.username


def editing(session: Session, user: User, schedule_id: str, rotation_id: str | None) -> Editing:
    """What ``user`` edits, or a Refusal: 404 for what they may not see, 403 for what they may
    see but not change."""
    actor = teams.actor_for_user(session, user, channel="web")
    schedule = oncall.find_schedule(session, schedule_id)
    if schedule is None or not oncall.may_see(actor, schedule):
        raise Refusal(404, NOT_YOURS)
    try:
        require_to_change(actor, schedule)
    except PermissionDenied as refusal:
        raise Refusal(403, sentence(refusal.message)) from None
    found = None
    if rotation_id is not None:
        try:
            found = oncall.get_rotation(session, schedule.id, rotation_id)
        except NotFound:
            raise Refusal(404, NOT_YOURS) from None
    team = teams.find_team(session, team_id=schedule.owner_team_id) if schedule.owner_team_id else None
    people, _ = accounts.find_people(session, limit=PEOPLE_SHOWN)
    return Editing(
        schedule_id=schedule.id,
        schedule_name=schedule.name,
        zone=zone_named(schedule.timezone),
        team=team.name if team else None,
        rotation_id=found.id if found else None,
        rotation_name=found.name if found else "",
        people=[(person.id, _label(person)) for person in people if person.is_active],
    )


def _participants(session: Session, form: RotationSubmitted, known: dict[str, str]) -> list[dict[str, str]]:
    """The form's participants with their names (an id not among the people offered is looked up,
    or shown as it is: the service will refuse it)."""
    shown = []
    for person in form.participant:
        label = "No one (a gap)" if person == GAP else known.get(person)
        if label is None:
            user = accounts.find_user_by_id(session, person) if person else None
            label = _label(user) if user else f"unknown person {person!r}"
        shown.append({"id": person, "label": label})
    return shown


def editor_page(
    request: Request,
    user: User,
    target: Editing,
    form: RotationSubmitted,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    focus: str = "",
    preview: dict[str, Any] | None = None,
) -> Response:
    with db(request).read_session() as session:
        participants = _participants(session, form, target.names)
    return render(
        request,
        "rotation_edit.html",
        status,
        user=user,
        target=target,
        zone=target.zone.key,
        form=form,
        rows=form.windows(),
        participants=participants,
        errors=errors or {},
        focus=focus,
        preview=preview,
        row_bars=row_bars,
        row_height=row_height,
        types=TYPE_LABELS,
        restrictions=RESTRICTIONS,
        days=DAYS,
        gap=GAP,
    )


def _refused(request: Request, user: User, refusal: Refusal) -> Response:
    return render(
        request, "rotation_refused.html", refusal.status, user=user, message=refusal.message,
        status_not_found=refusal.status == 404,
    )  # fmt: skip


def _preview(request: Request, user: User, target: Editing, form: RotationSubmitted) -> dict[str, Any]:
    start = preview_start(form, target.zone, clock.now())
    end = preview_end(start, target.zone)
    with db(request).read_session() as session:
        actor = teams.actor_for_user(session, user, channel="web")
        found = oncall.preview_rotation(
            session,
            actor=actor,
            schedule_id=target.schedule_id,
            rotation=form.rotation(target.zone),
            start=start,
            end=end,
            replacing=target.rotation_id,
        )
        user_ids = {s.user_id for s in found.rotation_shifts} | {u for s in found.on_call for u in s.user_ids}
        names = target.names | {
            person.id: _label(person)
            for person in (accounts.find_user_by_id(session, i) for i in user_ids - target.names.keys())
            if person is not None
        }
    return preview_view(found, names, target.zone, user, start, end)


def _save(session: Session, user: User, target: Editing, form: RotationSubmitted) -> str:
    actor = teams.actor_for_user(session, user, channel="web")
    if target.rotation_id is None:
        made = oncall.add_rotation(
            session, actor=actor, schedule_id=target.schedule_id, rotation=form.rotation(target.zone)
        )
        return f"Rotation {made.name} added."
    changed = oncall.update_rotation(
        session,
        actor=actor,
        schedule_id=target.schedule_id,
        rotation_id=target.rotation_id,
        changes=form.changes(target.zone),
    )
    return f"Rotation {changed.name} saved."


async def submit(
    request: Request, schedule_id: str, rotation_id: str | None, form: RotationSubmitted
) -> Response:
    """Rearrange, preview or save the form."""
    sent = await _sender(request, schedule_id, rotation_id, form.csrf_token)
    if isinstance(sent, Response):
        return sent
    user, target = sent
    if form.rearranging:
        arranged, focus = form.rearranged()
        return await run_in_threadpool(editor_page, request, user, target, arranged, focus=focus)
    try:
        if form.preview:
            shown = await run_in_threadpool(_preview, request, user, target, form)
            return await run_in_threadpool(
                editor_page, request, user, target, form, preview=shown, focus="preview"
            )
        notice = await request.app.state.writer.run(lambda session: _save(session, user, target, form))
    except (InvalidInput, Conflict) as problem:
        errors = {error_place(problem): sentence(problem.message)}
        return await run_in_threadpool(editor_page, request, user, target, form, status=422, errors=errors)
    except PermissionDenied as refusal:
        return _refused(request, user, Refusal(403, sentence(refusal.message)))
    except NotFound:
        return _refused(request, user, Refusal(404, NOT_YOURS))
    except ServerBusy as busy:
        return try_later(
            busy,
            lambda status, error: editor_page(
                request, user, target, form, status=status, errors={"form": error}
            ),
        )
    flash(request, notice)
    return redirect(request, f"/schedules/{schedule_id}")


async def _sender(
    request: Request, schedule_id: str, rotation_id: str | None, csrf_token: str
) -> tuple[User, Editing] | Response:
    """Who sent a form and what it is about; or the answer when no one is signed in, they may
    not change the schedule, or the form's token is not right (nothing is changed)."""
    user = await run_in_threadpool(signed_in_user, request)
    if user is None:
        return to_login(request)
    try:
        target = await run_in_threadpool(_target, request, user, schedule_id, rotation_id)
    except Refusal as refusal:
        return _refused(request, user, refusal)
    if not csrf.is_valid(request, csrf_token):
        return _refused(request, user, Refusal(400, EXPIRED))
    return user, target


def _target(request: Request, user: User, schedule_id: str, rotation_id: str | None) -> Editing:
    with db(request).read_session() as session:
        return editing(session, user, schedule_id, rotation_id)


def show_editor(request: Request, schedule_id: str, rotation_id: str | None) -> Response:
    user = signed_in_user(request)
    if user is None:
        return to_login(request)
    with db(request).read_session() as session:
        try:
            target = editing(session, user, schedule_id, rotation_id)
        except Refusal as refusal:
            return _refused(request, user, refusal)
        if rotation_id is None:
            form = RotationSubmitted(
                participant=[], start_date=clock.now().astimezone(target.zone).date().isoformat()
            )
        else:
            rotation = oncall.get_rotation(session, schedule_id, rotation_id)
            form = stored_form(
                rotation, oncall.participants_of(session, [rotation_id])[rotation_id], target.zone
            )
    return editor_page(request, user, target, form)


def install(app: FastAPI, settings: Settings) -> None:
    @app.get("/schedules/{schedule_id}/rotations/new", include_in_schema=False)
    def new_rotation(request: Request, schedule_id: str) -> Response:
        return show_editor(request, schedule_id, None)

    @app.post("/schedules/{schedule_id}/rotations/new", include_in_schema=False)
    async def add_rotation(
        request: Request, schedule_id: str, form: Annotated[RotationSubmitted, Form()]
    ) -> Response:
        return await submit(request, schedule_id, None, form)

    @app.get("/schedules/{schedule_id}/rotations/{rotation_id}", include_in_schema=False)
    def rotation(request: Request, schedule_id: str, rotation_id: str) -> Response:
        return show_editor(request, schedule_id, rotation_id)

    @app.post("/schedules/{schedule_id}/rotations/{rotation_id}", include_in_schema=False)
    async def change_rotation(
        request: Request, schedule_id: str, rotation_id: str, form: Annotated[RotationSubmitted, Form()]
    ) -> Response:
        return await submit(request, schedule_id, rotation_id, form)

    @app.get("/schedules/{schedule_id}/rotations/{rotation_id}/delete", include_in_schema=False)
    def confirm_delete(request: Request, schedule_id: str, rotation_id: str) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        try:
            target = _target(request, user, schedule_id, rotation_id)
        except Refusal as refusal:
            return _refused(request, user, refusal)
        return render(request, "rotation_delete.html", user=user, target=target)

    @app.post("/schedules/{schedule_id}/rotations/{rotation_id}/delete", include_in_schema=False)
    async def delete_rotation(
        request: Request, schedule_id: str, rotation_id: str, csrf_token: Annotated[str, Form()] = ""
    ) -> Response:
        sent = await _sender(request, schedule_id, rotation_id, csrf_token)
        if isinstance(sent, Response):
            return sent
        user, target = sent

        def remove(session: Session) -> None:
            actor = teams.actor_for_user(session, user, channel="web")
            oncall.delete_rotation(session, actor=actor, schedule_id=schedule_id, rotation_id=rotation_id)

        try:
            await request.app.state.writer.run(remove)
        except PermissionDenied as refusal:
            return _refused(request, user, Refusal(403, sentence(refusal.message)))
        except NotFound:
            return _refused(request, user, Refusal(404, NOT_YOURS))
        except ServerBusy as busy:
            return try_later(busy, lambda status, error: _refused(request, user, Refusal(status, error)))
        flash(request, f"Rotation {target.rotation_name} deleted.")
        return redirect(request, f"/schedules/{schedule_id}")
