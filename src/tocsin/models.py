"""Imports every domain's tables so ``Base.metadata`` is complete (for migrations and checks)."""

from tocsin.accounts.account_settings import AccountSetting
from tocsin.accounts.models import ApiKey, User
from tocsin.alerts.models import Alert, AlertLog, AlertNote, AlertRecipient, AlertRequest, AlertResponder
from tocsin.chat.card_posts import ChatCard
from tocsin.chat.models import ChatAccount, ChatLinkToken, ChatReplayGuard
from tocsin.counters import Counter
from tocsin.db import Base
from tocsin.engine.models import EngineLease, EngineTick
from tocsin.escalations.models import AlertEscalation, AlertEscalationStep, EscalationPolicy, EscalationRule
from tocsin.heartbeats.models import Heartbeat
from tocsin.integrations.models import Integration
from tocsin.maintenance.models import Maintenance, MaintenanceRule
from tocsin.notify.models import (
    ContactMethod,
    ForwardingRule,
    NotificationRule,
    NotificationRuleStep,
    ShiftNotice,
)
from tocsin.notify.outbox import OutboxMessage
from tocsin.oncall.models import CalendarFeed, Rotation, RotationParticipant, Schedule, ScheduleOverride
from tocsin.ops.models import WatchdogEpisode
from tocsin.policies.models import Policy
from tocsin.routing.models import RoutingRule
from tocsin.teams.models import Team, TeamMember

metadata = Base.metadata

__all__ = [
    "AccountSetting",
    "Alert",
    "AlertEscalation",
    "AlertEscalationStep",
    "AlertLog",
    "AlertNote",
    "AlertRecipient",
    "AlertRequest",
    "AlertResponder",
    "ApiKey",
    "CalendarFeed",
    "ChatAccount",
    "ChatCard",
    "ChatLinkToken",
    "ChatReplayGuard",
    "ContactMethod",
    "Counter",
    "EngineLease",
    "EngineTick",
    "EscalationPolicy",
    "EscalationRule",
    "ForwardingRule",
    "Heartbeat",
    "Integration",
    "Maintenance",
    "MaintenanceRule",
    "NotificationRule",
    "NotificationRuleStep",
    "OutboxMessage",
    "Policy",
    "Rotation",
    "RotationParticipant",
    "RoutingRule",
    "Schedule",
    "ScheduleOverride",
    "ShiftNotice",
    "Team",
    "TeamMember",
    "User",
    "WatchdogEpisode",
    "metadata",
]
