"""The ways a person is reached, the outbox topic each goes through, and what this server can
send (a channel is there only when its provider is set up). Direct messages on Mattermost and
Slack are always there: whether a bot-mode integration can send them is known only when one is
sent, and a failure is logged on the alert."""

from __future__ import annotations

from tocsin.config import Settings

SET_UP_BY = {
    "email": "TOCSIN_SMTP_HOST",
    "sms": "TOCSIN_TWILIO_ACCOUNT_SID",
    "voice": "TOCSIN_TWILIO_ACCOUNT_SID",
    "ntfy": "TOCSIN_NTFY_URL",
    "mattermost": "a Mattermost integration in bot mode",
    "slack": "a Slack integration in bot mode",
}
"""The setting that makes each method available, named when a person cannot be reached by it."""

CHAT_METHODS = {"mattermost": "Mattermost", "slack": "Slack"}
"""Direct messages: each method and the chat platform it is sent on."""
NAMES = {
    "email": "e-mail",
    "sms": "SMS",
    "voice": "voice calls",
    "ntfy": "ntfy push",
    "mattermost": "Mattermost direct messages",
    "slack": "Slack direct messages",
}
BY = {
    "email": "by e-mail",
    "sms": "by SMS",
    "voice": "by a call",
    "ntfy": "by ntfy push",
    "mattermost": "by a Mattermost direct message",
    "slack": "by a Slack direct message",
}
"""How a log line says it: "Notified +4915112345678 by SMS"."""
SENT_AS = {
    "email": "E-mail",
    "sms": "SMS",
    "voice": "Call",
    "ntfy": "Push",
    "mattermost": "Mattermost direct message",
    "slack": "Slack direct message",
}
"""What one message is called: "SMS to +4915112345678 failed: …"."""


def topic_of(method: str) -> str:
    return f"notify.{method}"


def configured(settings: Settings) -> frozenset[str]:
    """The methods whose provider ``settings`` set up (the engine has a channel for each)."""
    found = set(CHAT_METHODS) | ({"email"} if settings.smtp_host else set())
    if settings.twilio_configured:
        found |= {"sms", "voice"}
    if settings.ntfy_url:
        found.add("ntfy")
    return frozenset(found)


def not_set_up(method: str) -> str:
    return f"{NAMES.get(method, method)} is not set up on this server ({SET_UP_BY.get(method, 'no channel')})"
