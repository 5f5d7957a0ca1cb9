from tests.accounts.people import (  # noqa: F401  (fixtures)
    account_key,
    api,
    cast,
    http,
    integration_key,
    settings,
)
