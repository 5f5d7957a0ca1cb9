"""The OpenID Connect relying party: Authlib's Starlette client (authorization code flow with
PKCE, state and nonce; the ID token checked against the issuer's JWKS), with every way it can fail
turned into a ``SignOnRefused`` that says what happened and what to do.

Authlib keeps the flow's state, nonce and PKCE verifier in the browser's signed session cookie
between ``start`` and ``finish``; the callback is refused unless it comes back to that browser."""

from __future__ import annotations

import logging
from typing import Any

import httpx2
from authlib.integrations.base_client.errors import MismatchingStateError
from authlib.integrations.starlette_client import OAuth, OAuthError
from authlib.integrations.starlette_client.apps import StarletteOAuth2App
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError
from starlette.requests import Request
from starlette.responses import Response

from tocsin.config import Settings
from tocsin.people.oidc_login import SignOnRefused, SignOnRules

log = logging.getLogger(__name__)
logging.getLogger("authlib").setLevel(logging.INFO)  # its debug lines carry the PKCE verifier
CLIENT_NAME = "tocsin_sso"
STATE_PREFIX = f"_state_{CLIENT_NAME}_"
"""Where Authlib keeps a flow's state in the session."""
LEEWAY_SECONDS = 60
"""Clock difference tolerated between Tocsin and the provider when checking exp/iat."""
CALLBACK_PATH = "/login/oidc/callback"

START_AGAIN = "Go back to the login page and sign in again."


def unreachable() -> SignOnRefused:
    return SignOnRefused(
        "provider-unreachable",
        "Tocsin could not reach the identity provider.",
        "Try again in a few minutes. If it keeps failing, tell your Tocsin administrator; "
        "an owner can still log in with a password.",
    )


def rules_of(settings: Settings) -> SignOnRules:
    return SignOnRules(
        email_claim=settings.oidc_email_claim,
        create_users=settings.oidc_create_users,
        default_role=settings.oidc_default_role,
        groups_claim=settings.oidc_groups_claim,
        team_of_group=settings.oidc_team_of_group,
    )


