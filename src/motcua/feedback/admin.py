from django.contrib import admin
from django.http import HttpRequest

from motcua.feedback.models import Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    """Read-only: ratings are the applicants' words."""

    list_display = ("created_at", "dossier", "satisfaction", "province_code")
    list_filter = ("satisfaction", "province_code")
    fields = readonly_fields = ("dossier", "satisfaction", "comment", "province_code", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
