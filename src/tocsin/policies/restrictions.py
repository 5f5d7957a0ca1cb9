"""When a policy applies: its ``timeRestrictions``, in the shape rotations use (see
``tocsin.oncall.restrictions``), read in the zone named by ``timeZone`` (Tocsin's addition;
UTC when left out). A policy without restrictions applies at any time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tocsin.errors import InvalidInput
from tocsin.oncall import restrictions
from tocsin.oncall.wallclock import zone_named

FIELD = "timeRestrictions"
KEYS = ("type", "restriction", "restrictions", "timeZone")


@dataclass(frozen=True)
class When:
    restriction: restrictions.TimeRestriction | None
    zone: ZoneInfo

    def allows(self, at: datetime) -> bool:
        return self.restriction is None or restrictions.allows(self.restriction, self.zone, at)


ALWAYS = When(None, ZoneInfo("UTC"))


def parse_restrictions(document: dict[str, Any] | None) -> dict[str, Any] | None:
    """The document to store, once it is known to work; None for no restriction."""
    if not document:
        return None
    unknown = sorted(set(document) - set(KEYS))
    if unknown:
        raise InvalidInput(FIELD, f"unknown key {unknown[0]!r}; allowed: {', '.join(KEYS)}")
    when_of(document)
    return {"timeZone": "UTC", **document}


def when_of(document: dict[str, Any] | None) -> When:
    if not document:
        return ALWAYS
    zone = zone_named(document.get("timeZone") or "UTC", field=f"{FIELD}.timeZone")
    parsed = restrictions.parse({key: value for key, value in document.items() if key != "timeZone"})
    return When(parsed, zone)
