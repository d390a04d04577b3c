from __future__ import annotations

from django.contrib import admin

from motcua.units.models import AdministrativeArea, RoleAssignment, Unit


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
