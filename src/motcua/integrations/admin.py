"""Integration clients in the admin: see, deactivate, change scopes; tokens are never shown.

A client (and its token) is created with ``motcua create-integration-client``, which
prints the token once; the admin cannot add one, because it could not show the token.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from motcua.integrations.clients import SCOPES
from motcua.integrations.models import IntegrationClient


class IntegrationClientForm(forms.ModelForm):
    class Meta:
        model = IntegrationClient
        fields = ("scopes", "is_active")

    def clean_scopes(self) -> Any:
        scopes = self.cleaned_data["scopes"]
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise forms.ValidationError(_('Give a list of scopes, e.g. ["intake"].'))
        unknown = [s for s in scopes if s not in SCOPES]
        if unknown:
            raise forms.ValidationError(
                _("Unknown scope: %(scopes)s. Known scopes: %(known)s.")
                % {"scopes": ", ".join(unknown), "known": ", ".join(SCOPES)}
            )
        return sorted(set(scopes))


@admin.register(IntegrationClient)
class IntegrationClientAdmin(admin.ModelAdmin):
    form = IntegrationClientForm
    list_display = ("name", "unit", "scopes", "token_prefix", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "unit__code", "token_prefix")
    fields = ("name", "unit", "scopes", "token_prefix", "is_active", "created_at")
    readonly_fields = ("name", "unit", "token_prefix", "created_at")
    ordering = ("name",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # deactivate instead: the audit log refers to it


# The auditors' report of population-database look-ups lives in its own module.
from motcua.integrations import population_admin  # noqa: E402, F401
