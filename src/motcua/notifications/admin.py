from django.contrib import admin
from django.http import HttpRequest

from motcua.notifications.models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """Read-only: operators see what was sent and what still waits."""

    list_display = ("created_at", "topic", "language", "status", "attempts", "sent_at")
    list_filter = ("status", "topic", "language")
    # Not the recipient or the body: they carry personal data.
    fields = readonly_fields = (
        "reference",
        "topic",
        "language",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
