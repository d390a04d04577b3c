"""Good files are stored through the default storage with their SHA-256, typed by content,
under a sanitised name, in the owner's data warehouse, with an audit entry."""

from __future__ import annotations

import hashlib
import io
import unicodedata
from pathlib import Path
from typing import Any as SettingsWrapper

import pikepdf
import pytest
from PIL import Image
from tests.documents import samples as S
from tests.documents.clamd import FakeClamd
from tests.documents.conftest import stored_files

from motcua.accounts.models import User
from motcua.audit.models import AuditEntry
from motcua.core.pdf import OfficialPdf
from motcua.documents.checks import UploadRefused, sanitize_filename
from motcua.documents.models import Document, DocumentKind
from motcua.documents.services import (
    document_keep,
    document_store,
    document_upload,
    warehouse_document,
    warehouse_documents,
)

pytestmark = pytest.mark.django_db


def _official_pdf() -> bytes:
    pdf = OfficialPdf(title="Giấy xác nhận")
    pdf.national_heading("Ủy ban nhân dân phường Hoàn Kiếm")
    pdf.paragraph("Nguyễn Thị Lan đã nộp hồ sơ.")
    return pdf.to_bytes()


def _pdf_with_object_streams() -> bytes:
    with pikepdf.open(io.BytesIO(S.pdf_bytes(pages=3))) as pdf:
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, linearize=True)
        return out.getvalue()


def _progressive_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (10, 90, 200)).save(out, "JPEG", progressive=True)
    return out.getvalue()


def _palette_png_with_alpha() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).convert("P").save(out, "PNG", transparency=0)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "content_type", "stored_name"),
    [
        ("giay-khai-sinh.pdf", S.pdf_bytes, "application/pdf", "giay-khai-sinh.pdf"),
        ("xac-nhan.pdf", _official_pdf, "application/pdf", "xac-nhan.pdf"),
        ("nhieu-trang.pdf", _pdf_with_object_streams, "application/pdf", "nhieu-trang.pdf"),
        ("anh.JPG", S.jpeg_bytes, "image/jpeg", "anh.JPG"),
        ("anh.jpeg", _progressive_jpeg, "image/jpeg", "anh.jpeg"),
        ("so-do.png", _palette_png_with_alpha, "image/png", "so-do.png"),
        # The content decides the type; a wrong accepted extension is replaced.
        ("anh-chup.pdf", S.jpeg_bytes, "image/jpeg", "anh-chup.jpg"),
        ("scan", S.png_bytes, "image/png", "scan.png"),
    ],
)
def test_a_good_file_is_stored_with_its_hash_type_and_clean_name(
    name: str,
    content: object,
    content_type: str,
    stored_name: str,
    citizen: User,
    storage: Path,
) -> None:
    data = content()  # type: ignore[operator]
    document = document_upload(actor=citizen, upload=S.Upload(name, data), province_code="01")
    document.refresh_from_db()
    assert document.kind == DocumentKind.UPLOAD
    assert document.content_type == content_type
    assert document.filename == stored_name
    assert document.size == len(data)
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.owner == citizen and document.in_warehouse
    [path] = stored_files(storage)
    assert path.read_bytes() == data
    assert name not in str(path)  # the storage name is the reference, never the user's name
    entry = AuditEntry.objects.get(action="document.upload")
    assert entry.object_id == str(document.pk) and entry.chain == "01"
    assert entry.data["size"] == len(data) and entry.data["content_type"] == content_type


def test_a_pdf_records_its_page_count(citizen: User, storage: Path) -> None:
    document = document_upload(actor=citizen, upload=S.Upload("a.pdf", S.pdf_bytes(pages=4)))
    assert document.page_count == 4


def test_names_are_normalised_to_nfc_and_shortened_keeping_the_extension(
    citizen: User, storage: Path
) -> None:
    decomposed = unicodedata.normalize("NFD", "Giấy khai sinh.pdf")
    document = document_upload(actor=citizen, upload=S.Upload(decomposed, S.pdf_bytes()))
    assert document.filename == "Giấy khai sinh.pdf"
    assert unicodedata.is_normalized("NFC", document.filename)
    long = sanitize_filename("đ" * 400 + ".pdf")
    assert len(long) <= 120 and long.endswith(".pdf")
    assert sanitize_filename("  .bashrc  ") == "bashrc"
    assert sanitize_filename("a   b.pdf") == "a b.pdf"


