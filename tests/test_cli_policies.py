"""``tocsin policy list|enable|disable`` through the real console script."""

from __future__ import annotations

from tests.support.factories import make_team
from tests.test_cli import Tocsin, tocsin  # noqa: F401  (fixture)
from tocsin.actors import SYSTEM
from tocsin.db import Database
from tocsin.policies import service
from tocsin.policies.schemas import PolicyPayload


def _policy(db: Database, name: str, team: str | None = None, kind: str = "alert") -> None:
    body = {"priority": "P1"} if kind == "alert" else {"suppress": True}
    payload = PolicyPayload.model_validate({"type": kind, "name": name, **body})
    with db.write_session() as session:
        service.create_policy(
            session, actor=SYSTEM, payload=payload, team_id=service.team_id_of(session, team)
        )


def test_policies_are_listed_in_order_and_switched_by_name(tocsin: Tocsin, database_url: str) -> None:  # noqa: F811
    db = Database(database_url)
    try:
        make_team(db, "ops")
        _policy(db, "raise db")
        _policy(db, "quiet flappy", kind="notification")
        _policy(db, "ops quiet", team="ops", kind="notification")

        listed = [line.split("\t")[:4] for line in tocsin.ok("policy", "list")]
        assert listed == [
            ["alert", "0", "enabled", "raise db"],
            ["notification", "0", "enabled", "quiet flappy"],
        ]
        assert [line.split("\t")[3] for line in tocsin.ok("policy", "list", "--team", "ops")] == ["ops quiet"]

        assert tocsin.ok("policy", "disable", "Raise DB") == ["Policy raise db is disabled."]
        assert tocsin.ok("policy", "list")[0].split("\t")[2] == "disabled"
        assert tocsin.ok("policy", "enable", "ops quiet", "--team", "ops") == ["Policy ops quiet is enabled."]
        assert tocsin.ok("policy", "enable", "raise db") == ["Policy raise db is enabled."]

        missing = tocsin("policy", "disable", "nothing like it")
        assert missing.returncode == 1
        assert missing.stderr.strip() == (
            "error: no policy named 'nothing like it' (tocsin policy list [--team T] shows them)"
        )
    finally:
        db.dispose()
