"""Public, read-only REST API of the procedure catalog (wired in ``motcua.api.urls``).

Anyone may read it (``AllowAny``, throttled with the ``anon`` scope). Every successful
GET is ``Cache-Control: public, max-age=300`` with an ``ETag`` computed from the body,
so a client or a shared cache revalidates with ``If-None-Match`` and gets a 304.
Bad query parameters give 400 with the field named (``{"q": ["…"]}``), never a 500.

The JSON keys of a version follow the catalog exchange format (``docs/catalog.md``),
so an integrator reads the API and the import/export files the same way.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any, cast

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.response import SimpleTemplateResponse
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.throttling import AnonRateThrottle

from motcua.catalog.models import (
    Channel,
    Component,
    Fee,
    LegalBasis,
    Level,
    OnlineLevel,
    ProcedureCase,
    ProcedureVersion,
    Registry,
    Sector,
    Subject,
    WayOfPerforming,
)
from motcua.catalog.selectors import (
    MAX_QUERY_LENGTH,
    CatalogFilter,
    CatalogPaginator,
    ProcedureSummary,
    QueryTooLong,
    catalog_search,
    published_version,
    published_versions,
    version_in_force,
)
from motcua.core.clock import local_now

CACHE_MAX_AGE = 300
CHANNEL_ORDER: list[str] = [channel.value for channel in Channel]


def _today() -> date:
    return local_now().date()


class CatalogPagination(PageNumberPagination):
    django_paginator_class = CatalogPaginator  # the page query brings the count
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_page_message = cast(str, _("There is no page {page_number} of these results."))


# --- serializers ------------------------------------------------------------------------------
class BlankAsNullChoiceField(serializers.ChoiceField):
    """A choice stored as ``""`` when absent, shown as ``null`` (as in the exchange format)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value: Any) -> Any:
        return None if value in ("", None) else super().to_representation(value)


class SearchTextField(serializers.CharField):
    """Free text, NFC-normalised first so an NFD keyboard is not penalised on length."""

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, str):
            data = unicodedata.normalize("NFC", data)
        return str(super().to_internal_value(data))


class CatalogQuerySerializer(serializers.Serializer[Any]):
    """The query parameters of the list; each error names its parameter, in the user's language."""

    q = SearchTextField(
        required=False,
        allow_blank=True,
        max_length=MAX_QUERY_LENGTH,
        default="",
        help_text="Words to look for, in any case and with or without diacritics.",
        error_messages={
            "max_length": _("The search text is too long: use at most {max_length} characters.")
        },
    )
    sector = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        default="",
        help_text="A sector code (see /api/v1/sectors/).",
        error_messages={"max_length": _("There is no sector with this code.")},
    )
    level = serializers.ChoiceField(
        choices=Level.choices,
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid_choice": _("Unknown level: use ministry, province or commune.")},
    )
    online_level = serializers.ChoiceField(
        choices=OnlineLevel.choices,
        required=False,
        allow_blank=True,
        default="",
        error_messages={
            "invalid_choice": _("Unknown online service level: use full, partial or none.")
        },
    )
    page = serializers.IntegerField(
        required=False,
        min_value=1,
        error_messages={
            key: _("The page must be a whole number from 1.")
            for key in ("invalid", "min_value", "max_string_length")
        },
    )
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=CatalogPagination.max_page_size,
        help_text="Results per page, 1 to 100 (default 20).",
        error_messages={
            key: _("The page size must be a whole number from 1 to 100.")
            for key in ("invalid", "min_value", "max_value", "max_string_length")
        },
    )

    def validate_sector(self, value: str) -> str:
        if value and not Sector.objects.filter(code=value).exists():
            raise serializers.ValidationError(_("There is no sector with this code."))
        return value

    def catalog_filter(self) -> CatalogFilter:
        data = self.validated_data
        return CatalogFilter(
            query=data["q"],
            sector=data["sector"],
            level=data["level"],
            online_level=data["online_level"],
        )


