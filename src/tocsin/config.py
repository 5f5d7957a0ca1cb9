"""Settings, read from the environment (``TOCSIN_*``) with sensible defaults for a single host."""

from __future__ import annotations

import ipaddress
import os
import secrets
import tempfile
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tocsin.oidc_settings import OidcSettings, parse_group_teams
from tocsin.throttling.limits import parse_limit


class Settings(OidcSettings, BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOCSIN_", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str = ""
    public_base_url: str = ""
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8080
    root_path: str = ""
    owner_email: str = "owner@example.com"
    request_record_days: int = 7
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    log_format: Literal["text", "json"] = "text"
    """json: one JSON object per line on stderr (see docs/logging.md); text: readable lines."""
    access_log: bool | None = None
    """A line per HTTP request; unset: on with the json format, off with text."""
    opentelemetry: bool = False
    """FastAPI's OpenTelemetry hooks (traces, metrics, logs to the providers an OpenTelemetry SDK
    sets up in this process, e.g. under ``opentelemetry-instrument``). Off, no request asks
    OpenTelemetry whether it is set up (about 40 µs of each request's CPU)."""
    smtp_host: str = ""
    """E-mail is sent only when this is set."""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_from: str = "tocsin@localhost"
    smtp_timeout_seconds: float = 10.0
    smtp_connections: int = Field(default=4, ge=1)
    """Connections to the SMTP server kept open by the engine, each sending one e-mail after another."""
    twilio_account_sid: str = ""
    """SMS and voice calls go through Twilio (or a Twilio-compatible provider) only when the
    account SID, its auth token and the from-number are all set."""
    twilio_auth_token: str = ""
    twilio_from_number: str = ""
    """The account's number that texts and calls people (E.164, ``+15017122661``)."""
    twilio_api_url: str = "https://api.twilio.com"
    """Twilio's REST API; another address for a Twilio-compatible provider."""
    ntfy_url: str = "https://ntfy.sh"
    """The ntfy server that push notifications to a bare topic go to; empty: no ntfy push."""
    ntfy_token: str = ""
    """An ntfy access token (``tk_…``), sent to the server of TOCSIN_NTFY_URL only."""
    delivery_max_age_hours: float = 24.0
    """After this long a message that still fails is given up (a dead letter, kept and visible)."""
    delivery_lease_seconds: float = 120.0
    """How long an engine may take over one delivery before another engine may try it again."""
    delivery_batch: int = Field(default=200, ge=1)
    """How many due messages an engine claims in one round."""
    delivery_connections_per_destination: int = Field(default=20, ge=1)
    """Sends in flight to one destination (chat server, webhook host) at most."""
    delivery_probe_max_seconds: float = Field(default=5.0, gt=0)
    """The longest wait between two probes of a destination that is down."""
    delivery_round_wait_seconds: float = Field(default=0.05, ge=0)
    """How long a round of deliveries waits for its sends before leaving slow ones in flight."""
    delivery_stop_grace_seconds: float = Field(default=1.0, ge=0)
    """How long sends in flight may finish when the engine stops, before they are handed back."""
    engine_tick_seconds: float = 0.5
    engine_lease_seconds: float = 30.0
    """On SQLite, where one engine runs at a time: how long a silent engine keeps the others waiting."""
    watchdog_stale_seconds: float = Field(default=60.0, gt=0)
    """How long no engine may tick, or a due message wait, before owners are told (the banner,
    /health/ready, an e-mail). A minute; shorter only for tests and impatient administrators."""
    outbound_allow: str = ""
    """CIDRs or host names (comma-separated) that webhooks and chat servers may reach although internal."""
    slack_api_url: str = "https://slack.com/api"
    """Where Slack's Web API is (bot mode's calls): Slack's own unless testing against another."""
    chat_reply_within_seconds: float = 2.0
    """How long a chat command may run before its answer is sent later instead (Slack gives up on
    an answer after 3 s): through Slack's response_url, or HipChat's API."""
    search_max_length: int = 2000
    """The longest alert search query (``query=``) the API accepts, in characters."""
    search_max_terms: int = 100
    """The most terms (``field:value`` or free-text words) one alert search may have."""
    search_time_limit_seconds: float = 5.0
    """How long one alert listing or count may run in the database before it is stopped (422)."""
    live_poll_seconds: float = Field(default=0.3, ge=0.05, le=5.0)
    """While a browser listens for live updates, how often each process looks for changed alerts."""
    chat_button_lifetime_hours: float = Field(default=24.0, gt=0)
    """How long the buttons of a chat post work after it is posted (or redrawn by a press)."""
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"
    """SQLite only. FULL: an accepted alert is on disk before the 202 (survives power loss).
    NORMAL is faster but may lose the last commits on an OS crash or power cut."""
    run_engine: bool = True
    """False on API-only nodes (``tocsin serve --no-engine``); run ``tocsin engine`` elsewhere."""
    login_failures_per_address: str = "10/5 minutes"
    """Failed logins one client address may make before it must wait (the window's length)."""
    login_failures_per_account: str = "30/5 minutes"
    """Failed logins on one account, from all addresses not already refused, before the account
    refuses logins until the window passes. Keep it above the per-address limit (one address can
    then never lock an owner out) and the window short (many addresses can)."""
    api_rate_limit: str = "6000/minute"
    """Requests each API key may make; beyond it the API answers 429 as Opsgenie does."""
    password_hash_concurrency: int = Field(default=2, ge=1)
    """Password hashes (argon2, 64 MiB each) computed at once; others wait their turn."""
    password_hash_wait_seconds: float = Field(default=5.0, ge=0)
    """How long a login waits for a hashing turn before it is answered 503 with Retry-After."""
    forwarded_allow_ips: str = "127.0.0.1,::1"
    """The proxies (addresses or CIDRs, comma-separated; ``*`` for any) whose X-Forwarded-For and
    X-Forwarded-Proto uvicorn believes: requests from them are seen with the client's address and
    scheme. Headers from anyone else are ignored."""
    trust_forwarded_for: bool = False
    """Take the client address from X-Forwarded-For (set it only behind a proxy that writes it)."""
    session_idle_minutes: int = Field(default=720, ge=1)
    """A web session unused this long ends."""
    session_max_days: float = Field(default=14, gt=0)
    """A web session ends this long after logging in, however much it is used."""
    metrics: bool = True
    """``GET /metrics`` (Prometheus text format); false: 404 and nothing counted."""
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    """Serve /metrics on this port of its own (at TOCSIN_METRICS_HOST) instead of the main one."""
    metrics_host: str = "127.0.0.1"
    metrics_token: str = ""
    """When set, a scrape must send ``Authorization: Bearer <token>``."""

    @field_validator("login_failures_per_address", "login_failures_per_account", "api_rate_limit")
    @classmethod
    def _check_rate_limit(cls, value: str) -> str:
        parse_limit(value)  # a clear ValueError at start-up rather than at the first request
        return value.strip()

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _check_proxy_addresses(cls, value: str) -> str:
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        if entries == ["*"]:
            return "*"
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    "TOCSIN_FORWARDED_ALLOW_IPS takes the proxies' IP addresses or CIDRs, comma-separated "
                    f"(e.g. 127.0.0.1,10.0.0.0/8), or * alone; {entry!r} is neither"
                ) from None
        return ",".join(entries)

    @field_validator("ntfy_url")
    @classmethod
    def _check_ntfy_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("https://", "http://")):
            raise ValueError(
                f"TOCSIN_NTFY_URL must be an http(s) URL such as https://ntfy.sh, or empty; got {value!r}"
            )
        return value

    @field_validator("sqlite_synchronous", mode="before")
    @classmethod
    def _upper_case_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _lower_case_choice(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("access_log", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("root_path")
    @classmethod
    def _normalise_root_path(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith("/"):
            value = "/" + value
        return value

    @field_validator("data_dir")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("public_base_url", "twilio_api_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        return value.strip().rstrip("/")

    @model_validator(mode="after")
    def _keep_a_way_in(self) -> Settings:
        if not self.password_login and not self.oidc_configured:
            raise ValueError(
                "TOCSIN_PASSWORD_LOGIN=false needs single sign-on: set TOCSIN_OIDC_ISSUER, "
                "TOCSIN_OIDC_CLIENT_ID and TOCSIN_OIDC_CLIENT_SECRET, or leave password login on"
            )
        parse_group_teams(self.oidc_group_teams)  # a clear ValueError at start-up
        return self

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'tocsin.db').resolve()}"

    @property
    def twilio_configured(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_from_number)

    @property
    def chat_button_lifetime(self) -> timedelta:
        return timedelta(hours=self.chat_button_lifetime_hours)

    @cached_property
    def base_url(self) -> str:
        """Where users and clients reach Tocsin; links in API answers and messages start here."""
        if self.public_base_url:
            return self.public_base_url
        host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 address
        return f"http://{host}:{self.port}{self.root_path}"

    def ensure_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)

    @cached_property
    def effective_secret_key(self) -> str:
        """The configured key, or one generated on first start and kept in the data directory."""
        if self.secret_key:
            return self.secret_key
        self.ensure_data_dir()
        path = self.data_dir / "secret_key"
        if path.exists():
            stored = path.read_text().strip()
            if stored:
                return stored
        return _store_new_key(path)


def _store_new_key(path: Path) -> str:
    """Write a new key readable by its owner only. The file appears complete or not at all, and
    when two processes start at once both end up with the key that got there first."""
    key = secrets.token_urlsafe(48)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as file:
            file.write(key + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            stored = path.read_text().strip()
            if stored:
                return stored
            os.replace(temporary, path)  # an empty file left by a crash: replace it
        except OSError:  # a file system without hard links
            os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return key
