"""The ``/genie`` grammar: the text typed after ``/genie`` becomes one of the typed commands of
``command_types.py``, or a ``UsageError`` that names the command, what is wrong, its syntax and an
example. Pure: nothing here reads the database.

Command words are case-insensitive; free text (notes, messages, tags, names) keeps its case. Where
free text comes before a keyword (``note NOTE to IDS``, ``exec ACTION on IDS``, ``alert MESSAGE for
WHO``), the LAST keyword splits it, so the text may itself contain the word."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import timedelta
from typing import NoReturn

from tocsin.alerts.models import PRIORITIES
from tocsin.alerts.schemas import ACTION_MAX, MESSAGE_MAX, NOTE_MAX, RESPONDERS_MAX, TAG_MAX, TAGS_MAX
from tocsin.chat import command_types as typed
from tocsin.chat.command_types import Command, Help, UsageError
from tocsin.chat.help import (
    DEFAULT_MUTE_MINUTES,
    HELP,
    MAX_MUTE_MINUTES,
    MAX_ONCALL_DAYS,
    MAX_TINY_IDS,
    CommandHelp,
    closest,
    code,
    entry_for,
    help_text,
    resolve_topic,
    unknown_command,
    usage_text,
)

__all__ = ["HELP", "CommandHelp", "help_text", "parse", "usage_text"]

_INVISIBLE = str.maketrans(dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff")))
"""Zero-width spaces and joiners, word joiner, byte-order mark: invisible, so a person who pasted
them (from an older post or another tool) cannot see why a name does not match."""
_LEAD = re.compile(r"\s*/?genie(?:\s+|$)", re.IGNORECASE)
_WORD = re.compile(r"\S+")
_TINY_ID = re.compile(r"#?0*([0-9]+)")
_DURATION = re.compile(r"([0-9]+)([mhd])", re.IGNORECASE)
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
_PAGE = re.compile(r"(?:^|\s+)page\s+(\S+)\s*$", re.IGNORECASE)
"""``… page 2`` at the end of a command that lists."""
_PAGED = frozenset({"list", "whoisoncall"})
MAX_PAGE = 1000


def parse(text: str) -> Command:
    """The command ``text`` (what follows ``/genie``; a leading ``/genie`` or ``genie`` is
    tolerated) asks for. Empty text asks for help. Invisible characters are ignored."""
    text = text.translate(_INVISIBLE)
    lead = _LEAD.match(text)
    if lead:
        text = text[lead.end() :]
    words = text.split(maxsplit=1)
    if not words:
        return Help()
    head, rest = words[0], (words[1].strip() if len(words) > 1 else "")
    handler = _HANDLERS.get(head.lower())
    if handler is None:
        raise unknown_command(head)
    page = _PAGE.search(rest) if head.lower() in _PAGED else None
    if page is None:
        return handler(rest)
    command = handler(rest[: page.start()])
    return dataclasses.replace(command, page=_page_number(command.word, page.group(1)))  # type: ignore[call-arg]


def _page_number(word: str, text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 4 and 1 <= int(text) <= MAX_PAGE):
        _fail(word, f"{code(text)} is not a page number; pages are numbered from 1 to {MAX_PAGE}.")
    return int(text)


def _fail(word: str, problem: str) -> NoReturn:
    entry = entry_for(word)
    assert entry is not None, word
    raise UsageError(problem, command=word, syntax=entry.syntax, example=entry.example)


def _split_last(text: str, keyword: str) -> tuple[str, str] | None:
    """``text`` around its last word ``keyword`` (any case), both sides stripped."""
    found = None
    for word in _WORD.finditer(text):
        if word.group().lower() == keyword:
            found = word
    if found is None:
        return None
    return text[: found.start()].strip(), text[found.end() :].strip()


def _no_more(word: str, rest: str) -> None:
    if rest:
        _fail(word, f"takes nothing after it (got {code(rest)}).")


def _tiny_ids(word: str, text: str) -> tuple[int, ...]:
    pieces = [piece for piece in re.split(r"[\s,]+", text) if piece]
    if not pieces:
        _fail(word, "say which alerts, by tinyId (`12` or `#12`).")
    if len(pieces) > MAX_TINY_IDS:
        _fail(word, f"at most {MAX_TINY_IDS} alerts at once ({len(pieces)} given).")
    ids: list[int] = []
    for piece in pieces:
        match = _TINY_ID.fullmatch(piece)
        if match is None:
            _fail(word, f"{code(piece)} is not a tinyId; tinyIds are numbers like `12` or `#12`.")
        digits = match.group(1)
        if len(digits) > 18 or int(digits) == 0:
            _fail(word, f"there is no alert with tinyId {code(piece)}.")
        ids.append(int(digits))
    return tuple(dict.fromkeys(ids))


def _ids_after(word: str, rest: str, keyword: str, before: str) -> tuple[str, tuple[int, ...]]:
    """``rest`` as ``TEXT keyword IDS``: the text and the tinyIds."""
    split = _split_last(rest, keyword)
    if split is None:
        _fail(word, f"write {before} then `{keyword}` and the tinyIds of the alerts.")
    return split[0], _tiny_ids(word, split[1])


def _ack(rest: str) -> Command:
    if rest.lower() == "all":
        _fail("ack", "to acknowledge every open alert, use `/genie ackall`.")
    return typed.Ack(tiny_ids=_tiny_ids("ack", rest))


def _close(rest: str) -> Command:
    if rest.lower() == "all":
        _fail("close", "to close every open alert, use `/genie closeall`.")
    return typed.Close(tiny_ids=_tiny_ids("close", rest))


def _note(rest: str) -> Command:
    note, ids = _ids_after("note", rest, "to", "the note")
    if not note:
        _fail("note", "the note is empty; write it before `to`.")
    if len(note) > NOTE_MAX:
        _fail("note", f"a note is at most {NOTE_MAX} characters ({len(note)} given).")
    return typed.AddNote(note=note, tiny_ids=ids)


def _addtag(rest: str) -> Command:
    text, ids = _ids_after("addtag", rest, "to", "the tags")
    if not text:
        _fail("addtag", "say which tags before `to`, separated by commas.")
    tags = [" ".join(tag.split()) for tag in text.split(",")]
    if "" in tags:
        _fail("addtag", f"one of the tags in {code(text)} is empty; separate tags with single commas.")
    too_long = [tag for tag in tags if len(tag) > TAG_MAX]
    if too_long:
        _fail("addtag", f"a tag is at most {TAG_MAX} characters: {code(too_long[0])}.")
    unique = tuple(dict.fromkeys(tags))
    if len(unique) > TAGS_MAX:
        _fail("addtag", f"at most {TAGS_MAX} tags at once ({len(unique)} given).")
    return typed.AddTags(tags=unique, tiny_ids=ids)


def _assign(rest: str) -> Command:
    split = _split_last(rest, "to")
    if split is None:
        _fail("assign", "say who: end with `to` and a user.")
    ids, user = _tiny_ids("assign", split[0]), split[1].split()
    if len(user) != 1:
        _fail("assign", "name one user after `to`: an e-mail address, a username or an @mention.")
    return typed.Assign(tiny_ids=ids, user=user[0])


def _update(rest: str) -> Command:
    word = "update priority"
    words = rest.split()
    if not words:
        _fail(word, "say the new priority and the tinyIds of the alerts.")
    if words[0].lower() != "priority":
        _fail(word, f"only the priority can be updated, not {code(words[0])}.")
    words = words[2:] if len(words) > 1 and words[1].lower() == "to" else words[1:]
    if not words or words[0].lower() == "for":
        _fail(word, "say the new priority: P1, P2, P3, P4 or P5.")
    priority = words[0].upper()
    if priority not in PRIORITIES:
        _fail(word, f"the priority is P1, P2, P3, P4 or P5, not {code(words[0])}.")
    if len(words) < 2 or words[1].lower() != "for":
        _fail(word, f"write `for` and the tinyIds of the alerts after {priority}.")
    return typed.UpdatePriority(priority=priority, tiny_ids=_tiny_ids(word, " ".join(words[2:])))


def _exec(rest: str) -> Command:
    action, ids = _ids_after("exec", rest, "on", "the action")
    if not action:
        _fail("exec", "say which action before `on`.")
    if len(action) > ACTION_MAX:
        _fail("exec", f"an action name is at most {ACTION_MAX} characters.")
    return typed.ExecuteAction(action=action, tiny_ids=ids)


def _alert(rest: str) -> Command:
    split = _split_last(rest, "for")
    message, who = split if split is not None else (rest, None)
    if not message:
        _fail("alert", "the alert message is empty; write it before `for`.")
    if len(message) > MESSAGE_MAX:
        _fail("alert", f"an alert message is at most {MESSAGE_MAX} characters ({len(message)} given).")
    if who is None:
        return typed.CreateAlert(message=message, responders=())
    responders = [name.strip() for name in who.split(",")]
    if "" in responders:
        _fail("alert", "name the teams and users after `for`, separated by single commas.")
    unique = tuple(dict.fromkeys(responders))
    if len(unique) > RESPONDERS_MAX:
        _fail("alert", f"at most {RESPONDERS_MAX} teams and users ({len(unique)} given).")
    return typed.CreateAlert(message=message, responders=unique)


def _get(rest: str) -> Command:
    ids = _tiny_ids("get", rest)
    if len(ids) != 1:
        _fail("get", "`/genie get` shows one alert; give one tinyId.")
    return typed.GetAlert(tiny_id=ids[0])


def _list(rest: str) -> Command:
    words = rest.split()
    what = words[0].lower() if words else "alerts"
    if what == "alerts":
        if len(words) <= 1:
            return typed.ListAlerts()
        if len(words) < 3 or words[1].lower() != "of":
            _fail("list", "write `list alerts of` and the name of a team.")
        return typed.ListAlerts(team=rest.split(maxsplit=2)[2])
    if what == "integrations":
        _no_more("list integrations", rest.split(maxsplit=1)[1] if len(words) > 1 else "")
        return typed.ListIntegrations()
    if what == "policies":
        _no_more("list policies", rest.split(maxsplit=1)[1] if len(words) > 1 else "")
        return typed.ListPolicies()
    if what == "teams":
        return _list_teams(rest)
    suggestion = closest(what, ("alerts", "integrations", "policies", "teams"))
    hint = f" Did you mean `/genie list {suggestion}`?" if suggestion else ""
    _fail("list", f"{code(words[0])} is not something to list.{hint}")


def _list_teams(rest: str) -> Command:
    word = "list teams"
    parts = rest.split(maxsplit=2)
    if len(parts) == 1:
        return typed.ListTeams()
    how = parts[1].lower()
    if how == "contains" and len(parts) == 3:
        return typed.ListTeams(contains=parts[2])
    if how == "starts" and len(parts) == 3:
        with_query = parts[2].split(maxsplit=1)
        if with_query[0].lower() == "with" and len(with_query) == 2:
            return typed.ListTeams(starts_with=with_query[1])
    _fail(word, "write `contains` or `starts with` and the text to search for.")


def _name(word: str, rest: str) -> str:
    if not rest:
        _fail(word, "say the name of the integration or policy.")
    return rest


def _duration(text: str) -> timedelta:
    match = _DURATION.fullmatch(text)
    if match is None:
        _fail("oncall", f"{code(text)} is not a time; write minutes, hours or days like `45m`, `2h` or `1d`.")
    amount, unit = match.groups()
    if len(amount) > 6 or int(amount) == 0:
        _fail("oncall", f"on-call is taken for 1 minute up to {MAX_ONCALL_DAYS} days, not {code(text)}.")
    duration = int(amount) * _UNITS[unit.lower()]
    if duration > timedelta(days=MAX_ONCALL_DAYS):
        _fail("oncall", f"on-call is taken for at most {MAX_ONCALL_DAYS} days, not {code(text)}.")
    return duration


def _person(word: str) -> str | None:
    return None if word.lower() == "me" else word


def _oncall(rest: str) -> Command:
    before, target = rest, None
    for word in _WORD.finditer(rest):
        if word.group().lower() == "for":
            before, target = rest[: word.start()], rest[word.end() :].strip()
            if not target:
                _fail("oncall", "say the team, the schedule or `all` after `for`.")
            break
    times, people = _amounts_and_people(before)
    if len(times) > 1 or len(people) > 1:
        _fail("oncall", "give at most one user and one time before `for`, like `me 2h`.")
    return typed.TakeOnCall(
        user=_person(people[0]) if people else None,
        duration=_duration(times[0]) if times else timedelta(hours=1),
        target="all" if target is not None and target.lower() == "all" else target,
    )


def _amounts_and_people(text: str) -> tuple[list[str], list[str]]:
    """The words that are amounts of time (start with a digit) and the others (users: their
    names are e-mail addresses or @mentions, so a digit first with an ``@`` is still a user)."""
    words = text.split()
    amounts = [word for word in words if word[0] in "0123456789" and "@" not in word]
    return amounts, [word for word in words if word not in amounts]


def _minutes(text: str) -> int:
    if text.isascii() and text.isdigit():
        minutes = int(text) if len(text) <= 6 else MAX_MUTE_MINUTES + 1
    else:
        match = _DURATION.fullmatch(text)
        if match is None:
            _fail("mute", f"{code(text)} is not a number of minutes; write one like `15`.")
        minutes = int(match.group(1)) * (_UNITS[match.group(2).lower()] // timedelta(minutes=1))
    if not 1 <= minutes <= MAX_MUTE_MINUTES:
        _fail("mute", f"mute for 1 to {MAX_MUTE_MINUTES} minutes (a week), not {code(text)}.")
    return minutes


def _mute(rest: str) -> Command:
    times, people = _amounts_and_people(rest)
    if len(times) > 1 or len(people) > 1:
        _fail("mute", "give at most one user and one number of minutes, like `me 15`.")
    minutes = _minutes(times[0]) if times else DEFAULT_MUTE_MINUTES
    return typed.Mute(user=_person(people[0]) if people else None, minutes=minutes)


def _unmute(rest: str) -> Command:
    words = rest.split()
    if len(words) > 1:
        _fail("unmute", "name one user, or `me`.")
    return typed.Unmute(user=_person(words[0]) if words else None)


def _help(rest: str) -> Command:
    if not rest:
        return Help()
    topic = resolve_topic(rest)
    if topic is None:
        suggestion = closest(rest.split()[0], [entry.word.split()[0] for entry in HELP])
        hint = f" Did you mean `/genie help {resolve_topic(suggestion)}`?" if suggestion else ""
        _fail("help", f"there is no command {code(rest)}.{hint}")
    return Help(topic=topic)


def _nothing(word: str, command: Command) -> Callable[[str], Command]:
    def parse_bare(rest: str) -> Command:
        _no_more(word, rest)
        return command

    return parse_bare


_HANDLERS: dict[str, Callable[[str], Command]] = {
    "ack": _ack,
    "close": _close,
    "note": _note,
    "addtag": _addtag,
    "ackall": _nothing("ackall", typed.AckAll()),
    "closeall": _nothing("closeall", typed.CloseAll()),
    "assign": _assign,
    "own": lambda rest: typed.Own(tiny_ids=_tiny_ids("own", rest)),
    "update": _update,
    "exec": _exec,
    "alert": _alert,
    "get": _get,
    "list": _list,
    "enable": lambda rest: typed.Enable(name=_name("enable", rest)),
    "disable": lambda rest: typed.Disable(name=_name("disable", rest)),
    "oncall": _oncall,
    "whoisoncall": _nothing("whoisoncall", typed.WhoIsOnCall()),
    "mute": _mute,
    "unmute": _unmute,
    "connect": _nothing("connect", typed.Connect()),
    "help": _help,
}
