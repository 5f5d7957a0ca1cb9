"""The redaction processor: each shape of secret is taken out of a log line wherever it is, and
what is not a secret (request ids, route templates, plain words) stays readable."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tocsin.config import Settings
from tocsin.ops import logs
from tocsin.ops.redaction import REDACTED, Redactor

KEY = "3f0c2a51-8e7b-4c1d-9a62-5b0e7d4f1c88"


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f"Authorization: GenieKey {KEY}", KEY),
        (f"refused 'GenieKey {KEY}'", KEY),
        ("Authorization: Bearer abcdef0123456789", "abcdef0123456789"),
        ("headers={'authorization': 'Basic dXNlcjpwYXNzd29yZA=='}", "dXNlcjpwYXNzd29yZA=="),
        ("Mattermost sent 'Token 8wgkxdp3o7fgjg6u4zeo1a9qhh'", "8wgkxdp3o7fgjg6u4zeo1a9qhh"),
        (f"GET /v2/alerts?apiKey={KEY}&limit=5", KEY),
        (f"GET /v2/alerts?limit=5&apikey={KEY}", KEY),
        ("form: username=ada&password=correct-horse-battery", "correct-horse-battery"),
        ('{"username": "ada", "password": "correct horse battery"}', "correct horse battery"),
        ("{'command_token': 'f00dfeedcafe', 'name': 'ops'}", "f00dfeedcafe"),
        ("bot_token=xoxb-1234-5678-abcdefghijkl refused", "xoxb-1234-5678-abcdefghijkl"),
        ("Slack said invalid_auth for xoxp-1111-2222-3333-aaaabbbbcccc", "xoxp-1111-2222-3333-aaaabbbbcccc"),
        (
            "POST https://hooks.slack.com/services/T0001/B0002/XXXXYYYYZZZZ failed",
            "T0001/B0002/XXXXYYYYZZZZ",
        ),
        ("POST https://chat.example.com/hooks/xr8ob1cm7fgw5pq3hh4rzuy6ta: 404", "xr8ob1cm7fgw5pq3hh4rzuy6ta"),
        ("ntfy refused tk_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o", "tk_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o"),
        (
            "signed_request=eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJodWIifQ.c2lnbmF0dXJlLWJ5dGVz is old",
            "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJodWIifQ.c2lnbmF0dXJlLWJ5dGVz",
        ),
        ("opened https://tocsin.example/chat/link/Zq3-vY8kPaLr_0tNw2", "Zq3-vY8kPaLr_0tNw2"),
        ("GET /calendar/AbCdEf0123456789xYz.ics", "AbCdEf0123456789xYz"),
        ("POST /webhooks/ntfy/act/kL9mN8bV7cX6zQ5w", "kL9mN8bV7cX6zQ5w"),
        (f"POST /chat/mattermost/{KEY}/s3cr3tPathPart", "s3cr3tPathPart"),
        (
            "GET https://bucket.s3.amazonaws.com/backup.tar?X-Amz-Expires=60&X-Amz-Signature=9f8e7d6c5b4a",
            "9f8e7d6c5b4a",
        ),
        ("fetching https://files.example/report.pdf?s=4a5b6c7d8e9f&e=1700000000", "4a5b6c7d8e9f"),
        ("connecting to postgresql://tocsin:pg-Pa55word@db.internal/tocsin", "pg-Pa55word"),
        ("Cookie: tocsin_session=eyJzZXNzaW9uIjoxfQ.Z1x2Y3.abcdefgh", "eyJzZXNzaW9uIjoxfQ"),
        ("Set-Cookie: tocsin_session=abc123def456; Path=/; HttpOnly", "abc123def456"),
        ("X-Twilio-Signature: 0123abcdWXYZ/+=", "0123abcdWXYZ"),
        ("AccountSid=AC123&AuthToken=9b3f7e21aa04", "9b3f7e21aa04"),
        ("GET /login/oidc/callback?state=af0ifjsldkj&code=SplxlOBeZQQYbYS6WxSbIA", "SplxlOBeZQQYbYS6WxSbIA"),
    ],
)
def test_each_secret_shape_is_redacted(line: str, secret: str) -> None:
    redacted = Redactor().text(line)

    assert secret not in redacted
    assert REDACTED in redacted


@pytest.mark.parametrize(
    "line",
    [
        "request_id=2b0f3c4e-8d7a-4b1c-9e6f-0a1b2c3d4e5f",
        "POST /chat/mattermost/{integration_id}/{secret} 200",
        "GET /v2/alerts/{identifier} 404",
        "GET /calendar/{token}.ics",
        "Token expired: run /genie connect again",
        "destination Mattermost ops is down: 503 Service Unavailable",
        "engine job escalate handled 3",
    ],
)
def test_what_is_not_a_secret_stays_as_it_was(line: str) -> None:
    assert Redactor().text(line) == line


def test_the_secrets_the_process_knows_are_redacted_by_value(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        secret_key="the-installation-secret-key",
        twilio_auth_token="7d5e2c91b0a4f3e6",
        smtp_password="mail relay pass",
        ntfy_token="ntfy-token-42",
        database_url="postgresql://tocsin:hunter2hunter2@db/tocsin",
        oidc_client_secret="oidc-client-Secret-9",
    )
    redactor = Redactor(logs.known_secrets(settings))

    redacted = redactor.text(
        "keys the-installation-secret-key 7d5e2c91b0a4f3e6 'mail relay pass' ntfy-token-42 hunter2hunter2 "
        "oidc-client-Secret-9"
    )

    assert redacted == f"keys {REDACTED} {REDACTED} '{REDACTED}' {REDACTED} {REDACTED} {REDACTED}"


def test_fields_named_like_secrets_are_redacted_whatever_their_value() -> None:
    event = {
        "event": "login",
        "password": "short",
        "api_key": "k",
        "headers": {"Authorization": "anything", "Accept": "text/html"},
        "route": "/login",
        "status": 401,
    }

    redacted = Redactor()(None, "info", event)

    assert redacted == {
        "event": "login",
        "password": REDACTED,
        "api_key": REDACTED,
        "headers": {"Authorization": REDACTED, "Accept": "text/html"},
        "route": "/login",
        "status": 401,
    }


@pytest.fixture
def json_lines(tmp_path: Path) -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger of its own writing through Tocsin's JSON formatter into a buffer."""
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(logs.formatter(Settings(data_dir=tmp_path, log_format="json")))
    logger = logging.getLogger("tests.ops.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    yield logger, output
    logger.removeHandler(handler)


def test_an_exception_message_and_its_traceback_are_redacted(
    json_lines: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, output = json_lines

    try:
        raise RuntimeError(f"could not reach https://hooks.example/x?token=abc123secret with GenieKey {KEY}")
    except RuntimeError:
        logger.exception("delivery failed for apiKey=%s", KEY)

    [line] = output.getvalue().splitlines()
    logged = json.loads(line)
    assert logged["event"] == f"delivery failed for apiKey={REDACTED}"
    assert "RuntimeError" in logged["exception"]
    assert KEY not in line
    assert "abc123secret" not in line


def test_a_line_from_another_library_is_one_json_object_with_the_usual_fields(
    json_lines: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, output = json_lines

    logger.warning("pool %s is full", "main")

    logged = json.loads(output.getvalue())
    assert list(logged)[:4] == ["timestamp", "level", "logger", "event"]
    assert logged["event"] == "pool main is full"
    assert logged["level"] == "warning"
    assert logged["logger"] == "tests.ops.redaction"


def test_the_secret_key_kept_in_the_data_directory_is_redacted_by_value(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    redactor = Redactor(logs.known_secrets(settings))
    stored = (tmp_path / "secret_key").read_text().strip()

    assert redactor.text(f"signing with {stored}") == f"signing with {REDACTED}"
