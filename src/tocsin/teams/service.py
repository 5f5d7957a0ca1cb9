"""Teams and memberships."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.actors import EVERYTHING, Actor, Scope
from tocsin.errors import Conflict, InvalidInput, NotFound
from tocsin.teams.models import MEMBER_ROLES, Team, TeamMember


def create_team(
    session: Session, *, name: str, description: str = "", members: Iterable[tuple[str, str]] = ()
) -> Team:
    """``members`` are (username, role) pairs; every user must exist already."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("name", "team name must be 1 to 100 characters")
    if find_team(session, name=name) is not None:
        raise Conflict(f"team {name} already exists")
    team = Team(name=name, description=description, created_at=clock.now())
    session.add(team)
    session.flush()
    for username, role in members:
        add_member(session, team=team, username=username, role=role)
    return team


def add_member(session: Session, *, team: Team, username: str, role: str = "user") -> TeamMember:
    if role not in MEMBER_ROLES:
        raise InvalidInput("role", f"team member role must be one of {', '.join(MEMBER_ROLES)}, got {role!r}")
    user = accounts.find_user(session, username)
    if user is None:
        raise NotFound(f"no user {username.strip().lower()}")
    member = session.get(TeamMember, (team.id, user.id))
    if member is None:
        member = TeamMember(team_id=team.id, user_id=user.id, role=role)
        session.add(member)
    else:
        member.role = role
    session.flush()
    return member


def find_team(session: Session, *, team_id: str | None = None, name: str | None = None) -> Team | None:
    if team_id:
        return session.get(Team, team_id)
    if name:
        return session.scalar(select(Team).where(func.lower(Team.name) == name.strip().lower()))
    return None


def get_team(session: Session, *, team_id: str | None = None, name: str | None = None) -> Team:
    team = find_team(session, team_id=team_id, name=name)
    if team is None:
        raise NotFound(f"no team {name or team_id}")
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
    """A person acting: admins and owners see and configure everything; others see their own and
    their teams' alerts and configure the teams they are an admin of."""
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
        scope=Scope(everything=False, team_ids=frozenset(teams_of_user), user_ids=frozenset({user.id})),
        manages=Scope(everything=False, team_ids=frozenset(administered)),
        user_id=user.id,
        username=user.username,
    )
