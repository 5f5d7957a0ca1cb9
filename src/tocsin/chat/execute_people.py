"""Commands about people: ``oncall``, ``whoisoncall``, ``mute``, ``unmute`` and ``connect``, and
naming a person in any command (an e-mail, a username, or a chat ``@mention`` of a linked user)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from tocsin import clock
from tocsin.accounts import account_settings
from tocsin.accounts import service as accounts
from tocsin.accounts.models import User
from tocsin.chat import linking
from tocsin.chat.command_types import Mute, TakeOnCall, Unmute, WhoIsOnCall
from tocsin.chat.execute_context import Context, at_time, zone_of
from tocsin.chat.paging import paged
from tocsin.chat.replies import Link, Reply
from tocsin.chat.requests import ChatIdentity
from tocsin.errors import InvalidInput
from tocsin.integrations.models import Integration
from tocsin.notify import mute as muting
from tocsin.oncall import service as oncall


def person_named(ctx: Context, name: str, *, field: str = "user") -> User:
    """The Tocsin user ``name`` means: "@carol" is the chat user mentioned (who must have linked
    their account); anything else is a Tocsin username (an e-mail) or user id."""
    name = name.strip()
    if name.startswith("@") and len(name) > 1:
        return _mentioned(ctx, name[1:], field)
    user = accounts.find_user_by_identifier(ctx.session, name)
    if user is None:
        raise InvalidInput(field, f"There is no Tocsin user {name}; name them by e-mail or @mention")
    return user


def _mentioned(ctx: Context, chat_name: str, field: str) -> User:
    identity = ctx.request.identity
    mentions = ctx.request.mentions
    chat_user_id = mentions.get(chat_name) or mentions.get(f"@{chat_name}")
    if chat_user_id is None and chat_name.lower() == identity.user_name.lower():
        chat_user_id = identity.user_id
    if chat_user_id is None:
        raise InvalidInput(field, f"@{chat_name} is not a {identity.platform} user of this team")
    user = linking.user_for_chat_user(
        ctx.session, platform=identity.platform, team_id=identity.team_id, chat_user_id=chat_user_id
    )
    if user is None:
        raise InvalidInput(field, f"@{chat_name} has no linked Tocsin account; they can run `/genie connect`")
    return user


def _person_or_me(ctx: Context, name: str | None, doing: str) -> User:
    if name is None or name.strip().lower() == "me":
        return ctx.needs_user(doing)
    return person_named(ctx, name)


def take_oncall(ctx: Context, command: TakeOnCall) -> Reply:
    person = _person_or_me(ctx, command.user, "taking on-call for yourself")
    overrides = oncall.take_oncall(
        ctx.session, actor=ctx.actor, user=person.id, duration=command.duration, target=command.target
    )
    names = []
    for override in overrides:
        schedule = oncall.find_schedule(ctx.session, override.schedule_id)
        names.append(schedule.name if schedule else override.schedule_id)
    until = at_time(overrides[0].end_date, zone_of(person)) if overrides else ""
    text = f"{person.username} is on call for {', '.join(names)} until {until}"
    if person.id != ctx.actor.user_id:
        text += f" (set by {ctx.who})"
    return Reply(text, in_channel=True)


def who_is_on_call(ctx: Context, command: WhoIsOnCall) -> Reply:
    now = clock.now()
    zone = zone_of(ctx.user)
    # Every schedule, whoever asks, as Opsgenie does: who is on call is what people ask chat for.
    shown = oncall.who_is_on_call(ctx.session, now)
    if not shown:
        return Reply("There are no schedules yet.")
    lines = []
    for answer in shown:
        team = f" (team {answer.team_name})" if answer.team_name else ""
        people = ", ".join(answer.usernames) or "no one"
        until = f" until {at_time(answer.until, zone)}" if answer.usernames and answer.until else ""
        lines.append(f"- **{answer.schedule_name}**{team}: {people}{until}")
    return Reply("\n".join(["On call now:", *paged(lines, page=command.page, command="whoisoncall")]))


def mute(ctx: Context, command: Mute) -> Reply:
    person = _person_or_me(ctx, command.user, "muting your own notifications")
    until = muting.mute(ctx.session, actor=ctx.actor, user=person, minutes=command.minutes)
    # Shown in the muted person's time zone: they are the one waiting for it to end.
    text = f"Notifications for {person.username} muted until {at_time(until, zone_of(person))}"
    return Reply(_by(ctx, person, text), in_channel=True)


def unmute(ctx: Context, command: Unmute) -> Reply:
    person = _person_or_me(ctx, command.user, "unmuting your own notifications")
    was_muted = muting.muted_until(person, clock.now()) is not None
    muting.unmute(ctx.session, actor=ctx.actor, user=person)
    if not was_muted:
        return Reply(f"Notifications for {person.username} were not muted.")
    return Reply(
        _by(ctx, person, f"Notifications for {person.username} are no longer muted"), in_channel=True
    )


def _by(ctx: Context, person: User, text: str) -> str:
    return text if person.id == ctx.actor.user_id else f"{text} (by {ctx.who})"


def connect(
    session: Session, *, integration: Integration, identity: ChatIdentity, user: User | None, base_url: str
) -> Reply:
    """Shows the Tocsin user the chat account is connected to and a link to disconnect it, or a
    link to connect it. Either link works once, for 15 minutes. Runs before anyone acts, so a
    chat user can connect where the integration requires it."""
    minutes = int(linking.LINK_LIFETIME / timedelta(minutes=1))
    purpose = "connect" if user is None else "disconnect"
    token = linking.issue_link(session, identity=identity, purpose=purpose, integration_name=integration.name)
    url = linking.link_url(base_url, token)
    if user is None:
        link = Link(text="Authenticate in Tocsin", url=url)
        text = (
            f"[{link.text}]({url}) to connect your {identity.platform} account. "
            f"The link works once, for {minutes} minutes. {once_connected(session)}"
        )
    else:
        link = Link(text="Disconnect", url=url)
        text = (
            f"Your {identity.platform} account is connected to Tocsin user {user.username}. "
            f"[{link.text}]({url}) (the link works once, for {minutes} minutes)"
        )
    return Reply(text, links=(link,))


def once_connected(session: Session) -> str:
    """What connecting changes: commands stop acting through the integration (which may see
    every alert) and act as the person, with the person's rights."""
    if account_settings.is_on(session, account_settings.EVERYONE_SEES_EVERY_ALERT):
        seen = "every alert (this account lets everyone see every alert)"
    else:
        seen = (
            "only the alerts you may see (every alert for owners and admins; otherwise those with "
            "you, your team, a schedule you are in or an escalation naming you as a responder)"
        )
    return (
        f"Once connected, your commands act as your Tocsin user, on {seen}, and may change the "
        "configuration you may change; the alert log names you."
    )
