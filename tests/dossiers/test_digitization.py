"""Digitization at the counter: the scanning rules (one image per page, as many images as the
original has pages), OCR with Tesseract's Vietnamese data to a searchable PDF/A that finds
the words with their diacritics, search through the access gate, and a failed OCR that
keeps the original and says why."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.utils import translation
from fpdf import FPDF
from PIL import Image

from motcua.core.errors import PermissionDenied
from motcua.documents.checks import UploadRefused
from motcua.documents.models import Document, DocumentKind, OcrStatus
from motcua.documents.ocr import ScanRefused, ocr_available, ocr_pdf
from motcua.dossiers.access import DossierNotFound
from motcua.dossiers.digitization import component_attach_scan, dossiers_search_text
from motcua.dossiers.models import DigitizationState, Dossier
from motcua.dossiers.services import InvalidInput, dossier_receive
from tests.dossiers.conftest import World
from tests.signatures import fixtures as sig
from tests.signatures.fixtures import sample_pdf, scan_pdf, stored_files

pytestmark = pytest.mark.django_db

storage = sig.storage

needs_ocr = pytest.mark.skipif(
    not (shutil.which("ocrmypdf") and shutil.which("tesseract") and ocr_available()),
    reason="OCR needs the ocrmypdf and tesseract binaries with Vietnamese data "
    "(Debian: ocrmypdf tesseract-ocr-vie); CI installs them",
)

BIRTH_CERTIFICATE = [
    [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "GIẤY KHAI SINH",
        "Họ, chữ đệm, tên: Nguyễn Thị Lan",
        "Nơi sinh: Bệnh viện Phụ sản Hà Nội",
    ],
    [
        "Quê quán: Phường Hoàn Kiếm, thành phố Hà Nội",
        "Người đi khai sinh: Trần Văn Hùng",
    ],
]


def received(world: World) -> Dossier:
    d = world.submit()
    return dossier_receive(actor=world.reception, public_id=str(d.reference))


def attach(world: World, d: Dossier, content: bytes, **changes: Any) -> Document:
    kwargs: dict[str, Any] = {
        "actor": world.reception,
        "public_id": d.code,
        "component_code": "TP1",
        "content": content,
        "filename": "giay-khai-sinh.pdf",
        "original_pages": 2,
    }
    kwargs.update(changes)
    return component_attach_scan(**kwargs)


@needs_ocr
def test_ocr_of_a_vietnamese_scan_finds_words_with_diacritics() -> None:
    outcome = ocr_pdf(scan_pdf(BIRTH_CERTIFICATE, dpi=300))
    assert outcome.ok, outcome.error
    for words in ("GIẤY KHAI SINH", "Nguyễn Thị Lan", "Hoàn Kiếm", "Trần Văn Hùng", "Phụ sản"):
        assert words in outcome.text
    assert outcome.pdf is not None
    with pikepdf.open(io.BytesIO(outcome.pdf)) as pdf:
        assert len(pdf.pages) == 2
        assert pdf.open_metadata().pdfa_status.startswith("2")  # PDF/A-2


@needs_ocr
def test_counter_scan_is_digitized_ocred_and_searchable(
    world: World,
    storage: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    d = received(world)
    other = received(world)
    with django_capture_on_commit_callbacks(execute=True):
        original = attach(world, d, scan_pdf(BIRTH_CERTIFICATE, dpi=300))

    component = d.components.get(code="TP1")
    assert component.digitization == DigitizationState.DIGITIZED
    original.refresh_from_db()
    assert original.kind == DocumentKind.SCAN and original.page_count == 2
    assert original.ocr_status == OcrStatus.DONE and original.ocr_error == ""
    searchable = Document.objects.exclude(pk=original.pk).get(kind=DocumentKind.SCAN)
    assert searchable.ocr_status == OcrStatus.DONE
    assert "Nguyễn Thị Lan" in searchable.ocr_text
    assert searchable.owner == world.citizen and searchable.in_warehouse
    with searchable.file.open("rb") as fh, pikepdf.open(io.BytesIO(fh.read())) as pdf:
        assert pdf.open_metadata().pdfa_status.startswith("2")

    assert list(dossiers_search_text(user=world.reception, query="Nguyễn Thị Lan")) == [d]
    assert list(dossiers_search_text(user=world.specialist, query="Trần Văn Hùng")) == [d]
    assert other not in dossiers_search_text(user=world.reception, query="Hoàn Kiếm")
    # The access gate: an officer of another commune finds nothing; so does a stranger.
    assert not dossiers_search_text(user=world.other_specialist, query="Nguyễn Thị Lan").exists()
    assert not dossiers_search_text(user=world.stranger, query="Nguyễn Thị Lan").exists()
    assert not dossiers_search_text(user=world.reception, query="N").exists()


@needs_ocr
def test_failed_ocr_keeps_the_original_and_says_why(
    world: World,
    storage: Path,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.MOTCUA_OCR_LANGUAGES = "xyz"  # language data not installed
    d = received(world)
    content = scan_pdf(BIRTH_CERTIFICATE)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        original = attach(world, d, content)
    original.refresh_from_db()
    assert original.ocr_status == OcrStatus.FAILED
    assert "Tesseract" in original.ocr_error
    with original.file.open("rb") as fh:
        assert fh.read() == content  # the original is kept, unchanged
    assert Document.objects.count() == 1
    assert d.components.get(code="TP1").digitization == DigitizationState.DIGITIZED


# --- the scanning rules and who may digitize: refusals store nothing ---------------------------
def two_images_on_a_page() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    for y in (10, 150):
        buffer = io.BytesIO()
        Image.new("L", (400, 400), 200).save(buffer, "PNG")
        pdf.image(buffer, x=10, y=y, w=100)
    return bytes(pdf.output())


@pytest.mark.parametrize(
    ("content", "changes", "code"),
    [
        (scan_pdf(BIRTH_CERTIFICATE), {"original_pages": 3}, "count"),
        (scan_pdf(BIRTH_CERTIFICATE), {"original_pages": 1, "annotated_pages": 1}, None),
        (sample_pdf(), {"original_pages": 1}, "not_scanned"),
        (two_images_on_a_page(), {"original_pages": 1}, "several_images"),
    ],
    ids=["page-missing", "annotated-page-counts-twice", "born-digital", "two-images"],
)
def test_scanning_rules(
    world: World, storage: Path, content: bytes, changes: dict[str, int], code: str | None
) -> None:
    d = received(world)
    if code is None:  # a page with notes scanned twice: 1 page + 1 annotated = 2 images
        attach(world, d, content, **changes)
        assert d.components.get(code="TP1").digitization == DigitizationState.DIGITIZED
        return
    with translation.override("en"), pytest.raises(ScanRefused) as caught:
        attach(world, d, content, **changes)
    assert caught.value.code == code
    assert caught.value.message
    assert not Document.objects.exists() and stored_files(storage) == []
    assert d.components.get(code="TP1").digitization == DigitizationState.NOT_DIGITIZED


def test_refusals_store_nothing(world: World, storage: Path) -> None:
    d = received(world)
    scan = scan_pdf(BIRTH_CERTIFICATE)
    with pytest.raises(PermissionDenied):
        attach(world, d, scan, actor=world.specialist)
    with pytest.raises(DossierNotFound):
        attach(world, d, scan, actor=world.other_specialist)
    with pytest.raises(InvalidInput):
        attach(world, d, scan, component_code="TP9")
    with pytest.raises(InvalidInput):
        attach(world, d, scan, original_pages=0)
    with pytest.raises(UploadRefused):
        attach(world, d, b"%PDF-1.7 broken")
    with pytest.raises(UploadRefused):
        buffer = io.BytesIO()
        Image.new("RGB", (50, 50)).save(buffer, "PNG")
        attach(world, d, buffer.getvalue(), filename="scan.png", original_pages=1)
    assert not Document.objects.exists() and stored_files(storage) == []
    assert d.components.get(code="TP1").digitization == DigitizationState.NOT_DIGITIZED
