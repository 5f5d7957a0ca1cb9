"""What executing a command answers, before a platform adapter puts it into its own format."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class Reply:
    text: str
    """Markdown (the common subset of Mattermost's and Slack's: ``**bold**``, ``[text](url)``,
    lists, code). Text that came from outside (alert messages, notes) is already escaped."""
    in_channel: bool = False
    """Posted for everyone in the channel (results of changes); otherwise only the caller sees it."""
    links: tuple[Link, ...] = field(default_factory=tuple)
    """Links the text mentions, for platforms that show them apart (the connect link)."""
