"""A fake OpenID provider with its people, and Tocsin's settings for single sign-on against it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from tests.fakes.oidc_authlib import Person
from tests.fakes.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider
from tocsin.config import Settings

ADA = Person("ada", "ada-pass", "ada@example.com", name="Ada Lovelace", groups=["sre"])
NEW = Person("grace", "grace-pass", "Grace@Example.com", name="Grace Hopper", groups=["sre", "dba", "staff"])
UNVERIFIED = Person("mallory", "mallory-pass", "mallory@example.com", email_verified=False)
STRANGER = Person("eve", "eve-pass", "eve@example.com")
PEOPLE = (ADA, NEW, UNVERIFIED, STRANGER)


@contextmanager
def provider_for(redirect_uri: str) -> Iterator[OidcProvider]:
    """A started provider that knows PEOPLE and Tocsin (as a client with this redirect URI)."""
    with OidcProvider() as provider:
        for person in PEOPLE:
            provider.add_person(person)
        provider.add_client(redirect_uri)
        yield provider


def sso_settings(settings: Settings, issuer: str, **changes: Any) -> Settings:
    return settings.model_copy(
        update={
            "oidc_issuer": issuer,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET,
            "oidc_button_label": "Example SSO",
            **changes,
        }
    )


def sign_in_at_provider(authorize_url: str, person: Person, *, cancel: bool = False) -> httpx.Response:
    """What a person does at the provider: open the authorization URL, fill in its form and send
    it. The answer is the provider's redirect back to Tocsin (or its form again)."""
    with httpx.Client(timeout=10) as browser:
        form = browser.get(authorize_url)
        assert form.status_code == 200, form.text
        fields = dict(httpx.QueryParams(httpx.URL(authorize_url).query))
        fields.update(login=person.login, password=person.password)
        if cancel:
            fields["cancel"] = "1"
        issuer = f"{httpx.URL(authorize_url).scheme}://{httpx.URL(authorize_url).netloc.decode()}"
        return browser.post(f"{issuer}/authorize", data=fields)
