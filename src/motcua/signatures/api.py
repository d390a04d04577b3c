"""Verification API (public) and revocation (leaders of the issuing unit).

* ``POST /api/v1/verify/`` — multipart ``file`` (a PDF), optional ``token`` (the code of
  its QR): the verification report as JSON.
* ``GET /api/v1/verify/{token}/`` — what motcua registered under a verification code.
* ``POST /api/v1/signed-documents/{token}/revoke/`` — ``{"reason": "…"}``.

The public endpoints take no login and are throttled with the ``public`` scope
(``API_THROTTLE_PUBLIC``); they show no personal data: titles, units, dates, hashes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.signatures.models import SignedResult
from motcua.signatures.services import signed_result_revoke, verification_url
from motcua.signatures.verification import (
    SignatureReport,
    VerificationReport,
    pdf_verify,
    result_by_token,
)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "MOTCUA_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def registered_json(result: SignedResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "token": result.token,
        "kind": result.kind,
        "title": result.title,
        "reference": result.subject_ref,
        "unit": {"code": result.unit.code, "name": result.unit.name},
        "signed_at": result.signed_at.isoformat(),
        "sha256": result.sha256,
        "revoked": result.revoked,
        "revoked_at": result.revoked_at.isoformat() if result.revoked_at else None,
        "revocation_reason": result.revocation_reason or None,
        "verification_url": verification_url(result.token),
    }


def _signature_json(s: SignatureReport) -> dict[str, Any]:
    return {
        "field": s.field_name,
        "intact": s.intact,
        "valid": s.valid,
        "trusted": s.trusted,
        "modified_after_signing": s.modified_after,
        "covers_whole_file": s.covers_whole_file,
        "signer": s.signer_name,
        "organisation": s.organisation,
        "unit": {"code": s.unit_code, "name": s.unit_name} if s.unit_code else None,
        "certificate": {
            "subject": s.subject,
            "issuer": s.issuer,
            "serial": s.serial,
            "sha256": s.fingerprint,
            "not_before": s.not_before.isoformat() if s.not_before else None,
            "not_after": s.not_after.isoformat() if s.not_after else None,
            "development_only": s.development_only,
        },
        "signed_at": s.signed_at.isoformat() if s.signed_at else None,
        "problem": s.problem or None,
    }


def report_json(report: VerificationReport) -> dict[str, Any]:
    return {
        "verdict": str(report.verdict),
        "verdict_label": report.verdict_label,
        "sha256": report.sha256,
        "size": report.size,
        "signatures": [_signature_json(s) for s in report.signatures],
        "registered": registered_json(report.registered),
        "claims_to_be": registered_json(report.claimed),
        "matches_token": report.matches_expected,
        "development_only": report.development_only,
    }


class _Public(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public"


_REPORT = inline_serializer(
    "VerificationReport",
    {
        "verdict": serializers.ChoiceField(
            choices=[
                "valid",
                "revoked",
                "altered",
                "untrusted",
                "not_registered",
                "unsigned",
                "encrypted",
                "unreadable",
            ]
        ),
        "verdict_label": serializers.CharField(),
        "sha256": serializers.CharField(),
        "size": serializers.IntegerField(),
        "signatures": serializers.ListField(child=serializers.DictField()),
        "registered": serializers.DictField(allow_null=True),
        "claims_to_be": serializers.DictField(allow_null=True),
        "matches_token": serializers.BooleanField(allow_null=True),
        "development_only": serializers.BooleanField(),
    },
)
_ERROR = inline_serializer("VerificationError", {"detail": serializers.CharField()})


class VerifyUploadView(_Public):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="verify_pdf",
        summary="Verify a PDF: signatures, registration, revocation",
        request={
            "multipart/form-data": inline_serializer(
                "VerifyUpload",
                {"file": serializers.FileField(), "token": serializers.CharField(required=False)},
            )
        },
        responses={
            200: _REPORT,
            400: OpenApiResponse(_ERROR),
            413: OpenApiResponse(_ERROR),
        },
        tags=["verification"],
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            return Response(
                {"detail": _("Attach the PDF to check as “file”.")}, status.HTTP_400_BAD_REQUEST
            )
        if upload.size is None or upload.size > max_bytes():
            return Response(
                {"detail": _("The file is too large to check.")},
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        token = str(request.POST.get("token") or "")[:64] or None
        report = pdf_verify(upload.read(), token=token)
        return Response(report_json(report))


class VerifyTokenView(_Public):
    @extend_schema(
        operation_id="verify_token",
        summary="What motcua registered under a verification code",
        responses={200: OpenApiResponse(description="The registered document"), 404: _ERROR},
        tags=["verification"],
    )
    def get(self, request: Request, token: str) -> Response:
        result = result_by_token(token)
        if result is None:
            return Response(
                {"detail": _("No document is registered under this code.")},
                status.HTTP_404_NOT_FOUND,
            )
        return Response(registered_json(result))


class RevokeView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="signed_document_revoke",
        summary="Revoke a signed document with a reason",
        request=inline_serializer("Revoke", {"reason": serializers.CharField()}),
        responses={200: OpenApiResponse(description="The revoked document"), 400: _ERROR},
        tags=["verification"],
    )
    def post(self, request: Request, token: str) -> Response:
        data = request.data
        reason = data.get("reason") if isinstance(data, dict) else None
        try:
            result = signed_result_revoke(
                actor=request.user,  # type: ignore[arg-type]
                token=token,
                reason=str(reason or ""),
            )
        except PermissionDenied as exc:
            return Response({"detail": exc.message}, status.HTTP_403_FORBIDDEN)
        except Conflict as exc:
            return Response({"detail": exc.message}, status.HTTP_409_CONFLICT)
        except DomainError as exc:
            code = status.HTTP_404_NOT_FOUND if exc.field == "token" else 400
            return Response({"detail": exc.message, "field": exc.field}, code)
        result = SignedResult.objects.select_related("unit").get(pk=result.pk)
        return Response(registered_json(result))
