"""The OpenID provider's protocol, on Authlib's server side: an ``AuthorizationServer`` with the
authorization code grant, PKCE required (``CodeChallenge``) and OpenID Connect (``OpenIDCode``,
nonce required), ID tokens signed RS256 with a joserfc key. ``tests/fakes/oidc_provider.py``
serves it over HTTP."""

from __future__ import annotations

import json
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass, field
from email.message import Message
from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc6749 import AuthorizationServer, ClientMixin, OAuth2Request
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import RSAKey

if TYPE_CHECKING:
    from tests.fakes.oidc_provider import OidcProvider


@dataclass
class Person:
    """A user of the provider: how they log in to its form, and the claims it sends about them."""

    login: str
    password: str
    email: str
    email_verified: bool | None = True
    name: str = ""
    groups: list[str] = field(default_factory=list)
    sub: str = field(default_factory=lambda: secrets.token_hex(8))


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope.split() if s in ("openid", "email", "profile", "groups"))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    person: Person
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class Incoming(OAuth2Request):
    """An HTTP request as Authlib's server reads it: the query's or the form's parameters."""

    def __init__(self, method: str, uri: str, headers: Message, params: dict[str, str]) -> None:
        super().__init__(method, uri, headers=headers)
        self.payload = BasicOAuth2Payload(params)
        self._params = params

    @property
    def args(self) -> dict[str, str]:
        return self._params if self.method == "GET" else {}

    @property
    def form(self) -> dict[str, str]:
        return self._params if self.method == "POST" else {}


def user_info(person: Person, scope: str) -> UserInfo:
    info = UserInfo(sub=person.sub)
    scopes = scope.split()
    if "email" in scopes:
        info["email"] = person.email
        if person.email_verified is not None:
            info["email_verified"] = person.email_verified
    if "profile" in scopes:
        info["name"] = person.name
        info["groups"] = person.groups  # as Authentik sends them with the profile scope
    return info


def build_server(provider: OidcProvider) -> AuthorizationServer:
    class CodeGrant(AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
            data = request.payload.data
            nonce = data.get("nonce")
            if provider.tamper == "nonce":
                nonce = "a-nonce-this-browser-never-sent"
            provider.codes[code] = Code(
                code=code,
                client_id=request.client.get_client_id(),
                redirect_uri=data.get("redirect_uri", ""),
                scope=request.scope or "",
                nonce=nonce,
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                person=request.user,
            )

        def query_authorization_code(self, code: str, client: Client) -> Code | None:
            found = provider.codes.get(code)
            return found if found is not None and found.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code: Code) -> None:
            provider.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code: Code) -> Person:
            return authorization_code.person

    class OpenIdConnect(OpenIDCode):
        def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
            return any(code.nonce == nonce for code in provider.codes.values())

        def resolve_client_private_key(self, client: Client) -> RSAKey:
            return provider.stranger_key if provider.tamper == "signature" else provider.key

        def get_client_algorithm(self, client: Client) -> str:
            return "RS256"

        def get_encode_header(self, client: Client) -> dict[str, str]:
            return {"alg": "RS256", "kid": provider.key.kid or ""}

        def get_client_claims(self, client: Client) -> dict[str, Any]:
            claims: dict[str, Any] = {"iss": provider.issuer, "aud": [client.client_id]}
            if provider.tamper == "audience":  # for another client, though handed to this one
                claims.update(aud=["another-client"], azp=client.client_id)
            if provider.tamper == "issuer":
                claims["iss"] = "https://another-provider.example"
            if provider.tamper == "expired":
                now = int(time.time())
                claims.update(iat=now - 7200, exp=now - 3600)
            return claims

        def generate_user_info(self, user: Person, scope: str) -> UserInfo:
            if provider.thin_id_tokens:  # everything but sub only from the userinfo endpoint
                return UserInfo(sub=user.sub)
            return user_info(user, scope)

    class Server(AuthorizationServer):
        def query_client(self, client_id: str) -> Client | None:
            return provider.clients.get(client_id)

        def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
            provider.access_tokens[token["access_token"]] = (request.user, token.get("scope", ""))

        def create_oauth2_request(self, request: Any) -> OAuth2Request:
            return request if isinstance(request, OAuth2Request) else Incoming(*request)

        def handle_response(self, status: int, body: Any, headers: Any) -> tuple[int, bytes, dict[str, str]]:
            merged = defaultdict(str, dict(headers))
            if isinstance(body, dict):
                merged["Content-Type"] = "application/json"
                return status, json.dumps(body).encode(), dict(merged)
            return status, (body or "").encode(), dict(merged)

        def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
            pass

    server = Server(scopes_supported=["openid", "email", "profile", "groups"])
    server.register_token_generator(
        "default", BearerTokenGenerator(access_token_generator=lambda **_: secrets.token_urlsafe(32))
    )
    server.register_grant(CodeGrant, [CodeChallenge(required=True), OpenIdConnect(require_nonce=True)])
    return server
