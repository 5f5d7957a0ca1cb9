"""The fake Twilio answers as Twilio does, and signs as Twilio's own library checks."""

from __future__ import annotations

import httpx
from twilio.request_validator import RequestValidator

from tests.fakes.twilio import FakeTwilio, signature


def _post(fake: FakeTwilio, kind: str, form: dict[str, str], *, auth: tuple[str, str] | None = None):
    url = f"{fake.api_url}/2010-04-01/Accounts/{fake.account_sid}/{kind}.json"
    return httpx.post(url, data=form, auth=auth or (fake.account_sid, fake.auth_token))


def test_the_signature_is_the_one_twilios_library_checks():
    url = "https://tocsin.example.com/webhooks/twilio/sms?x=1"
    params = {"From": "+4915112345678", "Body": "ack 12", "To": "+15005550006", "AccountSid": "AC1"}
    signed = signature("token", url, params)
    assert RequestValidator("token").validate(url, params, signed)
    assert not RequestValidator("other").validate(url, params, signed)


def test_messages_are_taken_with_the_right_credentials_and_numbers_only():
    with FakeTwilio() as fake:
        sent = _post(fake, "Messages", {"To": "+4915112345678", "From": fake.from_number, "Body": "hi"})
        assert sent.status_code == 201
        assert sent.json()["sid"].startswith("SM") and len(sent.json()["sid"]) == 34
        assert [m.body for m in fake.messages] == ["hi"]

        wrong = _post(fake, "Messages", {"To": "+4915112345678", "From": fake.from_number, "Body": "x"},
                      auth=(fake.account_sid, "wrong"))  # fmt: skip
        assert (wrong.status_code, wrong.json()["code"]) == (401, 20003)
        bad_to = _post(fake, "Messages", {"To": "12", "From": fake.from_number, "Body": "x"})
        assert (bad_to.status_code, bad_to.json()["code"]) == (400, 21211)
        bad_from = _post(fake, "Calls", {"To": "+4915112345678", "From": "+15005550007", "Url": "http://x"})
        assert (bad_from.status_code, bad_from.json()["code"]) == (400, 21210)

        fake.outage(429, requests=1)
        busy = _post(fake, "Calls", {"To": "+4915112345678", "From": fake.from_number, "Url": "http://x"})
        assert (busy.status_code, busy.json()["code"]) == (429, 20429)
        call = _post(fake, "Calls", {"To": "+4915112345678", "From": fake.from_number, "Url": "http://x"})
        assert call.status_code == 201 and call.json()["sid"].startswith("CA")
        assert len(fake.calls) == 1 and len(fake.messages) == 1
