"""The Twilio webhooks whatever arrives: not set up, a body that is no form, a status for no
message, a call without a token, Tocsin served under a path prefix: a clear answer, never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.fakes.twilio import FakeTwilio, signature
from tocsin.app import build
from tocsin.config import Settings

PREFIXED = "http://tocsin.test/oncall"


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


def _app(database_url: str, tmp_path: Path, twilio: FakeTwilio, **extra: str) -> TestClient:
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        secret_key="test-secret",
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.auth_token,
        twilio_from_number=twilio.from_number,
        twilio_api_url=twilio.api_url,
        **extra,
    )
    return TestClient(build(settings, run_engine=False), base_url="http://tocsin.test")


def test_without_twilio_set_up_the_webhooks_say_so(http):
    answer = http.post("/webhooks/twilio/sms", data={"From": "+4915112345678", "Body": "ack 1"})
    assert answer.status_code == 404
    assert "TOCSIN_TWILIO_ACCOUNT_SID" in answer.text


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/webhooks/twilio/status?message=abc", {"MessageStatus": "failed", "ErrorCode": "30003"}),
        ("/webhooks/twilio/status?message=999999", {"MessageStatus": "undelivered"}),
        ("/webhooks/twilio/status", {"CallStatus": "no-answer"}),
        ("/webhooks/twilio/voice/alert", {"CallSid": "CA1"}),
        ("/webhooks/twilio/voice/keys?token=nonsense", {"Digits": "1"}),
        ("/webhooks/twilio/sms", {"From": "", "Body": ""}),
        ("/webhooks/twilio/sms", {"From": "+4915112345678", "Body": "ack 99999999999999999999"}),
    ],
)
def test_signed_requests_about_nothing_get_a_clear_answer(database_url, tmp_path, twilio, path, params):
    with _app(database_url, tmp_path, twilio, public_base_url="http://tocsin.test") as http:
        twilio.sender = http
        answer = twilio.post_signed(f"http://tocsin.test{path}", params)
    assert answer.status_code in (200, 204), answer.text
    if answer.status_code == 200:
        assert answer.headers["content-type"].startswith("application/xml")
        assert answer.text.startswith("<?xml")


def test_a_body_that_is_no_form_is_refused(database_url, tmp_path, twilio):
    with _app(database_url, tmp_path, twilio, public_base_url="http://tocsin.test") as http:
        answer = http.post(
            "/webhooks/twilio/sms",
            content=b"--x\r\nnot multipart",
            headers={"Content-Type": "multipart/form-data; boundary=x", "X-Twilio-Signature": "abc"},
        )
    assert answer.status_code in (400, 403)


@pytest.mark.parametrize("stripped", [False, True])
def test_under_a_path_prefix_the_signature_is_checked_on_the_public_url(
    database_url, tmp_path, twilio, stripped
):
    with _app(database_url, tmp_path, twilio, public_base_url=PREFIXED, root_path="/oncall") as http:
        twilio.sender = http
        arrives_at = "http://tocsin.test" if stripped else PREFIXED
        params = {"From": "+4915112345678", "Body": "hello"}
        signed_for_public = twilio.post_signed(f"{PREFIXED}/webhooks/twilio/sms", params)
        headers = {
            "X-Twilio-Signature": signature(twilio.auth_token, f"{PREFIXED}/webhooks/twilio/sms", params)
        }
        as_proxied = http.post(f"{arrives_at}/webhooks/twilio/sms", data=params, headers=headers)
    assert signed_for_public.status_code == 200
    assert as_proxied.status_code == 200, as_proxied.text
    assert "not a verified phone number" in as_proxied.text
