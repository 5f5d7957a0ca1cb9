from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, UTCDateTime


class WatchdogEpisode(Base):
    """A problem the watchdog has seen and owners were told of, while it lasts. The node whose
    insert creates the row sends the e-mail that it began; the node whose delete removes it, the
    e-mail that it is over: so several nodes on one database send each e-mail once."""

    __tablename__ = "watchdog_episode"

    problem: Mapped[str] = mapped_column(String(32), primary_key=True)
    began_at: Mapped[datetime] = mapped_column(UTCDateTime())
    noticed_by: Mapped[str] = mapped_column(String(200))
