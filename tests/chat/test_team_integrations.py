"""Commands typed through a team's integration, on each platform: what its team scope rules out
is refused saying so (not silently redirected, not blamed on the person's rights), and an admin
who disabled the integration they type into can enable it again from there."""

from __future__ import annotations

from typing import Any

import pytest

from tests.chat.conftest import alert
from tests.chat.genie_world import Genie, Platform, make_genie
from tocsin.alerts.models import Alert
from tocsin.config import Settings
from tocsin.db import Database
from tocsin.integrations import service as integrations


@pytest.fixture
def ops_genie(db: Database, settings: Settings, platform: Platform, chat_fake: Any) -> Genie:
    """The platform's integration owned by ops_team (john, connected, is an admin)."""
    return make_genie(db, settings, platform, chat_fake, team="ops_team")


def _alert_count(db: Database) -> int:
    with db.read_session() as session:
        return session.query(Alert).count()


def test_an_alert_for_another_team_is_refused_saying_why(ops_genie: Genie, platform: Platform) -> None:
    before = _alert_count(ops_genie.db)

    result = ops_genie("alert Cache cold for myTeam")

    assert result.ephemeral
    text = result.text.replace("\u200b", "").replace("\\", "")
    assert f"This channel's integration {platform.name} belongs to team ops_team" in text
    assert "not to myTeam" in text and "Nothing was created" in text
    assert _alert_count(ops_genie.db) == before


def test_an_alert_for_its_own_team_is_created(ops_genie: Genie) -> None:
    result = ops_genie("alert Cache cold for ops_team")

    assert "created alert #4 Cache cold" in result.text, result.text


def test_an_admin_changing_global_configuration_is_told_of_the_team_scope(ops_genie: Genie) -> None:
    result = ops_genie("disable runbooks")

    text = result.text.replace("\u200b", "").replace("\\", "")
    assert result.ephemeral
    assert "may not change" not in text
    assert "Integration runbooks is global configuration" in text
    assert "change only team ops_team's configuration" in text
    with ops_genie.db.read_session() as session:
        assert integrations.find_integration(session, name="runbooks").enabled  # type: ignore[union-attr]


def test_an_admin_disabling_the_integration_can_enable_it_from_there(
    ops_genie: Genie, platform: Platform
) -> None:
    disabled = ops_genie(f"disable {platform.name}")
    refused = ops_genie("ack 1")
    not_by_bob = ops_genie(f"enable {platform.name}", user="bob")
    enabled = ops_genie(f"enable {platform.name}")
    acked = ops_genie("ack 1")

    assert f"disabled integration {platform.name}" in disabled.text, disabled.text
    assert refused.ephemeral and "is disabled" in refused.text
    assert f"/genie enable {platform.name}" in refused.text.replace("\\", "")
    assert "/genie connect" in not_by_bob.text
    assert f"enabled integration {platform.name}" in enabled.text, enabled.text
    assert acked.error is None and alert(ops_genie.db, 1).acknowledged
