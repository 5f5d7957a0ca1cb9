"""The engine's Twilio channels, when Twilio is set up: SMS, calls and verification codes, over
one client of the account."""

from __future__ import annotations

from tocsin.config import Settings
from tocsin.engine.deliveries import Channel
from tocsin.notify.twilio_api import TwilioAccount, TwilioClient
from tocsin.notify.twilio_sms import SmsChannel
from tocsin.notify.twilio_verification import VerificationChannel
from tocsin.notify.twilio_voice import VoiceChannel
from tocsin.outbound import OutboundPolicy


def twilio_channels(settings: Settings) -> list[Channel]:
    account = TwilioAccount.from_settings(settings)
    if account is None:
        return []
    client = TwilioClient(account, OutboundPolicy.from_settings(settings))
    return [
        SmsChannel(client, settings.base_url),
        VoiceChannel(client, settings.base_url, settings.effective_secret_key),
        VerificationChannel(client),
    ]
