"""Every bad file is refused with a clear message, and nothing is stored.

Each case asserts the refusal's code and message, then that no file reached the
storage, no ``Document`` row exists and no audit entry was written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from typing import Any as SettingsWrapper

import pytest
from django.utils import translation
from tests.documents import samples as S
from tests.documents.clamd import FakeClamd
from tests.documents.conftest import stored_files

from motcua.accounts.models import User
from motcua.audit.models import AuditEntry
from motcua.documents.checks import UploadRefused
from motcua.documents.models import Document
from motcua.documents.services import document_upload

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Bad:
    name: str
    content: Callable[[], bytes]
    code: str
    words: str  # a fragment the English message must contain
    settings: dict[str, Any] = field(default_factory=dict)


CASES = [
    # --- not a PDF, JPEG or PNG by content -------------------------------------------------
    Bad("thu.pdf", lambda: b"Just some text, not a PDF\n" * 20, "type", "Only PDF, JPEG and PNG"),
    Bad("setup.pdf", lambda: b"MZ\x90\x00" + b"\0" * 500, "type", "Only PDF, JPEG and PNG"),
    Bad("anh.jpg", S.html_page, "type", "Only PDF, JPEG and PNG"),
    Bad("anh.png", S.svg_with_script, "type", "Only PDF, JPEG and PNG"),
    Bad("anh.png", S.gif_bytes, "type", "Only PDF, JPEG and PNG"),
    Bad("hoso.pdf", S.docx_like, "type", "Only PDF, JPEG and PNG"),
    Bad("hoso.zip", S.zip_bomb, "type", "Only PDF, JPEG and PNG"),
    Bad("hoso.pdf", S.gzip_bomb, "type", "Only PDF, JPEG and PNG"),
    Bad("eicar.pdf", lambda: S.EICAR, "type", "Only PDF, JPEG and PNG"),
    Bad("rong.pdf", lambda: b"", "empty", "empty"),
    # --- too large ---------------------------------------------------------------------------
    Bad(
        "lon.pdf",
        lambda: S.pdf_bytes(pages=40),
        "size",
        "larger than",
        {"MOTCUA_UPLOAD_MAX_BYTES": 4096},
    ),
    Bad(
        "lon.jpg",
        lambda: S.jpeg_bytes((1200, 900)) + b"",
        "size",
        "larger than",
        {"MOTCUA_UPLOAD_MAX_BYTES": 1024},
    ),
    # --- polyglots ---------------------------------------------------------------------------
    Bad("anh.jpg", S.jpeg_with_pdf_header, "polyglot", "looks like a PDF"),
    Bad("anh.jpg", S.jpeg_with_html, "polyglot", "markup"),
    Bad("anh.jpg", S.jpeg_plus_zip, "polyglot", "ZIP"),
    Bad("giay.pdf", S.pdf_plus_zip, "polyglot", "ZIP"),
    Bad("anh.png", S.png_with_trailing_data, "polyglot", "hidden after its end"),
    # --- damaged PDFs ------------------------------------------------------------------------
    Bad("cut.pdf", S.pdf_truncated, "pdf_damaged", "damaged or incomplete"),
    Bad("cut.pdf", S.pdf_without_eof, "pdf_damaged", "damaged or incomplete"),
    Bad("xref.pdf", S.pdf_broken_xref, "pdf_damaged", "damaged or incomplete"),
    Bad("xref.pdf", S.pdf_wrong_startxref, "pdf_damaged", "damaged or incomplete"),
    Bad("rong.pdf", S.pdf_header_only, "pdf_damaged", "damaged or incomplete"),
    # --- protected or active PDFs ------------------------------------------------------------
    Bad("mat.pdf", S.pdf_encrypted_user_password, "pdf_encrypted", "password"),
    Bad("mat.pdf", S.pdf_encrypted_owner_password, "pdf_encrypted", "encrypted"),
    Bad("js.pdf", S.pdf_with_javascript_open_action, "pdf_active", "JavaScript"),
    Bad("js.pdf", S.pdf_with_javascript_names, "pdf_active", "JavaScript"),
    Bad("run.pdf", S.pdf_with_launch_action, "pdf_active", "launch action"),
    Bad("kem.pdf", S.pdf_with_embedded_file, "pdf_active", "embedded file"),
    Bad("kem.pdf", S.pdf_with_attachment_annotation, "pdf_active", "file attachment"),
    Bad("xfa.pdf", S.pdf_with_xfa, "pdf_active", "XFA"),
    # --- decompression bombs -----------------------------------------------------------------
    Bad("bom.png", S.png_bomb, "bomb", "too large to open safely"),
    Bad("bom.jpg", S.jpeg_bomb, "bomb", "too large to open safely"),
    Bad("bom.png", S.png_text_bomb, "bomb", "expands too much"),
    Bad("bom.pdf", S.pdf_huge_image, "bomb", "too large to open safely"),
    Bad(
        "bom.pdf",
        lambda: S.pdf_flate_bomb(40 * 1024 * 1024),
        "bomb",
        "expands to far more data",
        {"MOTCUA_PDF_MAX_DECODED_BYTES": 8 * 1024 * 1024},
    ),
    # --- damaged images ----------------------------------------------------------------------
    Bad("cut.jpg", S.jpeg_truncated, "image_damaged", "damaged or incomplete"),
    Bad("cut.png", S.png_truncated, "image_damaged", "damaged or incomplete"),
    Bad("rac.jpg", S.jpeg_garbage_after_header, "image_damaged", "damaged or incomplete"),
    # --- names -------------------------------------------------------------------------------
    Bad("../../etc/passwd.pdf", S.pdf_bytes, "name_path", "folders"),
    Bad("..\\..\\boot.ini.pdf", S.pdf_bytes, "name_path", "folders"),
    Bad("/etc/shadow.pdf", S.pdf_bytes, "name_path", "folders"),
    Bad("..", S.pdf_bytes, "name_path", "folders"),
    Bad("giay\x00.pdf.exe", S.pdf_bytes, "name_nul", "NUL"),
    Bad("hoa-don\u202efdp.exe", S.pdf_bytes, "name_bidi", "reverses the text direction"),
    Bad("anh\u2067gpj.exe", S.jpeg_bytes, "name_bidi", "reverses the text direction"),
    Bad("dong\nmoi.pdf", S.pdf_bytes, "name_control", "control characters"),
    Bad("tab\tname.pdf", S.pdf_bytes, "name_control", "control characters"),
    Bad("", S.pdf_bytes, "name_empty", "no name"),
    Bad("...", S.pdf_bytes, "name_empty", "no name"),
]


def _id(case: Bad) -> str:
    return f"{case.code}:{case.content.__name__}:{case.name.encode('unicode_escape').decode()}"


def test_there_are_at_least_thirty_bad_files() -> None:
    assert len(CASES) >= 30


def assert_nothing_stored(storage: Path) -> None:
    assert stored_files(storage) == []
    assert Document.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="document.").exists()


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_is_stored(
    case: Bad, citizen: User, storage: Path, settings: SettingsWrapper
) -> None:
    for name, value in case.settings.items():
        setattr(settings, name, value)
    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        document_upload(actor=citizen, upload=S.Upload(case.name, case.content()))
    assert refused.value.code == case.code
    assert case.words in refused.value.message
    assert refused.value.field == "file"
    assert_nothing_stored(storage)


def test_eicar_is_refused_by_the_configured_clamd_and_nothing_is_stored(
    citizen: User, storage: Path, settings: SettingsWrapper, clamd: FakeClamd
) -> None:
    settings.MOTCUA_CLAMD_ADDRESS = clamd.address
    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        document_upload(actor=citizen, upload=S.Upload("eicar.pdf", S.EICAR))
    assert refused.value.code == "virus"
    assert "virus scan found a threat" in refused.value.message
    assert clamd.scanned == [S.EICAR]  # the bytes went to clamd over the socket
    assert_nothing_stored(storage)


def test_eicar_hidden_inside_a_valid_pdf_is_refused_by_clamd(
    citizen: User, storage: Path, settings: SettingsWrapper, clamd: FakeClamd
) -> None:
    settings.MOTCUA_CLAMD_ADDRESS = clamd.address
    content = S.pdf_bytes().replace(b"%%EOF", b"%" + S.EICAR + b"\n%%EOF")
    with pytest.raises(UploadRefused) as refused:
        document_upload(actor=citizen, upload=S.Upload("giay.pdf", content))
    assert refused.value.code == "virus"
    assert_nothing_stored(storage)


def test_an_unreachable_clamd_refuses_the_upload(
    citizen: User, storage: Path, settings: SettingsWrapper, clamd: FakeClamd
) -> None:
    address = clamd.address
    clamd.stop()  # the port is closed now: fail closed
    settings.MOTCUA_CLAMD_ADDRESS = address
    settings.MOTCUA_CLAMD_TIMEOUT = 2
    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        document_upload(actor=citizen, upload=S.Upload("giay.pdf", S.pdf_bytes()))
    assert refused.value.code == "scan_unavailable"
    assert "Try again later" in refused.value.message
    assert_nothing_stored(storage)


def test_an_upload_stopped_by_the_size_handler_is_refused(citizen: User, storage: Path) -> None:
    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        document_upload(
            actor=citizen, upload=S.Upload("lon.pdf", S.pdf_bytes()), size_exceeded=True
        )
    assert refused.value.code == "size"
    assert "20 MB" in refused.value.message
    assert_nothing_stored(storage)
