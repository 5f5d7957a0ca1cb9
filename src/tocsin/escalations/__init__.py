"""Escalation policies, and the escalation of each alert until someone acts."""
