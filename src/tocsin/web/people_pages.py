"""People: the list of users (name, e-mail, role, teams, state), searchable by name, and a
person's page. Administrators invite people (the account and a one-time set-password link,
shown once and e-mailed where SMTP is set up), change roles, deactivate and reactivate people,
and make a new link for someone who has none or lost it; the service functions the API calls
decide who may (only owners touch owners; the last active owner stays one)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import FastAPI, Form
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response

from tocsin.accounts import password_links
from tocsin.accounts import service as accounts
from tocsin.accounts.models import USER_ROLES, User
from tocsin.actors import Actor
from tocsin.config import Settings
from tocsin.errors import Conflict
from tocsin.people import invite_mail
from tocsin.people import service as people
from tocsin.teams import service as teams
from tocsin.web.admin_forms import carry_out, sender
from tocsin.web.moments import when
from tocsin.web.pages import db, flash, flashed, redirect, render, signed_in_user, to_login

LINK = "people_link"
"""A set-password link just made, shown once on the person's page."""
SHOWN = 200
Form_ = Annotated[str, Form()]
PersonChange = Callable[[Session, Actor, User, str], object]
"""A change a form on a person's page makes: (session, actor, person, the form's role)."""


def install(app: FastAPI, settings: Settings) -> None:
    @app.get("/people", include_in_schema=False)
    def people_list(request: Request, q: str = "") -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        return people_page(request, user, q=q, notice=flashed(request))

    @app.post("/people", include_in_schema=False)
    async def invite(
        request: Request,
        username: Form_ = "",
        full_name: Form_ = "",
        role: Form_ = "user",
        team_id: Form_ = "",
        csrf_token: Form_ = "",
    ) -> Response:
        entered = {"username": username, "full_name": full_name, "role": role, "team_id": team_id}

        def show(viewer: User, status: int, error: str) -> Response:
            return people_page(request, viewer, status=status, error=error, entered=entered)

        user = await sender(request, csrf_token, show)
        if isinstance(user, Response):
            return user
        # Owners keep their password even where everyone else signs in with single sign-on.
        with_link = settings.password_login or role.strip().lower() == "owner"

        def create(session: Session) -> tuple[str, str, str]:
            actor = teams.actor_for_user(session, user, channel="web")
            person = people.create_user(
                session, actor=actor, username=username, role=role, password=None, full_name=full_name
            )
            if team_id:
                team = teams.get_team(session, team_id=team_id)
                teams.add_member(session, team=team, user=person, role="user", actor=actor)
            token = password_links.issue_link(session, actor=actor, user=person) if with_link else ""
            return person.id, person.username, token

        done = await carry_out(request, user, create, lambda status, error: show(user, status, error))
        if isinstance(done, Response):
            return done
        person_id, person_name, token = done
        return _with_link(request, settings, user, person_id, person_name, token, invited=True)

    @app.get("/people/{person_id}", include_in_schema=False)
    def person(request: Request, person_id: str) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        link = request.session.pop(LINK, None)
        shown = link["url"] if isinstance(link, dict) and link.get("person") == person_id else ""
        return person_page(request, user, person_id, notice=flashed(request), link=shown)

    def person_form(path: str, notice: str, change: PersonChange) -> None:
        """A form on the person's page: ``change(session, actor, person, form)`` does it."""

        @app.post(f"/people/{{person_id}}/{path}", include_in_schema=False)
        async def post(
            request: Request, person_id: str, role: Form_ = "", csrf_token: Form_ = ""
        ) -> Response:
            def show(viewer: User, status: int, error: str) -> Response:
                return person_page(request, viewer, person_id, status=status, error=error)

            user = await sender(request, csrf_token, show)
            if isinstance(user, Response):
                return user

            def act(session: Session) -> str:
                actor = teams.actor_for_user(session, user, channel="web")
                found = accounts.get_user_by_identifier(session, person_id)
                change(session, actor, found, role)
                return found.username

            done = await carry_out(request, user, act, lambda status, error: show(user, status, error))
            if isinstance(done, Response):
                return done
            flash(request, notice.format(person=done, role=role.strip().lower()))
            return redirect(request, f"/people/{person_id}")

    person_form(
        "role",
        "{person} is now {role}.",
        lambda session, actor, person, role: accounts.update_user(
            session, actor=actor, user=person, role=role
        ),
    )
    person_form(
        "deactivate",
        "{person} is deactivated: they cannot sign in and are not notified.",
        lambda session, actor, person, _: accounts.set_active(
            session, actor=actor, user=person, active=False
        ),
    )
    person_form(
        "reactivate",
        "{person} is active again.",
        lambda session, actor, person, _: accounts.set_active(session, actor=actor, user=person, active=True),
    )

    @app.post("/people/{person_id}/password-link", include_in_schema=False)
    async def new_link(request: Request, person_id: str, csrf_token: Form_ = "") -> Response:
        def show(viewer: User, status: int, error: str) -> Response:
            return person_page(request, viewer, person_id, status=status, error=error)

        user = await sender(request, csrf_token, show)
        if isinstance(user, Response):
            return user

        def issue(session: Session) -> tuple[str, str]:
            actor = teams.actor_for_user(session, user, channel="web")
            found = accounts.get_user_by_identifier(session, person_id)
            if not settings.password_login and found.role != "owner":
                raise Conflict(NO_PASSWORDS)
            return found.username, password_links.issue_link(session, actor=actor, user=found)

        done = await carry_out(request, user, issue, lambda status, error: show(user, status, error))
        if isinstance(done, Response):
            return done
        return _with_link(request, settings, user, person_id, done[0], done[1], invited=False)


