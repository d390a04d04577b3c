"""Official slips of a dossier (Circular 03/2025/TT-VPCP Annex I, DOMAIN §5) as PDF.

1. receipt and appointment slip — ``receipt_slip``
2. supplement request — ``supplement_slip``
3. refusal — ``refusal_slip``
4. apology and extension — ``apology_slip``
5. stop notice — ``stop_slip``
6. process control sheet — ``control_sheet_slip`` (rows from ``control_steps``)
7. dossier register — ``register_pdf`` and ``register_xlsx`` for a unit and a period

Slips are official documents: they are always in Vietnamese, whatever the language of
the officer's screen, with exact diacritics (``motcua.core.pdf.OfficialPdf`` embeds
DejaVu and normalises text to NFC). Each dossier slip carries a QR code (and a PDF link
over it) to the public look-up ``/tra-cuu-ho-so/?code=<code>`` on ``PUBLIC_URL``.

This module only renders; ``motcua.dossiers.attachments`` stores a slip as a
``documents.Document`` attached to the dossier.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from fpdf.enums import XPos, YPos
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from motcua.catalog.models import ProcedureCase
from motcua.core.clock import VIETNAM
from motcua.core.pdf import FONT, OfficialPdf, nfc
from motcua.dossiers.models import AttachmentRole, Dossier, DossierEvent
from motcua.units.models import Unit, UnitLevel
from motcua.workflow.selectors import control_sheet as workflow_control_sheet

RECEIVED_AS_VI = {
    "original": "Bản chính",
    "certified_copy": "Bản sao chứng thực",
    "photocopy": "Bản chụp",
    "electronic": "Bản điện tử",
    "from_data": "Khai thác từ cơ sở dữ liệu",
}
DURATION_UNIT_VI = {
    "working-days": "ngày làm việc",
    "calendar-days": "ngày",
    "working-hours": "giờ làm việc",
}
RETURN_METHOD_VI = {
    "counter": "Tại Bộ phận Một cửa",
    "post": "Qua dịch vụ bưu chính công ích",
    "warehouse": "Vào kho dữ liệu điện tử",
    "email": "Qua thư điện tử",
}
OUTCOME_VI = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn", "": ""}
ACTION_VI = {
    "submit": "Nộp hồ sơ",
    "receive": "Tiếp nhận hồ sơ",
    "refuse": "Từ chối tiếp nhận",
    "request_supplement": "Yêu cầu bổ sung hồ sơ",
    "supplement": "Bổ sung hồ sơ",
    "forward": "Chuyển xử lý",
    "send_back": "Trả lại để xử lý lại",
    "approve": "Phê duyệt",
    "mark_result_ready": "Có kết quả",
    "request_payment": "Yêu cầu thực hiện nghĩa vụ tài chính",
    "confirm_payment": "Xác nhận đã nộp phí",
    "return_result": "Trả kết quả",
    "withdraw": "Rút hồ sơ",
    "stop": "Dừng xử lý",
    "apologise_extend": "Xin lỗi và hẹn lại ngày trả kết quả",
}


@dataclass(frozen=True)
class Slip:
    role: str
    title: str
    filename: str
    content: bytes
    pages: int


# --- small formatting helpers ---------------------------------------------------------------
def vn_datetime(value: datetime | None) -> str:
    """``08 giờ 30 phút, ngày 05 tháng 03 năm 2027`` in legal time; ``—`` when absent."""
    if value is None:
        return "—"
    local = value.astimezone(VIETNAM)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d} tháng {local:%m} năm {local:%Y}"


def vn_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(VIETNAM).date()
    return f"ngày {value:%d} tháng {value:%m} năm {value:%Y}"


def short_datetime(value: datetime | None) -> str:
    return value.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y") if value else ""


def lookup_url(code: str) -> str:
    """Where the slip's QR code points: the public look-up with the code filled in."""
    base = str(getattr(settings, "PUBLIC_URL", "")).rstrip("/")
    return f"{base}{reverse('portal:dossier_lookup')}?{urlencode({'code': code})}"


