"""What every platform adapter turns a chat command into, whatever its wire format."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ChatIdentity:
    """A chat user within a chat team of a platform: what a chat account link binds."""

    platform: str
    """"Mattermost", "HipChat", "Slack"."""
    team_id: str
    team_name: str
    user_id: str
    user_name: str

    @property
    def handle(self) -> str:
        """How the alert log names an unlinked chat user: "@bob"."""
        return f"@{self.user_name}" if self.user_name else self.user_id


@dataclass(frozen=True)
class ChatRequest:
    identity: ChatIdentity
    text: str
    """Everything after the command word (``ack 12``), as typed."""
    channel_id: str = ""
    channel_name: str = ""
    mentions: dict[str, str] = field(default_factory=dict)
    """``@name`` in the text -> the chat user id of that team member (Mattermost sends these)."""
