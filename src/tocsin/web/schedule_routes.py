"""The schedule pages' routes, in one place for ``routes.install``."""

from __future__ import annotations

from fastapi import FastAPI

from tocsin.config import Settings
from tocsin.web import schedule_list, schedule_manage, schedule_overrides, schedule_page


def install(app: FastAPI, settings: Settings) -> None:
    schedule_list.install(app, settings)
    schedule_page.install(app, settings)
    schedule_overrides.install(app, settings)
    schedule_manage.install(app, settings)
