"""The single sign-on (OpenID Connect) settings, a part of ``tocsin.config.Settings``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, field_validator


class OidcSettings(BaseModel):
    oidc_issuer: str = ""
    """The OpenID provider's issuer URL (discovery: ``{issuer}/.well-known/openid-configuration``).
    Single sign-on is on when the issuer, client id and client secret are all set."""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid email profile"
    """The scopes asked for (space-separated); ``openid`` is always among them."""
    oidc_email_claim: str = "email"
    """The claim whose value is the user's e-mail address, i.e. their Tocsin username."""
    oidc_create_users: bool = False
    """Create a Tocsin user on the first sign-on of an address Tocsin does not know."""
    oidc_default_role: Literal["user", "admin"] = "user"
    """The role of users created on sign-on (never owner)."""
    oidc_groups_claim: str = "groups"
    """The claim listing the user's groups, read when TOCSIN_OIDC_GROUP_TEAMS maps any."""
    oidc_group_teams: str = ""
    """Group → team mapping, ``sre=SRE,dba=Database``: each sign-on adds the user to the teams
    of their groups that they are not in yet."""
    oidc_button_label: str = "single sign-on"
    """The login page's button reads "Sign in with <label>"."""
    oidc_timeout_seconds: float = 10.0
    """How long a call to the provider (discovery, keys, token, userinfo) may take."""
    password_login: bool = True
    """False hides the password form and refuses passwords, except an owner's (see docs/sso.md)."""

    @field_validator("oidc_issuer")
    @classmethod
    def _check_issuer(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("https://", "http://")):
            raise ValueError(f"TOCSIN_OIDC_ISSUER must be an http(s) URL, got {value!r}")
        return value

    @field_validator("oidc_client_id", "oidc_client_secret", "oidc_email_claim", "oidc_groups_claim")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("oidc_button_label")
    @classmethod
    def _check_label(cls, value: str) -> str:
        value = value.strip()
        if not value or len(value) > 60:
            raise ValueError("TOCSIN_OIDC_BUTTON_LABEL must be 1 to 60 characters")
        return value

    @property
    def oidc_configured(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    @property
    def oidc_scope(self) -> str:
        scopes = self.oidc_scopes.split()
        return " ".join(scopes if "openid" in scopes else ["openid", *scopes])

    @property
    def oidc_team_of_group(self) -> dict[str, str]:
        return parse_group_teams(self.oidc_group_teams)


def parse_group_teams(text: str) -> dict[str, str]:
    """``sre=SRE,dba=Database`` as {group: team}. Entries are separated by commas, or by
    semicolons when there is one (group names such as LDAP DNs hold commas); each is split at
    its last ``=`` (such names hold those too)."""
    mapping: dict[str, str] = {}
    separator = ";" if ";" in text else ","
    for entry in text.split(separator):
        if not entry.strip():
            continue
        group, equals, team = entry.rpartition("=")
        if not equals or not group.strip() or not team.strip():
            raise ValueError(
                f"TOCSIN_OIDC_GROUP_TEAMS: {entry.strip()!r} is not group=Team (e.g. sre=SRE,dba=Database)"
            )
        mapping[group.strip()] = team.strip()
    return mapping
