"""Teams and memberships."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts import account_settings, web_sessions
from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.actors import EVERYTHING, SYSTEM, Actor, Scope, require_to_manage
from tocsin.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tocsin.names import name_key
from tocsin.teams import deletion
from tocsin.teams.models import MEMBER_ROLES, Team, TeamMember

DESCRIPTION_MAX = 10000


def create_team(
    session: Session,
    *,
    name: str,
    description: str = "",
    members: Iterable[tuple[str, str]] = (),
    actor: Actor = SYSTEM,
) -> Team:
    """``members`` are (user id or username, role) pairs; every user must exist already."""
    require_to_manage(actor, None, what="teams")
    name = _check_name(session, name)
    team = Team(name=name, description=_check_description(description), created_at=clock.now())
    session.add(team)
    session.flush()
    _add_members(session, team, members)
    return team


def update_team(
    session: Session,
    *,
    actor: Actor,
    team: Team,
    name: str | None = None,
    description: str | None = None,
    members: Iterable[tuple[str, str]] | None = None,
) -> Team:
    """Change what is given; ``members`` replaces the whole member list."""
    require_to_manage(actor, team.id, what=f"team {team.name}")
    if name is not None and name.strip() != team.name:
        team.name = _check_name(session, name, renaming=team)
    if description is not None:
        team.description = _check_description(description)
    if members is not None:
        members = list(members)
        current = session.scalars(select(TeamMember).where(TeamMember.team_id == team.id)).all()
        kept = {member.user_id for member in _add_members(session, team, members)}
        for member in current:
            if member.user_id not in kept:
                session.delete(member)
    session.flush()
    return team


def delete_team(session: Session, *, actor: Actor, team: Team) -> None:
    """Delete a team and its memberships; refused while integrations or heartbeats belong to it or
    escalation rules of other teams name it (those cannot follow it away): ``deletion``."""
    require_to_manage(actor, team.id, what=f"team {team.name}")
    found = deletion.blockers(session, team)
    if found:
        raise Conflict("; ".join(found))
    session.delete(team)
    session.flush()


def _check_name(session: Session, name: str, *, renaming: Team | None = None) -> str:
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("name", "team name must be 1 to 100 characters")
    existing = find_team(session, name=name)
    if existing is not None and existing is not renaming:
        raise Conflict(f"team {existing.name} already exists")
    return name


def _check_description(description: str) -> str:
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput("description", f"description must be at most {DESCRIPTION_MAX} characters")
    return description


def _add_members(session: Session, team: Team, members: Iterable[tuple[str, str]]) -> list[TeamMember]:
    added = []
    for index, (user, role) in enumerate(members):
        try:
            added.append(add_member(session, team=team, user=user, role=role))
        except InvalidInput as problem:
            problem.field = f"members[{index}]"
            raise
    return added


def add_member(
    session: Session, *, team: Team, user: User | str, role: str = "user", actor: Actor = SYSTEM
) -> TeamMember:
    """Add ``user`` (a User, or a user id or username) to the team, or change their role in it."""
    require_to_manage(actor, team.id, what=f"team {team.name}")
    role = role.strip().lower()
    if role not in MEMBER_ROLES:
        raise InvalidInput("role", f"team member role must be one of {', '.join(MEMBER_ROLES)}, got {role!r}")
    if isinstance(user, str):
        found = accounts.find_user_by_identifier(session, user)
        if found is None:
            raise accounts.UnknownUser("user", user)
        user = found
    member = session.get(TeamMember, (team.id, user.id))
    if member is None:
        member = TeamMember(team_id=team.id, user_id=user.id, role=role)
        session.add(member)
    elif member.role != role:
        member.role = role
        web_sessions.end_sessions_of(session, user.id)  # what they may do changed: sign in again
    session.flush()
    return member


def remove_member(session: Session, *, actor: Actor, team: Team, user: str) -> None:
    """Take ``user`` (a user id or username) out of the team."""
    require_to_manage(actor, team.id, what=f"team {team.name}")
    found = accounts.get_user_by_identifier(session, user)
    member = session.get(TeamMember, (team.id, found.id))
    if member is None:
        raise NotFound(f"user {found.username} is not a member of team {team.name}")
    session.delete(member)
    session.flush()


def list_teams(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).order_by(Team.name_key)))


def members_of(session: Session, team_id: str) -> list[tuple[User, str]]:
    """The team's members and their roles (admin or user), by username."""
    rows = session.execute(
        select(User, TeamMember.role)
        .join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.team_id == team_id)
        .order_by(User.username)
    )
    return [(user, role) for user, role in rows]


