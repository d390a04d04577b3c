"""Certified electronic copies from originals (Decree 23/2015, Decree 45/2020 Art. 10).

At the counter the applicant shows the original; the officer scans it, compares it and
certifies. The copy is the scan's pages followed by a certification page carrying
the statement, the certifier, the register number (``number/year`` in the unit's
register), the fee, the date, a QR code to the verification page, and the
certifier's visible signature box; it is then signed (``services``).

Pure rendering and arithmetic here; ``services.certified_copy_issue`` takes the number
and stores everything in one transaction.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import pikepdf
from django.db import IntegrityError, transaction
from fpdf.enums import XPos, YPos

from motcua.core.clock import VIETNAM
from motcua.core.pdf import FONT, OfficialPdf, nfc
from motcua.signatures.models import CertificationCounter
from motcua.signatures.signing import SignatureBox, annotations_indirect
from motcua.units.models import Unit

MM = 72 / 25.4  # PDF points per millimetre

# Circular 226/2016/TT-BTC Art. 4: copy certification fee per page.
FEE_FIRST_PAGES = 2_000  # VND for each of the first two pages
FEE_NEXT_PAGES = 1_000  # VND for each page from the third
FEE_MAX = 200_000  # VND at most per copy


def certification_fee(pages: int) -> int:
    """The fee for certifying a copy of ``pages`` pages, in VND.

    2,000 VND per page for the first two pages, 1,000 VND per page from the third,
    at most 200,000 VND per copy (Circular 226/2016/TT-BTC, Art. 4).
    """
    if pages <= 0:
        return 0
    first = min(pages, 2) * FEE_FIRST_PAGES
    rest = max(pages - 2, 0) * FEE_NEXT_PAGES
    return min(first + rest, FEE_MAX)


def next_certification_number(unit: Unit, year: int) -> int:
    """The next number of ``unit``'s register for ``year``, under a row lock.

    Called inside the certifying transaction: concurrent certifications at one unit
    queue on that row, and a rolled-back certification gives its number back, so the
    register has no gaps and no repeats. Units never wait for each other.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a register number is taken inside the certifying transaction")
    try:
        with transaction.atomic():
            CertificationCounter.objects.get_or_create(unit=unit, year=year)
    except IntegrityError:  # created concurrently by another certification: fine
        pass
    counter = CertificationCounter.objects.select_for_update().get(unit=unit, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


@dataclass(frozen=True)
class CertificationPage:
    unit_name: str
    original_title: str
    number: int
    year: int
    pages: int
    fee: int
    certifier_name: str
    certified_at: datetime
    verification_url: str


@dataclass(frozen=True)
class RenderedCopy:
    content: bytes
    pages: int
    certifier_box: SignatureBox
    seal_box: SignatureBox


def _certification_page(page: CertificationPage) -> tuple[bytes, SignatureBox, SignatureBox]:
    local = page.certified_at.astimezone(VIETNAM)
    pdf = OfficialPdf(title=f"Chứng thực bản sao số {page.number}/{page.year}")
    pdf.national_heading(page.unit_name)
    pdf.title_block("LỜI CHỨNG CHỨNG THỰC BẢN SAO TỪ BẢN CHÍNH")
    pdf.paragraph(
        f"Chứng thực bản sao điện tử này đúng với bản chính “{page.original_title}” "
        f"({page.pages} trang) do người yêu cầu chứng thực xuất trình."
    )
    pdf.ln(2)
    pdf.field("Số chứng thực", f"{page.number}")
    pdf.field("Quyển số", f"{page.year:04d}-SCT/BS")
    pdf.field("Phí chứng thực", f"{vnd(page.fee)} đồng")
    pdf.field(
        "Ngày chứng thực",
        f"ngày {local:%d} tháng {local:%m} năm {local:%Y}",
    )
    pdf.field("Người thực hiện chứng thực", page.certifier_name)
    pdf.ln(2)
    size = 28.0
    qr_top = pdf.get_y()
    pdf.qr(page.verification_url, size_mm=size, caption="Quét mã để xác thực bản sao")
    pdf.link(pdf.w - pdf.r_margin - size, qr_top, size, size, page.verification_url)
    pdf.set_y(qr_top + size + 8)
    # Signature blocks: the certifier (right) and the unit's seal (left).
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    top = pdf.get_y()
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(
        width, 6, nfc("ĐÓNG DẤU CƠ QUAN"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_xy(pdf.l_margin + width, top)
    pdf.multi_cell(
        width, 6, nfc("NGƯỜI THỰC HIỆN CHỨNG THỰC"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    box_top = pdf.get_y() + 2
    box_height = 26.0
    pdf.set_y(box_top + box_height + 2)
    pdf.set_x(pdf.l_margin + width)
    pdf.cell(width, 6, nfc(page.certifier_name), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=11)
    page_index = pdf.page_no() - 1
    content = pdf.to_bytes()
    height_pt = pdf.h * MM

    def box(x_mm: float) -> SignatureBox:
        x1 = (x_mm + 6) * MM
        x2 = (x_mm + width - 6) * MM
        y2 = height_pt - box_top * MM
        y1 = height_pt - (box_top + box_height) * MM
        return SignatureBox(page=page_index, rect=(x1, y1, x2, y2))

    return content, box(pdf.l_margin + width), box(pdf.l_margin)


def render_certified_copy(original: bytes, page: CertificationPage, *, token: str) -> RenderedCopy:
    """The scan's pages, then the certification page; the token in the metadata."""
    statement, certifier_box, seal_box = _certification_page(page)
    with (
        pikepdf.open(io.BytesIO(original)) as copy,
        pikepdf.open(io.BytesIO(statement)) as last,
    ):
        offset = len(copy.pages)
        copy.pages.extend(last.pages)
        annotations_indirect(copy)
        copy.docinfo["/Title"] = nfc(f"Bản sao chứng thực số {page.number}/{page.year}")
        copy.docinfo["/Keywords"] = f"motcua-verify:{token}"
        copy.docinfo["/Creator"] = "motcua"
        out = io.BytesIO()
        copy.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable)
        total = len(copy.pages)

    def shift(b: SignatureBox) -> SignatureBox:
        return SignatureBox(page=offset + b.page, rect=b.rect)

    return RenderedCopy(
        content=out.getvalue(),
        pages=total,
        certifier_box=shift(certifier_box),
        seal_box=shift(seal_box),
    )
