"""Push notifications through ntfy: the engine's channel for ``notify.ntfy`` messages (what it
shares with the other ways of reaching a person is in ``personal``).

A contact is a topic on the server of ``TOCSIN_NTFY_URL`` (``ann-pager``) or a topic's URL on a
server of the person's own (``https://ntfy.example.com/ann-pager``). Each push is a JSON publish
to the root of its server. ``TOCSIN_NTFY_TOKEN`` goes to the configured server only: a person's
own server is a stranger to it.

429, 5xx and no answer are retried by the engine (the server is marked down, its backlog flows
when it answers); 401/403 is a refusal for good that names the token, reported in the server log
once per server, not per page; any other refusal carries ntfy's own error."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import orjson

from tocsin import clock
from tocsin.alerts.models import Alert
from tocsin.config import Settings
from tocsin.engine.deliveries import PermanentFailure
from tocsin.integrations.webhook import body_text, post_json
from tocsin.notify import ntfy_tokens
from tocsin.notify.ntfy_messages import alert_push, shift_push, test_push
from tocsin.notify.personal import ForPerson, PersonalChannel
from tocsin.outbound import OutboundPolicy
from tocsin.outbound_clients import Answer, origin_of

TOPIC = "notify.ntfy"
TIMEOUT_SECONDS = 10.0
REFUSED_ACCESS = frozenset({401, 403})
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NtfyServer:
    url: str
    """The default server, without a trailing slash."""
    token: str

    @classmethod
    def from_settings(cls, settings: Settings) -> NtfyServer:
        return cls(url=settings.ntfy_url, token=settings.ntfy_token)


@dataclass(frozen=True)
class Publish:
    """One push ready to go: the publish URL (its server's root), the topic and the JSON."""

    url: str
    topic: str
    body: bytes
    token: str
    """Sent as a Bearer token: the configured one, to the configured server only."""
    own_server: bool
    """Whether the topic is on a server of the person's own."""

    @property
    def origin(self) -> str:
        return origin_of(self.url)


def split_address(address: str, default_server: str) -> tuple[str, str]:
    """(server URL, topic) of a contact: a bare topic is on the default server."""
    if "://" not in address:
        return default_server, address
    server, _, topic = address.rpartition("/")
    return server, topic


class NtfyChannel(PersonalChannel):
    """Push notifications: ``notify.ntfy`` messages name a person, an alert (or a shift) and why."""

    method = "ntfy"

    def __init__(
        self, server: NtfyServer, outbound: OutboundPolicy, *, base_url: str, secret_key: str
    ) -> None:
        self.server = server
        self.outbound = outbound
        self.base_url = base_url
        self.secret_key = secret_key
        self._reported: set[str] = set()
        """Servers whose refusal of access is already in the log."""

    def render(self, item: ForPerson) -> Publish:
        server, topic = split_address(item.message.destination, self.server.url)
        if item.payload.get("kind") == "test":
            body = test_push(topic=topic, by=item.payload.get("by", ""), click=self.base_url)
        elif item.alert is None:
            body = shift_push(item.payload, topic=topic, time_zone=item.user.time_zone, click=self.base_url)
        else:
            body = self._alert_push(item.alert, item.user.id, item.payload, topic)
        on_default = server == self.server.url
        return Publish(
            url=server + "/",
            topic=topic,
            body=orjson.dumps(body),
            token=self.server.token if on_default else "",
            own_server=not on_default,
        )

    def _alert_push(self, alert: Alert, user_id: str, payload: dict[str, Any], topic: str) -> dict[str, Any]:
        expires_at = clock.now() + ntfy_tokens.LIFETIME

        def action_url(action: str) -> str:
            token = ntfy_tokens.issue(
                self.secret_key, action=action, alert_id=alert.id, user_id=user_id, expires_at=expires_at
            )
            return f"{self.base_url}/webhooks/ntfy/act/{token}"

        return alert_push(
            alert,
            payload,
            topic=topic,
            alert_url=f"{self.base_url}/alerts/{alert.id}",
            action_url=action_url,
        )

    async def send(self, prepared: Publish) -> None:
        headers = {"Authorization": f"Bearer {prepared.token}"} if prepared.token else {}
        statuses: list[int] = []  # a refusal is a PermanentFailure either way; its status says which

        def said(answer: Answer) -> str:
            statuses.append(answer.status_code)
            return ntfy_error(answer)

        try:
            await post_json(
                self.outbound, prepared.url, prepared.body, headers, timeout=TIMEOUT_SECONDS, said=said
            )
        except PermanentFailure as failure:
            if not statuses or statuses[0] not in REFUSED_ACCESS:
                raise
            problem = f"{failure}: {self._access_hint(prepared)}"
            self._report_once(prepared, problem)
            raise PermanentFailure(problem) from failure

    def _access_hint(self, prepared: Publish) -> str:
        if prepared.own_server:
            return (
                f"topic {prepared.topic} needs an access token on that server, and Tocsin sends "
                "TOCSIN_NTFY_TOKEN only to the server of TOCSIN_NTFY_URL (make the topic writable "
                "for everyone there, or use a topic on that server)"
            )
        if not prepared.token:
            return f"topic {prepared.topic} needs an access token: set TOCSIN_NTFY_TOKEN"
        return f"TOCSIN_NTFY_TOKEN is unknown to the server or may not publish to topic {prepared.topic}"

    def _report_once(self, prepared: Publish, problem: str) -> None:
        if prepared.origin in self._reported:
            return
        self._reported.add(prepared.origin)
        log.error("ntfy push refused (further refusals by this server are not logged): %s", problem)


def ntfy_error(answer: Answer) -> str:
    """ntfy's own words from its error JSON (``{"code": 40301, "error": "forbidden", …}``), or
    the start of whatever else answered (a proxy's page)."""
    try:
        error = orjson.loads(answer.content)
    except orjson.JSONDecodeError:
        return body_text(answer)
    if isinstance(error, dict) and isinstance(error.get("error"), str):
        code = f" (ntfy {error['code']})" if isinstance(error.get("code"), int) else ""
        return f"{error['error']}{code}"
    return body_text(answer)


def from_settings(settings: Settings) -> NtfyChannel | None:
    """The channel, unless ``TOCSIN_NTFY_URL`` is set empty."""
    if not settings.ntfy_url:
        return None
    return NtfyChannel(
        NtfyServer.from_settings(settings),
        OutboundPolicy.from_settings(settings),
        base_url=settings.base_url,
        secret_key=settings.effective_secret_key,
    )
