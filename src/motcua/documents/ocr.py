"""Digitization of scanned paper: the scanning rules, then OCR to a searchable PDF/A.

``scan_check(pdf, expected_images=n)`` applies the scanning rules of Circular 01/2023
Art. 8 (DOMAIN §7) to a counter scan: a whole document, one image per page, as many
images as the original has pages (a page with notes is scanned twice, so counts
twice). It raises ``ScanRefused`` naming what is wrong; nothing is stored.

``ocr_pdf(pdf)`` runs OCRmyPDF (Tesseract with the Vietnamese data, ``vie``) in a
separate process with a time limit and returns an ``OcrOutcome``: the searchable PDF/A
and its text, or — on failure — no PDF and the reason in the user's language. The
caller keeps the original either way. A scan that already carries a text layer (some
scanners add one) is left as it is: its text is read and no new PDF is made.
``ocr_available()`` says whether the server has what OCR needs (``tesseract`` with
``vie``, ``gs``, the ``ocrmypdf`` package).

Settings: ``MOTCUA_OCR_LANGUAGES`` (default ``vie``), ``MOTCUA_OCR_TIMEOUT`` seconds
(default 600), ``MOTCUA_OCR_JOBS`` (parallel pages, default: OCRmyPDF's choice).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from django.conf import settings
from django.utils.translation import gettext as _

from motcua.core.errors import DomainError

log = structlog.get_logger(__name__)


class ScanRefused(DomainError):
    """The scan breaks the scanning rules; nothing was stored. ``code`` names the rule."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, field="file")
        self.code = code


@dataclass(frozen=True)
class ScanFacts:
    pages: int
    images_per_page: tuple[int, ...]


def _images_painted(page: Any) -> int:
    """How many images the page paints (an image painted twice counts twice)."""
    import pikepdf

    xobjects = page.resources.get("/XObject", {})
    images = {
        str(name)
        for name, obj in xobjects.items()
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == pikepdf.Name.Image
    }
    painted = 0
    for instruction in pikepdf.parse_content_stream(page, "Do"):
        if isinstance(instruction, pikepdf.ContentStreamInstruction) and instruction.operands:
            painted += str(instruction.operands[0]) in images
    inline = sum(1 for _item in pikepdf.parse_content_stream(page, "INLINE IMAGE"))
    return painted + inline


