"""docs/operations.md is the administrator's index: the README leads to it, it leads to every page
an administrator needs, and the links of it and docs/deploy.md lead somewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.deploy.artifacts import DEPLOY_DOC, ROOT

INDEX = ROOT / "docs" / "operations.md"
PAGES = ["deploy.md", "health.md", "metrics.md", "logging.md", "backups.md", "sso.md", "security.md"]
# Each written with the feature it describes; the index names them all the same.
FEATURE_PAGES = {"health.md", "metrics.md", "logging.md", "backups.md", "sso.md"}


def _links(text: str) -> list[str]:
    return [target for target in re.findall(r"\]\(([^)\s]+)\)", text) if "://" not in target]


def test_the_readme_leads_to_the_index_and_the_index_to_every_page() -> None:
    readme_links = _links((ROOT / "README.md").read_text())
    index_links = {link.split("#")[0] for link in _links(INDEX.read_text())}

    assert "docs/operations.md" in readme_links
    assert set(PAGES) <= index_links
    assert "../README.md" in index_links and "../deploy/tocsin.env.example" in index_links


@pytest.mark.parametrize("page", [INDEX, DEPLOY_DOC], ids=lambda page: page.name)
def test_every_link_leads_to_a_file(page: Path) -> None:
    missing = [
        link
        for link in _links(page.read_text())
        if not (page.parent / link.split("#")[0]).exists() and link.split("#")[0] not in FEATURE_PAGES
    ]

    assert missing == []
