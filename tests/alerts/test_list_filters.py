"""The alert list's view in SQL: the plans that keep it fast with many alerts stored, on SQLite,
whose planner keeps no statistics (PostgreSQL's chooses by the data it has)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, text

from tocsin.actors import EVERYTHING
from tocsin.alerts.list_filters import AlertFilter
from tocsin.alerts.models import Alert
from tocsin.alerts.service import visible_condition
from tocsin.db import Database
from tocsin.migrate import upgrade


@pytest.fixture(scope="module")
def sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path_factory.mktemp('plans') / 'plans.db'}"
    upgrade(url)
    database = Database(url)
    yield database
    database.dispose()


def sqlite_plan(db: Database, view: AlertFilter) -> str:
    statement = (
        select(Alert.id).where(visible_condition(EVERYTHING), view.condition()).order_by(*view.ordering())
    )
    with db.read_session() as session:
        connection = session.connection()
        compiled = str(statement.limit(51).compile(connection, compile_kwargs={"literal_binds": True}))
        return " ".join(str(row[-1]) for row in connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))


def test_the_team_filter_looks_up_each_alerts_own_responders(sqlite: Database) -> None:
    plan = sqlite_plan(sqlite, AlertFilter(state="all", team_ids=("t1",)))

    # Through (type, ref_id) each alert looked at would read every responder row of the team.
    assert "ix_alert_responder_alert_type_ref" in plan, plan
    assert "SCAN alert USING INDEX ix_alert_created_at" in plan, plan


def test_a_tab_sorted_by_creation_walks_the_creation_index_without_sorting(sqlite: Database) -> None:
    plan = sqlite_plan(sqlite, AlertFilter(state="closed"))

    assert "ix_alert_created_at" in plan and "TEMP B-TREE FOR ORDER BY" not in plan, plan


@pytest.mark.parametrize("state", ["open", "acknowledged"])
def test_the_open_tabs_walk_open_alerts_newest_first_and_stop_after_a_page(
    sqlite: Database, state: str
) -> None:
    plan = sqlite_plan(sqlite, AlertFilter(state=state))

    assert plan == "SCAN alert USING INDEX ix_alert_open_created", plan
