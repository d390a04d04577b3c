"""Done-when test of the citizen portal: Debian's Chromium, driven by Playwright, walks the
whole journey of a citizen — once at desktop size, once on a 360 × 740 phone.

Sign in through the national e-ID simulator (OpenID Connect, over real HTTP), find the
procedure, fill the e-form that the population database prefilled (identity fields
read-only), upload a document, submit. The officers receive and process the dossier in
the back office (the leader signs the result with a real PAdES signature); the citizen
follows it, downloads the signed result and rates the service — by keyboard on the
phone. axe-core (``node_modules/axe-core``, ``npm install``) runs on every page of the
portal and finds no serious or critical violation; on the phone no page scrolls
sideways. Every status change e-mails the applicant.

Set ``MOTCUA_SCREENSHOTS=docs/images`` to also write the documentation's screenshots.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import connections
from django_otp.plugins.otp_totp.models import TOTPDevice
from simulators.population.generator import population

from motcua.accounts.models import User
from motcua.catalog.services import catalog_import
from motcua.dossiers.models import AttachmentRole, Dossier, Status
from motcua.dossiers.results import dossier_sign_result
from motcua.feedback.models import Rating
from motcua.integrations.models import PopulationLookup
from tests.catalog.samples import document
from tests.conftest import current_totp
from tests.documents import samples as F
from tests.dossiers.conftest import World
from tests.portal.citizen import RESIDENCE_CODE, residence_record
from tests.signatures.fixtures import Pki, pki, register_world_keys, signing

__all__ = ["pki", "signing"]  # fixtures used by name

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
PASSWORD = "Correct-Horse-Battery-9"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


class Checks:
    """axe-core on every page (serious and critical violations), no sideways scroll."""

    def __init__(self, phone: bool, shots: str, suffix: str) -> None:
        self.phone = phone
        self.shots = shots
        self.suffix = suffix
        self.pages: list[str] = []
        self.problems: list[str] = []

    def page(self, page: Any, name: str, *, shot: str = "") -> None:
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ' (' + v.impact + '): ' +
                     v.nodes.map(n => n.target.join(' ')).slice(0, 5).join(', '))"""
        )
        self.problems += [f"{name}: {v}" for v in violations]
        if self.phone:
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > PHONE["width"]:
                self.problems.append(f"{name}: the page is {wide} px wide on a 360 px screen")
        self.pages.append(name)
        if shot and self.shots:
            page.screenshot(
                path=str(Path(self.shots) / f"citizen-{shot}{self.suffix}.png"), full_page=True
            )


