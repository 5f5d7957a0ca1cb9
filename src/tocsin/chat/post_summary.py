"""The one post about a command's change to many alerts ("ann@example.com via Mattermost
acknowledged 15 alerts: #1, #2, … and 5 more"), which a channel reads instead of a post per alert."""

from __future__ import annotations

from typing import Any

from tocsin.alerts.models import Alert
from tocsin.chat.alert_card import NAME_LIMIT, alert_url
from tocsin.chat.markdown import escape_line

LINKED = 10
"""Alerts named (each a link) before the rest are counted."""

DONE = {
    "Acknowledge": "acknowledged",
    "UnAcknowledge": "unacknowledged",
    "Close": "closed",
    "AddNote": "added a note to",
    "AssignOwnership": "changed the owner of",
    "TakeOwnership": "took ownership of",
    "AddTags": "changed the tags of",
    "UpdatePriority": "changed the priority of",
    "CustomAction": "ran a custom action on",
}


def summary_text(alerts: list[Alert], event: dict[str, Any], *, base_url: str) -> str:
    """One line of markdown: who did what to how many alerts, the first ``LINKED`` of them linked."""
    by = escape_line(str(event.get("by", "")), limit=NAME_LIMIT) or "someone"
    done = DONE.get(event["action"], f"did {escape_line(str(event['action']), limit=NAME_LIMIT)} to")
    count = f"{len(alerts)} alert{'' if len(alerts) == 1 else 's'}"
    named = [f"[#{alert.tiny_id}]({alert_url(base_url, alert)})" for alert in alerts[:LINKED]]
    more = f" … and {len(alerts) - LINKED} more" if len(alerts) > LINKED else ""
    return f"{by} {done} {count}: {', '.join(named)}{more}"
