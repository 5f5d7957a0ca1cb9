"""The engine's router: alert events become escalations and notifications.

- a new alert (or a responder added later): a user responder is notified; a team follows its
  default escalation (or, without one, all its members are notified); a schedule's on-call
  people are notified; an escalation responder starts that escalation;
- an acknowledgement or a close: the people notified so far hear of it (and a close stops the
  escalations);
- an "escalate" request: the alert leaves its escalations for the one asked for.

A claimed batch is routed at once, in one ``EscalationRound``: the batch's alerts and their
responders are read in one query each, and what routing them starts, says and sends is written
together, so a batch costs a fixed handful of statements however many new alerts it holds. The
rarer events are handled one by one, in order, after what came before them is written."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.alerts.models import Alert, AlertResponder
from tocsin.alerts.service import alerts_by_id
from tocsin.escalations import progress
from tocsin.escalations import service as escalation_policies
from tocsin.escalations.firing import EscalationRound
from tocsin.notify.notifications import Person, notified_people
from tocsin.notify.outbox import Claimed
from tocsin.routing.service import Route
from tocsin.routing.team_routes import TeamRoutes

TOPICS = (
    "alert.created",
    "alert.responder_added",
    "alert.acknowledged",
    "alert.closed",
    "alert.escalation_requested",
)


class AlertRouter:
    topics: tuple[str, ...] = TOPICS

    def __init__(self, *, methods: frozenset[str]) -> None:
        self.methods = methods
        """How this server can reach people (``tocsin.notify.methods``)."""

    def handle_batch(self, session: Session, messages: list[Claimed]) -> None:
        work = EscalationRound(session, clock.now(), methods=self.methods)
        routes = TeamRoutes(session)
        alerts = alerts_by_id(session, {message.payload["alertId"] for message in messages})
        new_alerts = [
            message.payload["alertId"]
            for message in messages
            if message.topic == "alert.created" and message.payload["alertId"] in alerts
        ]
        responders = _responders(session, new_alerts)
        for message in messages:
            alert = alerts.get(message.payload["alertId"])
            if alert is None:
                continue
            if message.topic == "alert.created":
                self._created(work, routes, alert, responders.get(alert.id, []))
                continue
            work.write()  # what the events before this one did, as it reads and stops it
            session.flush()
            if message.topic == "alert.responder_added":
                responder = message.payload["responder"]
                self._route(work, routes, alert, responder["type"], responder["id"])
            elif message.topic == "alert.escalation_requested":
                policy = escalation_policies.find_policy(session, message.payload["policyId"])
                if policy is not None:
                    progress.move_to(work, alert=alert, policy=policy, by=message.payload.get("by", ""))
            else:
                self._tell_of_change(work, alert, message.topic, message.payload)
        work.write()

    def _created(
        self, work: EscalationRound, routes: TeamRoutes, alert: Alert, responders: list[tuple[str, str]]
    ) -> None:
        if alert.status == "closed" or alert.acknowledged:
            # A notification policy delayed it, and someone dealt with the alert meanwhile.
            state = "closed" if alert.status == "closed" else "acknowledged"
            work.notices.log(
                alert.id, f"Not notified: the alert was {state} before its notifications were due"
            )
            return
        for kind, ref_id in responders:
            self._route(work, routes, alert, kind, ref_id)

    def _route(self, work: EscalationRound, routes: TeamRoutes, alert: Alert, kind: str, ref_id: str) -> None:
        if kind == "team":
            chosen = routes.route(ref_id, alert, work.now)
            if chosen.notify_type != "team-default":
                self._by_rule(work, alert, work.reach.team_name(ref_id), chosen)
                return
            policy = work.team_default(ref_id)
            if policy is not None:
                work.start(alert, policy, f"team {work.reach.team_name(ref_id)}")
                return
            people = [
                Person(user_id, "member of a responding team") for user_id in work.reach.members(ref_id)
            ]
            work.notices.notify(alert.id, people, "create-alert")
        elif kind == "escalation":
            self._escalate(work, alert, ref_id, "escalation responder")
        elif kind == "schedule":
            self._notify_on_call(work, alert, ref_id)
        else:
            work.notices.notify(alert.id, [Person(ref_id, "a responder")], "create-alert")

    def _by_rule(self, work: EscalationRound, alert: Alert, team: str, chosen: Route) -> None:
        why = f"team {team}, routing rule {chosen.rule}"
        if chosen.notify_type == "none":
            work.notices.log(alert.id, f"Nobody notified: {why} notifies no one")
            return
        target = chosen.target_id or ""
        if chosen.notify_type == "escalation" and self._escalate(work, alert, target, why):
            return
        if chosen.notify_type == "schedule" and self._notify_on_call(work, alert, target, why):
            return
        work.notices.log(
            alert.id, f"Nobody notified: {why} names a {chosen.notify_type} that no longer exists"
        )

    @staticmethod
    def _escalate(work: EscalationRound, alert: Alert, policy_id: str, why: str) -> bool:
        policy = escalation_policies.find_policy(work.session, policy_id)
        if policy is not None:
            work.start(alert, policy, why)
        return policy is not None

    @staticmethod
    def _notify_on_call(work: EscalationRound, alert: Alert, schedule_id: str, why: str = "") -> bool:
        schedule = work.reach.on_call.schedule(schedule_id)
        if schedule is None:
            return False
        reason = f"on call for {schedule.name}" + (f" ({why})" if why else "")
        on_call = work.reach.on_call.people(schedule.id, work.now)
        work.notices.notify(alert.id, [Person(user_id, reason) for user_id in on_call], "create-alert")
        return True

    def _tell_of_change(
        self, work: EscalationRound, alert: Alert, topic: str, payload: dict[str, Any]
    ) -> None:
        if topic == "alert.closed":
            progress.stop_all(work.session, alert.id, "closed", work.now)
        else:
            progress.acknowledged(work.session, alert.id, work.now)
        people = [
            Person(user_id, "you were notified of it")
            for user_id in notified_people(work.session, alert.id)
            if user_id != payload.get("byUserId")
        ]
        kind = "closed-alert" if topic == "alert.closed" else "acknowledged-alert"
        work.notices.notify(alert.id, people, kind, by=payload.get("by", ""))


def _responders(session: Session, alert_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Each new alert's responders (type, id), in the order they were given."""
    found: dict[str, list[tuple[str, str]]] = {}
    if alert_ids:
        rows = session.execute(
            select(AlertResponder.alert_id, AlertResponder.type, AlertResponder.ref_id)
            .where(
                AlertResponder.alert_id.in_(sorted(set(alert_ids))), AlertResponder.visible_only.is_(False)
            )
            .order_by(AlertResponder.alert_id, AlertResponder.position)
        )
        for alert_id, kind, ref_id in rows:
            found.setdefault(alert_id, []).append((kind, ref_id))
    return found
