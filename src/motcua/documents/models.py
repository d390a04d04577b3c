"""Stored documents: uploads, counter scans, signed results, certified copies, slips.

A document is immutable content (its SHA-256 is stored) in the configured storage.
It belongs to a province (tenant) and, when it is a citizen's or a business's, to an
account: the personal data warehouse (Decree 45/2020 Art. 16) is the set of an
account's documents kept ``in_warehouse``. Files are served only through the access
gate of whatever refers to them, never from a public URL.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    UPLOAD = "upload", _("uploaded by the applicant")
    SCAN = "scan", _("scanned at the counter")
    RESULT = "result", _("result of a procedure")
    CERTIFIED_COPY = "certified_copy", _("certified electronic copy")
    SLIP = "slip", _("official slip")


class OcrStatus(models.TextChoices):
    NONE = "none", _("not requested")
    PENDING = "pending", _("pending")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


def _upload_to(instance: Document, filename: str) -> str:
    return f"documents/{instance.province_code or 'national'}/{instance.reference}"


class Document(models.Model):
    reference = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=_upload_to, max_length=300)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    province_code = models.CharField(_("province (tenant)"), max_length=8, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    in_warehouse = models.BooleanField(_("kept in the owner's data warehouse"), default=False)
    title = models.CharField(_("title"), max_length=300, blank=True)
    ocr_status = models.CharField(
        _("OCR"), max_length=16, choices=OcrStatus.choices, default=OcrStatus.NONE
    )
    ocr_text = models.TextField(_("recognised text"), blank=True)
    ocr_error = models.TextField(_("OCR error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [
            models.Index(
                fields=["owner", "in_warehouse", "-created_at"], name="document_warehouse_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.filename
