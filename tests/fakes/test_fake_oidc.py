"""The fake OpenID provider is as strict as a real one: PKCE and a nonce are required, the client
must authenticate, a code works once and only with its verifier, and its ID tokens verify
against its JWKS."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.fakes.oidc_authlib import Person
from tests.fakes.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider

CALLBACK = "http://tocsin.test/login/oidc/callback"
VERIFIER = "v" * 50
ADA = Person("ada", "pw", "ada@example.com", groups=["sre"])


@pytest.fixture
def provider() -> Iterator[OidcProvider]:
    with OidcProvider() as started:
        started.add_person(ADA)
        started.add_client(CALLBACK)
        yield started


def authorize(provider: OidcProvider, **changes: str) -> httpx.Response:
    params = {
        "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": CALLBACK,
        "scope": "openid email profile", "state": "s1", "nonce": "n1",
        "code_challenge": create_s256_code_challenge(VERIFIER), "code_challenge_method": "S256",
        **changes,
    }  # fmt: skip
    params = {name: value for name, value in params.items() if value}
    return httpx.post(f"{provider.issuer}/authorize", data={**params, "login": "ada", "password": "pw"})


def code_of(answer: httpx.Response) -> str:
    assert answer.status_code == 302, answer.text
    return dict(httpx.URL(answer.headers["location"]).params)["code"]


def exchange(provider: OidcProvider, code: str, *, secret: str = CLIENT_SECRET, verifier: str = VERIFIER):
    return httpx.post(
        f"{provider.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        },
        auth=(CLIENT_ID, secret),
    )


def test_discovery_and_jwks_describe_the_provider_with_public_keys_only(provider: OidcProvider) -> None:
    document = httpx.get(f"{provider.issuer}/.well-known/openid-configuration").json()
    keys = httpx.get(document["jwks_uri"]).json()["keys"]

    assert document["issuer"] == provider.issuer
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert [(key["kid"], key["kty"], "d" in key) for key in keys] == [("fake-1", "RSA", False)]


@pytest.mark.parametrize("left_out", ["code_challenge", "nonce"])
def test_an_authorization_request_without_pkce_or_nonce_is_refused(
    provider: OidcProvider, left_out: str
) -> None:
    answer = authorize(provider, **{left_out: ""})

    assert answer.status_code in (302, 400)
    where = answer.headers.get("location", "") + answer.text
    assert "invalid_request" in where
    assert "code=" not in where


def test_a_code_gives_an_id_token_signed_by_the_published_key_once(provider: OidcProvider) -> None:
    code = code_of(authorize(provider))

    tokens = exchange(provider, code)
    again = exchange(provider, code)

    assert tokens.status_code == 200, tokens.text
    keys = KeySet.import_key_set(httpx.get(f"{provider.issuer}/jwks").json())
    claims = jwt.decode(tokens.json()["id_token"], keys).claims
    assert (claims["iss"], claims["aud"], claims["nonce"]) == (provider.issuer, [CLIENT_ID], "n1")
    assert (claims["email"], claims["groups"]) == ("ada@example.com", ["sre"])
    assert again.json()["error"] == "invalid_grant"


def test_the_token_endpoint_wants_the_client_secret_and_the_verifier(provider: OidcProvider) -> None:
    assert (
        exchange(provider, code_of(authorize(provider)), secret="wrong").json()["error"] == "invalid_client"
    )
    assert (
        exchange(provider, code_of(authorize(provider, nonce="n2")), verifier="w" * 50).json()["error"]
        == "invalid_grant"
    )


def test_userinfo_wants_the_access_token(provider: OidcProvider) -> None:
    access_token = exchange(provider, code_of(authorize(provider))).json()["access_token"]

    assert httpx.get(f"{provider.issuer}/userinfo").status_code == 401
    info = httpx.get(f"{provider.issuer}/userinfo", headers={"Authorization": f"Bearer {access_token}"})
    assert info.json()["email"] == "ada@example.com"
