"""The Opsgenie-compatible REST edge: envelopes, errors and key authentication."""
