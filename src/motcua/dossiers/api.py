"""REST API of dossiers (wired in ``motcua.api.urls``): thin — parse, call a service, serialize.

* ``POST /api/v1/dossiers/`` submits; ``GET`` lists what ``visible_dossiers`` allows
  (filters ``status``, ``procedure``; cursor pagination on ``-id``).
* ``GET /api/v1/dossiers/{id}/`` is the whole dossier; ``{id}`` is the dossier code, or
  before reception its reference UUID.
* ``POST /api/v1/dossiers/{id}/{action}/`` — one endpoint per row of
  ``lifecycle.TRANSITIONS``, named as ``available_actions`` names it.
* ``POST /api/v1/intake/dossiers/`` — a national portal hands over a dossier
  (integration token with scope ``intake``; idempotent on the external code).

Every command accepts ``Idempotency-Key`` (``motcua.core.idempotency``): the service
call, the serialization of its answer and the stored answer share one transaction.

Errors are mapped to HTTP in ``api_common`` (and ``docs/api.md``); messages are in the
request's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from motcua.accounts.models import User
from motcua.catalog.models import Channel, ProcedureCase, ProcedureVersion
from motcua.core.clock import local_now
from motcua.core.errors import Conflict
from motcua.dossiers import services
from motcua.dossiers.access import access_dossier, available_actions, visible_dossiers
from motcua.dossiers.api_common import (
    ID_PARAMETER,
    IDEMPOTENCY_KEY,
    PUBLIC_ID,
    DossierStatusField,
    JSONAPIView,
    NamedChoiceField,
    checked_public_id,
    detail_response,
    dossier_url,
    error_responses,
)
from motcua.dossiers.lifecycle import TRANSITIONS
from motcua.dossiers.models import (
    ApplicantKind,
    Dossier,
    DossierComponent,
    DossierEvent,
    ReceivedAs,
)
from motcua.dossiers.services import Applicant, ComponentInput, InvalidInput
from motcua.integrations.auth import (
    HasIntegrationScope,
    IntegrationPrincipal,
    IntegrationTokenAuthentication,
)
from motcua.units.models import Unit

CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,39}")


# --- output -----------------------------------------------------------------------------------
class UnitRefSerializer(serializers.ModelSerializer[Unit]):
    class Meta:
        model = Unit
        fields = ["code", "name"]


class ApplicantOutSerializer(serializers.ModelSerializer[Dossier]):
    kind = serializers.CharField(source="applicant_kind")
    name = serializers.CharField(source="applicant_name")
    id_number = serializers.CharField(source="applicant_id_number")
    address = serializers.CharField(source="applicant_address")
    phone = serializers.CharField(source="applicant_phone")
    email = serializers.CharField(source="applicant_email")
    account = serializers.IntegerField(source="applicant_account_id", allow_null=True)

    class Meta:
        model = Dossier
        fields = [
            "kind",
            "name",
            "id_number",
            "address",
            "phone",
            "email",
            "representative_name",
            "representative_id_number",
            "account",
        ]


class ComponentOutSerializer(serializers.ModelSerializer[DossierComponent]):
    class Meta:
        model = DossierComponent
        fields = ["code", "name", "received_as", "count", "digitization", "from_national_warehouse"]


class EventSerializer(serializers.ModelSerializer[DossierEvent]):
    actor = serializers.IntegerField(source="actor_id", allow_null=True, help_text="Account id.")
    actor_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    to_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = DossierEvent
        fields = [
            "seq",
            "action",
            "occurred_at",
            "from_status",
            "to_status",
            "actor",
            "actor_unit",
            "to_unit",
            "reason",
            "data",
            "due_at",
        ]


class DossierSummarySerializer(serializers.ModelSerializer[Dossier]):
    id = serializers.CharField(source="public_id", help_text="Code, or reference before it.")
    status = DossierStatusField()
    status_label = serializers.CharField(source="get_status_display")
    national_status = serializers.IntegerField(help_text="TrangThaiHoSo, 1–10.")
    procedure = serializers.CharField(source="procedure_version.procedure.code")
    procedure_name = serializers.CharField(source="procedure_version.name")
    case = serializers.CharField(source="case.code")
    applicant_name = serializers.CharField()
    receiving_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    handling_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            "id",
            "reference",
            "code",
            "external_code",
            "status",
            "status_label",
            "national_status",
            "procedure",
            "procedure_name",
            "case",
            "channel",
            "applicant_name",
            "receiving_unit",
            "handling_unit",
            "submitted_at",
            "received_at",
            "due_at",
            "url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, dossier: Dossier) -> str:
        return dossier_url(dossier, self.context.get("request"))


class DossierDetailSerializer(DossierSummarySerializer):
    procedure_version = serializers.IntegerField(source="procedure_version.number")
    applicant = ApplicantOutSerializer(source="*")
    receiving_unit = UnitRefSerializer()  # type: ignore[assignment]
    handling_unit = UnitRefSerializer()  # type: ignore[assignment]
    supporting_units = UnitRefSerializer(many=True)
    components = ComponentOutSerializer(many=True)
    timeline = EventSerializer(source="events", many=True)
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            *DossierSummarySerializer.Meta.fields,
            "procedure_version",
            "request_summary",
            "applicant",
            "supporting_units",
            "form_data",
            "components",
            "original_due_at",
            "paused_at",
            "result_ready_at",
            "returned_at",
            "ended_at",
            "supplement_count",
            "extension_count",
            "approved",
            "verified_with_national_id",
            "timeline",
            "available_actions",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, dossier: Dossier) -> list[str]:
        return available_actions(self.context["request"].user, dossier)


class IntakeOutSerializer(DossierSummarySerializer):
    class Meta:
        model = Dossier
        fields = [
            "id",
            "reference",
            "code",
            "external_code",
            "status",
            "national_status",
            "procedure",
            "case",
            "receiving_unit",
            "handling_unit",
            "submitted_at",
        ]


def dossier_body(dossier: Dossier, request: Request) -> dict[str, Any]:
    dossier = (
        Dossier.objects.select_related(
            "procedure_version__procedure", "case", "receiving_unit", "handling_unit"
        )
        .prefetch_related(
            "supporting_units",
            "components",
            Prefetch("events", DossierEvent.objects.select_related("actor_unit", "to_unit")),
        )
        .get(pk=dossier.pk)
    )
    return dict(DossierDetailSerializer(dossier, context={"request": request}).data)


# --- input ------------------------------------------------------------------------------------
def _text(max_length: int, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, **kwargs)


def _optional_text(max_length: int, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default="", **kwargs
    )


class ApplicantInSerializer(serializers.Serializer[Any]):
    kind = NamedChoiceField(component="ApplicantKind", choices=ApplicantKind.choices)
    name = _text(200)
    id_number = _text(14, help_text="12-digit personal ID number, or a tax code.")
    address = _optional_text(300)
    phone = _optional_text(20)
    email = serializers.EmailField(required=False, allow_blank=True, default="", max_length=254)
    representative_name = _optional_text(200)
    representative_id_number = _optional_text(12)


class ComponentInSerializer(serializers.Serializer[Any]):
    code = _text(40)
    received_as = serializers.ChoiceField(choices=ReceivedAs.choices, default=ReceivedAs.ELECTRONIC)
    count = serializers.IntegerField(min_value=1, max_value=100, default=1)


class SubmitSerializer(serializers.Serializer[Any]):
    procedure = _text(40, help_text="National procedure code; the version in force is used.")
    case = _text(40, help_text="Code of the case within that version.")
    channel = serializers.ChoiceField(choices=Channel.choices)
    receiving_unit = _text(40, help_text="Electronic agency ID of the receiving unit.")
    applicant = ApplicantInSerializer()
    form_data = serializers.DictField(required=False, default=dict)
    components = ComponentInSerializer(many=True, required=False, default=list, max_length=100)


class IntakeSerializer(SubmitSerializer):
    external_code = _text(64, help_text="The dossier's code on the national portal.")
    receiving_unit = _text(  # type: ignore[assignment]
        40, required=False, help_text="Default: the client's unit."
    )
    verified_with_national_id = serializers.BooleanField(default=False)

    def validate_external_code(self, value: str) -> str:
        if not PUBLIC_ID.fullmatch(value):
            raise serializers.ValidationError(_("Use letters, digits, dots and hyphens."))
        return value


def _case_in_force(procedure: str, case: str) -> ProcedureCase:
    if not CODE.fullmatch(procedure):
        raise InvalidInput({"procedure": [_("There is no procedure with this code in force.")]})
    version = (
        ProcedureVersion.objects.in_force(local_now().date())
        .filter(procedure__code=procedure)
        .order_by("-number")
        .first()
    )
    if version is None:
        raise InvalidInput({"procedure": [_("There is no procedure with this code in force.")]})
    found = ProcedureCase.objects.filter(version=version, code=case).first()
    if found is None:
        raise InvalidInput({"case": [_("This procedure has no case with this code.")]})
    return found


def unit_by_code(code: str, field: str) -> Unit:
    unit = Unit.objects.filter(code=code).first() if CODE.fullmatch(code) else None
    if unit is None:
        raise InvalidInput({field: [_("There is no unit with this code.")]})
    return unit


def _submission(data: Mapping[str, Any]) -> dict[str, Any]:
    """Service arguments from validated submit/intake data (codes resolved)."""
    return {
        "case": _case_in_force(data["procedure"], data["case"]),
        "applicant": Applicant(**data["applicant"]),
        "channel": data["channel"],
        "form_data": data["form_data"],
        "components": [ComponentInput(**c) for c in data["components"]],
    }


# --- views: submit, list, detail -------------------------------------------------------------
class DossierFilterSerializer(serializers.Serializer[Any]):
    status = DossierStatusField(required=False)
    procedure = _text(40, required=False, help_text="National procedure code.")


class DossierCursorPagination(CursorPagination):
    ordering = "-id"
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_cursor_message = gettext_lazy("This cursor is not valid: start from the first page.")


@extend_schema_view(
    get=extend_schema(
        operation_id="dossier_list",
        summary="Dossiers visible to you",
        parameters=[DossierFilterSerializer],
        responses={200: DossierSummarySerializer(many=True), **error_responses(400, 403, 404)},
    ),
    post=extend_schema(
        operation_id="dossier_submit",
        summary="Submit a dossier",
        request=SubmitSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: DossierDetailSerializer, **error_responses(400, 403, 409, 413, 422)},
    ),
)
class DossierListView(ListAPIView[Dossier], JSONAPIView):
    serializer_class = DossierSummarySerializer
    pagination_class = DossierCursorPagination

    def get_queryset(self) -> QuerySet[Dossier]:
        return visible_dossiers(cast(User, self.request.user)).select_related(
            "procedure_version__procedure", "case", "receiving_unit", "handling_unit"
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        filters = DossierFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = self.get_queryset()
        if "status" in filters.validated_data:
            qs = qs.filter(status=filters.validated_data["status"])
        if "procedure" in filters.validated_data:
            qs = qs.filter(procedure_version__procedure__code=filters.validated_data["procedure"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def post(self, request: Request) -> Response:
        def run() -> tuple[int, Any]:
            given = SubmitSerializer(data=request.data)
            given.is_valid(raise_exception=True)
            data = given.validated_data
            dossier = services.dossier_submit(
                actor=cast(User, request.user),
                receiving_unit=unit_by_code(data["receiving_unit"], "receiving_unit"),
                **_submission(data),
            )
            return 201, dossier_body(dossier, request)

        response = self.command(request, run)
        if response.status_code == 201:
            response["Location"] = response.data["url"]
        return response


@extend_schema_view(
    get=extend_schema(
        operation_id="dossier_detail",
        summary="One dossier, with components, timeline and the actions open to you",
        parameters=[ID_PARAMETER],
        responses={200: DossierDetailSerializer, **error_responses(403, 404)},
    )
)
class DossierDetailView(JSONAPIView):
    def get(self, request: Request, **kwargs: str) -> Response:
        dossier = access_dossier(cast(User, request.user), checked_public_id(kwargs["id"]))
        return Response(dossier_body(dossier, request))


# --- views: one command per transition -------------------------------------------------------
class NoteSerializer(serializers.Serializer[Any]):
    note = _optional_text(2000)


class ReasonSerializer(serializers.Serializer[Any]):
    reason = _optional_text(2000, help_text="Required by law for this action.")


class EmptySerializer(serializers.Serializer[Any]):
    pass


class RequestSupplementSerializer(ReasonSerializer):
    items = serializers.ListField(
        child=_text(500), max_length=50, help_text="Every missing item, once."
    )


class ForwardSerializer(NoteSerializer):
    to_unit = _text(40, required=False, help_text="Another unit's electronic agency ID.")


class SendBackSerializer(ReasonSerializer):
    to_unit = _text(40, required=False, help_text="Electronic agency ID to send it back to.")


class RequestPaymentSerializer(NoteSerializer):
    amount = serializers.IntegerField(min_value=1, max_value=10**13, help_text="VND.")


class ConfirmPaymentSerializer(serializers.Serializer[Any]):
    receipt = _optional_text(100)


class ReturnResultSerializer(serializers.Serializer[Any]):
    method = serializers.ChoiceField(choices=services.RETURN_METHODS, default="counter")


class ApologiseExtendSerializer(ReasonSerializer):
    new_due = serializers.DateTimeField(help_text="The new promised time (ISO 8601).")


def _to_unit(data: Mapping[str, Any]) -> Unit | None:
    return unit_by_code(data["to_unit"], "to_unit") if data.get("to_unit") else None


Call = Callable[[User, str, Mapping[str, Any]], Dossier]


@dataclass(frozen=True)
class Command:
    serializer: type[serializers.Serializer[Any]]
    call: Call
    summary: str


S = services
COMMANDS: dict[str, Command] = {
    "receive": Command(
        EmptySerializer,
        lambda u, i, d: S.dossier_receive(actor=u, public_id=i),
        "Receive: assign the code, fix the due date",
    ),
    "refuse": Command(
        ReasonSerializer,
        lambda u, i, d: S.dossier_refuse(actor=u, public_id=i, reason=d["reason"]),
        "Refuse to receive (reason required)",
    ),
    "request_supplement": Command(
        RequestSupplementSerializer,
        lambda u, i, d: S.dossier_request_supplement(
            actor=u, public_id=i, items=d["items"], reason=d["reason"]
        ),
        "Request a supplement, once, listing every missing item (the clock pauses)",
    ),
    "supplement": Command(
        NoteSerializer,
        lambda u, i, d: S.dossier_supplement(actor=u, public_id=i, note=d["note"]),
        "Supplement provided (the clock restarts)",
    ),
    "forward": Command(
        ForwardSerializer,
        lambda u, i, d: S.dossier_forward(
            actor=u, public_id=i, to_unit=_to_unit(d), note=d["note"]
        ),
        "Hand over to the next step or to another unit",
    ),
    "send_back": Command(
        SendBackSerializer,
        lambda u, i, d: S.dossier_send_back(
            actor=u, public_id=i, reason=d["reason"], to_unit=_to_unit(d)
        ),
        "Send back (reason required)",
    ),
    "approve": Command(
        NoteSerializer,
        lambda u, i, d: S.dossier_approve(actor=u, public_id=i, note=d["note"]),
        "Approve (leader)",
    ),
    "mark_result_ready": Command(
        EmptySerializer,
        lambda u, i, d: S.dossier_mark_result_ready(actor=u, public_id=i),
        "The result is ready",
    ),
    "request_payment": Command(
        RequestPaymentSerializer,
        lambda u, i, d: S.dossier_request_payment(
            actor=u, public_id=i, amount=d["amount"], note=d["note"]
        ),
        "Ask the applicant to pay fees or taxes",
    ),
    "confirm_payment": Command(
        ConfirmPaymentSerializer,
        lambda u, i, d: S.dossier_confirm_payment(actor=u, public_id=i, receipt=d["receipt"]),
        "Confirm the payment",
    ),
    "return_result": Command(
        ReturnResultSerializer,
        lambda u, i, d: S.dossier_return_result(actor=u, public_id=i, method=d["method"]),
        "Return the result (counter, post, warehouse or e-mail)",
    ),
    "withdraw": Command(
        ReasonSerializer,
        lambda u, i, d: S.dossier_withdraw(actor=u, public_id=i, reason=d["reason"]),
        "Withdraw at the applicant's request",
    ),
    "stop": Command(
        ReasonSerializer,
        lambda u, i, d: S.dossier_stop(actor=u, public_id=i, reason=d["reason"]),
        "Stop processing (reason required)",
    ),
    "apologise_extend": Command(
        ApologiseExtendSerializer,
        lambda u, i, d: S.dossier_apologise_extend(
            actor=u, public_id=i, new_due=d["new_due"], reason=d["reason"]
        ),
        "Apologise and promise a new date, once, a working day before the due",
    ),
}
assert set(COMMANDS) == set(TRANSITIONS), "every transition has its endpoint"


class DossierCommandView(JSONAPIView):
    action_name = ""

    def post(self, request: Request, **kwargs: str) -> Response:
        command = COMMANDS[self.action_name]
        public_id = checked_public_id(kwargs["id"])
        user = cast(User, request.user)

        def run() -> tuple[int, Any]:
            given = command.serializer(data=request.data)
            given.is_valid(raise_exception=True)
            dossier = command.call(user, public_id, given.validated_data)
            return 200, dossier_body(dossier, request)

        return self.command(request, run)


def command_view(action: str) -> type[DossierCommandView]:
    command = COMMANDS[action]
    view = type(
        f"Dossier{action.title().replace('_', '')}View",
        (DossierCommandView,),
        {"action_name": action, "__doc__": command.summary},
    )
    return extend_schema_view(
        post=extend_schema(
            operation_id=f"dossier_{action}",
            summary=command.summary,
            request=command.serializer,
            parameters=[ID_PARAMETER, IDEMPOTENCY_KEY],
            responses={
                200: DossierDetailSerializer,
                **error_responses(400, 403, 404, 409, 413, 422),
            },
        )
    )(view)


@extend_schema(exclude=True)
class UnknownAddressView(JSONAPIView):
    """An unknown action or address under the dossier prefixes: a JSON 404, not an HTML page.

    It also answers addresses without their final slash, which would otherwise be
    redirected (and a POST body lost).
    """

    permission_classes: list[type] = []
    authentication_classes: list[type] = []

    def http_method_not_allowed(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        message = _("There is no such address or action in the API (addresses end with a slash).")
        return detail_response(message, "not_found", 404)


# --- intake: dossiers handed over by a national portal ----------------------------------------
@extend_schema_view(
    post=extend_schema(
        operation_id="intake_dossier",
        summary="Hand over a dossier submitted on a national portal (scope intake)",
        description="Idempotent on `external_code`: handing the same external code over "
        "again answers 200 with the dossier created the first time.",
        request=IntakeSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: IntakeOutSerializer,
            200: IntakeOutSerializer,
            **error_responses(400, 401, 403, 409, 413, 422),
        },
    )
)
class IntakeView(JSONAPIView):
    authentication_classes = [IntegrationTokenAuthentication]
    permission_classes = [HasIntegrationScope]
    required_scope = "intake"

    def post(self, request: Request) -> Response:
        client = cast(IntegrationPrincipal, request.user).client

        def existing(code: str, unit: Unit) -> tuple[int, Any] | None:
            dossier = Dossier.objects.filter(external_code=code).first()
            if dossier is None:
                return None
            if dossier.receiving_unit_id != unit.pk:
                raise Conflict(_("This external code was handed over to another unit."))
            return 200, IntakeOutSerializer(dossier, context={"request": request}).data

        def run() -> tuple[int, Any]:
            given = IntakeSerializer(data=request.data)
            given.is_valid(raise_exception=True)
            data = given.validated_data
            unit = client.unit
            if data.get("receiving_unit"):
                unit = unit_by_code(data["receiving_unit"], "receiving_unit")
                if unit.province_code != client.unit.province_code:
                    raise InvalidInput(
                        {"receiving_unit": [_("This client may not hand dossiers to this unit.")]}
                    )
            code = data["external_code"]
            if (answer := existing(code, unit)) is not None:
                return answer
            try:
                with transaction.atomic():
                    dossier = services.dossier_submit(
                        actor=None,
                        receiving_unit=unit,
                        external_code=code,
                        verified_with_national_id=data["verified_with_national_id"],
                        **_submission(data),
                    )
            except IntegrityError:  # the same code handed over concurrently
                if (answer := existing(code, unit)) is not None:
                    return answer
                raise
            return 201, IntakeOutSerializer(dossier, context={"request": request}).data

        return self.command(request, run)
