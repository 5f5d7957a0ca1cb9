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


def read_schedule_names(reader: OpsgenieReader) -> list[Json]:
    """The schedules as the list names them, for a reading that has not read them whole."""
    return [{"id": s.get("id"), "name": s.get("name")} for s in reader.get("/v2/schedules") or []]


def read_config(reader: OpsgenieReader, source: Source) -> None:
    """Fill ``source`` with what this module reads."""
    if not source.schedules:
        source.schedules = read_schedule_names(reader)
    source.escalations = read_escalations(reader)
    source.routing_rules = read_routing_rules(reader, source.teams)
    source.heartbeats = read_heartbeats(reader)
