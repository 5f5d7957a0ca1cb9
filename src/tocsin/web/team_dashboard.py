"""What a team's page shows of the team's on-call setup, read for one viewer: who is on call now
and next in each of its schedules, its open alerts (how many, and the newest few), its
schedules, escalations, routing rules (in order, in words) and heartbeats. Configuration is
shown only to those the API lets read it (the team's members and admins, Tocsin's admins);
alerts, as the alert list shows them, to whoever may see them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.actors import Actor, may_read_team_config
from tocsin.alerts.list_filters import AlertFilter, count_up_to, list_page
from tocsin.escalations import service as escalations
from tocsin.heartbeats import service as heartbeats
from tocsin.oncall import service as oncall
from tocsin.routing import service as routing
from tocsin.routing.models import RoutingRule
from tocsin.teams.models import Team
from tocsin.web import condition_builder
from tocsin.web.alert_list import age
from tocsin.web.escalation_pages import policy_rows
from tocsin.web.moments import when

ALERTS_SHOWN = 5
ALERTS_COUNTED = 1000


def dashboard(session: Session, actor: Actor, viewer: User, team: Team) -> dict[str, Any]:
    reads_config = may_read_team_config(actor, team.id)
    return {
        "reads_config": reads_config,
        "alerts": open_alerts(session, actor, viewer, team),
        **(configuration(session, actor, viewer, team) if reads_config else {}),
    }


def open_alerts(session: Session, actor: Actor, viewer: User, team: Team) -> dict[str, Any]:
    now = clock.now()
    counts = {
        state: count_up_to(
            session,
            scope=actor.scope,
            view=AlertFilter(state=state, team_ids=(team.id,)),
            at_most=ALERTS_COUNTED,
        )
        for state in ("open", "acknowledged")
    }
    newest, _ = list_page(
        session,
        scope=actor.scope,
        view=AlertFilter(state="open", team_ids=(team.id,)),
        offset=0,
        limit=ALERTS_SHOWN,
    )
    return {
        "open": counts["open"],
        "acknowledged": counts["acknowledged"],
        "at_most": ALERTS_COUNTED,
        "newest": [
            {
                "id": alert.id,
                "tiny_id": alert.tiny_id,
                "priority": alert.priority,
                "message": alert.message,
                "created": when(alert.created_at, viewer),
                "age": age(alert.created_at, now),
            }
            for alert in newest
        ],
    }


def configuration(session: Session, actor: Actor, viewer: User, team: Team) -> dict[str, Any]:
    now = clock.now()
    schedules = oncall.schedules_of_team(session, team.id)
    names = _names(session, schedules, now)
    on_call = []
    for schedule in schedules:
        row: dict[str, Any] = {"id": schedule.id, "name": schedule.name, "zone": schedule.timezone}
        if schedule.enabled:
            this = oncall.on_call(session, schedule.id, now)
            after = oncall.next_on_call(session, schedule.id, now)
            row |= {
                "enabled": True,
                "now": [names.get(user_id, user_id) for user_id in this.user_ids],
                "until": when(this.until, viewer),
                "next": [names.get(user_id, user_id) for user_id in after.user_ids],
            }
        on_call.append(row)
    policies = [policy for policy in escalations.list_policies(session) if policy.owner_team_id == team.id]
    return {
        "schedules": on_call,
        "escalations": policy_rows(session, policies),
        "routes": [route_view(session, rule) for rule in routing.list_rules(session, actor=actor, team=team)],
        "heartbeats": [
            {
                "name": heartbeat.name,
                "every": heartbeats.every(heartbeat),
                "enabled": heartbeat.enabled,
                "expired": heartbeat.expired,
                "last_ping": when(heartbeat.last_ping_at, viewer),
            }
            for heartbeat in heartbeats.list_heartbeats(session, actor=actor)
            if heartbeat.owner_team_id == team.id
        ],
    }


def _names(session: Session, schedules: list[Any], now: Any) -> dict[str, str]:
    """Full names (else usernames) of everyone on call now or next in ``schedules``."""
    user_ids: set[str] = set()
    for schedule in schedules:
        if schedule.enabled:
            user_ids |= set(oncall.on_call_user_ids(session, schedule.id, now))
            user_ids |= set(oncall.next_on_call(session, schedule.id, now).user_ids)
    return accounts.display_names(session, user_ids)


def route_view(session: Session, rule: RoutingRule) -> dict[str, Any]:
    """A routing rule in words: which alerts, when, and where they go (with a link)."""
    default = escalations.team_default(session, rule.team_id)
    target: dict[str, Any] = (
        {"words": "the team's default escalation", "name": default.name, "href": f"/escalations/{default.id}"}
        if default
        else {"words": "all the team's members (it has no default escalation)"}
    )
    if rule.notify_type == "none":
        target = {"words": "no one"}
    elif rule.notify_type in ("escalation", "schedule") and rule.notify_id:
        escalation = rule.notify_type == "escalation"
        find = escalations.find_policy if escalation else oncall.find_schedule
        found = find(session, rule.notify_id)
        target = {
            "words": "escalation" if escalation else "the on-call of schedule",
            "name": found.name if found else "(deleted)",
            "href": f"/{rule.notify_type}s/{rule.notify_id}" if found else "",
        }
    return {
        "name": rule.name or "Default Rule",
        "default": rule.is_default,
        "criteria": condition_builder.describe(rule.criteria),
        "when": restriction_words(rule.time_restriction, rule.timezone),
        "target": target,
    }


def restriction_words(restriction: dict[str, Any] | None, zone: str) -> str:
    """ "every day 22:00 to 06:00 (Europe/Paris)", "monday 09:00 to friday 17:00 (UTC)"; "" for
    always."""
    if not restriction:
        return ""

    def clock_of(item: dict[str, Any], prefix: str) -> str:
        return f"{item.get(prefix + 'Hour', 0):02d}:{item.get(prefix + 'Min', 0):02d}"

    if restriction.get("type") == "time-of-day":
        item = restriction.get("restriction") or {}
        return f"every day {clock_of(item, 'start')} to {clock_of(item, 'end')} ({zone})"
    stretches = [
        f"{item.get('startDay', '')} {clock_of(item, 'start')} to {item.get('endDay', '')} "
        f"{clock_of(item, 'end')}"
        for item in restriction.get("restrictions") or []
    ]
    return f"{', '.join(stretches)} ({zone})"
