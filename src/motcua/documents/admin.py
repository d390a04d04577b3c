"""Documents in the administration site: read-only, and no file through it.

Operators check what is stored (kind, type, size, hash, OCR state, whether it is in an
owner's warehouse); the files themselves are served only through the access gates of
the portal, the back office and the API. Documents are immutable: nothing is edited or
deleted here.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from motcua.documents.models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "content_type", "size", "province_code", "in_warehouse")
    list_filter = ("kind", "content_type", "in_warehouse", "ocr_status")
    search_fields = ("=sha256", "=reference")
    ordering = ("-created_at",)
    # Not the file name, title or text: they may carry personal data; not the file: no gate.
    fields = readonly_fields = (
        "reference",
        "kind",
        "content_type",
        "size",
        "sha256",
        "page_count",
        "province_code",
        "in_warehouse",
        "ocr_status",
        "created_at",
    )
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
