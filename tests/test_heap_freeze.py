"""A served process freezes what it made while starting, so full garbage collections (set off by
busy pages) skip it; an app built otherwise (tests, several apps in one process) does not."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tocsin import server
from tocsin.app import build
from tocsin.config import Settings


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test process's heap must stay collectable


def settings_for(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path, secret_key="test-secret")


def test_an_app_made_to_serve_freezes_its_start_up_heap(
    database_url: str, tmp_path: Path, unfrozen: None
) -> None:
    with TestClient(build(settings_for(database_url, tmp_path), run_engine=False, freeze_heap=True)):
        assert gc.get_freeze_count() > 100_000


def test_an_app_made_otherwise_leaves_the_heap_alone(
    database_url: str, tmp_path: Path, unfrozen: None
) -> None:
    with TestClient(build(settings_for(database_url, tmp_path), run_engine=False)):
        assert gc.get_freeze_count() == 0


def test_tocsin_serve_builds_the_app_to_freeze_its_heap(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    built: list[dict[str, Any]] = []
    monkeypatch.setattr(server, "build", lambda settings, **options: built.append(options) or object())
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **options: None)
    server.run(Settings(database_url=f"sqlite:///{tmp_path}/t.db", data_dir=tmp_path, metrics=False))
    assert built == [{"freeze_heap": True}]
