"""Heartbeats: a monitored job pings; silence longer than the interval raises an alert."""
