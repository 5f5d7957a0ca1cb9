"""Paging by SMS through Twilio: the engine's channel for ``notify.sms`` messages (what it shares
with the other ways of notifying a person is in ``personal``). Each text names the outbox
message in its status callback, so a failed delivery can be traced to its alert and person."""

from __future__ import annotations

from tocsin.notify import twilio_texts, twilio_urls
from tocsin.notify.personal import ForPerson, PersonalChannel
from tocsin.notify.twilio_api import TwilioClient
from tocsin.notify.twilio_sends import Text


class SmsChannel(PersonalChannel):
    method = "sms"

    def __init__(self, client: TwilioClient, base_url: str) -> None:
        self.client = client
        self.base_url = base_url

    def render(self, item: ForPerson) -> Text:
        if item.payload.get("kind") == "test":
            body = twilio_texts.test_text(item.payload)
        elif item.alert is None:
            body = twilio_texts.shift_text(item.payload)
        else:
            body = twilio_texts.alert_text(item.alert, item.payload)
        return Text(
            to=item.message.destination,
            body=body,
            status_callback=twilio_urls.status_callback(self.base_url, item.message.id),
            origin=self.client.account.origin,
        )

    async def send(self, prepared: Text) -> None:
        await prepared.go(self.client)
