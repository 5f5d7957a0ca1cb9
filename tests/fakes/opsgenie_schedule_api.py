"""The schedule reads of the fake Opsgenie API: schedules, rotations, overrides, and who is
on call, next on call and the timeline, worked out by tests/fakes/opsgenie_oncall.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.fakes import opsgenie_oncall as oncall
from tests.fakes.opsgenie_api_base import (
    ApiBase,
    ApiError,
    Query,
    Reply,
    found_or_404,
    kind_of,
    participant,
    public,
    route,
)


class ScheduleReads(ApiBase):
    def _schedule(self, query: Query, identifier: str, switch: str) -> dict[str, Any]:
        return found_or_404(self.account.schedule(identifier, kind_of(query, switch)), "schedule", identifier)  # type: ignore[no-any-return]

    @route("/v2/schedules")
    def schedules(self, query: Query) -> Reply:
        expand = "rotation" in query.get("expand", "").split(",")
        found = [s if expand else public(s) for s in self.account.schedules]
        return Reply(200, {"data": found, "expandable": ["rotation"]})

    @route("/v2/schedules/on-calls")
    def all_on_calls(self, query: Query) -> Any:
        return [self._on_calls(s, query) for s in self.account.schedules]

    @route("/v2/schedules/{}")
    def schedule(self, query: Query, identifier: str) -> Any:
        return self._schedule(query, identifier, "identifierType")

    @route("/v2/schedules/{}/rotations")
    def rotations(self, query: Query, identifier: str) -> Any:
        return self._schedule(query, identifier, "scheduleIdentifierType")["rotations"]

    @route("/v2/schedules/{}/rotations/{}")
    def rotation(self, query: Query, identifier: str, rotation_id: str) -> Any:
        found = next((r for r in self.rotations(query, identifier) if r["id"] == rotation_id), None)
        return found_or_404(found, "rotation", rotation_id)

    @route("/v2/schedules/{}/overrides")
    def overrides(self, query: Query, identifier: str) -> Any:
        return self.account.overrides[self._schedule(query, identifier, "scheduleIdentifierType")["id"]]

    @route("/v2/schedules/{}/overrides/{}")
    def override(self, query: Query, identifier: str, alias: str) -> Any:
        found = next((o for o in self.overrides(query, identifier) if o["alias"] == alias), None)
        return found_or_404(found, "schedule override", alias)

    def _date(self, query: Query) -> datetime:
        if "date" not in query:
            return self.now
        try:
            return oncall.parse_instant(query["date"])
        except ValueError as error:
            raise ApiError(
                422, f"date should look like 2017-01-15T08:00:00+02:00 (send + as %2B): {error}"
            ) from error

    @staticmethod
    def _parent(schedule: dict[str, Any]) -> dict[str, Any]:
        return {"id": schedule["id"], "name": schedule["name"], "enabled": schedule["enabled"]}

    def _on_calls(self, schedule: dict[str, Any], query: Query) -> dict[str, Any]:
        at = self._date(query)
        found = (
            oncall.on_call(schedule, self.account.overrides[schedule["id"]], at)
            if schedule["enabled"]
            else []
        )
        if query.get("flat") == "true":
            return {
                "_parent": self._parent(schedule),
                "onCallRecipients": [participant(p)["name"] for p in found],
            }
        return {"_parent": self._parent(schedule), "onCallParticipants": [participant(p) for p in found]}

    @route("/v2/schedules/{}/on-calls")
    def on_calls(self, query: Query, identifier: str) -> Any:
        return self._on_calls(self._schedule(query, identifier, "scheduleIdentifierType"), query)

    @route("/v2/schedules/{}/next-on-calls")
    def next_on_calls(self, query: Query, identifier: str) -> Any:
        schedule = self._schedule(query, identifier, "scheduleIdentifierType")
        overrides = self.account.overrides[schedule["id"]]
        following, exact = oncall.next_on_call(schedule, overrides, self._date(query), timedelta(days=30))
        if not schedule["enabled"]:
            following, exact = [], []
        if query.get("flat") == "true":
            names = {"nextOnCallParticipants": following, "exactNextOnCallParticipants": exact}
            return {
                "_parent": self._parent(schedule),
                **{k: [participant(p)["name"] for p in v] for k, v in names.items()},
            }
        people = {"nextOnCallRecipients": following, "exactNextOnCallRecipients": exact}
        return {
            "_parent": self._parent(schedule),
            **{k: [participant(p) for p in v] for k, v in people.items()},
        }

    @route("/v2/schedules/{}/timeline")
    def timeline(self, query: Query, identifier: str) -> Reply:
        schedule = self._schedule(query, identifier, "identifierType")
        start = self._date(query)
        try:
            interval = int(query.get("interval", "1"))
        except ValueError as error:
            raise ApiError(422, "interval should be an integer") from error
        units = {"days": timedelta(days=1), "weeks": timedelta(weeks=1), "months": timedelta(days=30)}
        unit = query.get("intervalUnit", "weeks")
        if unit not in units or interval < 1:
            raise ApiError(422, "intervalUnit should be days, weeks or months and interval at least 1")
        end = start + units[unit] * interval
        overrides = self.account.overrides[schedule["id"]]
        data: dict[str, Any] = {
            "_parent": self._parent(schedule),
            "startDate": oncall.iso(start),
            "endDate": oncall.iso(end),
        }
        expand = query.get("expand", "").split(",")
        for name, final, wanted in (("finalTimeline", True, True), ("baseTimeline", False, "base" in expand)):
            if wanted:
                rotations = (
                    oncall.timeline(schedule, overrides, start, end, final) if schedule["enabled"] else []
                )
                for rotation in rotations:
                    for period in rotation["periods"]:
                        period["recipient"] = participant(period["recipient"])
                data[name] = {"rotations": rotations}
        return Reply(200, {"data": data, "expandable": ["base", "forwarding", "override"]})
