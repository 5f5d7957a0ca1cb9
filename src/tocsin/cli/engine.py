"""``tocsin engine`` (the delivery and escalation engine on its own) and ``tocsin outbox``."""

from __future__ import annotations

import signal
from types import FrameType
from typing import Annotated

import typer

from tocsin.cli.common import errors_as_one_line, in_transaction, settings_or_fail
from tocsin.db import Database
from tocsin.engine.assembly import build_engine
from tocsin.notify import outbox
from tocsin.ops import logs, metrics_server
from tocsin.ops.watchdog import Watchdog
from tocsin.writer import WriteQueue

outbox_app = typer.Typer(help="See outgoing messages and retry failed ones.", no_args_is_help=True)


def engine_command(
    metrics_port: Annotated[
        int | None,
        typer.Option(
            help="Serve this engine's metrics (deliveries, notification latency) on this port, "
            "at TOCSIN_METRICS_HOST, with TOCSIN_METRICS_TOKEN if set.",
            min=1,
            max=65535,
        ),
    ] = None,
) -> None:
    """Run the engine alone: deliveries, escalations, snooze wake-up (for API-only nodes
    started with tocsin serve --no-engine). Stops on SIGTERM or Ctrl-C."""
    settings = settings_or_fail()
    logs.configure(settings)
    db = Database(settings.effective_database_url, sqlite_synchronous=settings.sqlite_synchronous)
    writer = WriteQueue(db)
    engine = build_engine(settings, writer)
    watchdog = Watchdog(settings, db)  # e-mails owners should the outbox stick while API nodes are down

    def stop(signum: int, frame: FrameType | None) -> None:
        engine.request_stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    exposed = None
    if metrics_port is not None:
        try:
            exposed = metrics_server.start(
                settings.metrics_host, metrics_port, db=None, token=settings.metrics_token
            )
        except metrics_server.MetricsPortError as error:
            typer.echo(f"Error: {error}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"Engine metrics on http://{settings.metrics_host}:{exposed.port}/metrics")
    writer.start()
    watchdog.start()
    try:
        with errors_as_one_line(settings.effective_database_url):
            typer.echo(f"Tocsin engine running ({engine.holder}); stop with Ctrl-C.")
            engine.run_forever()
    finally:
        watchdog.stop()
        writer.stop()
        db.dispose()
        if exposed is not None:
            exposed.stop()


@outbox_app.command("list")
def outbox_list(
    failed: Annotated[
        bool, typer.Option("--failed", help="Only dead letters and messages being retried.")
    ] = False,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
) -> None:
    """Outgoing messages, newest first: id, state, topic, destination, attempts, last error."""
    for message in in_transaction(lambda session: outbox.listing(session, failed_only=failed, limit=limit)):
        when = message.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S")
        error = message.last_error.replace("\n", " ")[:200]
        typer.echo(
            f"{message.id}\t{message.state}\t{message.topic}\t{message.destination}\t"
            f"attempts={message.attempts}\tnext={when}\t{error}"
        )


@outbox_app.command("retry")
def outbox_retry(message_id: Annotated[int, typer.Argument(help="The id from tocsin outbox list.")]) -> None:
    """Deliver a message again (typically a dead letter, once its destination works again)."""
    in_transaction(lambda session: outbox.retry(session, message_id))
    typer.echo(f"Outbox message {message_id} will be delivered again.")
