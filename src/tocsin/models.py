"""Imports every domain's tables so ``Base.metadata`` is complete (for migrations and checks)."""

from tocsin.accounts.models import ApiKey, User
from tocsin.alerts.models import Alert, AlertLog, AlertNote, AlertRecipient, AlertRequest, AlertResponder
from tocsin.counters import Counter
from tocsin.db import Base
from tocsin.integrations.models import Integration
from tocsin.notify.outbox import OutboxMessage
from tocsin.teams.models import Team, TeamMember

metadata = Base.metadata

__all__ = [
    "Alert",
    "AlertLog",
    "AlertNote",
    "AlertRecipient",
    "AlertRequest",
    "AlertResponder",
    "ApiKey",
    "Counter",
    "Integration",
    "OutboxMessage",
    "Team",
    "TeamMember",
    "User",
    "metadata",
]
