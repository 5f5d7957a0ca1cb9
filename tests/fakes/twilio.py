"""A fake Twilio over real HTTP on loopback: the REST API's ``Messages.json`` and ``Calls.json``
as Twilio answers them (form-encoded requests, HTTP basic auth, the Message and Call resources,
Twilio's error bodies), and Twilio's side of the webhooks it sends to Tocsin (an inbound SMS, a
message's status callback, a call fetching its TwiML and pressing keys), each signed with
``X-Twilio-Signature`` as Twilio signs it.

The signature is computed here from Twilio's description (HMAC-SHA1 over the URL and the sorted
parameters, base64), not with the ``twilio`` library, so Tocsin's check meets an independent
signer."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any, Protocol, Self
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx

from tests.support.http_receiver import Answer, HttpReceiver, Received

API_VERSION = "2010-04-01"
_ACCOUNT_PATH = re.compile(
    rf"^/{API_VERSION}/Accounts/(?P<sid>AC[0-9a-f]{{32}})/(?P<kind>Messages|Calls)\.json$"
)
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
INVALID_TO = "+15005550001"
"""Twilio's test number that is never a valid ``To``."""


class Sender(Protocol):
    """How the fake reaches Tocsin: an httpx.Client, or a TestClient for an in-process app."""

    def request(
        self, method: str, url: str, *, content: bytes | None = None, headers: dict[str, str] | None = None
    ) -> httpx.Response: ...


def signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """X-Twilio-Signature: the URL, then each parameter's name and value in name order,
    HMAC-SHA1 with the Auth Token, base64."""
    signed = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def new_account_sid() -> str:
    return "AC" + secrets.token_hex(16)


@dataclass
class Sent:
    """A message or call Twilio accepted: its sid and the form fields it came with."""

    sid: str
    form: dict[str, str]
    repeated: dict[str, list[str]] = field(default_factory=dict)
    """Fields given more than once (``StatusCallbackEvent``)."""

    @property
    def to(self) -> str:
        return self.form["To"]

    @property
    def body(self) -> str:
        return self.form.get("Body", "")


@dataclass(frozen=True)
class Spoken:
    """A TwiML document Tocsin answered a call with, and where it was fetched from."""

    url: str
    status: int
    xml: str

    @property
    def root(self) -> ET.Element:
        return ET.fromstring(self.xml)

    @property
    def said(self) -> str:
        return " ".join((say.text or "").strip() for say in self.root.iter("Say"))

    @property
    def gather(self) -> ET.Element | None:
        return self.root.find(".//Gather")


