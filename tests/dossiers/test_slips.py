"""Official slips: exact Vietnamese text, a QR code that opens the public look-up, stored
on the dossier in the same transaction as the action, and the register as PDF and Excel."""

from __future__ import annotations

import io
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from openpyxl import load_workbook

from motcua.audit.models import AuditEntry
from motcua.core.clock import local_now
from motcua.core.errors import PermissionDenied
from motcua.documents.models import Document, DocumentKind
from motcua.dossiers import attachments, slips
from motcua.dossiers.attachments import control_sheet_issue, dossier_act
from motcua.dossiers.models import AttachmentRole, Dossier, DossierAttachment, Status
from motcua.dossiers.services import dossier_receive
from motcua.dossiers.slips import RegisterRow, register_xlsx
from tests.dossiers.conftest import World

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        out = subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", f.name, "-"],
            check=True,
            capture_output=True,
        )
    return " ".join(out.stdout.decode("utf-8").split())  # lines wrap where the layout says


def pdf_qr_codes(content: bytes) -> list[str]:
    """Render every page at 200 dpi with poppler and decode the QR codes on it (zxing-cpp)."""
    zxingcpp = pytest.importorskip("zxingcpp", reason="QR decoding needs zxing-cpp (dev extra)")
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "slip.pdf"
        source.write_bytes(content)
        subprocess.run(
            ["pdftoppm", "-r", "200", "-png", str(source), str(Path(tmp) / "page")], check=True
        )
        found: list[str] = []
        for page in sorted(Path(tmp).glob("page*.png")):
            with Image.open(page) as image:
                found += [r.text for r in zxingcpp.read_barcodes(image)]
    return found


def received(world: World) -> Dossier:
    dossier = world.submit()
    return dossier_act(
        actor=world.reception, action="receive", public_id=str(dossier.reference)
    ).dossier


def attachment(dossier: Dossier, role: str) -> DossierAttachment:
    return DossierAttachment.objects.select_related("document").get(dossier=dossier, role=role)


def test_reception_stores_the_receipt_slip_with_the_exact_vietnamese_name(world: World) -> None:
    dossier = received(world)
    slip = attachment(dossier, AttachmentRole.RECEIPT_SLIP)
    document = slip.document
    assert document.kind == DocumentKind.SLIP
    assert document.content_type == "application/pdf"
    content = document.file.read()
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "Nguyễn Thị Lan" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert dossier.code in text
    assert "Giấy chứng sinh" in text and "Tờ khai đăng ký khai sinh" in text
    assert "12 Hàng Bài, Hoàn Kiếm" in text
    due = dossier.due_at.astimezone(local_now().tzinfo)
    assert f"ngày {due:%d} tháng {due:%m} năm {due:%Y}" in text
    assert AuditEntry.objects.filter(
        action="dossier.slip_issue", object_id=str(dossier.pk)
    ).exists()


def test_the_receipt_slip_embeds_its_font(world: World) -> None:
    dossier = received(world)
    content = attachment(dossier, AttachmentRole.RECEIPT_SLIP).document.file.read()
    fonts = subprocess.run(
        ["pdffonts", "-"], input=content, capture_output=True, check=False
    ).stdout.decode()
    if not fonts:  # older poppler reads no stdin
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(content)
            f.flush()
            fonts = subprocess.run(["pdffonts", f.name], capture_output=True, check=True).stdout
            fonts = fonts.decode()
    lines = [line for line in fonts.splitlines() if "DejaVu" in line]
    assert lines and all(" yes " in line for line in lines)  # emb column


