"""Maintenance tests use the cast of tests/accounts (team ops: lead admin, ann; team db: bob)."""

from tests.accounts.people import (  # noqa: F401  (fixtures)
    account_key,
    api,
    cast,
    integration_key,
)
