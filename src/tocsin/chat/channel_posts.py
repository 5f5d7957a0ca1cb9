"""One post per change in a channel: a change made with ``/genie`` is shown there by the post the
integration makes about it (the same post a change from the web or the API makes), and the
command's reply then goes to the caller alone; a command that changes several alerts leaves one
summary post instead of a post per alert (decision 0028)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import nullcontext

from tocsin.alerts import activity
from tocsin.alerts.models import Alert
from tocsin.alerts.service import AlertRef
from tocsin.chat.execute_context import Context
from tocsin.chat.results import Action, AlertResult, run_on_each
from tocsin.integrations.forwarding import posts_about


def run_for_channel(
    ctx: Context, refs: Sequence[tuple[str, AlertRef]], action: Action, events: tuple[str, ...], *, bulk: bool
) -> tuple[list[AlertResult], bool]:
    """``action`` on each alert of ``refs``: the results, and whether the channel is told of the
    changes by the integration's posts (then the reply need not be). ``events`` are the names
    of the activity the action records (the first names a summary's); a ``bulk`` command's
    changes are told in one summary post."""
    with activity.summarized(ctx.session) if bulk else nullcontext():
        results = run_on_each(ctx.session, refs, ctx.actor, action)
    changed = [result.alert_id for result in results if result.changed]
    if bulk:
        activity.record_summary(ctx.session, changed, events[0], ctx.actor)
    return results, channel_hears(ctx, changed, events)


def channel_hears(ctx: Context, alert_ids: Iterable[str], events: tuple[str, ...]) -> bool:
    """Whether the integration typed into posts about any of these changes in its channel."""
    for alert_id in alert_ids:
        alert = ctx.session.get(Alert, alert_id)
        if alert is not None and any(
            posts_about(ctx.session, ctx.integration, alert, event) for event in events
        ):
            return True
    return False