def officer_page(browser: Any, base: str, user: User) -> Any:
    """A back-office session of its own, signed in with password + TOTP."""
    context = browser.new_context(locale="vi-VN", viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/?next=/can-bo/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", current_totp(TOTPDevice.objects.get(user=user)))
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/can-bo/**")
    return page


def act(page: Any, action: str, selects: dict[str, str] | None = None) -> None:
    """Open the back office's small form for ``action``, fill it, press its button."""
    box = page.locator(f"#action-{action}")
    if box.evaluate("el => el.tagName") == "DETAILS":
        box.locator("summary").click()
    for selector, value in (selects or {}).items():
        page.select_option(selector, value)
    with page.expect_navigation():
        box.locator("button[type=submit]").click()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_citizen_journey(
    size: str,
    transactional_db: None,
    world: World,
    signing: Pki,
    live_server: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm install` at the repository root")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM beside Playwright
    phone = size == "phone"
    base = live_server.url
    settings.PUBLIC_URL = base
    settings.MEDIA_ROOT = str(tmp_path / "media")
    catalog_import(document(residence_record()))
    register_world_keys(signing, world)
    resident = population().with_e_id(offset=3 if phone else 2, limit=1)[0]
    scan = tmp_path / "hop-dong-thue-nha.pdf"
    scan.write_bytes(F.pdf_bytes("Hop dong thue nha", pages=2))
    checks = Checks(phone, os.environ.get("MOTCUA_SCREENSHOTS", ""), "-phone" if phone else "")

    with playwright_sync.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(
                locale="en-US" if phone else "vi-VN",
                viewport=PHONE if phone else DESKTOP,
                accept_downloads=True,
                is_mobile=phone,
                has_touch=phone,
            )
            page = context.new_page()

            # --- sign in with the national e-ID (the simulator, OpenID Connect) ----------
            page.goto(f"{base}/ca-nhan/")
            assert page.url.startswith(f"{base}/accounts/oidc/?next=")
            checks.page(page, "sign-in")
            with page.expect_navigation():
                page.click("a.button[href*='/accounts/oidc/login/']")
            assert page.url.startswith(f"{base}/sim/national-id/authorize")
            page.fill("#id_number", resident.id_number)
            with page.expect_navigation():
                page.click("form button[type=submit]:not([name])")
            page.wait_for_url(f"{base}/ca-nhan/")
            checks.page(page, "dashboard (empty)")
            citizen = User.objects.get(personal_id=resident.id_number)
            assert citizen.full_name == resident.full_name

            # --- find the procedure --------------------------------------------------------
            page.click(".citizen-nav a[href='/ca-nhan/nop-ho-so/']")
            page.fill("#q", "thuong tru")
            with page.expect_navigation():
                page.press("#q", "Enter")
            checks.page(page, "search")
            with page.expect_navigation():
                page.click(f"form[action*='/nop-ho-so/{RESIDENCE_CODE}/1/'] button")

            # --- the e-form, prefilled from the population database ------------------------
            assert page.input_value("#f-full_name") == resident.full_name
            assert page.input_value("#f-id_number") == resident.id_number
            assert page.get_attribute("#f-id_number", "readonly") is not None
            assert page.input_value("#f-date_of_birth") == resident.date_of_birth.isoformat()
            checks.page(page, "form step 1", shot="form")
            page.fill("#f-phone", "0912345678")
            page.fill("#f-email", "dan@example.invalid")
            with page.expect_navigation():
                page.click(".actions button[value=next]")
            # Step 2: continuing empty names each missing field, tied to its input.
            with page.expect_navigation():
                page.click(".actions button[value=next]")
            assert page.locator("#error-summary a[href='#f-new_address']").count() == 1
            assert page.get_attribute("#f-new_address", "aria-invalid") == "true"
            checks.page(page, "form step 2 with errors", shot="form-errors")
            page.fill("#f-new_address", "Số 5 Tràng Tiền, Phường Hoàn Kiếm, Hà Nội")
            page.select_option("#f-reason", "Thuê nhà")
            page.fill("#f-members", "1")
            page.check("#f-agree")
            with page.expect_navigation():
                page.click(".actions button[value=next]")
            checks.page(page, "form step 3")
            with page.expect_navigation():
                page.click(".actions button[value=next]")

            # --- documents ---------------------------------------------------------------------
            checks.page(page, "documents")
            page.set_input_files("#file-TP1", str(scan))
            with page.expect_navigation():
                page.click(".actions button[value=next]")

            # --- check and submit --------------------------------------------------------------
            assert "/nop/" in page.url
            assert page.locator("text=hop-dong-thue-nha.pdf").count() >= 1
            checks.page(page, "review", shot="review")
            page.select_option("#receiving_unit", world.section.code)
            with page.expect_navigation():
                page.click(".actions button[value=submit]")
            dossier = Dossier.objects.get(applicant_account=citizen)
            assert dossier.status == Status.NEW and dossier.verified_with_national_id
            assert dossier.form_data["full_name"] == resident.full_name
            assert page.url == f"{base}/ca-nhan/ho-so/{dossier.public_id}/"
            checks.page(page, "dossier (new)")

            # --- the officers receive and process it in the back office ------------------------
            counter = officer_page(browser, base, world.reception)
            counter.goto(f"{base}/can-bo/ho-so/{dossier.public_id}/")
            act(counter, "receive")
            dossier.refresh_from_db()
            code = dossier.code
            assert code and dossier.status == Status.RECEIVED
            act(counter, "forward")
            specialist = officer_page(browser, base, world.specialist)
            specialist.goto(f"{base}/can-bo/ho-so/{code}/")
            act(specialist, "forward")

            # The leader approves and signs the result (PAdES, the unit's keys).
            # (In a thread of its own: pyHanko runs asyncio, Playwright holds this thread's loop.)
            def sign() -> Any:
                try:
                    return dossier_sign_result(
                        actor=world.leader, public_id=code, note="Đủ điều kiện"
                    )
                finally:
                    connections.close_all()  # this thread's connection

            with ThreadPoolExecutor(1) as pool:
                issued = pool.submit(sign).result()
            counter.goto(f"{base}/can-bo/ho-so/{code}/")
            act(counter, "return_result", {"#id_return_result-method": "warehouse"})
            dossier.refresh_from_db()
            assert dossier.status == Status.RESULT_RETURNED
            result = dossier.attachments.get(role=AttachmentRole.RESULT).document
            assert result == issued.attachment.document

            # --- the citizen sees the result, downloads it, rates the service -----------------
            page.goto(f"{base}/ca-nhan/")
            assert page.locator(f"a[href='/ca-nhan/ho-so/{code}/']").count() == 1
            checks.page(page, "dashboard", shot="dashboard")
            with page.expect_navigation():
                page.click(f"a[href='/ca-nhan/ho-so/{code}/']")
            checks.page(page, "dossier (result)", shot="dossier")
            with page.expect_download() as download:
                page.click(f"a[href='/ca-nhan/ho-so/{code}/tai-lieu/{result.reference}/']")
            saved = tmp_path / "result.pdf"
            download.value.save_as(saved)
            assert download.value.suggested_filename == result.filename
            assert saved.read_bytes() == result.file.open("rb").read()
            assert saved.read_bytes().startswith(b"%PDF-")

            with page.expect_navigation():
                page.click(f"a[href='/ca-nhan/ho-so/{code}/danh-gia/']")
            checks.page(page, "rate")
            if phone:  # by keyboard only
                page.focus("#id_satisfaction_0")
                page.keyboard.press("Space")
                page.keyboard.press("Tab")
                page.keyboard.type("Nhanh, đúng hẹn.")
                page.keyboard.press("Tab")
                with page.expect_navigation():
                    page.keyboard.press("Enter")
            else:
                page.check("#id_satisfaction_0")
                page.fill("#id_comment", "Nhanh, đúng hẹn.")
                with page.expect_navigation():
                    page.click(".actions button[type=submit]")
            assert page.url == f"{base}/ca-nhan/ho-so/{code}/"
            checks.page(page, "dossier (rated)")
            rating = Rating.objects.get(dossier=dossier)
            assert (rating.satisfaction, rating.comment) == ("very_satisfied", "Nhanh, đúng hẹn.")

            page.click(".citizen-nav a[href='/ca-nhan/kho-du-lieu/']")
            page.wait_for_url(f"{base}/ca-nhan/kho-du-lieu/")
            assert page.locator(f"a[href='/ca-nhan/kho-du-lieu/{result.reference}/']").count()
            checks.page(page, "my documents", shot="documents")
        finally:
            browser.close()
            # The ORM calls above ran in Playwright's greenlet, on a connection of their own.
            connections.close_all()

    assert checks.problems == [], "\n".join(checks.problems)
    assert len(checks.pages) >= 14
    # The population database was asked for the prefill and again at submission (logged).
    purposes = set(PopulationLookup.objects.filter(actor=citizen).values_list("purpose", flat=True))
    assert purposes == {"eform_prefill", "eform_check"}
    # Every status change was e-mailed to the applicant.
    to_citizen = [m for m in mail.outbox if m.to == ["dan@example.invalid"]]
    assert len(to_citizen) >= 5  # new, received, processing, result ready, returned