def test_the_qr_code_opens_the_public_look_up_with_the_code(
    world: World, client: Client, settings: pytest.FixtureRequest
) -> None:
    settings.PUBLIC_URL = "https://dichvucong.example.invalid"  # type: ignore[attr-defined]
    dossier = received(world)
    content = attachment(dossier, AttachmentRole.RECEIPT_SLIP).document.file.read()
    codes = pdf_qr_codes(content)
    assert codes == [f"https://dichvucong.example.invalid/tra-cuu-ho-so/?code={dossier.code}"]
    url = urlsplit(codes[0])
    page = client.get(f"{url.path}?{url.query}", HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200
    assert f'value="{dossier.code}"' in page.content.decode()


def test_the_qr_code_is_also_a_link_to_the_look_up(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    import pikepdf

    settings.PUBLIC_URL = "https://dichvucong.example.invalid"
    dossier = received(world)
    content = attachment(dossier, AttachmentRole.RECEIPT_SLIP).document.file.read()
    with pikepdf.open(io.BytesIO(content)) as pdf:
        uris = [str(a.A.URI) for p in pdf.pages for a in p.get("/Annots", []) if "/A" in a]
    assert uris == [f"https://dichvucong.example.invalid/tra-cuu-ho-so/?code={dossier.code}"]


def test_supplement_slip_numbers_every_item_and_names_the_contact(world: World) -> None:
    dossier = received(world)
    dossier_act(
        actor=world.reception,
        action="request_supplement",
        public_id=dossier.code,
        items=["Bản sao Giấy chứng sinh có chứng thực", "Tờ khai ký đúng họ tên"],
        reason="Hồ sơ thiếu chữ ký",
    )
    text = pdf_text(attachment(dossier, AttachmentRole.SUPPLEMENT_SLIP).document.file.read())
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "1. Bản sao Giấy chứng sinh có chứng thực" in text
    assert "2. Tờ khai ký đúng họ tên" in text
    assert "Hồ sơ thiếu chữ ký" in text
    assert "Cán bộ motcua" in text


def test_refusal_and_stop_slips_carry_the_reason(world: World) -> None:
    refused = world.submit()
    dossier_act(
        actor=world.reception,
        action="refuse",
        public_id=str(refused.reference),
        reason="Không thuộc thẩm quyền giải quyết",
    )
    text = pdf_text(attachment(refused, AttachmentRole.REFUSAL_SLIP).document.file.read())
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Không thuộc thẩm quyền giải quyết" in text
    assert "Nguyễn Thị Lan" in text

    stopped = received(world)
    dossier_act(actor=world.leader, action="stop", public_id=stopped.code, reason="Đình chỉ")
    text = pdf_text(attachment(stopped, AttachmentRole.STOP_SLIP).document.file.read())
    assert "THÔNG BÁO DỪNG XỬ LÝ HỒ SƠ" in text and "Đình chỉ" in text


def test_an_action_without_slip_stores_nothing(world: World) -> None:
    dossier = received(world)
    before = Document.objects.count()
    result = dossier_act(actor=world.reception, action="forward", public_id=dossier.code)
    assert result.slip is None and Document.objects.count() == before


def test_a_refused_action_stores_no_slip_and_changes_nothing(world: World) -> None:
    dossier = world.submit()
    documents, events = Document.objects.count(), dossier.events.count()
    with pytest.raises(PermissionDenied):
        dossier_act(actor=world.specialist, action="receive", public_id=str(dossier.reference))
    dossier.refresh_from_db()
    assert dossier.status == Status.NEW and dossier.code is None
    assert Document.objects.count() == documents and dossier.events.count() == events


def test_if_the_slip_cannot_be_made_the_reception_is_rolled_back(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    dossier = world.submit()

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("font missing")

    monkeypatch.setattr(attachments, "receipt_slip", broken)
    with pytest.raises(RuntimeError):
        dossier_act(actor=world.reception, action="receive", public_id=str(dossier.reference))
    dossier.refresh_from_db()
    assert dossier.status == Status.NEW and dossier.code is None
    assert not DossierAttachment.objects.filter(dossier=dossier).exists()
    assert not dossier.events.filter(action="receive").exists()


def test_apology_slip_shows_both_promises(world: World) -> None:
    dossier = world.submit()
    dossier_receive(actor=world.reception, public_id=str(dossier.reference))
    dossier.refresh_from_db()
    # Pretend the dossier has a long way to go: the apology must come a day ahead.
    far = dossier.due_at + timedelta(days=14)
    Dossier.objects.filter(pk=dossier.pk).update(due_at=far)
    new_due = far.astimezone(local_now().tzinfo).replace(hour=16, minute=0) + timedelta(days=7)
    while new_due.weekday() >= 5:
        new_due += timedelta(days=1)
    dossier_act(
        actor=world.specialist,
        action="apologise_extend",
        public_id=dossier.code,
        new_due=new_due,
        reason="Chờ xác minh của cơ quan liên quan",
    )
    text = pdf_text(attachment(dossier, AttachmentRole.APOLOGY_SLIP).document.file.read())
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert slips.vn_datetime(far) in text and slips.vn_datetime(new_due) in text


def test_control_sheet_lists_every_step_of_the_process_with_its_outcome(world: World) -> None:
    dossier = received(world)
    dossier_act(actor=world.reception, action="forward", public_id=dossier.code)
    dossier_act(
        actor=world.specialist,
        action="forward",
        public_id=dossier.code,
        to_unit=world.other_committee,
        note="Xác minh liên thông",
    )
    dossier_act(
        actor=world.other_specialist,
        action="forward",
        public_id=dossier.code,
        to_unit=world.committee,
    )
    dossier_act(actor=world.specialist, action="forward", public_id=dossier.code)
    dossier_act(actor=world.leader, action="approve", public_id=dossier.code)
    steps = slips.control_steps(dossier)
    assert [(s.title, s.unit) for s in steps] == [
        ("Tiếp nhận, chuyển hồ sơ", world.section.name),
        ("Thẩm định, xử lý hồ sơ", world.committee.name),
        ("Thẩm định, xử lý hồ sơ", world.other_committee.name),  # inter-agency
        ("Thẩm định, xử lý hồ sơ", world.committee.name),
        ("Phê duyệt", world.committee.name),
        ("Ban hành kết quả", world.committee.name),
    ]
    assert all(s.outcome in {"early", "on_time"} for s in steps[:-1])
    assert steps[-1].finished_at is None and steps[-1].outcome == ""
    sheet = control_sheet_issue(actor=world.leader, public_id=dossier.code)
    text = pdf_text(sheet.document.file.read())
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Cán bộ chuyenvien2" in text and "Cán bộ lanhdao" in text
    assert "Xác minh liên" in text  # the note column (wrapped in the table)


def test_control_sheet_of_a_dossier_without_process_comes_from_its_timeline(
    world: World,
) -> None:
    from motcua.workflow.models import ProcessInstance, WorkTask

    dossier = received(world)
    WorkTask.objects.filter(subject_id=dossier.pk).delete()  # received before processes
    ProcessInstance.objects.filter(subject_id=dossier.pk).delete()
    dossier_act(actor=world.reception, action="forward", public_id=dossier.code)
    dossier_act(actor=world.leader, action="approve", public_id=dossier.code)
    steps = slips.control_steps(dossier)
    assert [s.title for s in steps] == [
        "Nộp hồ sơ",
        "Tiếp nhận hồ sơ",
        "Chuyển xử lý",
        "Phê duyệt",
    ]
    assert all(s.outcome in {"early", "on_time"} for s in steps[1:3])
    assert steps[-1].received_at is None and steps[-1].outcome == ""


def test_step_outcome_rule() -> None:
    from datetime import datetime

    from motcua.core.clock import VIETNAM

    due = datetime(2027, 3, 5, 17, 0, tzinfo=VIETNAM)
    assert slips.step_outcome(datetime(2027, 3, 4, 9, 0, tzinfo=VIETNAM), due) == "early"
    assert slips.step_outcome(datetime(2027, 3, 5, 16, 59, tzinfo=VIETNAM), due) == "on_time"
    assert slips.step_outcome(due, due) == "on_time"
    assert slips.step_outcome(due + timedelta(seconds=1), due) == "late"
    assert slips.step_outcome(None, due) == ""


def test_register_workbook_has_a_row_per_dossier_in_legal_time() -> None:
    from datetime import date, datetime

    from motcua.core.clock import VIETNAM

    received_at = datetime(2027, 3, 1, 1, 30, tzinfo=VIETNAM)
    rows = [
        RegisterRow(
            code="H01.00070.MC-270301-0001",
            procedure="Đăng ký khai sinh",
            applicant="Trần Văn Đức",
            lead_unit="UBND xã Đông Anh",
            received_at=received_at,
            due_at=received_at + timedelta(days=1),
            returned_at=None,
            return_method="counter",
            status="received",
        )
    ]
    content = register_xlsx(
        rows, unit_name="Bộ phận Một cửa", start=date(2027, 3, 1), end=date(2027, 3, 31)
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A1"].value.startswith("SỔ THEO DÕI HỒ SƠ")
    assert [c.value for c in sheet[3]][:5] == [
        1,
        "H01.00070.MC-270301-0001",
        "Đăng ký khai sinh",
        "Trần Văn Đức",
        "UBND xã Đông Anh",
    ]
    assert sheet["F3"].value == datetime(2027, 3, 1, 1, 30)
    assert sheet["I3"].value == "Tại Bộ phận Một cửa"


def test_slip_and_reception_share_one_transaction(world: World) -> None:
    dossier = world.submit()
    with pytest.raises(RuntimeError), transaction.atomic():
        dossier_act(actor=world.reception, action="receive", public_id=str(dossier.reference))
        raise RuntimeError("the outer request failed")
    assert not DossierAttachment.objects.filter(dossier=dossier).exists()
    dossier.refresh_from_db()
    assert dossier.status == Status.NEW
