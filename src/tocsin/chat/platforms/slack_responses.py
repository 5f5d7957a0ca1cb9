"""Answering Slack after its request was acknowledged: a slash command's reply that took longer
than Slack waits, and what a button press did (Slack ignores the body of a button's answer).
Both go to the ``response_url`` Slack sent with the request (up to five posts within 30 minutes).

A response URL is where Tocsin will send a reply, so it must be Slack's: an https URL on
slack.com (or slack-gov.com). Anything else is taken only if the administrator allowed its host
with ``TOCSIN_OUTBOUND_ALLOW`` (a proxy, or a test server), and every post passes the outbound
check like any other. A post that fails is logged; nobody else is waiting for it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any
from urllib.parse import urlsplit

import orjson

from tocsin.chat import deferral
from tocsin.chat.platforms.incoming_webhook import server_of
from tocsin.engine.deliveries import PermanentFailure
from tocsin.integrations.webhook import post_json
from tocsin.outbound import OutboundPolicy

SLACK_DOMAINS = ("slack.com", "slack-gov.com")
TIMEOUT_SECONDS = 10.0
log = logging.getLogger(__name__)


def is_slacks(url: str, outbound: OutboundPolicy) -> bool:
    """Whether ``url`` may be posted to as a response URL (see the module's docstring)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    on_slack = any(host == domain or host.endswith(f".{domain}") for domain in SLACK_DOMAINS)
    return (parts.scheme == "https" and on_slack) or outbound.allows_host(host)


async def respond(outbound: OutboundPolicy, url: str, messages: list[dict[str, Any]]) -> None:
    """Post ``messages`` to the response URL, in order; failures are logged."""
    if not url:
        log.warning("A Slack reply was lost: the request carried no response_url")
        return
    if not is_slacks(url, outbound):
        log.warning("A Slack reply was not sent: the response_url %s is not Slack's", server_of(url))
        return
    for message in messages:
        try:
            await post_json(
                outbound, url, orjson.dumps(message), {}, timeout=TIMEOUT_SECONDS, shown_as=server_of(url)
            )
        except (PermanentFailure, RuntimeError) as failed:
            log.warning("A Slack reply to its response_url failed: %s", failed)


async def respond_later(
    outbound: OutboundPolicy, url: str, messages: Awaitable[list[dict[str, Any]]]
) -> None:
    """Post what ``messages`` comes to once it is ready, without making Slack wait for it (the
    request is answered meanwhile; ``deferral.settled`` waits for these posts too)."""

    async def post(ready: list[dict[str, Any]]) -> None:
        await respond(outbound, url, ready)

    done = await deferral.reply_in_time(messages, within=0.0, later=post)
    if done is not None:  # ready without waiting (a refusal): posted now
        await post(done)
