"""Field types for request bodies that accept exactly what the OpenAPI document says.

Pydantic's lax mode turns ``0`` into ``false`` and ``0`` into 1970-01-01; the document promises a
boolean and an ISO-8601 string, so a client relying on the lax reading would be relying on
something undocumented. Booleans use pydantic's ``StrictBool``; date-times use these."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator


def _text_only(value: Any) -> Any:
    if isinstance(value, datetime | str):
        return value
    raise ValueError("must be an ISO-8601 date-time string such as 2026-03-01T09:00:00Z")


IsoDatetime = Annotated[datetime, BeforeValidator(_text_only)]
IsoAwareDatetime = Annotated[AwareDatetime, BeforeValidator(_text_only)]


MAX_OFFSET = 2**31 - 1
"""The largest paging offset: beyond any real listing, and within every database's integer."""