class SectorSerializer(serializers.ModelSerializer[Sector]):
    class Meta:
        model = Sector
        fields = ["code", "name", "name_en"]


# A valid procedure code that stands in for each real one in a URL reversed once per list.
URL_CODE_PLACEHOLDER = "CODE"


class ProcedureSummaryListSerializer(serializers.ListSerializer[ProcedureSummary]):
    """A result list, built directly from the search's :class:`ProcedureSummary` lines:
    the same items as ``ProcedureSummarySerializer`` gives for the versions, key for key
    (a test compares them), at a fraction of the cost.

    The detail URL is reversed once, with a placeholder code, and each code is put in
    its place (codes are URL-safe).
    """

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        url = reverse(
            "api:procedure-detail",
            kwargs={"code": URL_CODE_PLACEHOLDER},
            request=self.context.get("request"),
        )
        before, _placeholder, after = url.rpartition(URL_CODE_PLACEHOLDER)
        return [
            {
                "code": item.code,
                "version": item.number,
                "name": item.name,
                "name_en": item.name_en,
                "sector": {
                    "code": item.sector.code,
                    "name": item.sector.name,
                    "name_en": item.sector.name_en,
                },
                "levels": list(item.levels),
                "online_level": item.online_level,
                "essential": item.essential,
                "url": f"{before}{item.code}{after}",
            }
            for item in data
        ]


class ProcedureSummarySerializer(serializers.ModelSerializer[ProcedureVersion]):
    code = serializers.CharField(source="procedure.code")
    version = serializers.IntegerField(source="number")
    sector = SectorSerializer()
    levels = serializers.ListField(child=serializers.ChoiceField(choices=Level.choices))
    url = serializers.SerializerMethodField()

    class Meta:
        model = ProcedureVersion
        fields = [
            "code",
            "version",
            "name",
            "name_en",
            "sector",
            "levels",
            "online_level",
            "essential",
            "url",
        ]
        list_serializer_class = ProcedureSummaryListSerializer

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, version: ProcedureVersion) -> str:
        return reverse(
            "api:procedure-detail",
            kwargs={"code": version.procedure.code},
            request=self.context.get("request"),
        )


class ResultSerializer(serializers.ModelSerializer[ProcedureVersion]):
    code = serializers.CharField(source="result_code")
    name = serializers.CharField(source="result_name")
    name_en = serializers.CharField(source="result_name_en")

    class Meta:
        model = ProcedureVersion
        fields = ["code", "name", "name_en"]


class PublicationSerializer(serializers.ModelSerializer[ProcedureVersion]):
    decision = serializers.CharField(source="publication_decision")
    date = serializers.DateField(source="publication_date", allow_null=True)
    issuer = serializers.CharField(source="publication_issuer")

    class Meta:
        model = ProcedureVersion
        fields = ["decision", "date", "issuer"]


class LegalBasisSerializer(serializers.ModelSerializer[LegalBasis]):
    date = serializers.DateField(source="issued_on", allow_null=True)

    class Meta:
        model = LegalBasis
        fields = ["number", "title", "date", "issuer"]


class WaySerializer(serializers.ModelSerializer[WayOfPerforming]):
    class Meta:
        model = WayOfPerforming
        fields = ["channel", "duration", "duration_unit", "description"]


class FeeSerializer(serializers.ModelSerializer[Fee]):
    channel = BlankAsNullChoiceField(
        choices=Channel.choices, help_text="Only for this channel; null: every channel."
    )

    class Meta:
        model = Fee
        fields = ["code", "name", "name_en", "amount", "kind", "mode", "channel"]


class ComponentSerializer(serializers.ModelSerializer[Component]):
    registry = BlankAsNullChoiceField(
        choices=Registry.choices,
        help_text="The registry whose data can replace this document; null: none.",
    )

    class Meta:
        model = Component
        fields = ["code", "name", "name_en", "originals", "copies", "required", "registry"]


