"""Alerts: the Opsgenie-compatible alert model, its actions, search and REST API."""
