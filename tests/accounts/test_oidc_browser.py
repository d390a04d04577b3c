"""The national e-ID login in Debian's Chromium at 360×740, by keyboard only, with
axe-core on every page of the way (no serious or critical violations)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from motcua.accounts.models import AccountKind, User

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_problems(page: Any) -> list[str]:
    """Serious and critical axe-core violations of the page (skipped without axe-core)."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install axe-core)")
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def tab_to(page: Any, selector: str, limit: int = 40) -> None:
    """Press Tab until the focused element matches the CSS ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => !!document.activeElement?.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reaches {selector!r}")


def test_a_citizen_signs_in_by_keyboard_on_a_phone(live_server) -> None:
    base = live_server.url
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740})
            page = context.new_page()
            page.goto(f"{base}/accounts/oidc/?next=/thu-tuc/")
            assert axe_problems(page) == []
            assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
            tab_to(page, "a[href^='/accounts/oidc/login/']")
            page.keyboard.press("Enter")
            page.wait_for_url(f"{base}/sim/national-id/authorize*")
            assert axe_problems(page) == []
            assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
            first = page.locator("button[name=resident]").first
            chosen = first.get_attribute("value")
            tab_to(page, f"button[name=resident][value='{chosen}']")
            page.keyboard.press("Enter")
            page.wait_for_url(f"{base}/thu-tuc/*")
            signed_in = [c["name"] for c in context.cookies()]

            page.goto(f"{base}/accounts/oidc/logout/")
            assert axe_problems(page) == []
            tab_to(page, "form[action='/accounts/oidc/logout/'] button")
            page.keyboard.press("Enter")
            page.wait_for_url(f"{base}/")
            page.goto(f"{base}/accounts/oidc/callback/?state=stale&code=x")
            assert page.locator("[role=alert]").is_visible()
            assert axe_problems(page) == []
        finally:
            browser.close()
    # The database is read outside Playwright's event loop.
    assert "sessionid" in signed_in
    assert User.objects.get(personal_id=chosen).kind == AccountKind.CITIZEN
