"""``tocsin heartbeat``: configure heartbeats and ping them from the server itself."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from tocsin.actors import EVERYTHING, Actor
from tocsin.cli.common import Hints, fail, in_transaction
from tocsin.errors import NotFound
from tocsin.heartbeats import service
from tocsin.heartbeats.models import Heartbeat
from tocsin.heartbeats.schemas import HeartbeatPayload, HeartbeatUpdate

heartbeat_app = typer.Typer(
    help="Manage heartbeats: jobs that ping, and alerts when they fall silent.", no_args_is_help=True
)
CLI = Actor(name="tocsin", channel="CLI", manages=EVERYTHING)
LIST_HINT: Hints = {NotFound: " (tocsin heartbeat list shows the names)"}
M = TypeVar("M", bound=BaseModel)

Name = Annotated[str, typer.Argument(help="The heartbeat's name (also its ping URL).")]
Interval = Annotated[int | None, typer.Option(help="How long silence may last, in --unit.")]
Unit = Annotated[str | None, typer.Option(help="minutes, hours or days.")]
Team = Annotated[str | None, typer.Option(help="Owner team: its alerts go to that team.")]
Description = Annotated[str | None, typer.Option(help="What the heartbeat watches.")]
Message = Annotated[str | None, typer.Option(help='Alert message (default: "NAME is expired").')]
Tags = Annotated[list[str] | None, typer.Option("--tag", help="Alert tag; repeat for more.")]
Priority = Annotated[str | None, typer.Option(help="Alert priority, P1 to P5 (default P3).")]


def _given(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


def _parse(model: type[M], fields: dict[str, Any]) -> M:
    """Validate as the API does, and say in one line what to fix."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'input'}: "
            + str(error["msg"]).removeprefix("Value error, ")
            for error in exc.errors()
        )
        fail(problems)


def _line(heartbeat: Heartbeat, team: str | None) -> str:
    state = "enabled" if heartbeat.enabled else "disabled"
    health = "EXPIRED" if heartbeat.expired else "ok"
    last = heartbeat.last_ping_at.strftime("%Y-%m-%d %H:%M:%S") if heartbeat.last_ping_at else "never"
    every = f"every {service.every(heartbeat)}"
    return f"{heartbeat.name}\t{every}\t{state}\t{health}\tlast ping {last}\tteam {team or '-'}"


@heartbeat_app.command("list")
def heartbeat_list() -> None:
    """Heartbeats by name: interval, enabled, expired, last ping (UTC), owner team."""
    lines = in_transaction(
        lambda session: [
            _line(heartbeat, service.team_name(session, heartbeat))
            for heartbeat in service.list_heartbeats(session)
        ]
    )
    for line in lines:
        typer.echo(line)


@heartbeat_app.command("create")
def heartbeat_create(
    name: Name,
    interval: Annotated[int, typer.Option(help="How long silence may last, in --unit.")],
    unit: Annotated[str, typer.Option(help="minutes, hours or days.")] = "minutes",
    disabled: Annotated[bool, typer.Option("--disabled", help="Create it switched off.")] = False,
    team: Team = None,
    description: Description = None,
    message: Message = None,
    tag: Tags = None,
    priority: Priority = None,
) -> None:
    """Create a heartbeat; unless pinged within the interval, it raises an alert."""
    fields = _given(description=description, alertMessage=message, alertTags=tag, alertPriority=priority)
    if team:
        fields["ownerTeam"] = {"name": team}
    payload = _parse(
        HeartbeatPayload,
        {"name": name, "interval": interval, "intervalUnit": unit, "enabled": not disabled, **fields},
    )
    created = in_transaction(lambda session: service.create_heartbeat(session, actor=CLI, payload=payload))
    owner = f" owned by team {team}" if team else ""
    typer.echo(
        f"Created heartbeat {created.name}{owner}: ping it at least every "
        f"{service.every(created)} at /v2/heartbeats/{created.name}/ping."
    )


@heartbeat_app.command("update")
def heartbeat_update(
    name: Name,
    interval: Interval = None,
    unit: Unit = None,
    team: Team = None,
    no_team: Annotated[bool, typer.Option("--no-team", help="Make it a global heartbeat.")] = False,
    description: Description = None,
    message: Message = None,
    tag: Tags = None,
    priority: Priority = None,
) -> None:
    """Change what is given; the rest stays. A new interval counts from the last ping."""
    if team and no_team:
        fail("give --team or --no-team, not both")
    fields = _given(
        interval=interval,
        intervalUnit=unit,
        description=description,
        alertMessage=message,
        alertTags=tag,
        alertPriority=priority,
    )
    if team or no_team:
        fields["ownerTeam"] = {"name": team} if team else None
    payload = _parse(HeartbeatUpdate, fields)

    def change(session: Any) -> Heartbeat:
        heartbeat = service.get_heartbeat(session, name)
        return service.update_heartbeat(session, actor=CLI, heartbeat=heartbeat, payload=payload)

    updated = in_transaction(change, hints=LIST_HINT)
    typer.echo(f"Updated heartbeat {updated.name}.")


def _switch(name: str, enabled: bool) -> None:
    def switch(session: Any) -> Heartbeat:
        heartbeat = service.get_heartbeat(session, name)
        return service.set_enabled(session, actor=CLI, heartbeat=heartbeat, enabled=enabled)

    heartbeat = in_transaction(switch, hints=LIST_HINT)
    typer.echo(f"Heartbeat {heartbeat.name} is {'enabled' if enabled else 'disabled'}.")


@heartbeat_app.command("enable")
def heartbeat_enable(name: Name) -> None:
    """Enable a heartbeat: its interval starts counting now."""
    _switch(name, True)


@heartbeat_app.command("disable")
def heartbeat_disable(name: Name) -> None:
    """Disable a heartbeat: it never expires until enabled again."""
    _switch(name, False)


@heartbeat_app.command("delete")
def heartbeat_delete(name: Name) -> None:
    """Delete a heartbeat (an alert it raised stays open for people to close)."""

    def remove(session: Any) -> str:
        heartbeat = service.get_heartbeat(session, name)
        service.delete_heartbeat(session, actor=CLI, heartbeat=heartbeat)
        return heartbeat.name

    typer.echo(f"Deleted heartbeat {in_transaction(remove, hints=LIST_HINT)}.")


@heartbeat_app.command("ping")
def heartbeat_ping(name: Name) -> None:
    """Ping a heartbeat as its job would (closing its alert if it had expired)."""

    def ping(session: Any) -> str:
        heartbeat = service.ping(session, name=name, actor=CLI)
        if heartbeat is None:
            raise NotFound(f"no heartbeat named {name!r}")
        return heartbeat.name

    typer.echo(f"Pinged heartbeat {in_transaction(ping, hints=LIST_HINT)}.")
