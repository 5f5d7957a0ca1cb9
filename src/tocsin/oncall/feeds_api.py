"""Calendar feeds (iCalendar) at secret, revocable addresses, for calendar apps to subscribe to."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
