"""The verification page in Debian's Chromium on a 360 px phone, by keyboard: follow the QR
code, pick the PDF, submit with Enter, read the verdict; no horizontal scrolling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from motcua.signatures.services import certified_copy_issue
from tests.dossiers.conftest import World
from tests.signatures.fixtures import Pki, alter_one_byte, register_world_keys, scan_pdf

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


def tab_to(page: Any, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => !!document.activeElement?.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reaches {selector!r}")


def serious_axe_violations(page: Any) -> list[str]:
    if not AXE.exists():  # axe-core is optional on a developer machine
        return []
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v["id"] for v in result["violations"] if v["impact"] in {"serious", "critical"}]


def test_checking_a_copy_on_a_phone_by_keyboard(
    live_server: Any,
    signing: Pki,
    world: World,
    storage: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    register_world_keys(signing, world)
    copy = certified_copy_issue(
        actor=world.reception,
        unit=world.committee,
        original=scan_pdf([["GIẤY KHAI SINH"]]),
        original_title="Giấy khai sinh",
        applicant=world.citizen,
    )
    with copy.signed.document.file.open("rb") as fh:
        content = fh.read()
    genuine, altered = tmp_path / "ban-sao.pdf", tmp_path / "ban-sao-sua.pdf"
    genuine.write_bytes(content)
    altered.write_bytes(alter_one_byte(content))

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740})
            page = context.new_page()
            page.goto(f"{live_server.url}/xac-thuc/{copy.signed.token}/")
            assert copy.signed.title in page.inner_text("main")
            assert serious_axe_violations(page) == []

            for path, verdict in ((genuine, "valid"), (altered, "altered")):
                tab_to(page, "input[type=file]")
                page.set_input_files("input[type=file]", str(path))  # the OS file picker
                tab_to(page, "button[type=submit]")
                page.keyboard.press("Enter")
                page.wait_for_selector(f"[data-verdict='{verdict}']")
                assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
                assert serious_axe_violations(page) == []
        finally:
            browser.close()