class FakeTwilio:
    def __init__(
        self,
        *,
        account_sid: str | None = None,
        auth_token: str | None = None,
        from_number: str = "+15005550006",
        sender: Sender | None = None,
    ) -> None:
        self.account_sid = account_sid or new_account_sid()
        self.auth_token = auth_token or secrets.token_hex(16)
        self.from_number = from_number
        """The number the account owns: the only ``From`` it accepts."""
        self.sender = sender
        self.messages: list[Sent] = []
        self.calls: list[Sent] = []
        self.refused: list[Received] = []
        """Requests answered with an error (wrong credentials, an outage, a bad number)."""
        self._outage: tuple[int, int | None] | None = None
        self._lock = threading.Lock()
        self._receiver = HttpReceiver(self._answer)

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        self._receiver.start()
        return self

    def stop(self) -> None:
        self._receiver.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        """What ``TOCSIN_TWILIO_API_URL`` is set to (``https://api.twilio.com`` for the real one)."""
        return self._receiver.url("").rstrip("/")

    def outage(self, status: int | None, *, requests: int | None = None) -> None:
        """Answer the next ``requests`` API requests (all, when None) with ``status``: 429 (Twilio's
        20429, too many requests) or 503; None ends the outage."""
        with self._lock:
            self._outage = None if status is None else (status, requests)

    # -- the REST API ---------------------------------------------------------------------------

    def _answer(self, request: Received) -> Answer:
        matched = _ACCOUNT_PATH.match(request.path)
        if request.method != "POST" or matched is None:
            return self._refuse(request, 404, 20404, "The requested resource was not found")
        if not self._authorised(request, matched.group("sid")):
            return self._refuse(request, 401, 20003, "Authenticate")
        with self._lock:
            outage = self._outage
            if outage is not None:
                status, left = outage
                if left is not None:
                    self._outage = (status, left - 1) if left > 1 else None
        if outage is not None:
            if outage[0] == 429:
                return self._refuse(request, 429, 20429, "Too Many Requests")
            return self._refuse(request, outage[0], 20500, "Service Unavailable")
        if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
            return self._refuse(request, 400, 20001, "Missing required parameter To in the post body")
        repeated = parse_qs(request.body.decode(), keep_blank_values=True)
        form = {name: values[0] for name, values in repeated.items()}
        kind = matched.group("kind")
        to, sender = form.get("To", ""), form.get("From", "")
        if not to:
            return self._refuse(request, 400, 21604, "A 'To' phone number is required.")
        if not _E164.match(to) or to in (INVALID_TO, sender):
            return self._refuse(request, 400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if sender != self.from_number:
            return self._refuse(
                request,
                400,
                21606 if kind == "Messages" else 21210,
                f"The From phone number {sender} is not a valid, SMS-capable inbound phone number or "
                "short code for your account.",
            )
        callback = form.get("StatusCallback")
        if callback is not None and not _callback_url_taken(callback):
            return self._refuse(request, 400, 21609, f"The StatusCallback URL {callback} is not a valid URL.")
        if kind == "Messages" and not form.get("Body"):
            return self._refuse(request, 400, 21602, "Message body is required.")
        if kind == "Calls" and not (form.get("Url") or form.get("Twiml")):
            return self._refuse(request, 400, 21205, "Url parameter is required.")
        sent = Sent(
            ("SM" if kind == "Messages" else "CA") + secrets.token_hex(16),
            form,
            {name: values for name, values in repeated.items() if len(values) > 1},
        )
        with self._lock:
            (self.messages if kind == "Messages" else self.calls).append(sent)
        return _json(201, self._resource(kind, sent))

    def _authorised(self, request: Received, sid: str) -> bool:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            return False
        return user == sid == self.account_sid and hmac.compare_digest(password, self.auth_token)

    def _refuse(self, request: Received, status: int, code: int, message: str) -> Answer:
        with self._lock:
            self.refused.append(request)
        return _json(
            status,
            {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            },
        )

    def _resource(self, kind: str, sent: Sent) -> dict[str, Any]:
        now = formatdate(usegmt=False).replace("-0000", "+0000")
        common = {
            "sid": sent.sid,
            "account_sid": self.account_sid,
            "to": sent.to,
            "from": sent.form["From"],
            "status": "queued",
            "date_created": now,
            "date_updated": now,
            "api_version": API_VERSION,
        }
        plural = "Messages" if kind == "Messages" else "Calls"
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/{plural}/{sent.sid}.json"
        if kind == "Messages":
            return {
                **common,
                "body": sent.body,
                "direction": "outbound-api",
                "num_segments": "1",
                "num_media": "0",
                "messaging_service_sid": None,
                "price": None,
                "price_unit": "USD",
                "error_code": None,
                "error_message": None,
                "date_sent": None,
                "uri": uri,
                "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            }
        return {**common, "direction": "outbound-api", "duration": None, "price": None, "uri": uri}

    # -- Twilio's side of the webhooks ------------------------------------------------------------

    def post_signed(self, url: str, params: dict[str, str], *, token: str | None = None) -> httpx.Response:
        """POST ``params`` to Tocsin as Twilio does, signed with ``token`` (the Auth Token)."""
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature(token or self.auth_token, url, params),
            "User-Agent": "TwilioProxy/1.1",
        }
        return self._sender().request("POST", url, content=urlencode(params).encode(), headers=headers)

    def text_from(self, number: str, body: str, *, webhook: str) -> httpx.Response:
        """Someone texts ``body`` from ``number`` to the account's number; Twilio posts it to the
        number's messaging webhook (``webhook``)."""
        return self.post_signed(
            webhook,
            {
                "ToCountry": "US",
                "SmsMessageSid": (sid := "SM" + secrets.token_hex(16)),
                "NumMedia": "0",
                "SmsSid": sid,
                "SmsStatus": "received",
                "Body": body,
                "To": self.from_number,
                "NumSegments": "1",
                "MessageSid": sid,
                "AccountSid": self.account_sid,
                "From": number,
                "ApiVersion": API_VERSION,
            },
        )

    def report_status(self, message: Sent, status: str, *, error_code: str = "") -> httpx.Response:
        """Twilio's status callback for a message it was sent (``failed``, ``delivered``...)."""
        params = {
            "MessageStatus": status,
            "SmsStatus": status,
            "MessageSid": message.sid,
            "SmsSid": message.sid,
            "AccountSid": self.account_sid,
            "From": message.form["From"],
            "To": message.to,
            "ApiVersion": API_VERSION,
        }
        if error_code:
            params["ErrorCode"] = error_code
        return self.post_signed(message.form["StatusCallback"], params)

    def report_call_status(self, call: Sent, status: str) -> httpx.Response:
        """Twilio's status callback at the end of a call (``completed``, ``no-answer``, ``busy``...)."""
        params = {**self._call_params(call, status), "CallDuration": "0", "SequenceNumber": "0"}
        return self.post_signed(call.form["StatusCallback"], params)

    def _call_params(self, call: Sent, status: str = "in-progress") -> dict[str, str]:
        return {
            "CallSid": call.sid,
            "AccountSid": self.account_sid,
            "From": call.form["From"],
            "To": call.to,
            "CallStatus": status,
            "Direction": "outbound-api",
            "ApiVersion": API_VERSION,
        }

    def answer_call(self, call: Sent) -> Spoken:
        """The person picks up: Twilio fetches the call's TwiML (or takes the inline ``Twiml``)."""
        if "Url" not in call.form:
            return Spoken("", 200, call.form["Twiml"])
        return self._fetch(call.form["Url"], self._call_params(call), method=call.form.get("Method", "POST"))

    def press(self, call: Sent, spoken: Spoken, digits: str) -> Spoken:
        """Keys pressed during the document's ``<Gather>``: Twilio posts them to its action (the
        document's own URL when it names none)."""
        gather = spoken.gather
        assert gather is not None, f"no <Gather> in {spoken.xml}"
        action = urljoin(spoken.url, gather.get("action") or spoken.url)
        params = {**self._call_params(call), "Digits": digits, "FinishedOnKey": ""}
        return self._fetch(action, params, method=gather.get("method", "POST"))

    def silence(self, spoken: Spoken, call: Sent) -> Spoken | None:
        """No key pressed: Twilio goes on with the verb after the ``<Gather>``; a ``<Redirect>``
        fetches another document. None when the call ends instead."""
        redirect = spoken.root.find("Redirect")
        if redirect is None or not (redirect.text or "").strip():
            return None
        url = urljoin(spoken.url, (redirect.text or "").strip())
        return self._fetch(url, self._call_params(call), method=redirect.get("method", "POST"))

    def _fetch(self, url: str, params: dict[str, str], *, method: str) -> Spoken:
        if method.upper() == "GET":
            joined = url + ("&" if "?" in url else "?") + urlencode(params)
            headers = {"X-Twilio-Signature": signature(self.auth_token, joined, {})}
            answer = self._sender().request("GET", joined, headers=headers)
        else:
            answer = self.post_signed(url, params)
        return Spoken(url, answer.status_code, answer.text)

    def _sender(self) -> Sender:
        assert self.sender is not None, "give the fake a sender (a client that reaches Tocsin)"
        return self.sender


def _callback_url_taken(url: str) -> bool:
    """Twilio takes http(s) URLs whose host name has no underscore."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and "_" not in (parts.hostname or "")


def _json(status: int, body: dict[str, Any]) -> Answer:
    return Answer(status, json.dumps(body).encode(), {"Content-Type": "application/json; charset=utf-8"})
