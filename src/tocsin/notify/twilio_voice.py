"""Paging by phone call through Twilio: the engine's channel for ``notify.voice`` messages. A call
about a new alert fetches its TwiML from Tocsin (``twilio_call``), through a URL with a signed,
expiring token naming the alert and the person; what the keys do is there too. A call that only
tells (an alert acknowledged or closed, a shift) carries its words with it."""

from __future__ import annotations

from tocsin.alerts.models import Alert
from tocsin.notify import twilio_urls
from tocsin.notify.personal import ForPerson, PersonalChannel
from tocsin.notify.twilio_api import TwilioClient
from tocsin.notify.twilio_sends import Call
from tocsin.notify.twilio_tokens import CallAbout, call_token
from tocsin.notify.twilio_twiml import Twiml

SPOKEN_MESSAGE_MAX = 300


def spoken(alert: Alert) -> str:
    """The alert as a call reads it."""
    message = " ".join(alert.message.split())
    if len(message) > SPOKEN_MESSAGE_MAX:
        message = message[:SPOKEN_MESSAGE_MAX].rsplit(" ", 1)[0] + "..."
    return f"Alert {alert.tiny_id}, priority {alert.priority}: {message}."


class VoiceChannel(PersonalChannel):
    method = "voice"

    def __init__(self, client: TwilioClient, base_url: str, secret_key: str) -> None:
        self.client = client
        self.base_url = base_url
        self.secret_key = secret_key

    def render(self, item: ForPerson) -> Call:
        call = Call(
            to=item.message.destination,
            origin=self.client.account.origin,
            status_callback=twilio_urls.status_callback(self.base_url, item.message.id),
        )
        alert, kind = item.alert, item.payload.get("kind")
        if kind == "test":
            by = item.payload.get("by") or "you"
            words = f"This is a test call from Tocsin, asked for by {by}. Pages will come from this number."
            return _speaking(call, words)
        if alert is None:
            starts = "starts" if kind == "schedule-start" else "ends"
            schedule = item.payload.get("scheduleName", "")
            return _speaking(call, f"This is Tocsin. Your on-call shift for {schedule} {starts} soon.")
        if kind in ("acknowledged-alert", "closed-alert"):
            done = "acknowledged" if kind == "acknowledged-alert" else "closed"
            by = item.payload.get("by") or "someone"
            return _speaking(call, f"This is Tocsin. {spoken(alert)} It was {done} by {by}.")
        token = call_token(self.secret_key, CallAbout(alert.id, item.user.id))
        url = twilio_urls.call_url(self.base_url, token)
        return Call(call.to, call.origin, url=url, status_callback=call.status_callback)

    async def send(self, prepared: Call) -> None:
        await prepared.go(self.client)


def _speaking(call: Call, words: str) -> Call:
    twiml = Twiml().say(words).pause().say(words).xml()
    return Call(call.to, call.origin, twiml=twiml, status_callback=call.status_callback)
