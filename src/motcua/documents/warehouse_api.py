"""The data warehouse over the REST API: the caller's own documents only.

* ``GET /api/v1/documents/`` — the caller's warehouse, newest first (``?limit=&offset=``).
* ``POST /api/v1/documents/`` — multipart ``file`` (+ optional ``title``): every upload
  check of ``motcua.documents.checks``; 201 with the document, or 400
  ``{"errors": {"file": [message]}, "code": "<check>"}`` and nothing stored.
* ``GET /api/v1/documents/{reference}/`` — one document's description.
* ``GET /api/v1/documents/{reference}/content/`` — the file, as an attachment, never
  sniffed.

A document that is not the caller's answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.documents.checks import SizeLimitUploadHandler, UploadRefused
from motcua.documents.models import Document
from motcua.documents.services import document_upload, warehouse_document, warehouse_documents

MAX_LIMIT = 100


def document_json(document: Document, request: Request) -> dict[str, Any]:
    content = reverse("api:document-content", args=[document.reference])
    return {
        "reference": str(document.reference),
        "title": document.title,
        "filename": document.filename,
        "kind": document.kind,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "page_count": document.page_count,
        "created_at": document.created_at.isoformat(),
        "content_url": request.build_absolute_uri(content),
    }


class DocumentSerializer(serializers.Serializer[Document]):
    """For the OpenAPI description (the views build the same fields)."""

    reference = serializers.UUIDField()
    title = serializers.CharField()
    filename = serializers.CharField()
    kind = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    page_count = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    content_url = serializers.URLField()


class DocumentPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    results = DocumentSerializer(many=True)


def _not_found() -> Response:
    return Response({"detail": _("No such document."), "code": "not_found"}, status=404)


def _number(raw: str | None, default: int, maximum: int) -> int:
    try:
        return max(0, min(int(raw or default), maximum))
    except ValueError:
        return default


class WarehouseListView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        # Before anything reads the body (the CSRF check does): stop past the size limit.
        if request.method == "POST":
            self.size_limit = SizeLimitUploadHandler(request)
            request.upload_handlers.insert(0, self.size_limit)
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        operation_id="documents_list",
        summary="The caller's data warehouse",
        parameters=[
            OpenApiParameter("limit", int, description=f"at most {MAX_LIMIT}"),
            OpenApiParameter("offset", int),
        ],
        responses={200: DocumentPageSerializer},
    )
    def get(self, request: Request) -> Response:
        documents = warehouse_documents(request.user)  # type: ignore[arg-type]
        limit = _number(request.query_params.get("limit"), 20, MAX_LIMIT)
        offset = _number(request.query_params.get("offset"), 0, 10**9)
        page = list(documents[offset : offset + limit])
        return Response(
            {"count": documents.count(), "results": [document_json(d, request) for d in page]}
        )

    @extend_schema(
        summary="Upload a document into the caller's warehouse",
        request={
            "multipart/form-data": inline_serializer(
                "WarehouseUpload",
                {"file": serializers.FileField(), "title": serializers.CharField(required=False)},
            )
        },
        responses={201: DocumentSerializer},
    )
    def post(self, request: Request) -> Response:
        files = request.FILES.getlist("file")
        exceeded = getattr(self, "size_limit", None) is not None and self.size_limit.exceeded
        if not files and not exceeded:
            return Response({"errors": {"file": [_("No file was sent.")]}, "code": "missing"}, 400)
        try:
            document = document_upload(
                actor=request.user,  # type: ignore[arg-type]
                upload=files[0] if files else _Empty(),
                title=str(request.POST.get("title", ""))[:300],
                size_exceeded=exceeded,
            )
        except UploadRefused as refused:
            status = 413 if refused.code == "size" else 400
            return Response({"errors": {"file": [refused.message]}, "code": refused.code}, status)
        return Response(document_json(document, request), status=201)


class _Empty:
    name: str | None = "file"

    def chunks(self, chunk_size: int | None = None) -> list[bytes]:
        return []


class WarehouseDocumentView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="One document of the caller's warehouse", responses={200: DocumentSerializer}
    )
    def get(self, request: Request, reference: str) -> Response:
        try:
            document = warehouse_document(request.user, reference)  # type: ignore[arg-type]
        except Document.DoesNotExist:
            return _not_found()
        return Response(document_json(document, request))


class WarehouseContentView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The document's file (an attachment)",
        responses={(200, "application/octet-stream"): bytes},
    )
    def get(self, request: Request, reference: str) -> Any:
        try:
            document = warehouse_document(request.user, reference)  # type: ignore[arg-type]
        except Document.DoesNotExist:
            return _not_found()
        response = FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.filename,
            content_type=document.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
