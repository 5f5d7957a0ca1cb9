"""Running one action on several alerts, each on its own: an alert that is missing, hidden or
in the wrong state gets its own line and changes nothing, and the others go ahead. Each alert's
change happens in a savepoint, so a refusal leaves no half-change behind."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tocsin.actors import SYSTEM, Actor
from tocsin.alerts.actions import ActionOutcome
from tocsin.alerts.service import AlertRef, find_alert
from tocsin.chat.execute_context import outside
from tocsin.chat.visibility_text import not_visible
from tocsin.errors import AlertActionRefused, AlertNotFound, AlertNotVisible, TocsinError

ALREADY = "Alert is already "

Action = Callable[[Session, AlertRef, Actor], ActionOutcome]


@dataclass(frozen=True)
class AlertResult:
    label: str
    """"#12", or how a button names an alert it no longer finds."""
    changed: bool
    message: str = ""
    """The alert's message, made safe to show; set when the action was carried out."""
    problem: str = ""
    """Why nothing changed: "not found", "was already acknowledged"..."""
    hidden: bool = False
    """The actor may not see the alert (``problem`` says why, and who can act)."""
    alert_id: str = ""
    """Set when the action was carried out."""

    def line(self, who: str, done: str) -> str:
        """``@bob acknowledged #12 Disk full`` or ``#13 not found``."""
        if self.changed:
            return f"{who} {done} {self.label} {self.message}".rstrip()
        return f"{self.label} {self.problem}"

    def item(self) -> str:
        """The alert alone, for lists under a summary line: ``#12 Disk full``."""
        return f"{self.label} {self.message}".rstrip() if self.changed else self.line("", "")


def by_tiny_id(tiny_id: int) -> AlertRef:
    return AlertRef(identifier=str(tiny_id), type="tiny")


def run_on_each(
    session: Session, refs: Iterable[tuple[str, AlertRef]], actor: Actor, action: Action
) -> list[AlertResult]:
    """``action`` on every alert of ``refs`` ((label, reference) pairs), in order."""
    return [run_on_one(session, label, ref, actor, action) for label, ref in refs]


def run_on_one(session: Session, label: str, ref: AlertRef, actor: Actor, action: Action) -> AlertResult:
    try:
        with session.begin_nested():
            outcome = action(session, ref, actor)
    except AlertNotFound:
        return AlertResult(label, changed=False, problem="not found")
    except AlertNotVisible:
        return AlertResult(label, changed=False, problem=not_visible(session, actor), hidden=True)
    except AlertActionRefused as refused:
        return AlertResult(label, changed=False, problem=_problem(refused.message))
    except TocsinError as error:
        return AlertResult(label, changed=False, problem=f"not changed: {error.message}")
    if outcome.status.startswith(ALREADY):
        return AlertResult(label, changed=False, problem=f"was already {outcome.status[len(ALREADY) :]}")
    alert = find_alert(session, AlertRef(outcome.alert_id), SYSTEM)
    return AlertResult(f"#{alert.tiny_id}", changed=True, message=outside(alert.message), alert_id=alert.id)


def _problem(message: str) -> str:
    """ "Alert is closed; it cannot be acknowledged" -> "is closed; it cannot be acknowledged"."""
    if message.startswith("Alert "):
        return message[len("Alert ") :]
    return f"not changed: {message}"


def any_changed(results: Iterable[AlertResult]) -> bool:
    return any(result.changed for result in results)
