from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.alerts.conftest import api  # noqa: F401  (a client with a global integration key)
from tests.support.factories import make_user
from tocsin.actors import SYSTEM
from tocsin.oncall import service
from tocsin.oncall.lookup import NameRef, UserRef
from tocsin.oncall.rotation_config import RotationInput

PEOPLE = ("ada@example.com", "bob@example.com", "cy@example.com")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def people(db) -> dict[str, str]:
    """Three users: short name -> user id."""
    return {username.split("@")[0]: make_user(db, username, password=None) for username in PEOPLE}


def daily(start: datetime, *usernames: str | None, **fields) -> RotationInput:
    participants = [UserRef(username=f"{name}@example.com") if name else None for name in usernames]
    return RotationInput(type=fields.pop("type", "daily"), start=start, participants=participants, **fields)


def make_schedule(db, name: str, *rotations: RotationInput, team: str | None = None, **fields) -> str:
    with db.write_session() as session:
        return service.create_schedule(
            session,
            actor=SYSTEM,
            name=name,
            owner_team=NameRef(name=team) if team else None,
            rotations=list(rotations),
            **fields,
        ).id
