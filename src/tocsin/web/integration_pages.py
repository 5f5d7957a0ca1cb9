"""(being written)"""

from __future__ import annotations

from fastapi import FastAPI

from tocsin.config import Settings


def install(app: FastAPI, settings: Settings) -> None:
    return None
