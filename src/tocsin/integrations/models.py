from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, UTCDateTime, new_id

INTEGRATION_TYPES = ("API",)


class Integration(Base):
    __tablename__ = "integration"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("team.id", ondelete="RESTRICT"), index=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


Index("uq_integration_name_lower", func.lower(Integration.name), unique=True)