def find_team(session: Session, *, team_id: str | None = None, name: str | None = None) -> Team | None:
    if team_id:
        return session.get(Team, team_id)
    if name:
        return session.scalar(select(Team).where(Team.name_key == name_key(name)))
    return None


def get_team(session: Session, *, team_id: str | None = None, name: str | None = None) -> Team:
    team = find_team(session, team_id=team_id, name=name)
    if team is None:
        raise NotFound(f"no team {name or team_id}")
    return team


def get_team_by_identifier(session: Session, identifier: str, identifier_type: str = "id") -> Team:
    """As ``/v2/teams/{identifier}?identifierType=id|name`` takes it."""
    if identifier_type == "name":
        team = find_team(session, name=identifier)
    else:
        team = find_team(session, team_id=identifier.strip())
    if team is None:
        raise NotFound(f"team with {identifier_type} {identifier!r} does not exist")
    return team


def team_ids_of_user(session: Session, user_id: str) -> frozenset[str]:
    return frozenset(session.scalars(select(TeamMember.team_id).where(TeamMember.user_id == user_id)))


def member_user_ids(session: Session, team_ids: Iterable[str]) -> list[str]:
    members = members_by_team(session, team_ids)
    return list(dict.fromkeys(user_id for user_ids in members.values() for user_id in user_ids))


def members_by_team(session: Session, team_ids: Iterable[str]) -> dict[str, list[str]]:
    """The user ids of each team's members."""
    team_ids = list(team_ids)
    members: dict[str, list[str]] = {team_id: [] for team_id in team_ids}
    if team_ids:
        rows = session.execute(
            select(TeamMember.team_id, TeamMember.user_id)
            .where(TeamMember.team_id.in_(team_ids))
            .order_by(TeamMember.team_id, TeamMember.user_id)
        )
        for team_id, user_id in rows:
            members[team_id].append(user_id)
    return members


def actor_for_user(session: Session, user: User, *, channel: str) -> Actor:
    """A person acting: admins and owners see and configure everything; others see the alerts
    ``visible_condition`` gives them (every alert, when the account says everyone sees every
    alert) and configure the teams they are an admin of."""
    if user.is_admin:
        return Actor(
            name=user.username, channel=channel, manages=EVERYTHING, user_id=user.id, username=user.username
        )
    memberships = session.execute(
        select(TeamMember.team_id, TeamMember.role).where(TeamMember.user_id == user.id)
    )
    teams_of_user, administered = set(), set()
    for team_id, role in memberships:
        teams_of_user.add(team_id)
        if role == "admin":
            administered.add(team_id)
    return Actor(
        name=user.username,
        channel=channel,
        scope=Scope(
            everything=False,
            team_ids=frozenset(teams_of_user),
            user_ids=frozenset({user.id}),
            every_alert=account_settings.is_on(session, account_settings.EVERYONE_SEES_EVERY_ALERT),
        ),
        manages=Scope(everything=False, team_ids=frozenset(administered)),
        user_id=user.id,
        username=user.username,
    )


def may_manage_person(session: Session, actor: Actor, user: User) -> bool:
    """Whether ``actor`` may change ``user``'s own settings (contact methods, notification rules,
    mute): the user themselves, anyone who configures everything, or an admin of one of the
    user's teams. Team integration keys configure their team, not its members' own settings."""
    if actor.user_id == user.id or actor.manages.everything:
        return True
    if actor.user_id is None or not actor.manages.team_ids:
        return False
    return bool(actor.manages.team_ids & team_ids_of_user(session, user.id))


def require_to_manage_person(session: Session, actor: Actor, user: User, *, what: str) -> None:
    if not may_manage_person(session, actor, user):
        raise PermissionDenied(f"{actor.display_name} may not change {what} of {user.username}")


def admin_user_ids(session: Session, team_id: str) -> list[str]:
    return list(
        session.scalars(
            select(TeamMember.user_id).where(TeamMember.team_id == team_id, TeamMember.role == "admin")
        )
    )
