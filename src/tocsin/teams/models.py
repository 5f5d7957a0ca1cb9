from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, UTCDateTime, new_id
from tocsin.names import NAME_KEY_MAX, keep_name_key

MEMBER_ROLES = ("admin", "user")


class Team(Base):
    __tablename__ = "team"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


Index("uq_team_name_key", Team.name_key, unique=True)
keep_name_key(Team.name, Team.name_key)


class TeamMember(Base):
    __tablename__ = "team_member"

    team_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16), default="user")
