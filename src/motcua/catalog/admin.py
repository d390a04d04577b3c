"""Catalog editing: drafts only; published versions are read-only; validation on save."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.audit.services import audit_record
from motcua.catalog.exchange import validate_form
from motcua.catalog.models import (
    Component,
    Fee,
    LegalBasis,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    Sector,
    VersionStatus,
    WayOfPerforming,
)
from motcua.catalog.services import (
    procedure_draft_create,
    procedure_version_publish,
    refresh_search_text,
)
from motcua.core.clock import local_now


class _DraftOnlyInline(admin.TabularInline):
    extra = 0

    def _editable(self, obj: Any) -> bool:
        version = obj if isinstance(obj, ProcedureVersion) else getattr(obj, "version", None)
        return version is None or version.status == VersionStatus.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


class LegalBasisInline(_DraftOnlyInline):
    model = LegalBasis


class CaseInline(_DraftOnlyInline):
    model = ProcedureCase
    fields = ("position", "code", "name", "name_en", "same_day_rule", "process")
    show_change_link = True


class CaseForm(forms.ModelForm):
    class Meta:
        model = ProcedureCase
        fields = [
            "version",
            "position",
            "code",
            "name",
            "name_en",
            "same_day_rule",
            "form_schema",
            "form_ui",
            "process",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        schema, ui = data.get("form_schema"), data.get("form_ui") or {}
        if isinstance(schema, dict):
            for field_name, message in validate_form(schema, ui):
                target = "form_schema" if field_name.startswith("schema") else "form_ui"
                self.add_error(target, f"{field_name}: {message}")
        return data


class WayInline(_DraftOnlyInline):
    model = WayOfPerforming


class FeeInline(_DraftOnlyInline):
    model = Fee


class ComponentInline(_DraftOnlyInline):
    model = Component


@admin.register(ProcedureCase)
class ProcedureCaseAdmin(admin.ModelAdmin):
    form = CaseForm
    list_display = ("name", "code", "version")
    search_fields = ("name", "version__procedure__code")
    inlines = [WayInline, FeeInline, ComponentInline]
    raw_id_fields = ("version",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.version.status != VersionStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)


class PublishForm(forms.Form):
    effective_from = forms.DateField(label=_("effective from"))


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = ("procedure", "number", "name", "status", "effective_from", "effective_to")
    list_filter = ("status", "online_level", "essential", "sector")
    search_fields = ("procedure__code", "search_text")
    inlines = [LegalBasisInline, CaseInline]
    raw_id_fields = ("procedure",)
    readonly_fields = ("status", "effective_from", "effective_to", "published_at")
    actions = ["create_draft", "publish_today"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return False  # published versions are immutable: shown read-only
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and obj.status == VersionStatus.DRAFT

    def save_model(
        self, request: HttpRequest, obj: ProcedureVersion, form: Any, change: bool
    ) -> None:
        refresh_search_text(obj, obj.sector)
        super().save_model(request, obj, form, change)
        audit_record(
            action="procedure.draft_edited",
            actor=request.user,
            object_type="procedure",
            object_id=obj.procedure.code,
            data={"version": obj.number},
        )

    @admin.action(description=_("Create a new draft from the selected versions"))
    def create_draft(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        for version in queryset.select_related("procedure"):
            try:
                procedure_draft_create(procedure=version.procedure, actor=request.user)
            except ValidationError as exc:
                self.message_user(
                    request, f"{version.procedure.code}: {'; '.join(exc.messages)}", messages.ERROR
                )

    @admin.action(description=_("Publish the selected drafts from today"))
    def publish_today(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        today: date = local_now().date()
        for version in queryset.select_related("procedure"):
            try:
                procedure_version_publish(version=version, effective_from=today, actor=request.user)
            except ValidationError as exc:
                self.message_user(
                    request, f"{version.procedure.code}: {'; '.join(exc.messages)}", messages.ERROR
                )


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "created_at")
    search_fields = ("code",)


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name")
