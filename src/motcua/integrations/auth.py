"""API authentication of integration clients: ``Authorization: Token <token>``.

``IntegrationTokenAuthentication`` makes ``request.user`` an ``IntegrationPrincipal``
(authenticated, not a person) and ``request.auth`` the ``IntegrationClient``. Endpoints
for other systems list it as their only authentication class and require a scope with
``HasIntegrationScope``; endpoints for people do not list it, so a token opens nothing
else. No or a malformed header → 401 with ``WWW-Authenticate: Token``; an unknown or
inactive token → 401; a token without the scope → 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from motcua.integrations.clients import integration_client_for_token
from motcua.integrations.models import IntegrationClient

KEYWORD = "Token"


@dataclass(frozen=True)
class IntegrationPrincipal:
    """Who calls: another system. Has no roles in units and no dossiers of its own."""

    client: IntegrationClient
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    @property
    def pk(self) -> int:
        return int(self.client.pk)

    @property
    def idempotency_scope(self) -> str:
        return f"client:{self.client.pk}"

    def __str__(self) -> str:
        return f"integration client {self.client.name}"


class IntegrationTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[IntegrationPrincipal, IntegrationClient]:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            raise exceptions.NotAuthenticated(_("Send the header Authorization: Token <token>."))
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid or inactive token.")) from None
        client = integration_client_for_token(token)
        if client is None:
            raise exceptions.AuthenticationFailed(_("Invalid or inactive token."))
        return IntegrationPrincipal(client), client

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


class IntegrationTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI description names this authentication."""

    target_class = IntegrationTokenAuthentication
    name = "IntegrationToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>` of an integration client "
            "(`motcua create-integration-client`).",
        }


class HasIntegrationScope(BasePermission):
    """The calling client holds the view's ``required_scope``."""

    message = _("This client is not allowed to do this (missing scope).")

    def has_permission(self, request: Request, view: APIView) -> bool:
        scope: Any = getattr(view, "required_scope", None)
        client = request.auth
        return (
            isinstance(client, IntegrationClient)
            and isinstance(scope, str)
            and client.has_scope(scope)
        )
