"""Verification codes for phone contacts (``notify.verification``): texted to an SMS contact,
read out twice, digit by digit, in a call to a voice contact. A contact deleted or verified
meanwhile gets nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tocsin.engine.deliveries import Skip
from tocsin.notify import twilio_texts
from tocsin.notify.contacts import VERIFICATION_TOPIC
from tocsin.notify.models import ContactMethod
from tocsin.notify.outbox import Claimed
from tocsin.notify.twilio_api import TwilioClient
from tocsin.notify.twilio_sends import Call, Text
from tocsin.notify.twilio_twiml import Twiml


class VerificationChannel:
    topics: tuple[str, ...] = (VERIFICATION_TOPIC,)

    def __init__(self, client: TwilioClient) -> None:
        self.client = client

    def prepare(self, session: Session, message: Claimed) -> Text | Call | Skip:
        payload = message.payload
        contact = session.get(ContactMethod, payload["contactId"])
        if contact is None or contact.address != message.destination:
            return Skip("the contact was deleted or its number changed")
        if contact.verified:
            return Skip("the contact is verified already")
        origin = self.client.account.origin
        if payload["method"] == "voice":
            words = f"Your Tocsin code is {twilio_texts.spoken_code(payload['code'])}."
            twiml = Twiml().pause().say(words).pause().say(f"Again: {words}").xml()
            return Call(message.destination, origin, twiml=twiml)
        return Text(message.destination, twilio_texts.code_text(payload["code"]), "", origin)

    async def send(self, prepared: Text | Call) -> None:
        await prepared.go(self.client)

    def delivered(self, session: Session, message: Claimed) -> None:
        pass

    def gave_up(self, session: Session, message: Claimed, error: str) -> None:
        pass  # the outbox keeps the error; the person asks for a new code
