"""Background loops that work from database state: snooze wake-up, housekeeping, and later
delivery of the outbox, escalations and heartbeats."""
