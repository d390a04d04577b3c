"""Signing keys, the register of signed documents and the certification register.

* Keys: superusers register a key (the form opens it and refuses an expired,
  untrusted or mismatched one with the reason) and may deactivate it; nothing else
  about a key changes after registration.
* Signed documents: read-only, scoped to the units where the officer holds a role; a
  leader of the issuing unit revokes one with a reason (``signed_result_revoke``).
* Certification register: read-only, scoped the same way.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from motcua.core.clock import local_now
from motcua.core.errors import DomainError
from motcua.signatures.models import CertifiedCopy, KeyPurpose, SignedResult, SigningKey
from motcua.signatures.providers import registry
from motcua.signatures.services import (
    signed_result_revoke,
    signing_key_deactivate,
    signing_key_register,
)
from motcua.signatures.signing import certificate_of
from motcua.units.models import RoleAssignment


def _unit_ids(request: HttpRequest) -> list[int]:
    user_id = request.user.pk
    if user_id is None:
        return []
    return list(
        RoleAssignment.objects.active_on(local_now().date())
        .filter(user_id=user_id)
        .values_list("unit_id", flat=True)
    )


class SigningKeyForm(forms.ModelForm):
    provider = forms.ChoiceField(label=_("key provider"), choices=())
    config = forms.JSONField(
        label=_("provider settings"),
        help_text=SigningKey._meta.get_field("config").help_text,
        initial=dict,
    )

    class Meta:
        model = SigningKey
        fields = ("unit", "purpose", "holder", "label", "provider", "config")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider = self.fields.get("provider")
        if isinstance(provider, forms.ChoiceField):  # absent when a registered key is shown
            provider.choices = [(n, n) for n in registry.names()]
        if "label" in self.fields:
            self.fields["label"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        provider, config = data.get("provider"), data.get("config")
        if provider and isinstance(config, dict):
            errors = registry.get(provider).config_errors(config)
            if errors:
                raise forms.ValidationError(
                    [f"{field}: {message}" for field, msgs in errors.items() for message in msgs]
                )
            try:
                certificate_of(provider, config)
            except DomainError as exc:
                raise forms.ValidationError(exc.message) from None
        if data.get("purpose") == KeyPurpose.PERSONAL and not data.get("holder"):
            self.add_error("holder", _("A personal certificate belongs to an officer."))
        return data


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    form = SigningKeyForm
    list_display = (
        "label",
        "unit",
        "purpose",
        "holder",
        "provider",
        "not_after",
        "development_only",
        "active",
    )
    list_filter = ("purpose", "provider", "development_only", "active")
    search_fields = ("label", "unit__code", "unit__name", "subject", "serial")
    raw_id_fields = ("unit", "holder")
    actions = ("deactivate",)
    shown = ("label", "unit", "purpose", "holder", "provider", "config_text")
    readonly_fields = (
        "subject",
        "issuer",
        "serial",
        "fingerprint",
        "not_before",
        "not_after",
        "development_only",
        "active",
        "created_at",
    )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: Any = None):  # type: ignore[no-untyped-def]
        if obj is None:
            return ["unit", "purpose", "holder", "label", "provider", "config"]
        return [*self.shown, *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):  # type: ignore[no-untyped-def]
        # A registered key is shown, never edited (deactivate it and register another).
        return [] if obj is None else [*self.shown, *self.readonly_fields]

    @admin.display(description=_("provider settings"))
    def config_text(self, obj: SigningKey) -> str:
        return json.dumps(obj.config, ensure_ascii=False, indent=1)

    def save_model(self, request: HttpRequest, obj: SigningKey, form: Any, change: bool) -> None:
        data = form.cleaned_data
        key = signing_key_register(
            actor=request.user,  # type: ignore[arg-type]
            unit=data["unit"],
            provider=data["provider"],
            config=data["config"],
            purpose=data["purpose"],
            holder=data.get("holder"),
            label=data.get("label") or "",
        )
        obj.pk = key.pk
        obj.refresh_from_db()

    @admin.action(description=_("Deactivate the selected keys"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[SigningKey]) -> None:
        for key in queryset:
            signing_key_deactivate(actor=request.user, key=key)  # type: ignore[arg-type]
        self.message_user(request, _("Keys deactivated."), messages.SUCCESS)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Shown to anyone who verifies the document, e.g. “licence withdrawn by …”."),
    )


@admin.register(SignedResult)
class SignedResultAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "subject_ref", "unit", "signed_at", "revoked_at")
    list_filter = ("kind", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("token", "subject_ref", "sha256")
    date_hierarchy = "signed_at"
    fields = (
        "title",
        "kind",
        "subject_ref",
        "unit",
        "token",
        "sha256",
        "signed_by",
        "signed_at",
        "revoked_at",
        "revoked_by",
        "revocation_reason",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[SignedResult]:
        qs = super().get_queryset(request).select_related("unit")
        if request.user.is_superuser:
            return qs
        return qs.filter(unit_id__in=_unit_ids(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:pk>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="signatures_signedresult_revoke",
            )
        ]
        return own + super().get_urls()

    def revoke_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        result = get_object_or_404(self.get_queryset(request), pk=pk)
        form = RevokeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                signed_result_revoke(
                    actor=request.user,  # type: ignore[arg-type]
                    token=result.token,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, _("The document is revoked."), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:signatures_signedresult_change", args=[result.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Revoke a signed document"),
            "opts": self.model._meta,
            "original": result,
            "form": form,
        }
        return TemplateResponse(request, "admin/signatures/signedresult/revoke.html", context)


@admin.register(CertifiedCopy)
class CertifiedCopyAdmin(admin.ModelAdmin):
    list_display = (
        "register_number",
        "unit",
        "original_title",
        "pages",
        "fee",
        "certifier",
        "certified_at",
    )
    list_filter = ("year",)
    search_fields = ("unit__code", "original_title")
    fields = (
        "unit",
        "year",
        "number",
        "original_title",
        "pages",
        "fee",
        "certifier",
        "certified_at",
        "signed",
    )
    readonly_fields = fields

    @admin.display(description=_("register number"))
    def register_number(self, obj: CertifiedCopy) -> str:
        return obj.register_number

    def get_queryset(self, request: HttpRequest) -> QuerySet[CertifiedCopy]:
        qs = super().get_queryset(request).select_related("unit", "certifier")
        if request.user.is_superuser:
            return qs
        return qs.filter(unit_id__in=_unit_ids(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
