from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.audit.services import NATIONAL_CHAIN, audit_record
from motcua.units.models import AdministrativeArea, CalendarAdjustment, RoleAssignment, Unit

WEEKDAYS = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)


@admin.register(AdministrativeArea)
class AdministrativeAreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name", "codename")
    raw_id_fields = ("parent",)


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "province_code", "valid_from", "valid_to")
    list_filter = ("level", "province_code")
    search_fields = ("code", "name")
    raw_id_fields = ("parent", "area", "successor")
    inlines = [RoleAssignmentInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "role", "valid_from", "valid_to")
    list_filter = ("role",)
    raw_id_fields = ("user", "unit")
    search_fields = ("unit__code", "user__username")


class CalendarAdjustmentForm(forms.ModelForm):
    class Meta:
        model = CalendarAdjustment
        fields = ["day", "kind", "province_code", "reason"]

    def clean_province_code(self) -> str:
        code = (self.cleaned_data.get("province_code") or "").strip()
        if code and not (code.isdigit() and len(code) == 2):
            raise forms.ValidationError(
                _("Give the 2-digit province code (e.g. 01), or leave empty for the country.")
            )
        return code


def _audit(action: str, request: HttpRequest, obj: CalendarAdjustment) -> None:
    audit_record(
        action=action,
        actor=request.user,
        object_type="calendar_adjustment",
        object_id=obj.pk or "",
        chain=obj.province_code or NATIONAL_CHAIN,
        data={"day": obj.day.isoformat(), "kind": obj.kind, "province": obj.province_code},
    )


@admin.register(CalendarAdjustment)
class CalendarAdjustmentAdmin(admin.ModelAdmin):
    """Days off and extra working days (make-up Saturdays) that deadlines count with.

    An empty province applies to the whole country; a province's own entry for the same
    day wins over the national one (``units.selectors.work_calendar``). Deadlines already
    promised keep their date; new ones use the calendar as it is when they are computed.
    """

    form = CalendarAdjustmentForm
    list_display = ("day", "weekday", "kind", "province_code", "reason")
    list_filter = ("kind", "province_code")
    search_fields = ("reason", "province_code")
    date_hierarchy = "day"
    ordering = ("-day",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _audit("calendar.adjustment_saved", request, obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _audit("calendar.adjustment_deleted", request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            _audit("calendar.adjustment_deleted", request, obj)
        super().delete_queryset(request, queryset)

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarAdjustment) -> str:
        return str(WEEKDAYS[obj.day.weekday()])
