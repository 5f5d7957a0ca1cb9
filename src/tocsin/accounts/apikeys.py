"""Account-level API keys (Opsgenie's "API key management") and their access rights."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts.models import API_KEY_RIGHTS, ApiKey
from tocsin.errors import Conflict, InvalidInput, NotFound
from tocsin.names import name_key
from tocsin.secrets_util import hash_key, new_api_key


def parse_rights(text: str) -> list[str]:
    rights = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [right for right in rights if right not in API_KEY_RIGHTS]
    if unknown or not rights:
        raise InvalidInput(
            "rights", f"rights must be a comma-separated list of {', '.join(API_KEY_RIGHTS)}; got {text!r}"
        )
    return sorted(set(rights), key=API_KEY_RIGHTS.index)


def create_api_key(
    session: Session, *, name: str, rights: list[str], created_by: str | None = None
) -> tuple[ApiKey, str]:
    """Returns the stored key and the secret itself, which is shown once and never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("name", "name must be 1 to 100 characters")
    taken = session.scalar(select(ApiKey.name).where(ApiKey.name_key == name_key(name)))
    if taken is not None:
        raise Conflict(f"an API key named {taken!r} already exists")
    secret = new_api_key()
    api_key = ApiKey(
        name=name,
        key_hash=hash_key(secret),
        rights=rights,
        enabled=True,
        created_by=created_by,
        created_at=clock.now(),
    )
    session.add(api_key)
    session.flush()
    return api_key, secret


def find_by_secret(session: Session, secret: str) -> ApiKey | None:
    return session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(secret)))


def list_api_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.name)))


def delete_api_key(session: Session, *, name: str) -> None:
    api_key = session.scalar(select(ApiKey).where(ApiKey.name_key == name_key(name)))
    if api_key is None:
        raise NotFound(f"no API key named {name!r}")
    session.delete(api_key)