class SingleSignOn:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.redirect_uri = f"{settings.base_url}{CALLBACK_PATH}"
        oauth = OAuth()
        self.client: StarletteOAuth2App = oauth.register(
            name=CLIENT_NAME,
            server_metadata_url=f"{settings.oidc_issuer}/.well-known/openid-configuration",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            client_kwargs={
                "scope": settings.oidc_scope,
                "code_challenge_method": "S256",
                "timeout": settings.oidc_timeout_seconds,
            },
        )

    async def start(self, request: Request) -> Response:
        """The redirect to the provider's authorization endpoint."""
        await self._metadata()
        try:
            response: Response = await self.client.authorize_redirect(request, self.redirect_uri)
        except (RuntimeError, ValueError, KeyError) as problem:
            raise self._misconfigured(f"{type(problem).__name__} building the authorization URL") from None
        return response

    async def finish(self, request: Request) -> dict[str, Any]:
        """The claims of the validated ID token (completed from userinfo when it lacks some)."""
        if not any(key.startswith(STATE_PREFIX) for key in request.session):
            raise SignOnRefused(
                "no-session",
                "This sign-in was not started in this browser, or the browser did not keep Tocsin's cookie.",
                f"{START_AGAIN} If it happens again, allow cookies for Tocsin.",
            )
        try:
            issuer = (await self._metadata())["issuer"]
            # Authlib checks the audience only through azp; OpenID Connect wants aud to name us.
            must_name = {
                "iss": {"essential": True, "values": [issuer]},
                "aud": {"essential": True, "values": [self.settings.oidc_client_id]},
            }
            token = await self.client.authorize_access_token(
                request, leeway=LEEWAY_SECONDS, claims_options=must_name
            )
            claims = dict(token["userinfo"]) if token.get("userinfo") else None
            if claims is None:
                raise SignOnRefused(
                    "no-id-token",
                    "The identity provider answered without an ID token.",
                    "Ask your Tocsin administrator to check that the client asks for the openid scope.",
                )
            return await self._completed(token, claims)
        except MismatchingStateError:
            raise SignOnRefused(
                "state-mismatch",
                "The answer from the identity provider does not belong to the sign-in this browser started.",
                START_AGAIN,
            ) from None
        except OAuthError as problem:
            raise self._provider_said(problem) from None
        except ExpiredTokenError:
            raise SignOnRefused(
                "token-expired",
                "The identity provider's ID token had already expired.",
                f"{START_AGAIN} If it happens again, the clocks of Tocsin and the provider may differ.",
            ) from None
        except ClaimError as problem:
            raise SignOnRefused(
                f"token-claim-{problem.claim}",
                f"The identity provider's ID token failed a check (its {problem.claim!r} claim).",
                f"{START_AGAIN} If it happens again, tell your Tocsin administrator.",
            ) from None
        except JoseError as problem:
            raise SignOnRefused(
                f"token-{problem.error}",
                "The identity provider's ID token is not signed by a key the provider publishes.",
                f"{START_AGAIN} If it happens again, tell your Tocsin administrator.",
            ) from None
        except httpx2.HTTPError as problem:
            log.warning("single sign-on: the identity provider failed: %s", type(problem).__name__)
            raise unreachable() from None
        except (RuntimeError, ValueError, KeyError, TypeError) as problem:
            raise self._misconfigured(f"{type(problem).__name__} reading its answer") from None

    async def _metadata(self) -> dict[str, Any]:
        try:
            metadata: dict[str, Any] = await self.client.load_server_metadata()
        except httpx2.HTTPError as problem:
            log.warning("single sign-on: discovery failed: %s", type(problem).__name__)
            raise unreachable() from None
        except ValueError:
            raise self._misconfigured("its discovery document is not JSON") from None
        # Compared without a trailing slash: some providers' issuers end in one (Authentik's).
        issuer = str(metadata.get("issuer", ""))
        if issuer.rstrip("/") != self.settings.oidc_issuer:
            self.client.server_metadata.clear()  # read it again next time, once it is fixed
            raise self._misconfigured(
                f"its discovery document names issuer {issuer[:200]!r}, "
                f"not TOCSIN_OIDC_ISSUER {self.settings.oidc_issuer!r}"
            )
        return metadata

    async def _completed(self, token: dict[str, Any], claims: dict[str, Any]) -> dict[str, Any]:
        """Claims the ID token left out, from the userinfo endpoint (signed ones win)."""
        rules = rules_of(self.settings)
        wanted = [rules.email_claim] + ([rules.groups_claim] if rules.team_of_group else [])
        metadata = await self._metadata()
        if all(name in claims for name in wanted) or not metadata.get("userinfo_endpoint"):
            return claims
        info = dict(await self.client.userinfo(token=token))
        if info.get("sub") != claims.get("sub"):
            raise self._misconfigured("its userinfo is about another subject than the ID token")
        return {**info, **claims}

    def _provider_said(self, problem: OAuthError) -> SignOnRefused:
        code = str(problem.error or "error")[:60]
        log.warning("single sign-on: the identity provider answered %s", code)
        if code == "access_denied":
            return SignOnRefused(
                "provider-access-denied",
                "The identity provider did not let you sign in to Tocsin (access_denied).",
                "If you cancelled, sign in again; otherwise ask your identity provider's administrator "
                "to give you access to Tocsin.",
            )
        return SignOnRefused(
            f"provider-{code}",
            f"The identity provider refused the sign-in ({code}).",
            f"{START_AGAIN} If it happens again, tell your Tocsin administrator.",
        )

    def _misconfigured(self, what: str) -> SignOnRefused:
        log.warning("single sign-on: the identity provider misbehaves: %s", what)
        return SignOnRefused(
            "provider-misconfigured",
            "Tocsin and the identity provider do not work together as set up.",
            "Tell your Tocsin administrator; the server's log says what is wrong. "
            "An owner can still log in with a password.",
        )
