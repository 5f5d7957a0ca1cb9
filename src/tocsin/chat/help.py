"""What ``/genie help`` answers and how a mistyped command is explained: one table of every
command (its syntax and examples as the product document writes them), grouped as the document
groups them."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from tocsin.chat.command_types import UsageError

MAX_TINY_IDS = 50
"""Alerts one command may act on: a slash command must be answered within seconds."""
MAX_ONCALL_DAYS = 30
MAX_MUTE_MINUTES = 1440 * 7
DEFAULT_MUTE_MINUTES = 5


@dataclass(frozen=True)
class CommandHelp:
    word: str
    """As typed after ``/genie``: "ack", "update priority", "list teams"."""
    syntax: str
    examples: tuple[str, ...]
    """The first is the one shown in the list of all commands and in usage errors."""
    summary: str
    group: str = "Alerts"
    notes: str = ""
    """Shown by ``/genie help WORD`` only: defaults, limits, how the words are split."""

    @property
    def example(self) -> str:
        return self.examples[0]


IDS = "[tinyID tinyID2..]"
LISTS, CONFIG, ONCALL, ACCOUNT = "Lists", "Configuration", "On-call", "Account"
_ID_NOTE = f"TinyIds are written `12` or `#12`, separated by spaces or commas; at most {MAX_TINY_IDS}."


def _entry(word: str, syntax: str, examples: tuple[str, ...], summary: str, **more: str) -> CommandHelp:
    return CommandHelp(word, f"/genie {syntax}", tuple(f"/genie {e}" for e in examples), summary, **more)


_PAGE_NOTE = "Long lists come 20 lines at a time; add `page 2` (and so on) for the next."

HELP: list[CommandHelp] = [
    _entry("ack", f"ack {IDS}", ("ack 1 2 3", "ack 1"), "Acknowledge alerts.", notes=_ID_NOTE),
    _entry("close", f"close {IDS}", ("close 1 2 3", "close 1"), "Close alerts.", notes=_ID_NOTE),
    _entry(
        "note",
        f"note [note] to {IDS}",
        ("note this is note to 1 2 3", "note this is note to 1"),
        "Add a note to alerts.",
        notes="The note is everything before the last `to`.",
    ),
    _entry(
        "addtag",
        f"addtag [tag1,tag2,..] to {IDS}",
        ("addtag high priority,important to 1 2 3", "addtag high priority,important to 1"),
        "Add tags to alerts.",
        notes="Tags are separated by commas and may contain spaces.",
    ),
    _entry("ackall", "ackall", ("ackall",), "Acknowledge all open alerts."),
    _entry("closeall", "closeall", ("closeall",), "Close all open alerts."),
    _entry(
        "assign",
        f"assign {IDS} to [user]",
        ("assign 1 2 3 to john.smith@acme.com", "assign 1 to john.smith@acme.com"),
        "Assign alerts to someone.",
        notes="The user is an e-mail address, a username or an @mention of a connected chat user.",
    ),
    _entry("own", f"own {IDS}", ("own 1 2 3", "own 1"), "Take ownership of alerts.", notes=_ID_NOTE),
    _entry(
        "update priority",
        f"update priority to [P1, P2, P3, P4 or P5] for {IDS}",
        ("update priority to P2 for 1341",),
        "Change the priority of alerts.",
    ),
    _entry(
        "exec",
        f"exec [action] on {IDS}",
        ("exec customAction on 1 2 3", "exec customAction on 1"),
        "Run a custom action on alerts.",
        notes="The action is everything before the last `on`.",
    ),
    _entry(
        "alert",
        "alert [alert message] for [team1,team2,user1..]",
        (
            "alert this is alert message for myTeam,john.smith@acme.com",
            "alert this is alert message for john.smith@acme.com",
            "alert this is alert message for myTeam",
        ),
        "Create an alert.",
        notes="The message is everything before the last `for`; without `for` the alert has no responders.",
    ),
    _entry("get", "get [tinyID]", ("get 1",), "Show an alert."),
    _entry(
        "list",
        "list [alerts of team]",
        ("list", "list alerts of team1"),
        "List open alerts, all or of one team.",
        group=LISTS,
        notes=_PAGE_NOTE,
    ),
    _entry(
        "list integrations",
        "list integrations",
        ("list integrations",),
        "List integrations.",
        group=LISTS,
        notes=_PAGE_NOTE,
    ),
    _entry(
        "list policies", "list policies", ("list policies",), "List policies.", group=LISTS, notes=_PAGE_NOTE
    ),
    _entry(
        "list teams",
        "list teams [contains/starts with [search query]]",
        ("list teams", "list teams contains ops", "list teams starts with op"),
        "List teams.",
        group=LISTS,
        notes=_PAGE_NOTE,
    ),
    _entry("enable", "enable [name]", ("enable policy",), "Enable an integration or policy.", group=CONFIG),
    _entry(
        "disable", "disable [name]", ("disable policy",), "Disable an integration or policy.", group=CONFIG
    ),
    _entry(
        "oncall",
        "oncall [me/user] [h/m/d] for [team/schedule/all]",
        (
            "oncall me 2h for weekend_schedule",
            "oncall john.smith@acme.com 1d for ops_team",
            "oncall me 2h for all",
            "oncall me 45m",
            "oncall me",
        ),
        "Take on-call.",
        group=ONCALL,
        notes=(
            f"For 1h if no time is given, at most {MAX_ONCALL_DAYS} days (`45m`, `2h`, `1d`). Without `for`, "
            "for your team's schedule or the single schedule you take part in."
        ),
    ),
    _entry(
        "whoisoncall",
        "whoisoncall",
        ("whoisoncall",),
        "Show who is on call in every schedule.",
        group=ONCALL,
        notes=_PAGE_NOTE,
    ),
    _entry(
        "mute",
        "mute [me/username] [minutes(optional)]",
        ("mute john.smith@acme.com 15", "mute john.smith@acme.com", "mute me"),
        "Mute notifications.",
        group="Mute",
        notes=f"For {DEFAULT_MUTE_MINUTES} minutes if not given, at most {MAX_MUTE_MINUTES} (a week).",
    ),
    _entry(
        "unmute",
        "unmute [me/username]",
        ("unmute john.smith@acme.com", "unmute me"),
        "Clear a mute.",
        group="Mute",
    ),
    _entry(
        "connect",
        "connect",
        ("connect",),
        "Connect your chat account to your Tocsin account, or see and remove the connection.",
        group=ACCOUNT,
    ),
    _entry(
        "help", "help [command]", ("help ack", "help"), "Show the commands, or one of them.", group=ACCOUNT
    ),
]

_BY_WORD = {entry.word: entry for entry in HELP}
HEADS = tuple(dict.fromkeys(entry.word.split()[0] for entry in HELP))
"""The first word of every command."""


def entry_for(word: str) -> CommandHelp | None:
    return _BY_WORD.get(word)


def code(text: str, limit: int = 40) -> str:
    """``text`` as an inline code span that nothing typed can break out of (shortened, one line)."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def closest(word: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """The choice ``word`` is most likely a typo or an abbreviation of."""
    word = word.lower()[:40]
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return close[0]
    longer = [choice for choice in choices if len(word) >= 2 and choice.startswith(word)]
    shorter = [choice for choice in choices if word.startswith(choice)]
    found = sorted(shorter, key=len, reverse=True) + sorted(longer, key=len)
    return found[0] if found else None


def resolve_topic(topic: str) -> str | None:
    """The command a help topic names ("list teams contains" -> "list teams", "update" ->
    "update priority"), or None when it names none."""
    words = re.sub(r"^/?genie(\s+|$)", "", topic.strip(), flags=re.IGNORECASE).lower().split()
    if not words:
        return None
    for entry in sorted(HELP, key=lambda entry: -len(entry.word)):
        if words[: len(entry.word.split())] == entry.word.split():
            return entry.word
    typed = " ".join(words)
    starting = [entry.word for entry in HELP if len(typed) >= 2 and entry.word.startswith(typed)]
    return starting[0] if starting else None


def _line(entry: CommandHelp) -> str:
    example = f" e.g. `{entry.example}`" if entry.example != entry.syntax else ""
    return f"- `{entry.syntax}` {entry.summary}{example}"


def help_text(topic: str | None = None) -> str:
    """Markdown: every command by group (``topic`` None), or the command(s) ``topic`` names."""
    if topic is None or not topic.strip():
        lines = ["**/genie commands** (tinyIds as `12` or `#12`, separated by spaces or commas)"]
        for group in dict.fromkeys(entry.group for entry in HELP):
            lines.append(f"**{group}**")
            lines.extend(_line(entry) for entry in HELP if entry.group == group)
        lines.append("`/genie help [command]` explains one command.")
        return "\n".join(lines)
    word = resolve_topic(topic)
    if word is None:
        return f"{_unknown(topic)} `/genie help` lists them all."
    family = [entry for entry in HELP if entry.word == word or entry.word.startswith(word + " ")]
    return "\n\n".join(_details(entry) for entry in family)


def _details(entry: CommandHelp) -> str:
    lines = [f"**/genie {entry.word}** {entry.summary}", f"`{entry.syntax}`"]
    if entry.notes:
        lines.append(entry.notes)
    label = "Examples" if len(entry.examples) > 1 else "Example"
    lines.append(f"{label}: " + ", ".join(f"`{example}`" for example in entry.examples))
    return "\n".join(lines)


def _suggestion(word: str) -> str | None:
    head = closest(word, HEADS)
    return resolve_topic(head) if head else None


def _unknown(word: str) -> str:
    suggestion = _suggestion(word)
    said = f"{code(word)} is not a /genie command."
    return f"{said} Did you mean `/genie {suggestion}`?" if suggestion else said


def unknown_command(word: str) -> UsageError:
    suggestion = _suggestion(word)
    entry = entry_for(suggestion) if suggestion else None
    return UsageError(
        f"{_unknown(word)} `/genie help` lists them all.",
        syntax=entry.syntax if entry else "",
        example=entry.example if entry else "",
    )


def usage_text(error: UsageError) -> str:
    """One short markdown reply: the command, what is wrong, its syntax and an example."""
    entry = entry_for(error.command) if error.command else None
    syntax = error.syntax or (entry.syntax if entry else "")
    example = error.example or (entry.example if entry else "")
    lines = [f"**/genie {error.command}**: {error.problem}" if error.command else error.problem]
    if syntax:
        lines.append(f"Usage: `{syntax}`")
    if example:
        lines.append(f"Example: `{example}`")
    text = "\n".join(lines)
    return text if "/genie" in text else text + "\n`/genie help` lists the commands."
