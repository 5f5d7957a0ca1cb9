"""The policies and maintenance windows the alert writer applies, kept between batches.

Loading them (and parsing every filter) for each batch of creates cost as much as the creates.
They are kept per database engine together with the configuration version they were read at
(``tocsin.config_version``); each batch reads that version (one primary-key read) and reloads
only when a policy or maintenance window changed since, in this process or any other.
Maintenance windows are kept with their times, so a window that starts or ends by the clock
takes effect on time without a reload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from weakref import WeakKeyDictionary

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from tocsin import config_version
from tocsin.maintenance.switches import Windows, windows_from
from tocsin.policies.apply import Compiled, PolicySet, compile_policy
from tocsin.policies.models import Policy

_POLICIES = select(
    Policy.id,
    Policy.name,
    Policy.type,
    Policy.team_id,
    Policy.enabled,
    Policy.filter,
    Policy.time_restrictions,
    Policy.body,
).order_by(Policy.position, Policy.id)


@dataclass(frozen=True)
class _Loaded:
    version: int
    policies: tuple[Compiled, ...]
    """Every policy in order, enabled or not (a maintenance window may enable one)."""
    windows: Windows


_loaded: WeakKeyDictionary[Engine | Connection, _Loaded] = WeakKeyDictionary()


def load(session: Session, now: datetime) -> PolicySet:
    """The policies that count at ``now``, in order, and the maintenance switches of ``now``."""
    bind = session.get_bind()
    version = config_version.current(session)
    found = _loaded.get(bind)
    # A clock moved back (tests) may need windows that were over when they were read.
    if found is None or found.version != version or now < found.windows.loaded_at:
        found = _Loaded(
            version,
            tuple(compile_policy(row) for row in session.execute(_POLICIES)),
            windows_from(session, now),
        )
        _loaded[bind] = found
    switches = found.windows.switches_at(now)
    policies = [policy for policy in found.policies if switches.policy_enabled(policy.id, policy.enabled)]
    return PolicySet(policies, switches, now)
