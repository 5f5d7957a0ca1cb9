"""Creating alerts, with alias de-duplication: the hot path every monitoring tool hits.

Creates arrive in batches (the write queue hands over every create waiting at that moment), and
a batch costs a fixed handful of statements whatever its size:

1. one UPDATE counts repeats of open alerts, for every (scope, alias) in the batch at once (one
   per distinct number of repeats within the batch, usually one);
2. one statement takes tinyIds for all new alerts (a counter UPDATE on SQLite, a sequence on
   PostgreSQL);
3. one multi-row INSERT adds them, skipping (ON CONFLICT DO NOTHING on the partial unique index
   of open aliases per scope) any alias another transaction created in between; those go back
   to step 1 and are counted as repeats;
4. multi-row INSERTs add log entries, responders and notes, and an ``alert.created`` event per
   new alert with responders to the outbox, from which the engine starts escalations and
   notifications (and, when an integration forwards alert activity, a "Create" event).

Before step 1, policies (kept between batches, see ``tocsin.policies.cache``) change each
incoming alert and decide on its notifications; see ``tocsin.policies.apply``.

An alias de-duplicates within the creator's scope (``dedup_scope_of``): a team-owned integration's
within its team, every other creator's account-wide among alerts of the account scope; a create
never counts on an alert of another scope (docs/decisions/0010).

De-duplication is thus decided by the database in single statements, never by a read followed by
a write, and a tinyId is only taken for an alert that may be new. A create of one alert is a
batch of one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, bindparam, literal_column, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tocsin import clock, counters
from tocsin.actors import SYSTEM, Actor
from tocsin.alerts import activity
from tocsin.alerts import responders as responder_refs
from tocsin.alerts.models import Alert, dedup_scope_of
from tocsin.alerts.responders import Responder
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.alerts.service import (
    INSERT_LOG,
    INSERT_NOTE,
    INSERT_RESPONDER,
    is_open,
    log_row,
)
from tocsin.db import new_id, table_of
from tocsin.errors import TocsinError
from tocsin.notify import outbox
from tocsin.ops import metrics
from tocsin.policies import apply as policies
from tocsin.policies import cache as policy_cache
from tocsin.teams import service as teams

alerts = table_of(Alert)


def _insert_if_new(dialect: str) -> Insert:
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(alerts)
    return statement.on_conflict_do_nothing(
        index_elements=[alerts.c.dedup_scope, alerts.c.alias],
        # A literal, not a bound parameter: PostgreSQL infers the partial index only from a
        # predicate it can see when planning, and prepared statements hide parameter values.
        index_where=literal_column("status") == literal_column("'open'"),
    ).returning(alerts.c.id)


INSERT_IF_NEW = {dialect: _insert_if_new(dialect) for dialect in ("postgresql", "sqlite")}
SETTLE_ATTEMPTS = 3


@dataclass(frozen=True)
class NewAlert:
    payload: CreateAlertPayload
    actor: Actor


@dataclass(frozen=True)
class CreateOutcome:
    alert_id: str
    alias: str
    tiny_id: int
    count: int
    deduplicated: bool


@dataclass
class _Pending:
    """One create of the batch whose responders resolved, on its way to an outcome."""

    request: NewAlert
    responders: list[Responder]
    visible: list[Responder]
    effects: policies.Effects
    outcome: CreateOutcome | None = None

    @property
    def scope(self) -> str:
        return dedup_scope_of(self.request.actor.owner_team_id)


def create_alert(session: Session, *, payload: CreateAlertPayload, actor: Actor) -> CreateOutcome:
    """Create an alert, or count one more occurrence of the open alert with the same alias."""
    (result,) = create_alerts(session, [NewAlert(payload, actor)])
    if isinstance(result, TocsinError):
        raise result
    return result


def create_alerts(session: Session, requests: Sequence[NewAlert]) -> list[CreateOutcome | TocsinError]:
    """Create (or count) every alert of ``requests``, in order. A request whose responders do
    not resolve gets its error in its place and writes nothing; the others go ahead."""
    now = clock.now()
    rules = policy_cache.load(session, now)
    results: list[CreateOutcome | TocsinError | _Pending] = [
        _resolve(session, request, rules) for request in requests
    ]
    pending = [result for result in results if isinstance(result, _Pending)]
    waiting = pending
    for _ in range(SETTLE_ATTEMPTS):
        _count_repeats(session, waiting, now)
        waiting = [item for item in waiting if item.outcome is None]
        if not waiting:
            break
        waiting = _insert_new(session, waiting, now)
    if waiting:  # an alias raced with creates and closes elsewhere three times over
        raise RuntimeError("could not settle alert creates against concurrent changes; retry")
    if pending:
        _write_logs_and_notes(session, pending, now)
        metrics.count_creates(
            session, [(item.request.actor, item.outcome) for item in pending if item.outcome]
        )
    return [result.outcome if isinstance(result, _Pending) else result for result in results]  # type: ignore[misc]


def _resolve(session: Session, request: NewAlert, rules: policies.PolicySet) -> _Pending | TocsinError:
    try:
        if request.actor.owner_team_id:
            # As in Opsgenie: a team integration's alerts go to that team, whatever the request says.
            team = teams.get_team(session, team_id=request.actor.owner_team_id)
            responders = [Responder("team", team.id, team.name)]
        else:
            responders = responder_refs.resolve(session, request.payload.all_responders(), field="responders")
        visible = responder_refs.resolve(session, request.payload.visible_to, field="visibleTo")
    except TocsinError as error:
        return error
    effects = rules.apply(session, request.payload, responders, request.actor)
    return _Pending(NewAlert(effects.payload, request.actor), effects.responders, visible, effects)


COUNT_REPEATS = (
    update(alerts)
    .where(
        # The two plain IN lists let SQLite search the open-alias index; the pair IN alone makes
        # it scan every open alert, in each batch.
        alerts.c.dedup_scope.in_(bindparam("scopes", expanding=True)),
        alerts.c.alias.in_(bindparam("aliases", expanding=True)),
        tuple_(alerts.c.dedup_scope, alerts.c.alias).in_(bindparam("keys", expanding=True)),
        is_open(),
    )
    .values(
        count=alerts.c.count + bindparam("by"), last_occurred_at=bindparam("now"), updated_at=bindparam("now")
    )
    .returning(
        alerts.c.id,
        alerts.c.dedup_scope,
        alerts.c.alias,
        alerts.c.tiny_id,
        alerts.c.count.label("occurrences"),
    )
)
"""Built once (its parameters expand to the batch), so SQLAlchemy compiles it once."""


def _count_repeats(session: Session, pending: list[_Pending], now: datetime) -> None:
    """Count every create whose alias names an open alert of its scope: one UPDATE for all the
    aliases that occur the same number of times in the batch (usually one UPDATE in all)."""
    by_key: dict[tuple[str, str], list[_Pending]] = defaultdict(list)
    for item in pending:
        if item.request.payload.alias:
            by_key[item.scope, item.request.payload.alias].append(item)
    by_increment: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for key, items in by_key.items():
        by_increment[len(items)].append(key)
    for increment, keys in by_increment.items():
        rows = session.connection().execute(
            COUNT_REPEATS,
            {
                "scopes": list({scope for scope, _ in keys}),
                "aliases": list({alias for _, alias in keys}),
                "keys": keys,
                "by": increment,
                "now": now,
            },
        )
        for row in rows:
            items = by_key[row.dedup_scope, row.alias]
            first_count = row.occurrences - len(items) + 1
            for offset, item in enumerate(items):
                item.outcome = CreateOutcome(
                    row.id, row.alias, row.tiny_id, first_count + offset, deduplicated=True
                )


def _insert_new(session: Session, creates: list[_Pending], now: datetime) -> list[_Pending]:
    """Insert one alert per new alias (repeats of it within the batch count on it). Returns the
    creates whose alias another transaction took in the meantime: they are repeats now."""
    firsts: dict[tuple[str, str], list[_Pending]] = {}
    for item in creates:
        alias = item.request.payload.alias
        if alias:
            firsts.setdefault((item.scope, alias), []).append(item)
        else:
            firsts[item.scope, new_id()] = [item]  # no alias: Opsgenie uses the alert's id as its alias
    tiny_ids = counters.take(session, counters.ALERT_TINY_ID, len(firsts))
    rows = [
        _alert_row(
            items[0],
            alias if not items[0].request.payload.alias else new_id(),
            alias,
            tiny_id,
            len(items),
            now,
        )
        for tiny_id, ((_scope, alias), items) in zip(tiny_ids, firsts.items(), strict=True)
    ]
    inserted = set(
        session.connection().execute(INSERT_IF_NEW[session.get_bind().dialect.name], rows).scalars()
    )
    created: list[tuple[str, _Pending]] = []
    taken: list[_Pending] = []
    for row, items in zip(rows, firsts.values(), strict=True):
        if row["id"] not in inserted:
            taken += items
            continue
        created.append((row["id"], items[0]))
        for offset, item in enumerate(items):
            item.outcome = CreateOutcome(
                row["id"], row["alias"], row["tiny_id"], offset + 1, deduplicated=offset > 0
            )
    _store_responders(session, created)
    # No alert.created for an alert with no one responding (no one to route to), or one that
    # policies or a maintenance window keep quiet.
    outbox.enqueue_many(
        session, [row for alert_id, item in created for row in item.effects.outbox_rows(alert_id)]
    )
    return taken


def _alert_row(
    item: _Pending, alert_id: str, alias: str, tiny_id: int, count: int, now: datetime
) -> dict[str, Any]:
    payload, actor = item.request.payload, item.request.actor
    return {
        "id": alert_id,
        "tiny_id": tiny_id,
        "alias": alias,
        "dedup_scope": item.scope,
        "message": payload.message,
        "description": payload.description,
        "status": "open",
        "acknowledged": False,
        "is_seen": False,
        "snoozed": False,
        "snoozed_until": None,
        "count": count,
        "last_occurred_at": now,
        "created_at": now,
        "updated_at": now,
        "source": payload.source or "",
        "owner": "",
        "priority": payload.priority,
        "entity": payload.entity,
        "tags": payload.tags,
        "details": payload.details,
        "actions": payload.actions,
        "integration_id": actor.integration_id,
        "integration_name": actor.name if actor.integration_id else "",
        "integration_type": actor.integration_type or "",
        "owner_team_id": actor.owner_team_id,
        "ack_time": None,
        "close_time": None,
        "acknowledged_by": "",
        "closed_by": "",
    }


def _store_responders(session: Session, created: list[tuple[str, _Pending]]) -> None:
    rows = [
        {
            "alert_id": alert_id,
            "visible_only": visible_only,
            "type": r.type,
            "ref_id": r.id,
            "position": position,
        }
        for alert_id, item in created
        for visible_only, responders in ((False, item.responders), (True, item.visible))
        for position, r in enumerate(responders)
    ]
    if rows:
        session.connection().execute(INSERT_RESPONDER, rows)


def _write_logs_and_notes(session: Session, pending: list[_Pending], now: datetime) -> None:
    logs, notes = [], []
    for item in pending:
        outcome, payload, actor = item.outcome, item.request.payload, item.request.actor
        assert outcome is not None
        if outcome.deduplicated:
            text = (
                f'Alert is received with same alias. Message: "{payload.message}". '
                f"Count is increased to {outcome.count}"
            )
        else:
            text = f"Alert created by {actor.describe()}"
            if payload.note:
                notes.append({"alert_id": outcome.alert_id, "created_at": now, "owner": actor.display_name,
                              "note": payload.note})  # fmt: skip
        logs.append(log_row(outcome.alert_id, text, actor, now))
        if not outcome.deduplicated:
            logs += [log_row(outcome.alert_id, line, SYSTEM, now) for line in item.effects.logs]
        if payload.note and not outcome.deduplicated:
            logs.append(log_row(outcome.alert_id, f"Note added by {actor.describe()}", actor, now))
    session.connection().execute(INSERT_LOG, logs)
    if notes:
        session.connection().execute(INSERT_NOTE, notes)
    activity.record_many(
        session,
        (
            (item.outcome.alert_id, "Create", item.request.actor)
            for item in pending
            # A silenced alert (maintenance, a suppressing policy) is not announced anywhere.
            if item.outcome is not None and not item.outcome.deduplicated and not item.effects.silenced
        ),
    )