def scan_facts(pdf: bytes) -> ScanFacts:
    """Pages and images per page of a PDF (``ScanRefused`` if it cannot be read)."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            counts = tuple(_images_painted(page) for page in doc.pages)
    except pikepdf.PasswordError:
        raise ScanRefused(
            "pdf_encrypted", _("The scan is protected by a password; scan it again.")
        ) from None
    except (pikepdf.PdfError, ValueError, RuntimeError, OSError):
        raise ScanRefused(
            "pdf_damaged", _("The scan is damaged or incomplete; scan the document again.")
        ) from None
    return ScanFacts(pages=len(counts), images_per_page=counts)


def _pages_list(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def scan_check(pdf: bytes, *, expected_images: int) -> ScanFacts:
    """The scanning rules (Circular 01/2023 Art. 8) or ``ScanRefused``."""
    if expected_images < 1:
        raise ScanRefused("count", _("Give the number of pages of the original (at least 1)."))
    facts = scan_facts(pdf)
    without = [i + 1 for i, n in enumerate(facts.images_per_page) if n == 0]
    if without:
        raise ScanRefused(
            "not_scanned",
            _(
                "Pages %(pages)s hold no scanned image: only scans of paper are digitized here "
                "(electronic documents are attached as they are)."
            )
            % {"pages": _pages_list(without)},
        )
    several = [i + 1 for i, n in enumerate(facts.images_per_page) if n > 1]
    if several:
        raise ScanRefused(
            "several_images",
            _("Pages %(pages)s hold more than one image: scan one page of paper per image.")
            % {"pages": _pages_list(several)},
        )
    if facts.pages != expected_images:
        raise ScanRefused(
            "count",
            _(
                "The scan has %(images)s images but the original has %(expected)s pages "
                "(pages with notes count twice): scan the whole document, every page once, "
                "in order."
            )
            % {"images": facts.pages, "expected": expected_images},
        )
    return facts


@dataclass(frozen=True)
class OcrOutcome:
    ok: bool
    pdf: bytes | None
    text: str
    code: str = ""
    error: str = ""


def languages() -> str:
    return str(getattr(settings, "MOTCUA_OCR_LANGUAGES", "vie") or "vie")


def ocr_available() -> bool:
    """Whether this server can OCR: tesseract with the configured languages, gs, ocrmypdf."""
    try:
        import ocrmypdf  # noqa: F401
    except ImportError:
        return False
    tesseract = shutil.which("tesseract")
    if not tesseract or not shutil.which("gs"):
        return False
    try:
        listed = subprocess.run(  # noqa: S603 — fixed arguments, no shell
            [tesseract, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    known = set((listed.stdout + listed.stderr).split())
    return all(lang in known for lang in languages().split("+"))


PRIOR_TEXT = 6  # OCRmyPDF's exit code when a page already has text


def _already_searchable(pdf: bytes) -> OcrOutcome:
    """A scan whose scanner already added a text layer: keep it, read its text."""
    try:
        from pdfminer.high_level import extract_text

        text = extract_text(io.BytesIO(pdf))
    except Exception:  # pdfminer raises many types on odd files; the text is a bonus
        text = ""
    return OcrOutcome(ok=True, pdf=None, text=unicodedata.normalize("NFC", text).strip())


def _failure(code: int | None, stderr: str) -> OcrOutcome:
    messages = {
        2: _("The scan is not a PDF that OCR can read."),
        3: _("OCR is not installed on the server (Tesseract with Vietnamese data is needed)."),
        6: _("The document already contains text; it needs no OCR."),
        8: _("The scan is encrypted; OCR cannot read it."),
        10: _("The searchable copy could not be made PDF/A-conformant."),
    }
    message = messages.get(code or -1) or _("OCR failed (exit code %(code)s).") % {"code": code}
    log.warning("ocr.failed", code=code, detail=stderr[-500:])
    return OcrOutcome(ok=False, pdf=None, text="", code=f"ocr_{code}", error=str(message))


def ocr_pdf(pdf: bytes, *, timeout: float | None = None) -> OcrOutcome:
    """A searchable PDF/A of ``pdf`` with its recognised text, or why it failed."""
    configured: float = getattr(settings, "MOTCUA_OCR_TIMEOUT", 600)
    limit = float(timeout or configured)
    jobs = getattr(settings, "MOTCUA_OCR_JOBS", None)
    with tempfile.TemporaryDirectory(prefix="motcua-ocr-") as tmp:
        source, target, sidecar = Path(tmp, "in.pdf"), Path(tmp, "out.pdf"), Path(tmp, "out.txt")
        source.write_bytes(pdf)
        command = [
            sys.executable,
            "-m",
            "ocrmypdf",
            "--language",
            languages(),
            "--output-type",
            "pdfa",
            "--optimize",
            "0",
            "--sidecar",
            str(sidecar),
            "--quiet",
        ]
        if jobs:
            command += ["--jobs", str(int(jobs))]
        command += [str(source), str(target)]
        try:
            completed = subprocess.run(  # noqa: S603 — our own interpreter, fixed arguments
                command, capture_output=True, text=True, timeout=limit, check=False
            )
        except subprocess.TimeoutExpired:
            return OcrOutcome(
                ok=False,
                pdf=None,
                text="",
                code="ocr_timeout",
                error=_("OCR took longer than %(seconds)s seconds and was stopped.")
                % {"seconds": int(limit)},
            )
        except OSError:
            return _failure(3, "")
        if completed.returncode == PRIOR_TEXT:
            return _already_searchable(pdf)
        if completed.returncode != 0 or not target.exists():
            return _failure(completed.returncode, completed.stderr)
        text = sidecar.read_text(encoding="utf-8", errors="replace") if sidecar.exists() else ""
        return OcrOutcome(
            ok=True, pdf=target.read_bytes(), text=unicodedata.normalize("NFC", text).strip()
        )