def legal_duration(case: ProcedureCase, channel: str) -> str:
    ways = list(case.ways.all())
    way = next((w for w in ways if w.channel == channel), ways[0] if ways else None)
    if way is None:
        return "—"
    return f"{way.duration:02d} {DURATION_UNIT_VI.get(way.duration_unit, way.duration_unit)}"


def _slug(code: str) -> str:
    return "".join(c if c.isalnum() or c in ".-" else "-" for c in code)


def _start(dossier: Dossier, *, title: str, form_no: int) -> OfficialPdf:
    pdf = OfficialPdf(title=f"{title} — {dossier.public_id}")
    pdf.national_heading(dossier.receiving_unit.name)
    pdf.set_font(FONT, size=9)
    pdf.cell(0, 5, nfc(f"Mẫu số {form_no:02d}"), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.title_block(title, f"Số: {dossier.public_id}")
    return pdf


def _qr(pdf: OfficialPdf, dossier: Dossier) -> None:
    """The QR code to the public look-up, with a link annotation over it."""
    if not dossier.code:
        return
    url = lookup_url(dossier.code)
    size = 28.0
    if pdf.get_y() + size + 10 > pdf.h - pdf.b_margin:
        pdf.add_page()
    x, y = pdf.w - pdf.r_margin - size, pdf.get_y()
    pdf.qr(url, size_mm=size, caption="Quét mã để tra cứu hồ sơ")
    pdf.link(x, y, size, size, url)
    pdf.set_y(y + size + 10)


def _applicant(pdf: OfficialPdf, dossier: Dossier, *, contacts: bool = True) -> None:
    pdf.field("Tên tổ chức, cá nhân", dossier.applicant_name)
    label = "Số định danh cá nhân" if dossier.applicant_kind == "citizen" else "Mã số thuế"
    pdf.field(label, dossier.applicant_id_number)
    if contacts:
        pdf.field("Địa chỉ", dossier.applicant_address or "—")
        pdf.field("Số điện thoại", dossier.applicant_phone or "—")
        pdf.field("Thư điện tử", dossier.applicant_email or "—")
    if dossier.representative_name:
        pdf.field(
            "Người được ủy quyền",
            f"{dossier.representative_name} ({dossier.representative_id_number})",
        )


def _signatures(pdf: OfficialPdf, left: str, right: str, right_name: str = "") -> None:
    pdf.ln(4)
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    top = pdf.get_y()
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(width, 6, nfc(left), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_xy(pdf.l_margin + width, top)
    pdf.multi_cell(width, 6, nfc(right), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    pdf.set_x(pdf.l_margin)
    pdf.cell(width, 5, nfc("(Ký, ghi rõ họ tên)"), align="C")
    pdf.cell(width, 5, nfc("(Ký, ghi rõ họ tên)"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if right_name:
        pdf.ln(14)
        pdf.set_x(pdf.l_margin + width)
        pdf.set_font(FONT, "B", 11)
        pdf.cell(width, 6, nfc(right_name), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=11)
    pdf.ln(4)


def _finish(pdf: OfficialPdf, *, role: str, title: str, name: str, dossier: Dossier) -> Slip:
    return Slip(
        role=role,
        title=f"{title} {dossier.public_id}",
        filename=f"{name}-{_slug(dossier.public_id)}.pdf",
        content=pdf.to_bytes(),
        pages=pdf.page_no(),
    )


def _actor_name(event: DossierEvent | None) -> str:
    if event is None or event.actor is None:
        return ""
    return event.actor.full_name or event.actor.username


# --- forms 1–5 ------------------------------------------------------------------------------
def receipt_slip(dossier: Dossier, *, receiver_name: str = "") -> Slip:
    """Form 1: receipt and appointment slip (issued at reception)."""
    title = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
    pdf = _start(dossier, title=title, form_no=1)
    pdf.paragraph(f"{dossier.receiving_unit.name} đã tiếp nhận hồ sơ của:")
    _applicant(pdf, dossier)
    pdf.field("Nội dung yêu cầu giải quyết", dossier.request_summary or dossier.case.name)
    pdf.field("Thủ tục", dossier.procedure_version.name)
    pdf.paragraph("1. Thành phần hồ sơ và số lượng mỗi loại giấy tờ gồm:", bold=True)
    rows = [("STT", "Tên giấy tờ", "Hình thức", "Số lượng")]
    for i, c in enumerate(dossier.components.all(), start=1):
        rows.append(
            (str(i), c.name, RECEIVED_AS_VI.get(c.received_as, c.received_as), str(c.count))
        )
    pdf.set_font(FONT, size=10)
    with pdf.table(rows, col_widths=(12, 98, 40, 20), line_height=5.5, text_align="LEFT"):
        pass
    pdf.set_font(FONT, size=11)
    pdf.ln(2)
    pdf.field("2. Số lượng hồ sơ", "01 (bộ)")
    pdf.field(
        "3. Thời gian giải quyết hồ sơ theo quy định", legal_duration(dossier.case, dossier.channel)
    )
    pdf.field("4. Thời gian nhận hồ sơ", vn_datetime(dossier.received_at))
    pdf.field("5. Thời gian trả kết quả giải quyết hồ sơ", vn_datetime(dossier.due_at))
    place = (
        f"Tại {dossier.receiving_unit.name}"
        if dossier.channel == "in_person"
        else f"Trực tuyến trên Cổng dịch vụ công hoặc tại {dossier.receiving_unit.name}"
    )
    pdf.field("6. Đăng ký nhận kết quả", place)
    sequence = (dossier.code or "").rsplit("-", 1)[-1]
    pdf.field("Vào Sổ theo dõi hồ sơ, số thứ tự", sequence or "—")
    _qr(pdf, dossier)
    _signatures(pdf, "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", receiver_name)
    return _finish(
        pdf,
        role=AttachmentRole.RECEIPT_SLIP,
        title="Giấy tiếp nhận",
        name="giay-tiep-nhan",
        dossier=dossier,
    )


def supplement_slip(dossier: Dossier, event: DossierEvent) -> Slip:
    """Form 2: what the applicant must complete, numbered, with the reason and a contact."""
    title = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
    pdf = _start(dossier, title=title, form_no=2)
    pdf.paragraph(f"{dossier.receiving_unit.name} đề nghị:")
    _applicant(pdf, dossier, contacts=False)
    pdf.field("Nội dung yêu cầu giải quyết", dossier.request_summary or dossier.case.name)
    pdf.field("Mã hồ sơ", dossier.public_id)
    pdf.paragraph("Bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:", bold=True)
    for i, item in enumerate(event.data.get("items", []), start=1):
        pdf.paragraph(f"{i}. {item}")
    pdf.field("Lý do", event.reason or "—")
    contact = _actor_name(event)
    unit = event.actor_unit.name if event.actor_unit else dossier.receiving_unit.name
    pdf.field("Cán bộ liên hệ", f"{contact} — {unit}" if contact else unit)
    pdf.field("Thời gian", vn_datetime(event.occurred_at))
    pdf.paragraph(
        "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, ông/bà liên hệ với cán bộ nêu trên "
        "để được hướng dẫn."
    )
    _qr(pdf, dossier)
    _signatures(pdf, "", "NGƯỜI HƯỚNG DẪN", contact)
    return _finish(
        pdf,
        role=AttachmentRole.SUPPLEMENT_SLIP,
        title="Phiếu yêu cầu bổ sung",
        name="phieu-bo-sung",
        dossier=dossier,
    )


def refusal_slip(dossier: Dossier, event: DossierEvent) -> Slip:
    """Form 3: refusal to receive, with the specific reasons."""
    title = "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"
    pdf = _start(dossier, title=title, form_no=3)
    pdf.paragraph(f"{dossier.receiving_unit.name} tiếp nhận hồ sơ của:")
    _applicant(pdf, dossier, contacts=False)
    pdf.field("Mã hồ sơ", dossier.public_id)
    pdf.field("Nội dung yêu cầu giải quyết", dossier.request_summary or dossier.case.name)
    pdf.paragraph(
        "Qua nghiên cứu, xem xét, hồ sơ không đủ điều kiện tiếp nhận với lý do cụ thể như sau:"
    )
    pdf.paragraph(event.reason or "—", bold=True)
    pdf.field("Thời gian", vn_datetime(event.occurred_at))
    pdf.paragraph("Xin thông báo để ông/bà được biết và thực hiện.")
    _qr(pdf, dossier)
    _signatures(pdf, "", "NGƯỜI TIẾP NHẬN HỒ SƠ", _actor_name(event))
    return _finish(
        pdf,
        role=AttachmentRole.REFUSAL_SLIP,
        title="Phiếu từ chối",
        name="phieu-tu-choi",
        dossier=dossier,
    )


def apology_slip(dossier: Dossier, event: DossierEvent) -> Slip:
    """Form 4: apology with the original and the new promised time (once only)."""
    title = "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"
    pdf = _start(dossier, title=title, form_no=4)
    unit = event.actor_unit.name if event.actor_unit else dossier.handling_unit.name
    pdf.paragraph(f"{unit} xin gửi lời xin lỗi đến:")
    _applicant(pdf, dossier, contacts=False)
    pdf.field("Thủ tục", dossier.procedure_version.name)
    pdf.field("Mã hồ sơ", dossier.public_id)
    old = _parse(event.data.get("old_due"))
    new = _parse(event.data.get("new_due"))
    pdf.field("Thời gian hẹn trả kết quả ban đầu", vn_datetime(old))
    pdf.field("Lý do chậm trả kết quả", event.reason or "—")
    pdf.field("Thời gian hẹn trả kết quả mới", vn_datetime(new))
    pdf.paragraph(
        f"{unit} xin lỗi ông/bà vì sự chậm trễ này và hẹn trả kết quả vào thời gian nêu trên."
    )
    _qr(pdf, dossier)
    _signatures(pdf, "", "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", _actor_name(event))
    return _finish(
        pdf,
        role=AttachmentRole.APOLOGY_SLIP,
        title="Phiếu xin lỗi",
        name="phieu-xin-loi",
        dossier=dossier,
    )


def stop_slip(dossier: Dossier, event: DossierEvent) -> Slip:
    """Form 5: notice that processing of the dossier is stopped, with the reason."""
    title = "THÔNG BÁO DỪNG XỬ LÝ HỒ SƠ"
    pdf = _start(dossier, title=title, form_no=5)
    unit = event.actor_unit.name if event.actor_unit else dossier.handling_unit.name
    pdf.paragraph(f"{unit} thông báo đến:")
    _applicant(pdf, dossier, contacts=False)
    pdf.field("Thủ tục", dossier.procedure_version.name)
    pdf.field("Mã hồ sơ", dossier.public_id)
    pdf.field("Thời gian nhận hồ sơ", vn_datetime(dossier.received_at))
    pdf.paragraph("Hồ sơ được dừng xử lý với lý do sau:")
    pdf.paragraph(event.reason or "—", bold=True)
    pdf.field("Thời gian dừng xử lý", vn_datetime(event.occurred_at))
    _qr(pdf, dossier)
    _signatures(pdf, "", "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", _actor_name(event))
    return _finish(
        pdf,
        role=AttachmentRole.STOP_SLIP,
        title="Thông báo dừng xử lý",
        name="thong-bao-dung",
        dossier=dossier,
    )


def _parse(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


# --- form 6: the process control sheet ------------------------------------------------------
@dataclass(frozen=True)
class ControlStep:
    """One hand-over: who gave the dossier to whom, when, and how it fared against time."""

    title: str
    unit: str
    giver: str
    given_at: datetime
    receiver: str
    received_at: datetime | None
    due_at: datetime | None
    outcome: str  # "early" | "on_time" | "late" | "" (still open)
    note: str = ""
    finished_at: datetime | None = None  # when the step was done (the next hand-over)


def step_outcome(done: datetime | None, due: datetime | None) -> str:
    """Early (done on an earlier day than due), on time (by the due time), late (after it)."""
    if done is None or due is None:
        return ""
    if done > due:
        return "late"
    if done.astimezone(VIETNAM).date() < due.astimezone(VIETNAM).date():
        return "early"
    return "on_time"


# Actions taken at the receiving unit's counter (the one-stop section).
COUNTER_ACTIONS = frozenset(
    {"submit", "receive", "refuse", "supplement", "confirm_payment", "return_result", "withdraw"}
)


def control_steps(
    dossier: Dossier, events: Sequence[DossierEvent] | None = None
) -> list[ControlStep]:
    """The hand-overs of the dossier, in order.

    When the dossier runs an internal process, these are the BPMN engine's steps
    (``motcua.workflow.selectors.control_sheet``: per-task allotments in working time,
    giver and receiver). Otherwise they are built from the dossier's timeline: each
    action hands the dossier to the next actor, measured against the promised time as
    it stood at that step (``DossierEvent.due_at``).
    """
    workflow_rows = _workflow_control_sheet(dossier)
    if workflow_rows is not None:
        return workflow_rows
    if events is None:
        events = list(
            dossier.events.select_related("actor", "actor_unit", "to_unit").order_by("seq")
        )
    steps: list[ControlStep] = []
    receiving = dossier.receiving_unit
    # Who holds the dossier: first the unit dossier_submit assigns (a one-stop section's
    # committee), then each hand-over's target unit.
    holder: Unit = (
        receiving.parent
        if receiving.level == UnitLevel.ONE_STOP and receiving.parent is not None
        else receiving
    )
    for i, event in enumerate(events):
        following = events[i + 1] if i + 1 < len(events) else None
        giver = _actor_name(event) or (
            "Công dân" if event.action in {"submit", "supplement"} else "Hệ thống"
        )
        unit = (receiving if event.action in COUNTER_ACTIONS else holder).name
        if event.to_unit is not None:
            holder = event.to_unit
        receiver = ""
        if following is not None:
            receiver = _actor_name(following) or (
                following.actor_unit.name if following.actor_unit else ""
            )
        elif event.to_unit is not None:
            receiver = event.to_unit.name
        done = following.occurred_at if following is not None else None
        steps.append(
            ControlStep(
                title=ACTION_VI.get(event.action, event.action),
                unit=unit,
                giver=giver,
                given_at=event.occurred_at,
                receiver=receiver,
                received_at=done,
                due_at=event.due_at,
                outcome=step_outcome(done, event.due_at)
                if event.action not in {"submit", "request_supplement"}
                else "",
                note=event.reason[:200],
                finished_at=done,
            )
        )
    return steps


def _workflow_control_sheet(dossier: Dossier) -> list[ControlStep] | None:
    """Rows of the BPMN engine's control sheet; None when the dossier runs no process."""
    rows = workflow_control_sheet(dossier.pk)
    if not rows:
        return None
    return [
        ControlStep(
            title=row.title,
            unit=row.unit_name,
            giver=row.giver_name or "Hệ thống",
            given_at=row.given_at,
            receiver=row.receiver_name,
            received_at=row.received_at,
            due_at=row.due_at,
            outcome=row.outcome,
            note=row.note,
            finished_at=row.finished_at,
        )
        for row in rows
    ]


def control_sheet_slip(dossier: Dossier, steps: Sequence[ControlStep] | None = None) -> Slip:
    """Form 6: every hand-over with give/receive times and early / on time / late."""
    title = "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
    pdf = _start(dossier, title=title, form_no=6)
    pdf.field("Mã hồ sơ", dossier.public_id)
    pdf.field("Tên tổ chức, cá nhân", dossier.applicant_name)
    pdf.field("Thủ tục", dossier.procedure_version.name)
    pdf.field("Ngày hẹn trả kết quả", vn_datetime(dossier.due_at))
    rows = [("Bước", "Cơ quan, đơn vị", "Giao, nhận hồ sơ", "Kết quả", "Ghi chú")]
    for step in steps if steps is not None else control_steps(dossier):
        exchange = f"Giao: {step.giver} lúc {short_datetime(step.given_at)}"
        if step.receiver:
            exchange += f"\nNhận: {step.receiver}"
            if step.received_at:
                exchange += f" lúc {short_datetime(step.received_at)}"
        rows.append(
            (step.title, step.unit, exchange, OUTCOME_VI.get(step.outcome, step.outcome), step.note)
        )
    pdf.set_font(FONT, size=8.5)
    with pdf.table(rows, col_widths=(26, 34, 62, 18, 30), line_height=4.5, text_align="LEFT"):
        pass
    pdf.set_font(FONT, size=11)
    pdf.ln(4)
    _qr(pdf, dossier)
    return _finish(
        pdf,
        role=AttachmentRole.CONTROL_SHEET,
        title="Phiếu kiểm soát",
        name="phieu-kiem-soat",
        dossier=dossier,
    )


# --- form 7: the dossier register -----------------------------------------------------------
@dataclass(frozen=True)
class RegisterRow:
    code: str
    procedure: str
    applicant: str
    lead_unit: str
    received_at: datetime | None
    due_at: datetime | None
    returned_at: datetime | None
    return_method: str
    status: str


REGISTER_HEADINGS = (
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục",
    "Tên tổ chức, cá nhân",
    "Cơ quan chủ trì giải quyết",
    "Ngày, giờ nhận hồ sơ",
    "Ngày, giờ hẹn trả kết quả",
    "Ngày, giờ trả kết quả",
    "Phương thức trả kết quả",
)


def _register_cells(i: int, row: RegisterRow) -> tuple[str, ...]:
    return (
        str(i),
        row.code,
        row.procedure,
        row.applicant,
        row.lead_unit,
        short_datetime(row.received_at),
        short_datetime(row.due_at),
        short_datetime(row.returned_at),
        RETURN_METHOD_VI.get(row.return_method, row.return_method),
    )


def register_title(unit_name: str, start: date, end: date) -> str:
    return f"SỔ THEO DÕI HỒ SƠ — {unit_name} — từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}"


def register_pdf(rows: Iterable[RegisterRow], *, unit_name: str, start: date, end: date) -> bytes:
    pdf = OfficialPdf(title=register_title(unit_name, start, end))
    pdf.national_heading(unit_name)
    pdf.set_font(FONT, size=9)
    pdf.cell(0, 5, nfc("Mẫu số 07"), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.title_block("SỔ THEO DÕI HỒ SƠ", f"Từ {vn_date(start)} đến {vn_date(end)}")
    table = [REGISTER_HEADINGS] + [_register_cells(i, r) for i, r in enumerate(rows, start=1)]
    pdf.set_font(FONT, size=7)
    with pdf.table(
        table, col_widths=(7, 24, 30, 20, 20, 17, 17, 17, 18), line_height=3.6, text_align="LEFT"
    ):
        pass
    if len(table) == 1:
        pdf.set_font(FONT, size=10)
        pdf.cell(0, 8, nfc("Không có hồ sơ trong kỳ."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return pdf.to_bytes()


def register_xlsx(rows: Iterable[RegisterRow], *, unit_name: str, start: date, end: date) -> bytes:
    """The register as a workbook: a title row, the headings, one row per dossier.

    Times are Excel date-times in legal time (without a zone: Excel knows none),
    formatted ``dd/mm/yyyy hh:mm``.
    """
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sổ theo dõi"
    sheet.append([register_title(unit_name, start, end)])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append(list(REGISTER_HEADINGS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(rows, start=1):
        sheet.append(
            [
                i,
                row.code,
                row.procedure,
                row.applicant,
                row.lead_unit,
                _excel_time(row.received_at),
                _excel_time(row.due_at),
                _excel_time(row.returned_at),
                RETURN_METHOD_VI.get(row.return_method, row.return_method),
            ]
        )
        for cell in sheet[sheet.max_row][5:8]:
            cell.number_format = "dd/mm/yyyy hh:mm"
    for column, width in zip("ABCDEFGHI", (6, 26, 40, 28, 30, 18, 18, 18, 24), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _excel_time(value: datetime | None) -> datetime | None:
    return value.astimezone(VIETNAM).replace(tzinfo=None) if value else None


SLIP_BUILDERS: dict[str, Callable[[Dossier, DossierEvent], Slip]] = {
    AttachmentRole.SUPPLEMENT_SLIP: supplement_slip,
    AttachmentRole.REFUSAL_SLIP: refusal_slip,
    AttachmentRole.APOLOGY_SLIP: apology_slip,
    AttachmentRole.STOP_SLIP: stop_slip,
}
