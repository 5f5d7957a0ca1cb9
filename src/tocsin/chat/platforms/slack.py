"""The Slack adapter (being written)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/chat/slack", include_in_schema=False)
