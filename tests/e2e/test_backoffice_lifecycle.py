"""Done-when test of the back office: Debian's Chromium, driven by Playwright, takes a
walk-in dossier through its whole life.

Received at the counter with a receipt slip (the PDF shows the applicant's Vietnamese
name exactly; its QR code, decoded from the rendered page, opens the public look-up),
supplement requested (by keyboard) and supplied, handed over through an inter-agency
step to another commune and back, approved, result ready and returned; the control
sheet lists every step with its timing.

Set ``MOTCUA_SCREENSHOTS=docs/images`` to also write the README's screenshots.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import warnings
from pathlib import Path

import pytest
from django.db import connections
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import User
from motcua.dossiers.models import AttachmentRole, Dossier, Status
from motcua.dossiers.services import Applicant, ComponentInput, dossier_submit
from tests.conftest import current_totp
from tests.dossiers.conftest import World

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
PASSWORD = "Correct-Horse-Battery-9"
NAME = "Trần Thị Ngọc Ánh"
WAITING = [
    ("Lê Văn Hùng", "001090054321"),
    ("Phạm Thị Thu Hằng", "001190067890"),
    ("Đặng Quốc Việt", "001090024680"),
]


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def link_uris(path: Path) -> list[str]:
    """The addresses of the PDF's link annotations (the slip puts one over its QR code)."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        return [
            str(annot.A.URI)
            for page in pdf.pages
            for annot in page.get("/Annots", [])
            if annot.get("/A") is not None and annot.A.get("/URI") is not None
        ]


def qr_codes(path: Path) -> list[str]:
    """The QR codes decoded from the rendered pages (poppler + zxing-cpp).

    Without zxing-cpp installed (a dev extra), the address of the link annotation laid
    over the QR image stands in, so the rest of the journey is still tested.
    """
    try:
        import zxingcpp
    except ImportError:
        warnings.warn("zxing-cpp is not installed: QR checked by its link only", stacklevel=2)
        return link_uris(path)
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["pdftoppm", "-r", "200", "-png", str(path), str(Path(tmp) / "p")], check=True
        )
        found: list[str] = []
        for png in sorted(Path(tmp).glob("p*.png")):
            with Image.open(png) as image:
                found += [r.text for r in zxingcpp.read_barcodes(image)]
    return found


