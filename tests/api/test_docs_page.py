"""``/api/docs`` needs no internet: the page names no other host, and the Swagger UI assets it
loads are Tocsin's own answers, at the root and under a path prefix (kept or stripped by a proxy)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tocsin.app import build
from tocsin.config import Settings

EXPECTED_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


@pytest.fixture(params=["", "/tocsin"], ids=["at the root", "under /tocsin"])
def prefix(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@contextmanager
def served(prefix: str, data_dir: Path) -> Iterator[TestClient]:
    # The page reads nothing stored: a database that was never migrated is enough.
    settings = Settings(data_dir=data_dir, secret_key="test-secret", root_path=prefix)
    with TestClient(build(settings, run_engine=False), base_url="http://tocsin.test") as client:
        yield client


@pytest.fixture
def http(prefix: str, tmp_path: Path) -> Iterator[TestClient]:
    with served(prefix, tmp_path) as client:
        yield client


def _assets(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', page)


def test_the_page_names_no_other_host_and_loads_its_assets_from_tocsin(http: TestClient, prefix: str) -> None:
    answer = http.get(f"{prefix}/api/docs")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    page = answer.text
    assert not re.search(r"(?:https?:)?//[\w.-]+", page.replace("<!--", "").replace("-->", "")), page
    assert f"url: '{prefix}/api/openapi.json'" in page
    assert '"validatorUrl": null' in page  # Swagger UI would otherwise ask validator.swagger.io
    assets = _assets(page)
    assert {Path(asset).suffix for asset in assets} == set(EXPECTED_TYPES), assets
    for asset in assets:
        assert asset.startswith(f"{prefix}/api/docs/assets/"), asset
        loaded = http.get(asset)
        assert loaded.status_code == 200, asset
        assert loaded.headers["content-type"].split(";")[0] == EXPECTED_TYPES[Path(asset).suffix]
        assert len(loaded.content) > 1000, asset
    script = next(asset for asset in assets if asset.endswith(".js"))
    assert b"SwaggerUIBundle" in http.get(script).content


def test_a_proxy_that_strips_the_prefix_gets_the_same_page(tmp_path: Path) -> None:
    with served("/tocsin", tmp_path) as http:
        stripped = http.get("/api/docs")

        assert stripped.status_code == 200
        assert _assets(stripped.text) == _assets(http.get("/tocsin/api/docs").text)
        assert all(asset.startswith("/tocsin/api/docs/assets/") for asset in _assets(stripped.text))
        assert http.get("/api/docs/assets/swagger-ui.css").headers["content-type"].startswith("text/css")


def test_the_page_forbids_the_browser_to_reach_other_hosts(http: TestClient, prefix: str) -> None:
    policy = http.get(f"{prefix}/api/docs").headers["content-security-policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert "http" not in policy


def test_an_unknown_asset_is_a_404_not_an_error(http: TestClient, prefix: str) -> None:
    assert http.get(f"{prefix}/api/docs/assets/nothing-here.js").status_code == 404
    assert http.get(f"{prefix}/api/docs/assets/../../pyproject.toml").status_code == 404
