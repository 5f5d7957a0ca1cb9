"""What the Twilio channels send: a text or a call, each knowing its destination (the API's
origin, whose health the engine keeps)."""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.notify.twilio_api import TwilioClient


@dataclass(frozen=True)
class Text:
    to: str
    body: str
    status_callback: str
    origin: str

    async def go(self, client: TwilioClient) -> str:
        return await client.send_message(to=self.to, body=self.body, status_callback=self.status_callback)


@dataclass(frozen=True)
class Call:
    to: str
    origin: str
    url: str = ""
    """Where Twilio fetches the call's TwiML; or, for a call that only speaks, ``twiml``."""
    twiml: str = ""
    status_callback: str = ""

    async def go(self, client: TwilioClient) -> str:
        return await client.place_call(
            to=self.to, url=self.url, twiml=self.twiml, status_callback=self.status_callback
        )