def log_in(browser, base: str, user: User, *, viewport=None):  # type: ignore[no-untyped-def]
    """A browser context of its own, signed in through the real page: password + TOTP."""
    context = browser.new_context(
        locale="vi-VN", viewport=viewport or {"width": 1280, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{base}/accounts/login/?next=/can-bo/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", current_totp(TOTPDevice.objects.get(user=user)))
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/can-bo/**")
    return context, page


def act(page, action: str, fields: dict[str, str] | None = None, selects=None) -> None:  # type: ignore[no-untyped-def]
    """Open the action's small form, fill it, press its button; wait for the page to load."""
    box = page.locator(f"#action-{action}")
    if box.evaluate("el => el.tagName") == "DETAILS":
        box.locator("summary").click()
    for selector, value in (fields or {}).items():
        page.fill(selector, value)
    for selector, value in (selects or {}).items():
        page.select_option(selector, value)
    with page.expect_navigation():
        box.locator("button[type=submit]").click()


def status_of(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("#dossier-status").get_attribute("data-status")


def test_a_dossier_through_its_whole_life_in_the_back_office(
    transactional_db: None,
    world: World,
    live_server,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM in Playwright's thread
    base = live_server.url
    shots = os.environ.get("MOTCUA_SCREENSHOTS", "")
    for name, number in WAITING:  # online dossiers waiting in the queue beside ours
        dossier_submit(  # handed over by a national portal (no local account)
            actor=None,
            case=world.case,
            applicant=Applicant(kind="citizen", name=name, id_number=number),
            channel="online",
            receiving_unit=world.section,
            form_data={"full_name": name, "id_number": number},
            components=[ComponentInput("TP1"), ComponentInput("TP2")],
        )
    with override_settings(PUBLIC_URL=base), playwright_sync.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            counter, page = log_in(browser, base, world.reception)
            assert "/can-bo/" in page.url
            assert page.locator("#tab-receive .bo-count").inner_text() == "3"
            _shoot(page, shots, "queue")

            # --- counter reception: procedure, applicant, components, receipt slip ------
            page.goto(f"{base}/can-bo/tiep-nhan/?q=khai+sinh")
            with page.expect_navigation():
                page.locator("#case-results a").first.click()
            page.fill("#id_applicant_name", NAME)
            page.fill("#id_applicant_id_number", "001090012345")
            page.fill("#id_applicant_address", "5 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội")
            page.fill("#id_applicant_phone", "0987654321")
            page.fill("#id_f_full_name", NAME)
            page.fill("#id_f_id_number", "001090012345")
            page.select_option("#id_c_TP1_as", "original")
            page.select_option("#id_c_TP2_as", "certified_copy")
            page.fill("#id_c_TP2_count", "2")
            with page.expect_navigation():
                page.click("#counter-submit")
            dossier = Dossier.objects.get(channel="in_person")
            code = dossier.code
            assert code and page.url == f"{base}/can-bo/ho-so/{code}/"
            assert status_of(page) == Status.RECEIVED
            assert page.locator("#applicant-name").inner_text() == NAME

            with page.expect_download() as download:
                page.click(f'#slips a[data-role="{AttachmentRole.RECEIPT_SLIP}"]')
            slip = tmp_path / "receipt.pdf"
            download.value.save_as(slip)
            text = pdf_text(slip)
            assert NAME in text and code in text
            assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
            codes = qr_codes(slip)
            assert codes == [f"{base}/tra-cuu-ho-so/?code={code}"]
            assert link_uris(slip) == codes  # and clickable in a PDF reader
            public = browser.new_page()
            public.goto(codes[0])
            assert public.input_value("#id_code") == code
            public.close()

            # --- supplement requested, by keyboard only, then supplied -----------------
            page.focus("#action-request_supplement summary")
            page.keyboard.press("Enter")
            page.keyboard.press("Tab")
            page.keyboard.type("Bản chính Giấy chứng sinh\nTờ khai có chữ ký của người yêu cầu")
            page.keyboard.press("Tab")
            page.keyboard.type("Hồ sơ thiếu giấy tờ bắt buộc")
            page.keyboard.press("Tab")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert status_of(page) == Status.SUPPLEMENT_REQUESTED
            assert page.locator(f'#slips a[data-role="{AttachmentRole.SUPPLEMENT_SLIP}"]').count()
            act(page, "supplement", {"#id_supplement-note": "Đã nộp đủ tại quầy"})
            assert status_of(page) == Status.RECEIVED
            assert page.locator("#current-step").inner_text().startswith("Tiếp nhận, chuyển hồ sơ")
            act(page, "forward")  # completes the process's reception step
            assert status_of(page) == Status.PROCESSING

            # --- the BPMN process: processing with an inter-agency step ----------------
            specialist_ctx, specialist = log_in(browser, base, world.specialist)
            specialist.goto(f"{base}/can-bo/hang-doi/viec-cua-toi/")
            assert specialist.locator(f'a[href="/can-bo/ho-so/{code}/"]').count() == 1
            specialist.goto(f"{base}/can-bo/ho-so/{code}/")
            assert (
                specialist.locator("#current-step")
                .inner_text()
                .startswith("Thẩm định, xử lý hồ sơ")
            )
            # The approval is the leader's step: not offered to the specialist.
            assert specialist.locator("#action-approve").count() == 0
            act(
                specialist,
                "forward",
                {"#id_forward-note": "Đề nghị xác minh nơi cư trú"},
                {"#id_forward-to_unit": str(world.other_committee.pk)},
            )
            assert (
                specialist.locator("#handling-unit")
                .inner_text()
                .startswith(world.other_committee.name)
            )
            other_ctx, other = log_in(browser, base, world.other_specialist)
            other.goto(f"{base}/can-bo/hang-doi/viec-cua-toi/")
            assert other.locator(f'a[href="/can-bo/ho-so/{code}/"]').count() == 1
            other.goto(f"{base}/can-bo/ho-so/{code}/")
            act(
                other,
                "forward",
                {"#id_forward-note": "Đã xác minh nơi cư trú"},
                {"#id_forward-to_unit": str(world.committee.pk)},
            )
            specialist.goto(f"{base}/can-bo/ho-so/{code}/")
            act(specialist, "forward", {"#id_forward-note": "Đủ điều kiện"})  # to approval

            leader_ctx, leader = log_in(browser, base, world.leader)
            leader.goto(f"{base}/can-bo/ho-so/{code}/")
            _shoot(leader, shots, "dossier")
            act(leader, "approve", {"#id_approve-note": "Đồng ý"})
            act(leader, "mark_result_ready")  # the leader acts on the specialist's step
            assert status_of(leader) == Status.RESULT_READY
            # Actions the leader may not take are not shown (returning is the counter's).
            assert leader.locator("#action-return_result").count() == 0

            # --- result returned at the counter ----------------------------------------
            page.goto(f"{base}/can-bo/ho-so/{code}/")
            act(page, "return_result", selects={"#id_return_result-method": "counter"})
            assert status_of(page) == Status.RESULT_RETURNED

            # --- the control sheet: every step of the process with its timing ----------
            rows = page.locator("#control-sheet tbody tr")
            cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
            assert [(c[0], c[1]) for c in cells] == [
                ("Tiếp nhận, chuyển hồ sơ", world.section.name),
                ("Thẩm định, xử lý hồ sơ", world.committee.name),
                ("Thẩm định, xử lý hồ sơ", world.other_committee.name),  # inter-agency
                ("Thẩm định, xử lý hồ sơ", world.committee.name),
                ("Phê duyệt", world.committee.name),
                ("Ban hành kết quả", world.committee.name),
                ("Trả kết quả", world.section.name),
            ]
            timed = [rows.nth(i).get_attribute("data-outcome") for i in range(rows.count())]
            # Every step finished early or on time, and says so.
            assert all(t in {"early", "on_time"} for t in timed)
            assert all(c[3] and c[5] and c[6] for c in cells)  # given, done, due times
            assert "Cán bộ chuyenvien2" in page.locator("#control-sheet").inner_text()
            with page.expect_download() as download:
                page.click("#control-sheet-pdf button")
            sheet = tmp_path / "control.pdf"
            download.value.save_as(sheet)
            assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in pdf_text(sheet)

            for ctx in (counter, specialist_ctx, other_ctx, leader_ctx):
                ctx.close()
        finally:
            browser.close()
            # The ORM calls above ran inside Playwright's greenlet, whose context holds
            # its own database connection: close it, or the test database stays in use.
            connections.close_all()


def _shoot(page, folder: str, name: str) -> None:  # type: ignore[no-untyped-def]
    """When asked for (MOTCUA_SCREENSHOTS), the page at desktop width and at 360 px."""
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(folder) / f"backoffice-{name}-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 780})
    page.screenshot(path=str(Path(folder) / f"backoffice-{name}-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
