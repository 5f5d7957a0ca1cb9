"""Settings of the whole Tocsin account, changed by owners and admins: for now, whether everyone
sees every alert (for small teams, where Opsgenie's visibility rule only gets in the way)."""

from __future__ import annotations

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tocsin.actors import Actor, require_to_manage
from tocsin.db import Base
from tocsin.errors import InvalidInput

EVERYONE_SEES_EVERY_ALERT = "everyone-sees-every-alert"
SETTINGS = {
    EVERYONE_SEES_EVERY_ALERT: "every user sees and may act on every alert, whatever its responders",
}
"""Each setting's name and what turning it on does; every setting is off until turned on."""

ON, OFF = "on", "off"


class AccountSetting(Base):
    """One account setting that was changed (a missing row is a setting still off)."""

    __tablename__ = "account_setting"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(16))


def is_on(session: Session, name: str) -> bool:
    return session.scalar(select(AccountSetting.value).where(AccountSetting.name == name)) == ON


def all_settings(session: Session) -> dict[str, bool]:
    """Every setting, on or off, in the order of ``SETTINGS``."""
    stored = {
        name: value for name, value in session.execute(select(AccountSetting.name, AccountSetting.value))
    }
    return {name: stored.get(name) == ON for name in SETTINGS}


def set_setting(session: Session, *, actor: Actor, name: str, value: str) -> bool:
    """Turn setting ``name`` on or off; whether it is on now."""
    require_to_manage(actor, what="account settings")
    if name not in SETTINGS:
        raise InvalidInput(
            "name", f"there is no account setting {name!r}; the settings are: {', '.join(SETTINGS)}"
        )
    value = value.strip().lower()
    if value not in (ON, OFF):
        raise InvalidInput("value", f"{name} is turned on or off, not {value!r}")
    setting = session.get(AccountSetting, name)
    if setting is None:
        session.add(AccountSetting(name=name, value=value))
    else:
        setting.value = value
    session.flush()
    return value == ON
