"""What an import reads from Opsgenie, in Opsgenie's own JSON shapes: the account's users with
their contact methods and notification rules (with steps), its teams with their members, and
the configuration that names them. Every list is read whole before anything is written, so a
plan is made from one reading."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from tocsin.importer.opsgenie_reader import OpsgenieReader
from tocsin.importer.opsgenie_source_config import read_config
from tocsin.importer.opsgenie_source_schedules import read_schedules

Json = dict[str, Any]


@dataclass
class SourceUser:
    user: Json
    contacts: list[Json] = field(default_factory=list)
    rules: list[Json] = field(default_factory=list)
    """Notification rules, each with its ``steps``."""

    @property
    def username(self) -> str:
        return str(self.user.get("username", ""))


@dataclass
class Source:
    account: Json
    users: list[SourceUser]
    teams: list[Json]
    """Each team as ``GET /v2/teams/{id}`` answers it, with ``members``."""
    schedules: list[Json] = field(default_factory=list)
    escalations: list[Json] = field(default_factory=list)
    routing_rules: dict[str, list[Json]] = field(default_factory=dict)
    """Each team's routing rules, by the team's Opsgenie id."""
    heartbeats: list[Json] = field(default_factory=list)
    maintenance: list[Json] = field(default_factory=list)
    integrations: list[Json] = field(default_factory=list)
    policies: list[Json] = field(default_factory=list)

    def usernames(self) -> set[str]:
        return {user.username.lower() for user in self.users}


def _part(identifier: str) -> str:
    return quote(identifier, safe="")


def read_user(reader: OpsgenieReader, user: Json) -> SourceUser:
    path = f"/v2/users/{_part(user['id'])}"
    contacts = reader.get(f"{path}/contacts") or []
    rules = []
    for meta in reader.get(f"{path}/notification-rules") or []:
        rule = reader.get(f"{path}/notification-rules/{_part(meta['id'])}") or {}
        rules.append({**meta, **rule})
    return SourceUser(user=user, contacts=list(contacts), rules=rules)


def read_teams(reader: OpsgenieReader) -> list[Json]:
    return [reader.get(f"/v2/teams/{_part(team['id'])}") or team for team in reader.get("/v2/teams") or []]


def read_people(reader: OpsgenieReader) -> Source:
    account = reader.get("/v2/account") or {}
    users = [read_user(reader, user) for user in reader.pages("/v2/users", sort="username", order="asc")]
    return Source(account=account, users=users, teams=read_teams(reader))


def read_account(reader: OpsgenieReader) -> Source:
    """Everything an import carries over."""
    source = read_people(reader)
    source.schedules = read_schedules(reader)
    read_config(reader, source)
    return source
