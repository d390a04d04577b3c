"""Dossiers in the administration site: read-only.

Officers look dossiers up here (list filtered by status, unit and procedure, search by
code, detail with components and timeline) but change nothing: every change of a
dossier goes through ``motcua.dossiers.services`` (one door, with its event, audit entry
and outbox message). What an officer sees is decided by the one gate,
``access.visible_dossiers``: the dossiers of the units where they hold a role today
(a province supervisor: the province; a superuser: all).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.access import visible_dossiers
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent


class _ReadOnly:
    """No add, change or delete, for the model admin and its inlines alike."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The admin site already requires an active, verified staff account; which
        # dossiers they see is the gate's decision (get_queryset).
        user = request.user
        return bool(user.is_active and user.is_staff)


class DossierComponentInline(_ReadOnly, admin.TabularInline):
    model = DossierComponent
    extra = 0
    can_delete = False
    fields = ("code", "name", "received_as", "count", "digitization", "from_national_warehouse")
    readonly_fields = fields
    verbose_name_plural = _("components")


class DossierEventInline(_ReadOnly, admin.TabularInline):
    model = DossierEvent
    extra = 0
    can_delete = False
    fields = (
        "seq",
        "occurred_at",
        "action",
        "from_status",
        "to_status",
        "actor",
        "actor_unit",
        "to_unit",
        "reason",
        "due_at",
    )
    readonly_fields = fields
    ordering = ("seq",)
    verbose_name_plural = _("timeline")

    def get_queryset(self, request: HttpRequest) -> QuerySet[DossierEvent]:
        return super().get_queryset(request).select_related("actor", "actor_unit", "to_unit")


@admin.register(Dossier)
class DossierAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = (
        "public_code",
        "procedure_code",
        "applicant_name",
        "status",
        "national_status",
        "receiving_unit",
        "handling_unit",
        "submitted_at",
        "due_at",
    )
    list_filter = (
        "status",
        "channel",
        "province_code",
        ("receiving_unit", admin.RelatedOnlyFieldListFilter),
        ("handling_unit", admin.RelatedOnlyFieldListFilter),
        ("procedure_version__procedure", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("code", "external_code")
    search_help_text = _("Dossier code, or its code on the national portal.")
    list_select_related = ("receiving_unit", "handling_unit", "procedure_version__procedure")
    ordering = ("-submitted_at",)
    list_per_page = 50
    show_full_result_count = False  # counting every visible dossier is the slow part
    inlines = [DossierComponentInline, DossierEventInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    "external_code",
                    "reference",
                    "status",
                    "national_status",
                    "procedure_version",
                    "case",
                    "channel",
                    "request_summary",
                )
            },
        ),
        (
            _("Applicant"),
            {
                "fields": (
                    "applicant_kind",
                    "applicant_name",
                    "applicant_id_number",
                    "applicant_address",
                    "applicant_phone",
                    "applicant_email",
                    "applicant_account",
                    "representative_name",
                    "representative_id_number",
                    "verified_with_national_id",
                )
            },
        ),
        (
            _("Units"),
            {"fields": ("province_code", "receiving_unit", "handling_unit", "supporting_units")},
        ),
        (
            _("Legal time"),
            {
                "fields": (
                    "submitted_at",
                    "received_at",
                    "original_due_at",
                    "due_at",
                    "paused_at",
                    "result_ready_at",
                    "returned_at",
                    "ended_at",
                    "supplement_count",
                    "extension_count",
                    "approved",
                )
            },
        ),
        (_("E-form data"), {"classes": ("collapse",), "fields": ("form_data",)}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [str(f) for _name, options in self.fieldsets for f in options["fields"]]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Dossier]:
        return visible_dossiers(request.user).select_related(  # type: ignore[arg-type]
            "receiving_unit", "handling_unit", "procedure_version__procedure"
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    @admin.display(description=_("dossier code"), ordering="code")
    def public_code(self, obj: Dossier) -> str:
        return obj.public_id

    @admin.display(description=_("procedure"), ordering="procedure_version__procedure__code")
    def procedure_code(self, obj: Dossier) -> str:
        return obj.procedure_version.procedure.code

    @admin.display(description=_("national status code"))
    def national_status(self, obj: Dossier) -> int:
        return obj.national_status
