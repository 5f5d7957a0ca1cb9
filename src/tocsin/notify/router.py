"""The engine's router: alert events become escalations and notifications.

- a new alert (or a responder added later): a user responder is notified; a team follows its
  default escalation (or, without one, all its members are notified); a schedule's on-call
  people are notified; an escalation responder starts that escalation;
- an acknowledgement or a close: the people notified so far hear of it (and a close stops the
  escalations);
- an "escalate" request: the alert leaves its escalations for the one asked for."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.actors import SYSTEM
from tocsin.alerts.models import Alert, AlertResponder
from tocsin.alerts.service import add_log
from tocsin.escalations import progress
from tocsin.escalations import service as escalation_policies
from tocsin.notify.notifications import Person, notified_people, notify_people
from tocsin.notify.outbox import Claimed
from tocsin.oncall import service as oncall
from tocsin.teams import service as teams

TOPICS = (
    "alert.created",
    "alert.responder_added",
    "alert.acknowledged",
    "alert.closed",
    "alert.escalation_requested",
)


class AlertRouter:
    topics: tuple[str, ...] = TOPICS

    def __init__(self, *, can_email: bool) -> None:
        self.can_email = can_email

    def handle(self, session: Session, message: Claimed) -> None:
        alert = session.get(Alert, message.payload["alertId"])
        if alert is None:
            return
        if message.topic == "alert.created":
            if alert.status == "closed" or alert.acknowledged:
                # A notification policy delayed it, and someone dealt with the alert meanwhile.
                state = "closed" if alert.status == "closed" else "acknowledged"
                add_log(
                    session,
                    alert.id,
                    f"Not notified: the alert was {state} before its notifications were due",
                    SYSTEM,
                    clock.now(),
                )
                return
            responders = session.scalars(
                select(AlertResponder)
                .where(AlertResponder.alert_id == alert.id, AlertResponder.visible_only.is_(False))
                .order_by(AlertResponder.position)
            )
            for responder in list(responders):
                self._route(session, alert, responder.type, responder.ref_id)
        elif message.topic == "alert.responder_added":
            responder = message.payload["responder"]
            self._route(session, alert, responder["type"], responder["id"])
        elif message.topic == "alert.escalation_requested":
            policy = escalation_policies.find_policy(session, message.payload["policyId"])
            if policy is not None:
                progress.move_to(
                    session,
                    alert=alert,
                    policy=policy,
                    by=message.payload.get("by", ""),
                    now=clock.now(),
                    can_email=self.can_email,
                )
        else:
            self._tell_of_change(session, alert, message.topic, message.payload)

    def _route(self, session: Session, alert: Alert, kind: str, ref_id: str) -> None:
        now = clock.now()
        if kind == "escalation":
            policy = escalation_policies.find_policy(session, ref_id)
            if policy is not None:
                progress.start(
                    session,
                    alert_id=alert.id,
                    policy=policy,
                    now=now,
                    why="escalation responder",
                    can_email=self.can_email,
                )
            return
        if kind == "team":
            policy = escalation_policies.team_default(session, ref_id)
            if policy is not None:
                team = teams.find_team(session, team_id=ref_id)
                progress.start(
                    session,
                    alert_id=alert.id,
                    policy=policy,
                    now=now,
                    why=f"team {team.name if team else ref_id}",
                    can_email=self.can_email,
                )
                return
            people = [
                Person(user_id, "member of a responding team")
                for user_id in teams.member_user_ids(session, [ref_id])
            ]
        elif kind == "schedule":
            schedule = oncall.find_schedule(session, ref_id)
            if schedule is None:
                return
            on_call = oncall.on_call_user_ids(session, schedule.id, now)
            people = [Person(user_id, f"on call for {schedule.name}") for user_id in on_call]
        else:
            people = [Person(ref_id, "a responder")]
        notify_people(
            session, alert_id=alert.id, people=people, kind="create-alert", now=now, can_email=self.can_email
        )

    def _tell_of_change(self, session: Session, alert: Alert, topic: str, payload: dict[str, Any]) -> None:
        now = clock.now()
        if topic == "alert.closed":
            progress.stop_all(session, alert.id, "closed", now)
        else:
            progress.acknowledged(session, alert.id, now)
        kind = "closed-alert" if topic == "alert.closed" else "acknowledged-alert"
        people = [
            Person(user_id, "you were notified of it")
            for user_id in notified_people(session, alert.id)
            if user_id != payload.get("byUserId")
        ]
        notify_people(
            session,
            alert_id=alert.id,
            people=people,
            kind=kind,
            now=now,
            can_email=self.can_email,
            by=payload.get("by", ""),
        )
