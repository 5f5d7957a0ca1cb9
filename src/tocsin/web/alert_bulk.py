"""Acting on several alerts of the list at once: acknowledge, unacknowledge, close, snooze (a
preset) or add a tag, through the same actions the API runs, as the signed-in person. Each
alert is its own savepoint, so one that may not be acted on leaves the others done; the list
then says what happened ("3 acknowledged; 1 you may not act on")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode

from fastapi import FastAPI
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.alerts import actions
from tocsin.alerts.actions import ActionOutcome
from tocsin.alerts.schemas import TAG_MAX
from tocsin.alerts.service import AlertRef
from tocsin.config import Settings
from tocsin.errors import AlertActionRefused, AlertNotFound, PermissionDenied
from tocsin.teams import service as teams
from tocsin.web import csrf
from tocsin.web.pages import flash, redirect, render, signed_in_user, to_login

MAX_SELECTED = 100
SNOOZE_PRESETS = {"1h": ("1 hour", timedelta(hours=1)), "4h": ("4 hours", timedelta(hours=4)),
                  "24h": ("24 hours", timedelta(hours=24))}  # fmt: skip
DONE = {"acknowledge": "acknowledged", "unacknowledge": "unacknowledged", "close": "closed"}
UNCHANGED = {"acknowledge": "already acknowledged", "unacknowledge": "not acknowledged",
             "close": "already closed"}  # fmt: skip
BACK_KEYS = {"tab", "query", "team", "priority", "tag", "sort", "order", "page", "size"}
Change = Callable[[Session, AlertRef, Actor], ActionOutcome]


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status, self.message = status, message


def install(app: FastAPI, settings: Settings) -> None:
    @app.post("/alerts/bulk", include_in_schema=False)
    async def act_on_alerts(request: Request) -> Response:
        user = await run_in_threadpool(signed_in_user, request)
        if user is None:
            return to_login(request)
        form = await request.form()
        back = list_address(str(form.get("back", "")))
        if not csrf.is_valid(request, str(form.get("csrf_token", ""))):
            return _refused(
                request, user, back, 400, "Your session expired, so nothing was changed. Please try again."
            )
        try:
            action, change, done = _change_of(form.get("action"), form.get("snooze"), form.get("tag"))
            alert_ids = _selected(form.getlist("alert"))
        except _Refused as refusal:
            return _refused(request, user, back, refusal.status, refusal.message)
        if not alert_ids:
            flash(request, "Select one or more alerts first; nothing was changed.")
            return redirect(request, back)

        def job(session: Session) -> Counter[str]:
            actor = teams.actor_for_user(session, user, channel="web")
            return apply_to_each(session, actor, alert_ids, action, change, done)

        outcomes = await request.app.state.writer.run(job)
        flash(request, "; ".join(f"{count} {what}" for what, count in outcomes.items()) + ".")
        return redirect(request, back)


def apply_to_each(
    session: Session, actor: Actor, alert_ids: list[str], action: str, change: Change, done: str
) -> Counter[str]:
    """``change`` on each alert, each in its own savepoint; how many ended how."""
    outcomes: Counter[str] = Counter()
    for alert_id in alert_ids:
        try:
            with session.begin_nested():
                outcome = change(session, AlertRef(alert_id), actor)
            unchanged = outcome.status.startswith("Alert is")
            outcomes[UNCHANGED.get(action, done) if unchanged else done] += 1
        except (AlertNotFound, PermissionDenied):
            # Unknown and not visible read the same: the list does not tell who has which alerts.
            outcomes["you may not act on"] += 1
        except AlertActionRefused as refusal:
            outcomes[f"not {done} ({refusal.message[:1].lower()}{refusal.message[1:]})"] += 1
    return outcomes


SIMPLE: dict[str, Change] = {
    "acknowledge": lambda s, ref, who: actions.acknowledge(s, ref=ref, actor=who),
    "unacknowledge": lambda s, ref, who: actions.unacknowledge(s, ref=ref, actor=who),
    "close": lambda s, ref, who: actions.close(s, ref=ref, actor=who),
}


def _change_of(action: object, snooze: object, tag: object) -> tuple[str, Change, str]:
    """The action asked for, the change it makes to one alert, and how its notice says it was done."""
    if isinstance(action, str) and action in SIMPLE:
        return action, SIMPLE[action], DONE[action]
    if action == "snooze":
        if not isinstance(snooze, str) or snooze not in SNOOZE_PRESETS:
            raise _Refused(
                422, f"Snooze for one of: {', '.join(label for label, _ in SNOOZE_PRESETS.values())}."
            )
        label, length = SNOOZE_PRESETS[snooze]
        until = clock.now() + length

        def snoozed(s: Session, ref: AlertRef, who: Actor) -> ActionOutcome:
            return actions.snooze(s, ref=ref, actor=who, end_time=until)

        return "snooze", snoozed, f"snoozed for {label}"
    if action == "tag":
        name = tag.strip() if isinstance(tag, str) else ""
        if not name or len(name) > TAG_MAX or "\x00" in name:
            raise _Refused(422, f"Type a tag of 1 to {TAG_MAX} characters to add.")
        return (
            "tag",
            lambda s, ref, who: actions.add_tags(s, ref=ref, actor=who, tags=[name]),
            f"tagged {name!r}",
        )
    raise _Refused(422, "Choose what to do: acknowledge, unacknowledge, close, snooze or add a tag.")


def _selected(values: Sequence[object]) -> list[str]:
    alert_ids = list(dict.fromkeys(value for value in values if isinstance(value, str) and value))
    if len(alert_ids) > MAX_SELECTED:
        raise _Refused(422, f"Act on at most {MAX_SELECTED} alerts at once; {len(alert_ids)} were selected.")
    if any(len(alert_id) > 36 for alert_id in alert_ids):
        raise _Refused(422, "The selection names an alert that does not exist.")
    return alert_ids


def list_address(back: str) -> str:
    """The list view the form was sent from (only the list's own parameters)."""
    kept = [(key, value) for key, value in parse_qsl(back[:4000]) if key in BACK_KEYS]
    return f"/alerts?{urlencode(kept)}" if kept else "/alerts"


def _refused(request: Request, user: User, back: str, status: int, message: str) -> Response:
    return render(request, "alert_bulk_refused.html", status, user=user, message=message, back=back)