class FormSerializer(serializers.ModelSerializer[ProcedureCase]):
    schema = serializers.JSONField(source="form_schema", help_text="JSON Schema of the e-form.")
    ui = serializers.JSONField(source="form_ui", help_text="Presentation hints of the e-form.")

    class Meta:
        model = ProcedureCase
        fields = ["schema", "ui"]


class CaseSerializer(serializers.ModelSerializer[ProcedureCase]):
    ways = serializers.SerializerMethodField()
    fees = FeeSerializer(many=True)
    components = ComponentSerializer(many=True)
    form = FormSerializer(source="*")

    class Meta:
        model = ProcedureCase
        fields = [
            "code",
            "name",
            "name_en",
            "same_day_rule",
            "ways",
            "fees",
            "components",
            "form",
        ]

    @extend_schema_field(WaySerializer(many=True))
    def get_ways(self, case: ProcedureCase) -> list[dict[str, Any]]:
        ways = sorted(case.ways.all(), key=lambda w: CHANNEL_ORDER.index(w.channel))
        return list(WaySerializer(ways, many=True).data)


class ProcedureDetailSerializer(ProcedureSummarySerializer):
    subjects = serializers.ListField(child=serializers.ChoiceField(choices=Subject.choices))
    result = ResultSerializer(source="*")
    legal_basis = LegalBasisSerializer(source="legal_bases", many=True)
    publication = PublicationSerializer(source="*")
    cases = CaseSerializer(many=True)

    class Meta:
        model = ProcedureVersion
        fields = [
            "code",
            "version",
            "status",
            "effective_from",
            "effective_to",
            "published_at",
            "name",
            "name_en",
            "sector",
            "levels",
            "subjects",
            "implementing_agency",
            "receiving_agency",
            "online_level",
            "essential",
            "steps",
            "requirements",
            "result",
            "legal_basis",
            "publication",
            "note",
            "cases",
            "url",
        ]


class VersionSummarySerializer(serializers.ModelSerializer[ProcedureVersion]):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ProcedureVersion
        fields = ["number", "status", "effective_from", "effective_to", "published_at", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, version: ProcedureVersion) -> str:
        return reverse(
            "api:procedure-version",
            kwargs={"code": self.context["code"], "number": version.number},
            request=self.context.get("request"),
        )


