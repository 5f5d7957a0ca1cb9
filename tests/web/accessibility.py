"""axe-core (from npm, ``tests/clients/node``) run in a page Playwright shows: the WCAG 2 A and AA
rules, AA colour contrast among them. A page passes when axe finds nothing serious or critical."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.conftest import require_service

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE = Path(__file__).parents[1] / "clients" / "node" / "node_modules" / "axe-core" / "axe.min.js"
RULE_SETS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def violations(page: Page) -> list[dict[str, Any]]:
    """What axe finds wrong with the page as it is now, serious or not."""
    if not AXE.exists():
        require_service(f"axe-core is not installed at {AXE} (npm ci --prefix tests/clients/node)")
    # Evaluated through the devtools protocol, which the pages' Content-Security-Policy does not bar.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    found: list[dict[str, Any]] = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations",
        RULE_SETS,
    )
    return found


def assert_accessible(page: Page) -> None:
    """Fails, listing each rule and the elements that break it, when axe finds a serious or critical
    violation on the page."""
    serious = [found for found in violations(page) if found.get("impact") in BLOCKING]
    lines = [
        f"{found['id']} ({found['impact']}): {found['help']}: "
        + "; ".join(", ".join(node["target"]) for node in found["nodes"][:5])
        for found in serious
    ]
    assert not lines, f"accessibility violations on {page.url}:\n" + "\n".join(lines)
