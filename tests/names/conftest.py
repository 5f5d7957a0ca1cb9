from tests.accounts.people import (  # noqa: F401  (fixtures)
    account_key,
    api,
    cast,
    integration_key,
)
