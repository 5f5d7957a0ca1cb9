"""Creating a person: the account, an e-mail contact method (their username) and a "New alert"
notification rule, in one transaction, for every way users are made (API, CLI, first owner)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.actors import SYSTEM, Actor
from tocsin.notify import contacts, rules


def create_user(
    session: Session,
    *,
    username: str,
    role: str = "user",
    password: str | None,
    full_name: str = "",
    time_zone: str = "UTC",
    actor: Actor = SYSTEM,
    default_rule: bool = True,
) -> User:
    """``default_rule`` False: the caller gives the person's "New alert" rules itself (an import)."""
    user = accounts.create_user(
        session,
        username=username,
        role=role,
        password=password,
        full_name=full_name,
        time_zone=time_zone,
        actor=actor,
    )
    contact = contacts.add_default_contact(session, user)
    if default_rule:
        rules.add_default_rule(session, user, contact)
    return user
