"""Twilio's REST API as the SMS and voice channels use it: a text (``Messages.json``) and a
call (``Calls.json``), form-encoded with HTTP basic auth (the account SID and its auth token).

201 gives the new resource's sid. 429 and 5xx, and a provider that does not answer, are retried
(the engine backs off and probes the API before sending its backlog). A refusal that says Tocsin
is set up wrong (credentials Twilio does not know, a from-number the account may not use) fails
every message alike: it is logged once per process as an error naming the setting to fix, not
once per alert. A status callback address Twilio refuses is left out (and logged once): the page
goes without it. Any other 4xx is final, with Twilio's own message."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import orjson

from tocsin.config import Settings
from tocsin.engine.deliveries import PermanentFailure, RetryLater
from tocsin.integrations.webhook import send_outbound
from tocsin.outbound import OutboundPolicy
from tocsin.outbound_clients import Answer, origin_of

API_VERSION = "2010-04-01"
CREDENTIALS = "TOCSIN_TWILIO_ACCOUNT_SID and TOCSIN_TWILIO_AUTH_TOKEN"
FROM_NUMBER = "TOCSIN_TWILIO_FROM_NUMBER"
MISCONFIGURED = {
    20003: CREDENTIALS,  # authentication failed
    20404: "TOCSIN_TWILIO_ACCOUNT_SID",  # no such account
    21212: FROM_NUMBER,  # invalid From
    21606: FROM_NUMBER,  # From not the account's, or cannot send SMS
    21210: FROM_NUMBER,  # From not verified for calls
}
"""Twilio error codes that mean Tocsin's settings are wrong, and the settings to fix."""
INVALID_CALLBACK = 21609
"""The StatusCallback URL is not one Twilio takes (from TOCSIN_PUBLIC_BASE_URL)."""

log = logging.getLogger(__name__)
_reported: set[tuple[str, int]] = set()
"""(account, code) already logged as a setup error by this process."""


@dataclass(frozen=True)
class TwilioAccount:
    sid: str
    auth_token: str
    from_number: str
    api_url: str = "https://api.twilio.com"

    @classmethod
    def from_settings(cls, settings: Settings) -> TwilioAccount | None:
        """The account, when SMS and calls are set up."""
        if not settings.twilio_configured:
            return None
        return cls(
            sid=settings.twilio_account_sid.strip(),
            auth_token=settings.twilio_auth_token.strip(),
            from_number=settings.twilio_from_number.strip(),
            api_url=settings.twilio_api_url,
        )

    def url(self, resource: str) -> str:
        return f"{self.api_url}/{API_VERSION}/Accounts/{self.sid}/{resource}.json"

    @property
    def origin(self) -> str:
        """The destination the engine keeps health for: one provider outage holds back its texts
        and calls alike, and one probe tells when it is back."""
        return origin_of(self.api_url)


@dataclass
class TwilioError:
    """What Twilio said when it refused: the legacy body (``code``, ``message``) or RFC 9457's
    (``code``, ``title``, ``detail``)."""

    code: int | None = None
    message: str = ""

    def heard(self, answer: Answer) -> str:
        """Read an error answer (``send_outbound``'s ``said``); the text for its error."""
        try:
            body: Any = orjson.loads(answer.content)
        except orjson.JSONDecodeError:
            body = None
        if isinstance(body, dict):
            code = body.get("code")
            self.code = code if isinstance(code, int) else None
            text = body.get("message") or body.get("detail") or body.get("title") or ""
            self.message = str(text)[:300]
        else:
            self.message = answer.text.strip()[:200]
        return f"Twilio error {self.code}: {self.message}" if self.code else self.message


class BadCallback(Exception):
    """Twilio refused the StatusCallback URL (21609)."""


class TwilioClient:
    def __init__(self, account: TwilioAccount, outbound: OutboundPolicy, *, timeout: float = 10.0) -> None:
        self.account = account
        self.outbound = outbound
        self.timeout = timeout

    async def send_message(self, *, to: str, body: str, status_callback: str) -> str:
        """Text ``body`` to ``to``; the message's sid."""
        form = {"To": to, "From": self.account.from_number, "Body": body}
        if status_callback:
            form["StatusCallback"] = status_callback
        return await self._create("Messages", form)

    async def place_call(self, *, to: str, url: str = "", twiml: str = "", status_callback: str = "") -> str:
        """Call ``to``; Twilio fetches the call's TwiML from ``url`` (or speaks ``twiml``). The
        call's sid."""
        form = {"To": to, "From": self.account.from_number, "Timeout": "30"}
        if url:
            form |= {"Url": url, "Method": "POST"}
        else:
            form["Twiml"] = twiml
        if status_callback:
            form["StatusCallback"] = status_callback
        return await self._create("Calls", form)

    async def _create(self, resource: str, form: dict[str, str]) -> str:
        try:
            return await self._post(resource, form)
        except BadCallback:
            # A page matters more than hearing how it went: send it without the callback.
            self._report_once(
                21609,
                f"Twilio refused the StatusCallback {form['StatusCallback']!r}: "
                "check TOCSIN_PUBLIC_BASE_URL (Tocsin's public https address)",
                logging.WARNING,
            )
            return await self._post(resource, {k: v for k, v in form.items() if k != "StatusCallback"})

    async def _post(self, resource: str, form: dict[str, str]) -> str:
        error = TwilioError()
        try:
            answer = await send_outbound(
                self.outbound,
                "POST",
                self.account.url(resource),
                timeout=self.timeout,
                said=error.heard,
                headers={"Accept": "application/json"},
                form=form,
                basic_auth=(self.account.sid, self.account.auth_token),
            )
        except PermanentFailure as refused:
            if error.code == INVALID_CALLBACK and "StatusCallback" in form:
                raise BadCallback(error.message) from refused
            setting = MISCONFIGURED.get(error.code or 0)
            if setting is None:
                raise PermanentFailure(
                    f"Twilio refused it: {error.message} (error {error.code})" if error.code else str(refused)
                ) from refused
            raise PermanentFailure(self._misconfigured(error, setting)) from refused
        try:
            created = orjson.loads(answer.content)
        except orjson.JSONDecodeError:
            created = None
        sid = created.get("sid") if isinstance(created, dict) else None
        if not isinstance(sid, str) or not sid:
            raise RetryLater(f"Twilio answered {answer.status_code} without the new resource's sid")
        return sid

    def _misconfigured(self, error: TwilioError, setting: str) -> str:
        problem = f"Twilio refused Tocsin's settings (error {error.code}: {error.message}): check {setting}"
        self._report_once(error.code or 0, f"{problem}. SMS and calls to people fail until it is fixed.")
        return problem

    def _report_once(self, code: int, text: str, level: int = logging.ERROR) -> None:
        key = (self.account.sid, code)
        if key not in _reported:
            _reported.add(key)
            log.log(level, "%s", text)
