"""Typed domain errors. Each edge (API, web, chat, CLI) renders them in its own way."""

from __future__ import annotations


class TocsinError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(TocsinError):
    pass


class AlertNotFound(NotFound):
    def __init__(self, message: str = "Alert does not exist") -> None:
        super().__init__(message)


class PermissionDenied(TocsinError):
    pass


class AlertNotVisible(PermissionDenied):
    def __init__(self) -> None:
        super().__init__("You are not allowed to act on this alert")


class InvalidInput(TocsinError):
    """Input that can be fixed by the caller; ``field`` names what to fix."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field


class Conflict(TocsinError):
    """The change would clash with something already stored (a duplicate name, say)."""


class AliasAmbiguous(Conflict):
    """An alias open on alerts of several teams, named by a caller that may see more than one."""

    def __init__(self, alias: str, count: int) -> None:
        super().__init__(f"Alias {alias} is open on alerts of {count} teams; name the alert by id or tinyId")


class AuthenticationFailed(TocsinError):
    pass


class AlertActionRefused(TocsinError):
    """The alert exists but its state does not allow the action (acknowledging a closed alert)."""


class TryLater(TocsinError):
    """Refused for now, not for good: the caller may try again in ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class TooManyRequests(TryLater):
    """This caller went over a rate limit (HTTP 429)."""


class ServerBusy(TryLater):
    """The server is busy with others' work of this kind (HTTP 503), whoever the caller is."""
