"""The routes alerts for teams take in one routing round: each team's rules read once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.conditions.facts import facts_of_alert
from tocsin.routing.models import RoutingRule
from tocsin.routing.service import Route, route, rules_of
from tocsin.teams.models import Team

AS_ALWAYS = Route("Default Rule", "team-default", None)


class TeamRoutes:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._rules: dict[str, list[RoutingRule]] = {}

    def route(self, team_id: str, alert: Alert, at: datetime) -> Route:
        if team_id not in self._rules:
            team = self.session.get(Team, team_id)
            self._rules[team_id] = rules_of(self.session, team) if team is not None else []
        rules = self._rules[team_id]
        if len(rules) <= 1 and (not rules or rules[0].notify_type == "team-default"):
            return AS_ALWAYS  # no rules of its own: no need to read the alert's facts
        return route(rules, facts_of_alert(self.session, alert), at)
