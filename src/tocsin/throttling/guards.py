"""The rate limits Tocsin applies: failed logins per client address and per account, and
requests per API key. One instance per application (``app.state.throttles``)."""

from __future__ import annotations

from tocsin.config import Settings
from tocsin.errors import TooManyRequests
from tocsin.throttling.addresses import address_key
from tocsin.throttling.limits import RateLimit
from tocsin.throttling.storage import ClockMemoryStorage

API_TOO_MANY = "You are making too many requests!"  # Opsgenie's own words


class Throttles:
    def __init__(self, settings: Settings) -> None:
        storage = ClockMemoryStorage()
        self.login_by_address = RateLimit(
            settings.login_failures_per_address, storage=storage, moving=True, name="login-address"
        )
        self.login_by_account = RateLimit(
            settings.login_failures_per_account, storage=storage, moving=True, name="login-account"
        )
        self.api_by_key = RateLimit(settings.api_rate_limit, storage=storage, moving=False, name="api-key")

    def login_wait_seconds(self, *, username: str, address: str) -> int:
        """0 when this login may be tried now; else how long until it may. Checked before the
        password is, so a refused attempt costs no hashing and is not counted against the account."""
        return max(
            self.login_by_address.wait_seconds(address_key(address)),
            self.login_by_account.wait_seconds(_account_key(username)),
        )

    def login_failed(self, *, username: str, address: str) -> None:
        self.login_by_address.hit(address_key(address))
        self.login_by_account.hit(_account_key(username))

    def api_request(self, key_hash: str) -> None:
        """Count one request by an API key; raises TooManyRequests beyond the limit."""
        wait = self.api_by_key.hit(key_hash)
        if wait:
            raise TooManyRequests(API_TOO_MANY, retry_after=wait)


def _account_key(username: str) -> str:
    return username.strip().casefold()[:320]  # no username is longer; a flood of long ones stays small
