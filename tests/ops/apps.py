"""Settings for the apps the ops tests start."""

from __future__ import annotations

from pathlib import Path

from tocsin.config import Settings


def settings_for(database_url: str, tmp_path: Path, **more: object) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        secret_key="test-secret",
        public_base_url="http://tocsin.test",
        **more,  # type: ignore[arg-type]
    )
