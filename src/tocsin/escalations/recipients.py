"""Who an escalation rule (or a responder) reaches at a given moment. One ``Reach`` serves an
engine round: teams' members and admins and who is on call are read once each for the round."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tocsin.oncall.now import OnCallNow
from tocsin.teams import service as teams


@dataclass(frozen=True)
class Reached:
    user_id: str
    why: str
    """Said in the notification and the alert log: "on call for ops_schedule"."""


class Reach:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.on_call = OnCallNow(session)
        self._members: dict[str, list[str]] = {}
        self._admins: dict[str, list[str]] = {}
        self._team_names: dict[str, str] = {}

    def team_name(self, team_id: str) -> str:
        if team_id not in self._team_names:
            team = teams.find_team(self.session, team_id=team_id)
            self._team_names[team_id] = team.name if team else team_id
        return self._team_names[team_id]

    def members(self, team_id: str) -> list[str]:
        if team_id not in self._members:
            self._members[team_id] = teams.member_user_ids(self.session, [team_id])
        return self._members[team_id]

    def admins(self, team_id: str) -> list[str]:
        if team_id not in self._admins:
            self._admins[team_id] = teams.admin_user_ids(self.session, team_id)
        return self._admins[team_id]

    def reached_by(self, recipient: dict[str, Any], notify_type: str, at: datetime) -> list[Reached]:
        kind, target, name = recipient["type"], recipient["id"], recipient.get("name", recipient["id"])
        if kind == "user":
            return [Reached(target, "named in the escalation")]
        if kind == "schedule":
            return self._schedule(target, name, notify_type, at)
        if notify_type == "users":
            return [Reached(user_id, f"member of team {name}") for user_id in self.members(target)]
        if notify_type == "admins":
            return [Reached(user_id, f"admin of team {name}") for user_id in self.admins(target)]
        return self._team_on_call(target, name, at)

    def _schedule(self, schedule_id: str, name: str, notify_type: str, at: datetime) -> list[Reached]:
        if notify_type == "next":
            found, why = self.on_call.next_people(schedule_id, at), f"next on call for {name}"
        elif notify_type == "previous":
            found, why = self.on_call.previous_people(schedule_id, at), f"previously on call for {name}"
        else:
            found, why = self.on_call.people(schedule_id, at), f"on call for {name}"
        return [Reached(user_id, why) for user_id in found]

    def _team_on_call(self, team_id: str, name: str, at: datetime) -> list[Reached]:
        """A team's on-call people (of the schedules it owns); a team without schedules is
        reached through all its members."""
        schedules = self.on_call.schedules_of_team(team_id)
        if not schedules:
            return [Reached(user_id, f"member of team {name}") for user_id in self.members(team_id)]
        reached: dict[str, Reached] = {}
        for schedule in schedules:
            for user_id in self.on_call.people(schedule.id, at):
                reached.setdefault(user_id, Reached(user_id, f"on call for {schedule.name} (team {name})"))
        return list(reached.values())
