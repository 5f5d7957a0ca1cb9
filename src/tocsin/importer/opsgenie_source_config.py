"""Reading the configuration that names people, teams and schedules: escalations, each team's
routing rules, heartbeats, maintenance windows not yet over, alert and notification policies,
and integrations with their actions. Opsgenie does not page these lists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from tocsin.importer.opsgenie_reader import OpsgenieReader

if TYPE_CHECKING:  # opsgenie_source calls this module
    from tocsin.importer.opsgenie_source import Source

Json = dict[str, Any]


def _part(identifier: str) -> str:
    return quote(identifier, safe="")


def read_escalations(reader: OpsgenieReader) -> list[Json]:
    return list(reader.get("/v2/escalations") or [])


def read_routing_rules(reader: OpsgenieReader, teams: list[Json]) -> dict[str, list[Json]]:
    return {
        str(team["id"]): list(reader.get(f"/v2/teams/{_part(team['id'])}/routing-rules") or [])
        for team in teams
        if team.get("id")
    }


def read_heartbeats(reader: OpsgenieReader) -> list[Json]:
    """The list is ``data.heartbeats``, not ``data``."""
    return list((reader.get("/v2/heartbeats") or {}).get("heartbeats") or [])


def read_maintenance(reader: OpsgenieReader) -> list[Json]:
    """Windows not yet over, each with its ``rules`` (only the GET by id has them)."""
    return [
        {**meta, **(reader.get(f"/v1/maintenance/{_part(meta['id'])}") or {})}
        for meta in reader.get("/v1/maintenance", type="non-expired") or []
        if meta.get("status") in ("active", "planned")
    ]


def read_policies(reader: OpsgenieReader, teams: list[Json]) -> list[Json]:
    """Global alert policies, then each team's alert and notification policies, each whole (the
    lists give only id, name, type, order and enabled)."""
    listed: list[tuple[Json, str | None]] = [(meta, None) for meta in reader.get("/v2/policies/alert") or []]
    for team in teams:
        for kind in ("alert", "notification"):
            if team.get("id"):
                owner = str(team["id"])
                listed += [(meta, owner) for meta in reader.get(f"/v2/policies/{kind}", teamId=owner) or []]
    policies = []
    for meta, owner_id in listed:
        params = {"teamId": owner_id} if owner_id else {}
        policy = reader.get(f"/v2/policies/{_part(meta['id'])}", **params) or {}
        policies.append({**meta, **policy, "teamId": owner_id})
    return policies


def read_integrations(reader: OpsgenieReader) -> list[Json]:
    """Each integration whole, with its ``actions`` (create, close, acknowledge, addNote, ignore)."""
    found = []
    for meta in reader.get("/v2/integrations") or []:
        path = f"/v2/integrations/{_part(meta['id'])}"
        integration = {**meta, **(reader.get(path) or {})}
        integration["actions"] = reader.get(f"{path}/actions") or {}
        found.append(integration)
    return found


def read_config(reader: OpsgenieReader, source: Source) -> None:
    """Fill ``source`` with what this module reads (its teams are read already)."""
    source.escalations = read_escalations(reader)
    source.routing_rules = read_routing_rules(reader, source.teams)
    source.heartbeats = read_heartbeats(reader)
    source.policies = read_policies(reader, source.teams)
    source.integrations = read_integrations(reader)
    source.maintenance = read_maintenance(reader)
