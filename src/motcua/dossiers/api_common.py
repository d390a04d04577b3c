"""What every dossier endpoint shares: strict JSON in, errors mapped to HTTP, idempotent commands.

* ``StrictJSONParser``: UTF-8 JSON of at most 1 MB (413 beyond), no NaN, nesting at most
  32 deep, no NUL characters or lone surrogates (PostgreSQL refuses them) — a 400
  ``{"errors": {"body": [...]}}`` instead of a 500.
* ``exception_handler``: ``InvalidInput`` and DRF validation errors → 400
  ``{"errors": {field: [messages]}}`` with the field names the services use
  (``applicant.id_number``, ``components[0].code``); ``PermissionDenied`` → 403,
  ``DossierNotFound`` → 404 (one body, whether absent or not visible), ``Conflict`` →
  409, other ``DomainError`` → 422, each ``{"detail", "code"}``; a reused
  Idempotency-Key → 422, one still in flight → 409 with ``Retry-After``.
* ``JSONAPIView.command``: runs a command through ``motcua.core.idempotency``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.core.idempotency import (
    IdempotencyInFlight,
    IdempotencyKeyReused,
    idempotent_command,
    request_fingerprint,
    valid_key,
)
from motcua.dossiers.access import DossierNotFound
from motcua.dossiers.models import NATIONAL_STATUS_CODE, Dossier, Status
from motcua.dossiers.services import InvalidInput
from motcua.integrations.auth import IntegrationPrincipal

MAX_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32
# A dossier code (``H15.50.05.13-261008-0975``), an external code or a reference UUID.
PUBLIC_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")
NOT_FOUND = gettext_lazy("No dossier with this code was found.")


# --- plumbing: a strict JSON parser and the error mapping -----------------------------------
class BodyTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = gettext_lazy("The request body is too large (at most 1 MB).")
    default_code = "too_large"


def _check_json(data: Any) -> None:
    """Refuse what the database cannot store or what would exhaust the stack."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise exceptions.ParseError(_("The JSON body is nested too deeply."))
        if isinstance(value, dict):
            stack.extend((k, depth) for k in value)
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
        elif isinstance(value, float) and not math.isfinite(value):  # 1e400 parses as inf
            raise exceptions.ParseError(_("Numbers must be finite."))
        elif isinstance(value, str):
            if "\x00" in value:
                raise exceptions.ParseError(_("Text may not contain the NUL character."))
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise exceptions.ParseError(_("Text must be valid Unicode.")) from None


class StrictJSONParser(BaseParser):
    """JSON in UTF-8, at most 1 MB, no NaN, bounded depth; anything else is a 400/413."""

    media_type = "application/json"
    renderer_class = JSONRenderer

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        raw = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
        if len(raw) > MAX_BODY_BYTES:
            raise BodyTooLarge()
        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            raise exceptions.ParseError(_("The body is not valid JSON.")) from None
        _check_json(data)
        return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as the services name fields: ``applicant.name``, ``items[0]``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                name = prefix or "body"
            elif isinstance(key, int):
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in flatten_errors(value, name).items():
                out.setdefault(field, []).extend(messages)
    elif isinstance(detail, list) and detail and all(isinstance(d, str) for d in detail):
        out[prefix or "body"] = [str(d) for d in detail]
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            out |= flatten_errors(value, f"{prefix}[{index}]")
    elif detail:
        out[prefix or "body"] = [str(detail)]
    return out


def detail_response(message: Any, code: str, status: int, **extra: Any) -> Response:
    return Response({"detail": str(message), "code": code, **extra}, status=status)


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    if isinstance(exc, InvalidInput):
        return Response({"errors": exc.errors}, status=400)
    if isinstance(exc, PermissionDenied):
        return detail_response(exc.message, exc.code, 403)
    if isinstance(exc, Conflict):
        return detail_response(exc.message, exc.code, 409)
    if isinstance(exc, DomainError):
        extra = {"field": exc.field} if exc.field else {}
        return detail_response(exc.message, exc.code, 422, **extra)
    if isinstance(exc, DossierNotFound):
        return detail_response(NOT_FOUND, "not_found", 404)
    if isinstance(exc, IdempotencyKeyReused):
        message = _("This Idempotency-Key was already used for a different request.")
        return detail_response(message, "idempotency_key_reused", 422)
    if isinstance(exc, IdempotencyInFlight):
        message = _("A request with this Idempotency-Key is still being processed; retry soon.")
        response = detail_response(message, "idempotency_in_flight", 409)
        response["Retry-After"] = "1"
        return response
    if isinstance(exc, exceptions.ValidationError):
        return Response({"errors": flatten_errors(exc.detail)}, status=400)
    if isinstance(exc, exceptions.ParseError | exceptions.UnsupportedMediaType):
        status = exc.status_code
        return Response({"errors": {"body": [str(exc.detail)]}}, status=status)
    response = drf_exception_handler(exc, cast(dict[str, Any], context))
    if (
        response is not None
        and isinstance(exc, exceptions.APIException)
        and isinstance(response.data, dict)
        and "detail" in response.data
    ):
        response.data["code"] = exc.get_codes()
    return response


