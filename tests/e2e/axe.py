"""axe-core (npm, tests/js) injected into a real page: the accessibility check every page takes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Page

AXE_JS = Path(__file__).parent.parent / "js" / "node_modules" / "axe-core" / "axe.min.js"


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    """The serious and critical axe-core violations on the page as it is now."""
    assert AXE_JS.exists(), "axe-core is missing: run `make test` (it installs tests/js)"
    # Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) allows it.
    await page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result: dict[str, Any] = await page.evaluate("axe.run(document)")
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
