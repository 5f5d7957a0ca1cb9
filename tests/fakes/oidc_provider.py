"""A fake OpenID provider over real HTTP on a loopback port, its protocol done by Authlib's
server side (``tests/fakes/oidc_authlib.py``): the discovery document
(``/.well-known/openid-configuration``), the JWKS (``/jwks``), the authorization endpoint with
a small login form (``/authorize``: a person's login and password, or Cancel), the token endpoint
(``/token``) and userinfo (``/userinfo``).

Drills: ``tamper = "nonce" | "signature" | "expired" | "audience" | "issuer"`` makes the next ID
tokens carry a nonce the browser never sent, be signed by a key the JWKS does not publish, be
expired an hour ago, or name another client or issuer; ``thin_id_tokens`` leaves every claim but
``sub`` to the userinfo endpoint (as some providers do with groups);
``stop()`` takes the provider off the network (its port refuses connections)."""

from __future__ import annotations

import html
import json
import threading
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from authlib.oauth2 import OAuth2Error
from joserfc.jwk import KeySet, RSAKey

from tests.fakes.oidc_authlib import Client, Code, Person, build_server, user_info

CLIENT_ID = "tocsin"
CLIENT_SECRET = "fake-provider-client-secret"
AUTHORIZE_PARAMS = (
    "response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge",
    "code_challenge_method",
)  # fmt: skip
Answer = tuple[int, bytes, dict[str, str]]


@cache
def signing_keys() -> tuple[RSAKey, RSAKey]:
    """The provider's key, and a stranger's under the same key id (made once: RSA keys are slow)."""
    return (
        RSAKey.generate_key(2048, parameters={"kid": "fake-1", "use": "sig", "alg": "RS256"}),
        RSAKey.generate_key(2048, parameters={"kid": "fake-1"}),
    )


class OidcProvider:
    def __init__(self) -> None:
        self.key, self.stranger_key = signing_keys()
        self.people: dict[str, Person] = {}
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Code] = {}
        self.access_tokens: dict[str, tuple[Person, str]] = {}
        self.tamper = ""
        self.thin_id_tokens = False
        self.userinfo_requests = 0
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._http.daemon_threads = True
        self.issuer = f"http://127.0.0.1:{self._http.server_address[1]}"
        self._server = build_server(self)
        self._thread: threading.Thread | None = None

    def add_person(self, person: Person) -> Person:
        self.people[person.login] = person
        return person

    def add_client(self, redirect_uri: str) -> None:
        self.clients[CLIENT_ID] = Client(CLIENT_ID, CLIENT_SECRET, [redirect_uri])

    def start(self) -> OidcProvider:
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-oidc", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._http.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._http.server_close()

    def __enter__(self) -> OidcProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # The endpoints

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile", "groups"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "name", "groups"],
        }

    def jwks(self) -> dict[str, Any]:
        return KeySet([self.key]).as_dict(private=False)

    def authorize(self, method: str, uri: str, headers: Any, params: dict[str, str]) -> Answer:
        oauth_params = {name: params[name] for name in AUTHORIZE_PARAMS if name in params}
        if method == "GET":
            self.authorize_requests.append(dict(oauth_params))
        try:
            grant = self._server.get_consent_grant((method, uri, headers, oauth_params))
        except OAuth2Error as error:
            return 400, _page(f"<h1>Bad request</h1><p>{html.escape(error.error)}</p>"), {}
        if method == "GET":
            return 200, login_form(oauth_params, error=""), {}
        if "cancel" in params:
            return self._server.create_authorization_response(
                (method, uri, headers, oauth_params), grant_user=None, grant=grant
            )
        person = self.people.get(params.get("login", ""))
        if person is None or person.password != params.get("password"):
            return 200, login_form(oauth_params, error="Unknown login or wrong password."), {}
        return self._server.create_authorization_response(
            (method, uri, headers, oauth_params), grant_user=person, grant=grant
        )

    def token(self, uri: str, headers: Any, params: dict[str, str]) -> Answer:
        self.token_requests.append(dict(params))
        return self._server.create_token_response(("POST", uri, headers, params))  # type: ignore[no-any-return]

    def userinfo(self, headers: Any) -> Answer:
        self.userinfo_requests += 1
        kind, _, token = (headers.get("Authorization") or "").partition(" ")
        found = self.access_tokens.get(token) if kind.lower() == "bearer" else None
        if found is None:
            return 401, b"", {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        person, scope = found
        return 200, json.dumps(dict(user_info(person, scope))).encode(), {"Content-Type": "application/json"}


def login_form(params: dict[str, str], *, error: str) -> bytes:
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
        for name, value in params.items()
    )
    problem = f'<p role="alert">{html.escape(error)}</p>' if error else ""
    return _page(
        f"""<h1>Fake identity provider</h1>{problem}
<form method="post" action="/authorize">{hidden}
<label>Login <input name="login" autocomplete="username"></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button> <button type="submit" name="cancel" value="1">Cancel</button>
</form>"""
    )


def _page(body: str) -> bytes:
    head = '<title>Fake IdP</title><link rel="icon" href="data:,">'
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>".encode()


def _handler(provider: OidcProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            params = dict(parse_qsl(parts.query))
            uri = f"{provider.issuer}{self.path}"
            if parts.path == "/.well-known/openid-configuration":
                self._json(provider.discovery())
            elif parts.path == "/jwks":
                self._json(provider.jwks())
            elif parts.path == "/authorize":
                self._answer(provider.authorize("GET", uri, self.headers, params))
            elif parts.path == "/userinfo":
                self._answer(provider.userinfo(self.headers))
            else:
                self._answer((404, b"not found", {}))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            params = dict(parse_qsl(self.rfile.read(length).decode()))
            uri = f"{provider.issuer}{self.path}"
            if self.path == "/authorize":
                self._answer(provider.authorize("POST", uri, self.headers, params))
            elif self.path == "/token":
                self._answer(provider.token(uri, self.headers, params))
            else:
                self._answer((404, b"not found", {}))

        def _json(self, document: dict[str, Any]) -> None:
            self._answer((200, json.dumps(document).encode(), {"Content-Type": "application/json"}))

        def _answer(self, answer: Answer) -> None:
            status, body, headers = answer
            self.send_response(status)
            headers = {"Content-Type": "text/html; charset=utf-8", **headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def authorize_url_query(url: str) -> dict[str, str]:
    """The parameters of an authorization URL Tocsin sent the browser to."""
    return dict(parse_qsl(urlsplit(url).query))
