"""Who an escalation rule reaches at a given moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tocsin.oncall import service as oncall
from tocsin.teams import service as teams


@dataclass(frozen=True)
class Reached:
    user_id: str
    why: str
    """Said in the notification and the alert log: "on call for ops_schedule"."""


def reached_by(session: Session, recipient: dict[str, Any], notify_type: str, at: datetime) -> list[Reached]:
    kind, target, name = recipient["type"], recipient["id"], recipient.get("name", recipient["id"])
    if kind == "user":
        return [Reached(target, "named in the escalation")]
    if kind == "schedule":
        return _schedule(session, target, name, notify_type, at)
    if notify_type == "users":
        return [
            Reached(user_id, f"member of team {name}") for user_id in teams.member_user_ids(session, [target])
        ]
    if notify_type == "admins":
        return [
            Reached(user_id, f"admin of team {name}") for user_id in teams.admin_user_ids(session, target)
        ]
    return _team_on_call(session, target, name, at)


def _schedule(session: Session, schedule_id: str, name: str, notify_type: str, at: datetime) -> list[Reached]:
    if notify_type == "next":
        found, why = oncall.next_on_call(session, schedule_id, at), f"next on call for {name}"
    elif notify_type == "previous":
        found, why = oncall.previous_on_call(session, schedule_id, at), f"previously on call for {name}"
    else:
        return [
            Reached(user_id, f"on call for {name}")
            for user_id in oncall.on_call_user_ids(session, schedule_id, at)
        ]
    return [Reached(user_id, why) for user_id in found.user_ids]


def _team_on_call(session: Session, team_id: str, name: str, at: datetime) -> list[Reached]:
    """A team's on-call people (of the schedules it owns); a team without schedules is reached
    through all its members."""
    schedules = oncall.schedules_of_team(session, team_id)
    if not schedules:
        return [
            Reached(user_id, f"member of team {name}")
            for user_id in teams.member_user_ids(session, [team_id])
        ]
    reached: dict[str, Reached] = {}
    for schedule in schedules:
        for user_id in oncall.on_call_user_ids(session, schedule.id, at):
            reached.setdefault(user_id, Reached(user_id, f"on call for {schedule.name} (team {name})"))
    return list(reached.values())
