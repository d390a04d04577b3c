"""Public look-up of a dossier by its code and the applicant's ID number.

Anyone holding the receipt slip may follow the dossier (the slip's QR code points to
the portal page). The answer holds the procedure, the status (label and national
code), the received and due dates, and the timeline as action labels and times — no
names, reasons, units' staff or personal data.

A wrong pair (code + ID number) answers exactly like an unknown code, so the look-up
cannot tell whether a code exists. Both doors are rate-limited against enumeration:
the API with DRF's ``public`` throttle scope (``API_THROTTLE_PUBLIC``), the portal page
with a per-address limit (``motcua.portal.lookup``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from motcua.core.throttling import FixedWindowThrottle
from motcua.dossiers.access import DossierNotFound
from motcua.dossiers.api_common import (
    DetailErrorSerializer,
    DossierStatusField,
    FieldErrorsSerializer,
    JSONAPIView,
)
from motcua.dossiers.lookup_cache import lookup_cached, lookup_keep
from motcua.dossiers.models import NATIONAL_STATUS_CODE, Status

# Dossier codes as issued (``H15.50.05.13-261008-0975``) or accepted from national systems.
DOSSIER_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")
# A 12-digit personal ID number or a 10/13/14-character tax code.
ID_NUMBER = re.compile(r"[0-9][0-9-]{8,13}")

ACTION_LABELS: dict[str, Any] = {
    "submit": _("Submitted"),
    "receive": _("Received"),
    "refuse": _("Not received"),
    "request_supplement": _("Supplement requested"),
    "supplement": _("Supplement provided"),
    "forward": _("Handed over for processing"),
    "send_back": _("Sent back for rework"),
    "approve": _("Approved"),
    "mark_result_ready": _("Result ready"),
    "request_payment": _("Payment requested"),
    "confirm_payment": _("Payment confirmed"),
    "return_result": _("Result returned"),
    "withdraw": _("Withdrawn at the applicant's request"),
    "stop": _("Processing stopped"),
    "apologise_extend": _("New promised date (with apology)"),
}


@dataclass(frozen=True)
class PublicStep:
    action: str
    label: str
    occurred_at: datetime


@dataclass(frozen=True)
class PublicDossier:
    """What the public look-up may show, and nothing more."""

    code: str
    procedure_code: str
    procedure_name: str
    status: str
    status_label: str
    national_status: int
    received_at: datetime | None
    due_at: datetime | None
    timeline: list[PublicStep]


def _aware(value: Any) -> datetime | None:
    """A timestamp from a raw query: aware on PostgreSQL, naive UTC on SQLite."""
    if value is None or not isinstance(value, datetime):
        return value
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# The look-up is the most frequent public request: two short statements written once,
# not compiled by the ORM on every call (the ORM's compilation cost more than PostgreSQL's
# execution of them). ``test_lookup_sql_names_the_models_tables`` keeps the names true.
_DOSSIER_SQL = (
    "SELECT d.id, d.code, d.status, d.received_at, d.due_at, p.code, v.name, v.name_en "
    "FROM dossiers_dossier d "
    "JOIN catalog_procedureversion v ON v.id = d.procedure_version_id "
    "JOIN catalog_procedure p ON p.id = v.procedure_id "
    "WHERE d.code = %s AND d.applicant_id_number = %s"
)
_STEPS_SQL = (
    "SELECT action, occurred_at FROM dossiers_dossierevent WHERE dossier_id = %s ORDER BY seq"
)
# On PostgreSQL the timeline comes in the same statement, as JSON: one round trip.
_DOSSIER_WITH_STEPS_SQL = _DOSSIER_SQL.replace(
    " FROM dossiers_dossier d ",
    ", (SELECT json_agg(json_build_array(e.action, e.occurred_at) ORDER BY e.seq) "
    "FROM dossiers_dossierevent e WHERE e.dossier_id = d.id) "
    "FROM dossiers_dossier d ",
)


def dossier_public_lookup(*, code: str, id_number: str) -> PublicDossier:
    """The dossier with this code whose applicant has this ID number; else DossierNotFound."""
    code, id_number = code.strip(), id_number.strip()
    if not (DOSSIER_CODE.fullmatch(code) and ID_NUMBER.fullmatch(id_number)):
        raise DossierNotFound(code)
    language = "en" if (get_language() or "vi").lower().startswith("en") else "vi"
    kept = lookup_cached(code, id_number, language)
    if isinstance(kept, PublicDossier):
        return kept
    found = _lookup_in_database(code, id_number, english=language == "en")
    lookup_keep(code, id_number, language, found)
    return found


def _lookup_in_database(code: str, id_number: str, *, english: bool) -> PublicDossier:
    one_statement = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(
            _DOSSIER_WITH_STEPS_SQL if one_statement else _DOSSIER_SQL, [code, id_number]
        )
        row = cursor.fetchone()
        if row is None:
            raise DossierNotFound(code)
        pk, found_code, status, received_at, due_at, procedure_code, name, name_en = row[:8]
        if one_statement:
            steps = [(a, datetime.fromisoformat(t)) for a, t in (row[8] or [])]
        else:
            cursor.execute(_STEPS_SQL, [pk])
            steps = cursor.fetchall()
    return PublicDossier(
        code=found_code or "",
        procedure_code=procedure_code,
        procedure_name=(name_en if english and name_en else name),
        status=status,
        status_label=str(Status(status).label),
        national_status=NATIONAL_STATUS_CODE[status],
        received_at=_aware(received_at),
        due_at=_aware(due_at),
        timeline=[
            PublicStep(action=a, label=str(ACTION_LABELS.get(a, a)), occurred_at=_aware(t))
            for a, t in steps
        ],
    )


def public_body(found: PublicDossier) -> dict[str, Any]:
    """The API's answer (``PublicDossierSerializer``'s fields), built without a serializer."""

    def stamp(value: datetime | None) -> str | None:
        return drf_datetime.to_representation(value) if value is not None else None

    return {
        "code": found.code,
        "procedure_code": found.procedure_code,
        "procedure_name": found.procedure_name,
        "status": found.status,
        "status_label": found.status_label,
        "national_status": found.national_status,
        "received_at": stamp(found.received_at),
        "due_at": stamp(found.due_at),
        "timeline": [
            {"action": s.action, "label": s.label, "occurred_at": stamp(s.occurred_at)}
            for s in found.timeline
        ],
    }


drf_datetime = serializers.DateTimeField()


class PublicStepSerializer(serializers.Serializer[PublicStep]):
    action = serializers.CharField()
    label = serializers.CharField()
    occurred_at = serializers.DateTimeField()


class PublicDossierSerializer(serializers.Serializer[PublicDossier]):
    code = serializers.CharField()
    procedure_code = serializers.CharField()
    procedure_name = serializers.CharField()
    status = DossierStatusField()
    status_label = serializers.CharField()
    national_status = serializers.IntegerField(help_text="TrangThaiHoSo, 1–10.")
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    timeline = PublicStepSerializer(many=True)


class LookupQuerySerializer(serializers.Serializer[Any]):
    id_number = serializers.CharField(
        max_length=20, help_text="The applicant's personal ID number or tax code."
    )


@extend_schema_view(
    get=extend_schema(
        operation_id="dossier_public_lookup",
        summary="Follow a dossier by its code and the applicant's ID number (no login)",
        description="A wrong pair answers exactly like an unknown code (404). Throttled "
        "(scope `public`); no personal data in the answer.",
        parameters=[
            OpenApiParameter("code", str, OpenApiParameter.PATH, description="Dossier code."),
            LookupQuerySerializer,
        ],
        responses={
            200: PublicDossierSerializer,
            400: OpenApiResponse(FieldErrorsSerializer, "The ID number is missing."),
            404: OpenApiResponse(DetailErrorSerializer, "No dossier with this code and ID."),
            429: OpenApiResponse(DetailErrorSerializer, "Too many look-ups; retry later."),
        },
    )
)
class PublicDossierLookupView(JSONAPIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [FixedWindowThrottle]
    throttle_scope = "public"

    def get(self, request: Request, **kwargs: str) -> Response:
        id_number = request.query_params.get("id_number", "")
        if not id_number or len(id_number) > 20:  # what LookupQuerySerializer documents
            query = LookupQuerySerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
        found = dossier_public_lookup(code=kwargs["code"], id_number=id_number)
        response = Response(public_body(found))
        response["Cache-Control"] = "no-store"
        return response
