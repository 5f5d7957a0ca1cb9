"""``tocsin import opsgenie``: take an Opsgenie account's configuration over. Progress goes to
stderr (a bar on a terminal, plain lines otherwise); the plan and the outcome to stdout."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from tocsin.cli.common import errors_as_one_line, fail, settings_or_fail
from tocsin.db import Database
from tocsin.importer import opsgenie_import
from tocsin.importer import opsgenie_oncall_check as oncall_check
from tocsin.importer.changes import CANNOT, CREATE, SAME, Change
from tocsin.importer.opsgenie_reader import EU, US, OpsgenieReader, OpsgenieUnavailable
from tocsin.importer.opsgenie_source import Source, read_account
from tocsin.outbound import OutboundPolicy

import_app = typer.Typer(help="Take configuration over from another on-call product.", no_args_is_help=True)


class _Progress:
    """A bar on a terminal; one line per step where stderr is a file or CI's log."""

    def __init__(self, description: str, total: int | None = None) -> None:
        self.console = Console(stderr=True)
        self.live = self.console.is_terminal
        counted = (
            (BarColumn(), MofNCompleteColumn())
            if total is not None
            else (TextColumn("{task.completed} requests"),)
        )
        self.progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), *counted, console=self.console
        )
        self.task = self.progress.add_task(description, total=total)
        self.total = total
        self.count = 0

    def __enter__(self) -> _Progress:
        if self.live:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live:
            self.progress.stop()

    def say(self, line: str) -> None:
        if self.live:
            self.progress.console.print(line, markup=False, highlight=False)
        else:
            print(line, file=sys.stderr, flush=True)

    def read(self, path: str) -> None:
        self.count += 1
        if self.live:
            shown = "/".join("…" if len(part) > 20 else part for part in path.split("/"))  # ids
            description = f"Reading Opsgenie: GET {shown}"
            self.progress.update(self.task, description=description, completed=self.count)
        elif self.count % 25 == 1:
            self.say(f"reading Opsgenie: request {self.count} (GET {path})")

    def waiting(self, reason: str, seconds: float) -> None:
        self.say(f"Opsgenie: {reason}; trying again in {seconds:.0f} s")

    def applied(self, change: Change, problem: str | None) -> None:
        for line in change.report if problem is None else []:
            typer.echo(line)  # a new key: on stdout as soon as it is committed, so no interruption loses it
        self.count += 1
        verb = "created" if change.action == CREATE else "changed"
        line = f"{verb} {change.kind} {change.name}"
        if problem is not None:
            line = f"FAILED {change.kind} {change.name}: {problem}"
        if self.live:
            self.progress.update(self.task, completed=self.count)
            if problem is not None:
                self.say(line)
        else:
            self.say(f"[{self.count}/{self.total}] {line}")


def _counted(source: Source) -> str:
    """ "30 users, 5 teams, … and 3 maintenance windows"."""
    routing_rules = sum(len(rules) for rules in source.routing_rules.values())
    counts = [
        f"{len(source.users)} users",
        f"{len(source.teams)} teams",
        f"{len(source.schedules)} schedules",
        f"{len(source.escalations)} escalations",
        f"{routing_rules} routing rules",
        f"{len(source.heartbeats)} heartbeats",
        f"{len(source.policies)} policies",
        f"{len(source.integrations)} integrations",
        f"{len(source.maintenance)} maintenance windows",
    ]
    return ", ".join(counts[:-1]) + " and " + counts[-1]


def _read(api_url: str, api_key: str) -> Source:
    with (
        _Progress("Reading Opsgenie") as progress,
        OpsgenieReader(api_url, api_key, on_request=progress.read, on_wait=progress.waiting) as reader,
    ):
        try:
            source = read_account(reader)
        except OpsgenieUnavailable as problem:
            fail(f"{problem}; nothing was imported. Run the same command again later.")
        progress.say(f"read {_counted(source)} in {reader.requests} requests")
    return source


def _on_call_check(api_url: str, api_key: str, db: Database, source: Source) -> list[str]:
    """Who is on call over the next 14 days, Opsgenie beside Tocsin, for each schedule Tocsin
    has; a disagreement is a warning, not a failure (Tocsin's schedule may be the one wanted)."""

    def waiting(reason: str, seconds: float) -> None:
        typer.echo(f"Opsgenie: {reason}; trying again in {seconds:.0f} s", err=True)

    with OpsgenieReader(api_url, api_key, on_wait=waiting) as reader:
        return [line for found in oncall_check.check(db, reader, source.schedules) for line in found.lines()]


@import_app.command("opsgenie")
def import_opsgenie(
    api_key: Annotated[
        str,
        typer.Option(
            envvar="OPSGENIE_API_KEY",
            help="An Opsgenie API Key Management key with Read and Configuration Access.",
            show_default=False,
        ),
    ],
    api_url: Annotated[str, typer.Option(help=f"Opsgenie's API: {US}, or {EU} for EU accounts.")] = US,
    plan_only: Annotated[
        bool, typer.Option("--plan", help="Change nothing; print what would be done.")
    ] = False,
) -> None:
    """Import users (with contact methods and notification rules), teams, schedules (with
    rotations and future overrides), escalations, team routing rules, heartbeats, alert and
    notification policies, integrations and maintenance windows from Opsgenie, then compare who
    is on call for the next 14 days with Opsgenie's answer. Running it again changes nothing
    already here; a run that stopped goes on where it was."""
    settings = settings_or_fail()
    url = settings.effective_database_url
    with errors_as_one_line(url):
        source = _read(api_url, api_key)
        db = Database(url, sqlite_synchronous=settings.sqlite_synchronous)
        try:
            plan = opsgenie_import.make_plan(db, source, OutboundPolicy.from_settings(settings))
            if plan_only:
                for line in plan.lines():
                    typer.echo(line)
                typer.echo(f"Plan: {plan.summary()}. Nothing was changed (--plan).")
                for line in _on_call_check(api_url, api_key, db, source):
                    typer.echo(line)
                return
            with _Progress("Importing", len(plan.to_make())) as progress:
                applied = opsgenie_import.apply(db, plan, progress.applied)
            checked = _on_call_check(api_url, api_key, db, source)
        finally:
            db.dispose()
    for change in plan.changes:
        for reason in change.details if change.action == CANNOT else change.notes:
            typer.echo(f"not carried over: {change.kind} {change.name}: {reason}")
    counts = plan.counts()
    typer.echo(
        f"Imported: {len(applied.made)} created or changed, {counts[SAME]} already here, "
        f"{counts[CANNOT]} not carried over, {len(applied.failed)} failed."
    )
    keys = sum(len(change.report) for change in applied.made)
    if keys:
        typer.echo(f"{keys} new integration key(s) are above, on the lines that begin with 'new key:'.")
    for change, problem in applied.failed:
        typer.echo(f"failed: {change.kind} {change.name}: {problem}")
    for line in checked:
        typer.echo(line)
    if applied.failed:
        fail(f"{len(applied.failed)} change(s) failed; fix what they say and run the same command again")
