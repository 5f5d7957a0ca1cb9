"""A view of the alert list: which alerts (state, teams, priorities, tags, a search) in what order,
a page at a time, all in SQL. The web's alert list reads through this; the search is the
Opsgenie query language of ``tocsin.alerts.query``, combined with the filters as a whole (its
parentheses cannot reach out of it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select, true
from sqlalchemy.orm import Session

from tocsin.actors import Scope
from tocsin.alerts.models import Alert, AlertResponder
from tocsin.alerts.query import compile_node, parse
from tocsin.alerts.service import alerts_by_id, is_open, visible_condition

STATES = ("open", "acknowledged", "closed", "all")
"""open: open and not acknowledged; acknowledged: open and acknowledged; closed; all."""

SORTS: dict[str, Any] = {
    "created": Alert.created_at,
    "updated": Alert.updated_at,
    "occurred": Alert.last_occurred_at,
    "priority": Alert.priority,
    "count": Alert.count,
    "tiny": Alert.tiny_id,
}


@dataclass(frozen=True)
class AlertFilter:
    state: str = "open"
    query: str = ""
    team_ids: tuple[str, ...] = ()
    """Alerts any of these teams responds to (not those only visible to it)."""
    priorities: tuple[str, ...] = ()
    tag: str = ""
    sort: str = "created"
    descending: bool = True
    """For ``priority``, descending is the most urgent (P1) first."""

    def condition(self) -> ColumnElement[bool]:
        parts: list[ColumnElement[bool]] = [_state_condition(self.state), compile_node(parse(self.query))]
        if self.team_ids:
            parts.append(
                exists().where(
                    AlertResponder.alert_id == Alert.id,
                    AlertResponder.type == "team",
                    AlertResponder.ref_id.in_(self.team_ids),
                    AlertResponder.visible_only.is_(False),
                )
            )
        if self.priorities:
            parts.append(Alert.priority.in_(self.priorities))
        if self.tag:
            parts.append(compile_node(parse(f"tag:{quoted(self.tag)}")))
        return and_(*parts)

    def ordering(self) -> list[Any]:
        column = SORTS[self.sort]
        # P1 sorts before P5 as text: "most urgent first" is ascending text.
        descending = not self.descending if self.sort == "priority" else self.descending
        if descending:
            return [column.desc(), Alert.tiny_id.desc()]
        return [column.asc(), Alert.tiny_id.asc()]


def quoted(value: str) -> str:
    """``value`` as one quoted value of the query language, whatever characters it has."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _state_condition(state: str) -> ColumnElement[bool]:
    if state == "open":
        return and_(is_open(), Alert.acknowledged.is_(False))
    if state == "acknowledged":
        return and_(is_open(), Alert.acknowledged.is_(True))
    if state == "closed":
        return Alert.status == "closed"
    return true()


def list_page(
    session: Session, *, scope: Scope, view: AlertFilter, offset: int, limit: int
) -> tuple[list[Alert], bool]:
    """Up to ``limit`` alerts ``scope`` may see from ``offset`` on, and whether more follow
    (one row more is fetched to know, so no page counts every alert)."""
    # The page's ids first, so a sort that cannot walk an index orders narrow rows, not whole alerts.
    page_ids = list(
        session.scalars(
            select(Alert.id)
            .where(visible_condition(scope), view.condition())
            .order_by(*view.ordering())
            .offset(offset)
            .limit(limit + 1)
        )
    )
    found = alerts_by_id(session, set(page_ids[:limit]))
    return [found[alert_id] for alert_id in page_ids[:limit] if alert_id in found], len(page_ids) > limit


def count_up_to(session: Session, *, scope: Scope, view: AlertFilter, at_most: int) -> int:
    """How many alerts ``scope`` may see match ``view``, counted up to ``at_most`` (a dashboard
    says "1000+" rather than count a storm)."""
    matching = select(Alert.id).where(visible_condition(scope), view.condition()).limit(at_most).subquery()
    return int(session.scalar(select(func.count()).select_from(matching)) or 0)