# --- views --------------------------------------------------------------------------------------
class PublicCatalogView(GenericAPIView[Any]):
    """Public, read-only, JSON; successful GETs carry cache headers and an ETag."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]
    renderer_classes = [JSONRenderer]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().dispatch(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        if not isinstance(response, HttpResponse):  # a streaming answer: left as it is
            return response
        if isinstance(response, SimpleTemplateResponse):
            response.render()
        patch_cache_control(response, public=True, max_age=CACHE_MAX_AGE)
        set_response_etag(response)
        conditional = get_conditional_response(
            request, etag=response.headers["ETag"], response=response
        )
        return conditional if conditional is not None else response


CODE_PARAMETER = OpenApiParameter(
    "code", str, OpenApiParameter.PATH, description="National procedure code, e.g. 1.001193."
)
NUMBER_PARAMETER = OpenApiParameter(
    "number", int, OpenApiParameter.PATH, description="Version number (1, 2, …)."
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    description="An ETag from an earlier answer: 304 Not Modified when it still matches.",
)
CACHED = OpenApiResponse(
    description="Not modified since the ETag given in If-None-Match (empty body)."
)
BAD_QUERY = OpenApiResponse(
    description='A query parameter is wrong; the body names it: {"q": ["…"]}.'
)
NOT_FOUND = OpenApiResponse(description='Unknown code or version: {"detail": "…"}.')
CACHING = (
    " Answers carry Cache-Control: public, max-age=300 and an ETag; send it back in "
    "If-None-Match to get 304 Not Modified."
)


class ProcedureListView(PublicCatalogView):
    serializer_class = ProcedureSummarySerializer
    pagination_class = CatalogPagination

    @extend_schema(
        operation_id="procedures_list",
        summary="Search the procedures in force today",
        description=(
            "Procedures whose version is in force today, 20 per page (page_size up to 100). "
            "The search ignores case, diacritics and Unicode normalisation (ho chieu = "
            "hộ chiếu = HỘ CHIẾU); names that match rank before matches in the code, "
            "sector or result only." + CACHING
        ),
        parameters=[CatalogQuerySerializer, IF_NONE_MATCH],
        responses={
            200: ProcedureSummarySerializer(many=True),
            304: CACHED,
            400: BAD_QUERY,
            404: OpenApiResponse(description="The page is past the last page of results."),
        },
        tags=["catalog"],
    )
    def get(self, request: Request) -> Response:
        params = CatalogQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            versions = catalog_search(params.catalog_filter(), on=_today())
        except QueryTooLong:  # the serializer already refuses it; kept as a guard
            message = _("The search text is too long: use at most {max_length} characters.")
            raise ValidationError({"q": [message.format(max_length=MAX_QUERY_LENGTH)]}) from None
        page = self.paginate_queryset(versions)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)


class ProcedureDetailView(PublicCatalogView):
    serializer_class = ProcedureDetailSerializer

    @extend_schema(
        operation_id="procedures_retrieve",
        summary="The version of a procedure in force today, in full",
        description=(
            "Everything the law requires to be public, with every case, its ways of "
            "performing, fees, dossier components and e-form (JSON Schema and UI hints). "
            "The keys follow the catalog exchange format." + CACHING
        ),
        parameters=[CODE_PARAMETER, IF_NONE_MATCH],
        responses={200: ProcedureDetailSerializer, 304: CACHED, 404: NOT_FOUND},
        tags=["catalog"],
    )
    def get(self, request: Request, code: str) -> Response:
        try:
            version = version_in_force(code, on=_today())
        except ProcedureVersion.DoesNotExist:
            raise NotFound(_("No procedure with this code is in force today.")) from None
        return Response(self.get_serializer(version).data)


class ProcedureVersionListView(PublicCatalogView):
    serializer_class = VersionSummarySerializer

    @extend_schema(
        operation_id="procedures_versions_list",
        summary="Every published or retired version of a procedure",
        description="Oldest first; drafts are not public." + CACHING,
        parameters=[CODE_PARAMETER, IF_NONE_MATCH],
        responses={200: VersionSummarySerializer(many=True), 304: CACHED, 404: NOT_FOUND},
        tags=["catalog"],
    )
    def get(self, request: Request, code: str) -> Response:
        versions = list(
            published_versions(code).only(
                "number", "status", "effective_from", "effective_to", "published_at"
            )
        )
        if not versions:
            raise NotFound(_("No procedure with this code has been published."))
        context = {**self.get_serializer_context(), "code": code}
        return Response(VersionSummarySerializer(versions, many=True, context=context).data)


class ProcedureVersionDetailView(PublicCatalogView):
    serializer_class = ProcedureDetailSerializer

    @extend_schema(
        operation_id="procedures_versions_retrieve",
        summary="One published or retired version of a procedure, in full",
        description="The same structure as the version in force." + CACHING,
        parameters=[CODE_PARAMETER, NUMBER_PARAMETER, IF_NONE_MATCH],
        responses={200: ProcedureDetailSerializer, 304: CACHED, 404: NOT_FOUND},
        tags=["catalog"],
    )
    def get(self, request: Request, code: str, number: str) -> Response:
        try:
            version = published_version(code, int(number))
        except ProcedureVersion.DoesNotExist:
            raise NotFound(_("This procedure has no published version with this number.")) from None
        return Response(self.get_serializer(version).data)


class SectorListView(PublicCatalogView):
    serializer_class = SectorSerializer

    @extend_schema(
        operation_id="sectors_list",
        summary="Every sector of the catalog",
        description="Sector codes are the values of the sector filter." + CACHING,
        parameters=[IF_NONE_MATCH],
        responses={200: SectorSerializer(many=True), 304: CACHED},
        tags=["catalog"],
    )
    def get(self, request: Request) -> Response:
        sectors = Sector.objects.order_by("code")
        return Response(self.get_serializer(sectors, many=True).data)
