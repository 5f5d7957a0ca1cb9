from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tocsin.db import Base, UTCDateTime, new_id
from tocsin.names import NAME_KEY_MAX, keep_name_key
from tocsin.types import JSONDocument

USER_ROLES = ("owner", "admin", "user")
API_KEY_RIGHTS = ("read", "create-update", "delete", "configuration")


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(320), unique=True)
    """An e-mail address, stored in lower case."""
    username_key: Mapped[str] = mapped_column(String(NAME_KEY_MAX))
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    date_format: Mapped[str] = mapped_column(String(24), default="iso", server_default="iso")
    """How pages write times for this user (``accounts.date_formats``)."""
    password_hash: Mapped[str | None] = mapped_column(String(200))
    muted_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """While in the future, the user is sent no notifications."""
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    """Quiet hours, every day from ``quiet_start`` to ``quiet_end`` ("22:00" to "07:00") in the
    user's time zone: no notifications then unless an alert is tagged OverwriteQuietHours."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """Set while the person is deactivated: they cannot sign in and are not notified."""

    @property
    def is_admin(self) -> bool:
        return self.role in ("owner", "admin")

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None


Index("uq_user_account_username_key", User.username_key, unique=True)
keep_name_key(User.username, User.username_key)


class ApiKey(Base):
    """An account-level key (Opsgenie's "API key management"), not tied to an integration."""

    __tablename__ = "api_key"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_MAX))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    rights: Mapped[list[str]] = mapped_column(JSONDocument)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


Index("uq_api_key_name_key", ApiKey.name_key, unique=True)
keep_name_key(ApiKey.name, ApiKey.name_key)


class WebSession(Base):
    """A signed-in browser. Its cookie carries only the session's random id; the id is stored
    hashed, so a copy of the database cannot be used to sign in."""

    __tablename__ = "web_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(64), default="")


class PasswordLink(Base):
    """A one-time link that sets a person's password (an invitation, or a lost password), valid
    until ``expires_at``. Only the hash of its token is stored, as for chat account links."""

    __tablename__ = "password_link"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[str] = mapped_column(String(320), default="")
    """Who made the link (a username): whom to ask for a new one."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
