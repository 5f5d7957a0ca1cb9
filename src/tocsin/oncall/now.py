"""Who is on call, asked many times in one engine round: each answer is computed once per
(schedule, moment) and kept for the round. A storm's alerts mostly ask about the same few
schedules at the same moment, and each answer loads the schedule's rotations, participants and
overrides. A round is short, so a schedule edited meanwhile is seen from the next round on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from tocsin.oncall import service
from tocsin.oncall.models import Schedule

T = TypeVar("T")


class OnCallNow:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._answers: dict[tuple[str, str, datetime | None], object] = {}

    def _once(self, key: tuple[str, str, datetime | None], compute: Callable[[], T]) -> T:
        if key not in self._answers:
            self._answers[key] = compute()
        return self._answers[key]  # type: ignore[return-value]

    def schedule(self, schedule_id: str) -> Schedule | None:
        return self._once(
            ("schedule", schedule_id, None), lambda: service.find_schedule(self.session, schedule_id)
        )

    def schedules_of_team(self, team_id: str) -> list[Schedule]:
        return self._once(("team", team_id, None), lambda: service.schedules_of_team(self.session, team_id))

    def people(self, schedule_id: str, at: datetime) -> list[str]:
        """Who is on call at ``at`` (``service.on_call_user_ids``)."""
        return self._once(
            ("now", schedule_id, at), lambda: service.on_call_user_ids(self.session, schedule_id, at)
        )

    def next_people(self, schedule_id: str, at: datetime) -> list[str]:
        return self._once(
            ("next", schedule_id, at), lambda: service.next_on_call(self.session, schedule_id, at).user_ids
        )

    def previous_people(self, schedule_id: str, at: datetime) -> list[str]:
        return self._once(
            ("previous", schedule_id, at),
            lambda: service.previous_on_call(self.session, schedule_id, at).user_ids,
        )
