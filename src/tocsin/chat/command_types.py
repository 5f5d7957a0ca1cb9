"""The typed ``/genie`` commands the grammar (``commands.py``) produces and ``execute.py`` runs.
Alerts are named by tinyId; people, teams, schedules, integrations and policies by name, as typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar


@dataclass(frozen=True)
class Command:
    word: ClassVar[str]
    """The command word as the user types it ("ack", "list teams")."""
    changes_state: ClassVar[bool] = False
    """Results of commands that change something are posted in the channel; the others are
    shown only to the caller."""


@dataclass(frozen=True)
class Ack(Command):
    word: ClassVar[str] = "ack"
    changes_state: ClassVar[bool] = True
    tiny_ids: tuple[int, ...]


@dataclass(frozen=True)
class Close(Command):
    word: ClassVar[str] = "close"
    changes_state: ClassVar[bool] = True
    tiny_ids: tuple[int, ...]


@dataclass(frozen=True)
class AddNote(Command):
    word: ClassVar[str] = "note"
    changes_state: ClassVar[bool] = True
    note: str
    tiny_ids: tuple[int, ...]


@dataclass(frozen=True)
class AddTags(Command):
    word: ClassVar[str] = "addtag"
    changes_state: ClassVar[bool] = True
    tags: tuple[str, ...]
    tiny_ids: tuple[int, ...]


@dataclass(frozen=True)
class AckAll(Command):
    word: ClassVar[str] = "ackall"
    changes_state: ClassVar[bool] = True


@dataclass(frozen=True)
class CloseAll(Command):
    word: ClassVar[str] = "closeall"
    changes_state: ClassVar[bool] = True


@dataclass(frozen=True)
class Assign(Command):
    word: ClassVar[str] = "assign"
    changes_state: ClassVar[bool] = True
    tiny_ids: tuple[int, ...]
    user: str
    """An e-mail, a Tocsin username, or a chat ``@mention`` (of a linked chat user)."""


@dataclass(frozen=True)
class Own(Command):
    word: ClassVar[str] = "own"
    changes_state: ClassVar[bool] = True
    tiny_ids: tuple[int, ...]


@dataclass(frozen=True)
class UpdatePriority(Command):
    word: ClassVar[str] = "update priority"
    changes_state: ClassVar[bool] = True
    priority: str
    """"P1" .. "P5"."""
    tiny_ids: tuple[int, ...]


@dataclass(frozen=True)
class ExecuteAction(Command):
    word: ClassVar[str] = "exec"
    changes_state: ClassVar[bool] = True
    action: str
    tiny_ids: tuple[int, ...]


@dataclass(frozen=True)
class CreateAlert(Command):
    word: ClassVar[str] = "alert"
    changes_state: ClassVar[bool] = True
    message: str
    responders: tuple[str, ...]
    """Team names and users (e-mail or username), as typed; may be empty."""


@dataclass(frozen=True)
class GetAlert(Command):
    word: ClassVar[str] = "get"
    tiny_id: int


@dataclass(frozen=True)
class ListAlerts(Command):
    word: ClassVar[str] = "list"
    team: str | None = None
    """``list alerts of TEAM``; None lists all open alerts the caller may see."""
    page: int = 1
    """Which page of a long list (``… page 2``), from 1."""


@dataclass(frozen=True)
class ListIntegrations(Command):
    word: ClassVar[str] = "list integrations"
    page: int = 1


@dataclass(frozen=True)
class ListPolicies(Command):
    word: ClassVar[str] = "list policies"
    page: int = 1


@dataclass(frozen=True)
class ListTeams(Command):
    word: ClassVar[str] = "list teams"
    contains: str | None = None
    starts_with: str | None = None
    page: int = 1


@dataclass(frozen=True)
class Enable(Command):
    word: ClassVar[str] = "enable"
    changes_state: ClassVar[bool] = True
    name: str
    """An integration or policy name."""


@dataclass(frozen=True)
class Disable(Command):
    word: ClassVar[str] = "disable"
    changes_state: ClassVar[bool] = True
    name: str


@dataclass(frozen=True)
class TakeOnCall(Command):
    word: ClassVar[str] = "oncall"
    changes_state: ClassVar[bool] = True
    user: str | None = None
    """None for "me" (or nothing given)."""
    duration: timedelta = timedelta(hours=1)
    target: str | None = None
    """A team or schedule name, "all", or None for the default (see oncall/take.py)."""


@dataclass(frozen=True)
class WhoIsOnCall(Command):
    word: ClassVar[str] = "whoisoncall"
    page: int = 1


@dataclass(frozen=True)
class Mute(Command):
    word: ClassVar[str] = "mute"
    changes_state: ClassVar[bool] = True
    user: str | None = None
    """None for "me" (or nothing given)."""
    minutes: int = 5


@dataclass(frozen=True)
class Unmute(Command):
    word: ClassVar[str] = "unmute"
    changes_state: ClassVar[bool] = True
    user: str | None = None


@dataclass(frozen=True)
class Connect(Command):
    word: ClassVar[str] = "connect"


@dataclass(frozen=True)
class Help(Command):
    word: ClassVar[str] = "help"
    topic: str | None = None
    """``help ack`` shows one command; None shows them all."""


class UsageError(Exception):
    """What was typed is not a command: names the command (when known), what is wrong, its
    syntax and an example."""

    def __init__(
        self, problem: str, *, command: str | None = None, syntax: str = "", example: str = ""
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.command = command
        self.syntax = syntax
        self.example = example