def test_a_clean_file_passes_the_configured_clamd(
    citizen: User, storage: Path, settings: SettingsWrapper, clamd: FakeClamd
) -> None:
    settings.MOTCUA_CLAMD_ADDRESS = clamd.address
    data = S.pdf_bytes()
    document = document_upload(actor=citizen, upload=S.Upload("a.pdf", data))
    assert clamd.scanned == [data]
    assert document.sha256 == hashlib.sha256(data).hexdigest()


def test_the_size_limit_is_a_setting_and_the_limit_itself_is_accepted(
    citizen: User, storage: Path, settings: SettingsWrapper
) -> None:
    data = S.pdf_bytes()
    settings.MOTCUA_UPLOAD_MAX_BYTES = len(data)
    assert document_upload(actor=citizen, upload=S.Upload("a.pdf", data)).size == len(data)
    settings.MOTCUA_UPLOAD_MAX_BYTES = len(data) - 1
    with pytest.raises(UploadRefused):
        document_upload(actor=citizen, upload=S.Upload("b.pdf", data))
    assert Document.objects.count() == 1 and len(stored_files(storage)) == 1


def test_the_default_limit_is_twenty_megabytes(
    citizen: User, storage: Path, settings: SettingsWrapper
) -> None:
    del settings.MOTCUA_UPLOAD_MAX_BYTES
    padding = b"%" + b"0" * 1023 + b"\n"
    base = S.pdf_bytes()
    big = base.replace(b"%%EOF", padding * (20 * 1024 + 1) + b"%%EOF")
    assert len(big) > 20 * 1024 * 1024
    with pytest.raises(UploadRefused) as refused:
        document_upload(actor=citizen, upload=S.Upload("big.pdf", big))
    assert refused.value.code == "size"
    assert stored_files(storage) == []


def test_a_database_failure_removes_the_stored_file(
    citizen: User, storage: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from motcua.documents import services

    def broken(**kwargs: object) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        document_upload(actor=citizen, upload=S.Upload("a.pdf", S.pdf_bytes()))
    assert stored_files(storage) == []
    assert Document.objects.count() == 0


def test_results_are_stored_into_the_owners_warehouse(citizen: User, storage: Path) -> None:
    result = document_store(
        actor=None,
        content=_official_pdf(),
        filename="ket-qua.pdf",
        kind=DocumentKind.RESULT,
        owner=citizen,
        in_warehouse=True,
        province_code="01",
    )
    slip = document_store(
        actor=None, content=S.pdf_bytes(), filename="phieu", kind=DocumentKind.SLIP
    )
    assert slip.filename == "phieu.pdf" and not slip.in_warehouse and slip.owner is None
    upload = document_upload(actor=citizen, upload=S.Upload("a.png", S.png_bytes()))
    assert list(warehouse_documents(citizen)) == [upload, result]
    assert warehouse_document(citizen, str(result.reference)) == result
    with pytest.raises(Document.DoesNotExist):
        warehouse_document(citizen, str(slip.reference))
    with pytest.raises(Document.DoesNotExist):
        warehouse_document(citizen, "not-a-uuid")


def test_document_keep_puts_a_result_into_the_warehouse_once(citizen: User, storage: Path) -> None:
    result = document_store(
        actor=None, content=S.pdf_bytes(), filename="kq.pdf", kind=DocumentKind.RESULT
    )
    kept = document_keep(actor=None, document=result, owner=citizen)
    assert kept.owner == citizen and kept.in_warehouse
    document_keep(actor=None, document=result, owner=citizen)
    assert AuditEntry.objects.filter(action="document.keep").count() == 1
    other = User.objects.create_user(username="x", personal_id="001090054321")
    with pytest.raises(UploadRefused):
        document_keep(actor=None, document=result, owner=other)
    assert list(warehouse_documents(other)) == []
