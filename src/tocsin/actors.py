"""Who is acting, and through which channel. Every service action takes an Actor."""

from __future__ import annotations

from dataclasses import dataclass, replace

from tocsin.errors import PermissionDenied


@dataclass(frozen=True)
class Scope:
    """Everything, or what belongs to these teams and users: the alerts an actor may see and act
    on, or the configuration it may change."""

    everything: bool
    team_ids: frozenset[str] = frozenset()
    user_ids: frozenset[str] = frozenset()
    every_alert: bool = False
    """Every alert, but of configuration only the teams' (the account lets everyone see every alert)."""

    def covers_team(self, team_id: str | None) -> bool:
        return self.everything or (team_id is not None and team_id in self.team_ids)

    @property
    def sees_every_alert(self) -> bool:
        return self.everything or self.every_alert


EVERYTHING = Scope(everything=True)
NOTHING = Scope(everything=False)


@dataclass(frozen=True)
class Actor:
    name: str
    """The integration, key or chat handle that acted (or the username, for people)."""
    channel: str
    """"API", "web", "CLI", "system", or a chat platform such as "Mattermost"."""
    scope: Scope = EVERYTHING
    manages: Scope = NOTHING
    """Configuration the actor may change: everything (admins, configuration keys) or its teams'."""
    user_id: str | None = None
    username: str | None = None
    integration_id: str | None = None
    integration_type: str | None = None
    owner_team_id: str | None = None
    """Set for a team-owned integration: its alerts go to this team."""
    on_behalf_of: str | None = None
    """The display name an API caller gave in the ``user`` field of its request."""

    @property
    def display_name(self) -> str:
        """The name recorded as owner of log entries and in report fields."""
        return self.username or self.on_behalf_of or self.name

    def describe(self) -> str:
        """How the alert log names the actor: "ada@example.com via web", "Prometheus (API)"."""
        if self.username:
            return f"{self.username} via {self.channel}"
        if self.on_behalf_of:
            return f"{self.on_behalf_of} via {self.name} ({self.channel})"
        return f"{self.name} ({self.channel})"

    def with_on_behalf_of(self, user: str | None) -> Actor:
        if not user or self.username:
            return self
        return replace(self, on_behalf_of=user)


SYSTEM = Actor(name="Tocsin", channel="system", manages=EVERYTHING)


def may_read_team_config(actor: Actor, team_id: str | None) -> bool:
    """Configuration owned by a team (its schedules, escalations) is readable by callers whose
    scope covers the team (its members, its team keys) or who manage it; configuration owned by
    no team, by callers who see everything."""
    return actor.scope.covers_team(team_id) or actor.manages.covers_team(team_id)


def require_to_read_team_config(actor: Actor, team_id: str | None, *, what: str) -> None:
    """Refuse unless ``actor`` may read configuration owned by ``team_id`` (see above)."""
    if not may_read_team_config(actor, team_id):
        raise PermissionDenied(f"{actor.display_name} may not read {what}")


def require_to_manage(actor: Actor, team_id: str | None = None, *, what: str) -> None:
    """Refuse unless ``actor`` may change configuration of ``team_id`` (or global config, if None)."""
    if not actor.manages.covers_team(team_id):
        raise PermissionDenied(f"{actor.display_name} may not change {what}")
