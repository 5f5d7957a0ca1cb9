"""REST API under /v2/users (Opsgenie v2 shapes)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v2/users")