class JSONAPIView(APIView):
    """JSON in and out, strict parsing and the error mapping above."""

    parser_classes = [StrictJSONParser]
    renderer_classes = [JSONRenderer]

    def get_exception_handler(self) -> Callable[..., Response | None]:
        return exception_handler

    def idempotency_scope(self, request: Request) -> str:
        if isinstance(request.user, IntegrationPrincipal):
            return request.user.idempotency_scope
        return f"user:{request.user.pk}"

    def command(self, request: Request, run: Callable[[], tuple[int, Any]]) -> Response:
        """Run a command (status, body) once per Idempotency-Key, in one transaction."""
        key = request.headers.get("Idempotency-Key")
        if key is not None and not valid_key(key):
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("Use 1 to 200 visible ASCII characters.")]}
            )
        body = request.data
        answer = idempotent_command(
            scope=self.idempotency_scope(request),
            key=key,
            fingerprint=request_fingerprint(request.method or "POST", request.path, body),
            run=run,
        )
        response = Response(answer.body, status=answer.status)
        if answer.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def dossier_url(dossier: Dossier, request: Request | None) -> str:
    return reverse("api:dossier-detail", kwargs={"id": dossier.public_id}, request=request)


def checked_public_id(value: str) -> str:
    if not PUBLIC_ID.fullmatch(value):
        raise DossierNotFound(value)
    return value


# --- error bodies (for the OpenAPI description) ---------------------------------------------
class FieldErrorsSerializer(serializers.Serializer[Any]):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Messages per field, e.g. {"applicant.id_number": ["…"]}.',
    )


class DetailErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    code = serializers.CharField()
    field = serializers.CharField(required=False)


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    texts = {
        400: "Invalid input; the errors name the fields.",
        401: "Not authenticated.",
        403: "Not allowed.",
        404: "No such dossier visible to you.",
        409: "Conflict: the dossier changed, or the same Idempotency-Key is in flight.",
        413: "Body larger than 1 MB.",
        422: "Refused by a rule of law or an Idempotency-Key reused with another body.",
    }
    return {
        s: OpenApiResponse(FieldErrorsSerializer if s == 400 else DetailErrorSerializer, texts[s])
        for s in statuses
    }


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Repeat a command safely: the same key and body return the first answer.",
)
ID_PARAMETER = OpenApiParameter(
    "id",
    str,
    OpenApiParameter.PATH,
    description="Dossier code (e.g. H15.50.05.13-261008-0975) or, before reception, its "
    "reference UUID.",
)


# --- the dossier status, described once in OpenAPI ------------------------------------------
class NamedChoiceField(serializers.ChoiceField):
    """A choice described once in OpenAPI as its own named component.

    drf-spectacular otherwise names enums after the field (``status``, ``kind``) and
    warns when other apps use the same field name for other choices.
    """

    def __init__(self, *, component: str, description: str = "", **kwargs: Any) -> None:
        self.component = component
        self.component_description = description
        super().__init__(**kwargs)


class NamedChoiceFieldScheme(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        field = cast(NamedChoiceField, self.target)
        schema: dict[str, Any] = {"type": "string", "enum": [str(c) for c in field.choices]}
        if field.component_description:
            schema["description"] = field.component_description
        component = ResolvedComponent(
            name=field.component,
            type=ResolvedComponent.SCHEMA,
            object=field.component,
            schema=schema,
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class DossierStatusField(NamedChoiceField):
    """A dossier status (component ``DossierStatus``, with the national codes)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            component="DossierStatus",
            description="Dossier status; national code (TrangThaiHoSo): "
            + ", ".join(f"{s} = {NATIONAL_STATUS_CODE[s]}" for s in Status.values),
            choices=Status.choices,
            **kwargs,
        )
