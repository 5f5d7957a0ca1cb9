"""Users, roles, passwords and account-level API keys."""
