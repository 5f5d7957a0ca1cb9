"""Tocsin: self-hosted on-call alerting with an Opsgenie-compatible API and chat operations."""

__version__ = "0.1.0"
