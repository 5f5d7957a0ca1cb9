"""Notifications: the transactional outbox now; rules, mute and channels later."""