NO_PASSWORDS = (
    "Password sign-in is off on this server (TOCSIN_PASSWORD_LOGIN): people sign in with single sign-on."
)


def _with_link(
    request: Request,
    settings: Settings,
    user: User,
    person_id: str,
    person: str,
    token: str,
    *,
    invited: bool,
) -> Response:
    """To the person's page, which shows the new link once; the e-mail goes after the answer."""
    response = redirect(request, f"/people/{person_id}")
    if not token:
        flash(request, f"Invited {person}: they sign in with single sign-on.")
        return response
    url = password_links.link_url(settings.base_url, token)
    request.session[LINK] = {"person": person_id, "url": url}
    mailed = f" An e-mail with it is on its way to {person}." if settings.smtp_host else ""
    made = f"Invited {person}." if invited else f"A new set-password link for {person} is ready."
    flash(request, f"{made}{mailed}")
    if settings.smtp_host:
        response.background = BackgroundTask(
            invite_mail.send_password_link,
            settings,
            to=person,
            url=url,
            made_by=user.username,
            invited=invited,
        )
    return response


def _state(person: User, pending: set[str], passwords: bool) -> str:
    if not person.is_active:
        return "Deactivated"
    if person.password_hash is None and (passwords or person.role == "owner"):
        return "Invited: link open" if person.id in pending else "No password yet"
    return "Active"


def _team_names(session: Session, user_ids: list[str]) -> dict[str, list[str]]:
    found = teams.list_teams(session)
    members = teams.members_by_team(session, [team.id for team in found])
    names: dict[str, list[str]] = {user_id: [] for user_id in user_ids}
    for team in found:
        for user_id in members[team.id]:
            if user_id in names:
                names[user_id].append(team.name)
    return names


def assignable_roles(session: Session, actor: Actor) -> list[str]:
    """The roles the viewer may give: an owner's say is needed for "owner"."""
    if not actor.manages.everything:
        return []
    acting = session.get(User, actor.user_id) if actor.user_id else None
    return [role for role in USER_ROLES if role != "owner" or (acting is not None and acting.role == "owner")]


def people_page(
    request: Request,
    viewer: User,
    *,
    q: str = "",
    status: int = 200,
    notice: str = "",
    error: str = "",
    entered: dict[str, str] | None = None,
) -> Response:
    passwords = request.app.state.settings.password_login
    with db(request).read_session() as session:
        actor = teams.actor_for_user(session, viewer, channel="web")
        found, total = accounts.find_people(session, name_contains=q, limit=SHOWN)
        ids = [person.id for person in found]
        team_names = _team_names(session, ids)
        pending = password_links.has_pending_link(session, ids)
        rows = [
            {
                "id": person.id,
                "username": person.username,
                "full_name": person.full_name,
                "role": person.role,
                "teams": team_names[person.id],
                "state": _state(person, pending, passwords),
                "active": person.is_active,
            }
            for person in found
        ]
        roles = assignable_roles(session, actor)
        team_choices = [{"id": team.id, "name": team.name} for team in teams.list_teams(session)]
    return render(
        request,
        "people.html",
        status,
        user=viewer,
        people=rows,
        total=total,
        q=q,
        roles=roles,
        team_choices=team_choices,
        notice=notice,
        error=error,
        entered=entered or {"role": "user"},
    )


def person_page(
    request: Request,
    viewer: User,
    person_id: str,
    *,
    status: int = 200,
    notice: str = "",
    error: str = "",
    link: str = "",
) -> Response:
    passwords = request.app.state.settings.password_login
    with db(request).read_session() as session:
        person = accounts.find_user_by_identifier(session, person_id)
        if person is None:
            return render(request, "person.html", 404, user=viewer, person=None)
        actor = teams.actor_for_user(session, viewer, channel="web")
        roles = assignable_roles(session, actor)
        owner_say = "owner" in roles
        may_change = bool(roles) and (person.role != "owner" or owner_say)
        member_of = teams.team_ids_of_user(session, person.id)
        memberships = [
            {"id": team.id, "name": team.name, "role": role}
            for team in teams.list_teams(session)
            if team.id in member_of
            for member, role in teams.members_of(session, team.id)
            if member.id == person.id
        ]
        view = {
            "id": person.id,
            "username": person.username,
            "full_name": person.full_name,
            "role": person.role,
            "time_zone": person.time_zone,
            "created": when(person.created_at, viewer),
            "state": _state(person, password_links.has_pending_link(session, [person.id]), passwords),
            "active": person.is_active,
            "deactivated": when(person.deactivated_at, viewer),
        }
    return render(
        request,
        "person.html",
        status,
        user=viewer,
        person=view,
        memberships=memberships,
        roles=roles if may_change else [],
        may_change=may_change,
        may_deactivate=may_change and person.id != viewer.id,
        may_link=may_change and person.is_active and (passwords or view["role"] == "owner"),
        notice=notice,
        error=error,
        link=link,
    )
