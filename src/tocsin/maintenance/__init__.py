"""Maintenance windows: integrations and policies switched off (or on) for a time range."""
