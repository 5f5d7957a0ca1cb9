"""Names people type: one normalised key per named thing, so a name is the same name in any case,
in any language, on both databases.

The key is Unicode compatibility caseless matching (NFKC and full case folding), computed in Python:
``ÉQUIPE`` and ``équipe``, ``STRASSE`` and ``straße``, ``ﬁle`` and ``FILE`` have one key. Every
lookup by name compares keys and every unique name is a unique index on its key; SQL ``lower()``
is never used for names (SQLite's folds ASCII only, PostgreSQL's depends on the server locale).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.orm import InstrumentedAttribute

from tocsin.errors import Conflict, InvalidInput

NAME_KEY_MAX = 500
"""Longest stored key, in characters. Folding can lengthen a name (``ß`` becomes ``ss``, ``ﬃ``
becomes ``ffi``); a name whose key would not fit is refused. 500 characters of at most 4 bytes
stay under PostgreSQL's 2,704-byte limit for a unique index entry."""


def name_key(name: str) -> str:
    """The key two names share exactly when people would call them the same name."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    # Folding can produce text that composes differently (and NFKC can un-fold a few characters),
    # so normalise and fold once more; strip last, as NFKC can turn a character into a space and a
    # mark. The result is stable: name_key(name_key(x)) == name_key(x).
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", folded).casefold()).strip()


def keep_name_key(name: InstrumentedAttribute[str], key: InstrumentedAttribute[str]) -> None:
    """Whenever ``name`` is set on a model (constructor or assignment), set ``key`` from it, so no
    code path can store a name without its key. ``field`` in the error is the name's attribute."""

    @event.listens_for(name, "set", propagate=True)
    def _set_key(target: Any, value: str | None, _old: Any, _initiator: Any) -> None:
        if value is None:
            return
        found = name_key(value)
        if len(found) > NAME_KEY_MAX:
            raise InvalidInput(name.key, f"{name.key} is too long once normalised (at most {NAME_KEY_MAX})")
        setattr(target, key.key, found)


_KEYED_TABLES = {
    "user_account": "user",
    "api_key": "API key",
    "team": "team",
    "schedule": "schedule",
    "rotation": "rotation in that schedule",
    "escalation_policy": "escalation",
    "heartbeat": "heartbeat",
    "integration": "integration",
    "policy": "policy in that scope",
}
_SQLITE_CLASH = re.compile(r"UNIQUE constraint failed: (?:\w+\.\w+, )?(\w+)\.(?:user)?name_key\b")
_POSTGRESQL_CLASH = re.compile(r'unique constraint "uq_(\w+)_(?:user)?name_key"')


def clashes_as_conflicts(engine: Engine) -> None:
    """A name key's unique index refusing a row becomes a Conflict (409), not a server error. The
    services look for the name first and name what is in the way; this is for the one created by
    someone else at the same moment."""

    @event.listens_for(engine, "handle_error")
    def _on_error(context: ExceptionContext) -> Conflict | None:
        message = str(context.original_exception)
        found = _SQLITE_CLASH.search(message) or _POSTGRESQL_CLASH.search(message)
        table = found and next((name for name in _KEYED_TABLES if found.group(1).startswith(name)), None)
        if not table:
            return None
        return Conflict(f"a {_KEYED_TABLES[table]} with that name already exists; choose another name")
