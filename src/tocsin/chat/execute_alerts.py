"""Commands that act on alerts by tinyId (``ack``, ``close``, ``note``, ``addtag``, ``assign``,
``own``, ``update priority``, ``exec``) and on every open alert (``ackall``, ``closeall``).

Every alert gets one line, in the order given; the reply goes to the channel when at least one
alert changed ("@bob acknowledged #1 Disk full on db1") and the integration does not post the
change there itself, and only to the caller otherwise (``channel_posts``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tocsin.actors import Actor
from tocsin.alerts import actions, listing
from tocsin.alerts.schemas import (
    NOTE_MAX,
    TAG_MAX,
    TAGS_MAX,
    AddTagsPayload,
    NotePayload,
    PriorityPayload,
    Ref,
)
from tocsin.alerts.service import AlertRef
from tocsin.chat.channel_posts import run_for_channel
from tocsin.chat.command_types import (
    Ack,
    AckAll,
    AddNote,
    AddTags,
    Assign,
    Close,
    CloseAll,
    ExecuteAction,
    Own,
    UpdatePriority,
)
from tocsin.chat.execute_context import Context, capped, outside, validated
from tocsin.chat.execute_people import person_named
from tocsin.chat.replies import Reply
from tocsin.chat.results import Action, any_changed, by_tiny_id

PAGE = 200


def _on_each(ctx: Context, tiny_ids: tuple[int, ...], done: str, action: Action, *events: str) -> Reply:
    refs = [(f"#{tiny_id}", by_tiny_id(tiny_id)) for tiny_id in dict.fromkeys(tiny_ids)]
    results, posted = run_for_channel(ctx, refs, action, events, bulk=len(refs) > 1)
    lines = capped([result.line(ctx.who, done) for result in results])
    return Reply("\n".join(lines), in_channel=any_changed(results) and not posted)


def acknowledge(ctx: Context, command: Ack) -> Reply:
    return _on_each(ctx, command.tiny_ids, "acknowledged", _acknowledge, "Acknowledge")


def close(ctx: Context, command: Close) -> Reply:
    return _on_each(ctx, command.tiny_ids, "closed", _close, "Close")


def _acknowledge(session: Session, ref: AlertRef, actor: Actor) -> actions.ActionOutcome:
    return actions.acknowledge(session, ref=ref, actor=actor)


def _close(session: Session, ref: AlertRef, actor: Actor) -> actions.ActionOutcome:
    return actions.close(session, ref=ref, actor=actor)


def add_note(ctx: Context, command: AddNote) -> Reply:
    note = validated(
        NotePayload,
        {"note": command.note},
        field="note",
        problem=f"A note is 1 to {NOTE_MAX} characters",
    ).note

    def act(session: Session, ref: AlertRef, actor: Actor) -> actions.ActionOutcome:
        return actions.add_alert_note(session, ref=ref, actor=actor, note=note)

    return _on_each(ctx, command.tiny_ids, "added a note to", act, "AddNote")


def add_tags(ctx: Context, command: AddTags) -> Reply:
    tags = validated(
        AddTagsPayload,
        {"tags": list(command.tags)},
        field="tags",
        problem=f"Give 1 to {TAGS_MAX} tags of at most {TAG_MAX} characters each",
    ).tags

    def act(session: Session, ref: AlertRef, actor: Actor) -> actions.ActionOutcome:
        return actions.add_tags(session, ref=ref, actor=actor, tags=tags)

    shown = ", ".join(outside(tag) for tag in tags)
    return _on_each(ctx, command.tiny_ids, f"added tags {shown} to", act, "AddTags")


def assign(ctx: Context, command: Assign) -> Reply:
    owner = person_named(ctx, command.user)
    return _assign_to(ctx, command.tiny_ids, owner.id, f"made {owner.username} owner of")


def own(ctx: Context, command: Own) -> Reply:
    user = ctx.needs_user("taking ownership")
    return _assign_to(ctx, command.tiny_ids, user.id, "took ownership of")


def _assign_to(ctx: Context, tiny_ids: tuple[int, ...], user_id: str, done: str) -> Reply:
    def act(session: Session, ref: AlertRef, actor: Actor) -> actions.ActionOutcome:
        return actions.assign(session, ref=ref, actor=actor, owner=Ref(id=user_id))

    return _on_each(ctx, tiny_ids, done, act, "AssignOwnership", "TakeOwnership")


def update_priority(ctx: Context, command: UpdatePriority) -> Reply:
    priority = validated(
        PriorityPayload,
        {"priority": command.priority},
        field="priority",
        problem="The priority is one of P1, P2, P3, P4, P5",
    ).priority

    def act(session: Session, ref: AlertRef, actor: Actor) -> actions.ActionOutcome:
        return actions.update_priority(session, ref=ref, actor=actor, priority=priority)

    return _on_each(ctx, command.tiny_ids, f"set priority {priority} on", act, "UpdatePriority")


def execute_action(ctx: Context, command: ExecuteAction) -> Reply:
    def act(session: Session, ref: AlertRef, actor: Actor) -> actions.ActionOutcome:
        return actions.execute_custom_action(session, ref=ref, actor=actor, action=command.action)

    return _on_each(ctx, command.tiny_ids, f"ran {outside(command.action)} on", act, "CustomAction")


def acknowledge_all(ctx: Context, command: AckAll) -> Reply:
    return _on_all_open(
        ctx, "acknowledged", "unacknowledged open", _acknowledge, "Acknowledge", unacknowledged=True
    )


def close_all(ctx: Context, command: CloseAll) -> Reply:
    return _on_all_open(ctx, "closed", "open", _close, "Close", unacknowledged=False)


def _on_all_open(
    ctx: Context, done: str, which: str, action: Action, event: str, *, unacknowledged: bool
) -> Reply:
    tiny_ids = open_tiny_ids(ctx, unacknowledged=unacknowledged)
    if not tiny_ids:
        return Reply(f"There are no {which} alerts you can see.")
    refs = [(f"#{n}", by_tiny_id(n)) for n in tiny_ids]
    results, posted = run_for_channel(ctx, refs, action, (event,), bulk=True)
    changed = sum(result.changed for result in results)
    plural = "" if changed == 1 else "s"
    summary = f"{ctx.who} {done} {changed} open alert{plural}"
    if changed < len(results):
        summary += f" ({len(results) - changed} could not be)"
    lines = [summary + ":", *capped([result.item() for result in results])]
    return Reply("\n".join(lines), in_channel=changed > 0 and not posted)


def open_tiny_ids(ctx: Context, *, unacknowledged: bool) -> list[int]:
    """The tinyIds of every open alert the actor may see (not yet acknowledged ones only, if
    asked), oldest first. Read before acting: acting changes what the query finds."""
    query = "status:open AND acknowledged:false" if unacknowledged else "status:open"
    tiny_ids: list[int] = []
    while True:
        page, _ = listing.list_alerts(
            ctx.session,
            scope=ctx.actor.scope,
            query=query,
            offset=len(tiny_ids),
            limit=PAGE,
            sort="tinyId",
            order="asc",
        )
        tiny_ids += [alert.tiny_id for alert in page]
        if len(page) < PAGE:
            return tiny_ids
