"""The auditors' report of population-database look-ups, in the administration site.

Read-only (no add, change or delete) and visible only to population-database auditors
(role ``population_auditor``) and superusers, each scoped by ``visible_lookups``. Filters:
result, purpose, who (citizen/officer/system), unit, date; search by request id,
motcua request id, reference or account id. "Export CSV" downloads the rows of the
current filters; every export is audited. See ``docs/population.md``.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from motcua.audit.services import audit_record
from motcua.core.clock import VIETNAM, local_now
from motcua.integrations.models import LookupActorKind, PopulationLookup
from motcua.integrations.population import can_audit_population_lookups, visible_lookups

CSV_COLUMNS = (
    ("time", _("time")),
    ("actor_kind", _("who")),
    ("account", _("account")),
    ("unit", _("unit")),
    ("province", _("province")),
    ("purpose", _("purpose")),
    ("reference", _("reference")),
    ("result", _("result")),
    ("error", _("error")),
    ("request_id", _("request id")),
    ("correlation_id", _("motcua request id")),
)


def actor_label(entry: PopulationLookup) -> str:
    """Officers by username, citizens by account number: never a citizen's name."""
    if entry.actor is None:
        return str(_("system"))
    if entry.actor_kind == LookupActorKind.OFFICER:
        return entry.actor.username
    return str(_("citizen account #%(id)s") % {"id": entry.actor_id})


class _Echo:
    def write(self, value: str) -> str:
        return value


@admin.register(PopulationLookup)
class PopulationLookupAdmin(admin.ModelAdmin):
    change_list_template = "admin/integrations/populationlookup/change_list.html"
    list_display = (
        "occurred_at",
        "actor_kind",
        "account",
        "unit",
        "purpose",
        "reference",
        "outcome",
        "request_id",
    )
    list_filter = (
        "outcome",
        "purpose",
        "actor_kind",
        ("unit", admin.RelatedOnlyFieldListFilter),
        ("occurred_at", admin.DateFieldListFilter),
    )
    date_hierarchy = "occurred_at"
    search_fields = ("=request_id", "=correlation_id", "=reference", "=actor__id")
    list_select_related = ("actor", "unit")
    list_per_page = 100
    show_full_result_count = True
    fields = (
        "occurred_at",
        "actor_kind",
        "account",
        "unit",
        "province_code",
        "purpose",
        "reference",
        "outcome",
        "error",
        "request_id",
        "correlation_id",
    )
    readonly_fields = fields

    @admin.display(description=_("account"))
    def account(self, obj: PopulationLookup) -> str:
        return actor_label(obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PopulationLookup]:
        return visible_lookups(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_audit_population_lookups(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_audit_population_lookups(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_csv),
            name="integrations_populationlookup_export",
        )
        return [export, *super().get_urls()]

    def export_csv(self, request: HttpRequest) -> HttpResponse:
        """The rows of the change list's current filters and search, as CSV (UTF-8 BOM)."""
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        changelist: ChangeList = self.get_changelist_instance(request)
        rows = changelist.get_queryset(request).order_by("occurred_at", "id")
        with transaction.atomic():
            audit_record(
                action="population_lookup.export",
                actor=request.user,
                object_type="population_lookup",
                data={"rows": rows.count()},
            )
        writer = csv.writer(_Echo())

        def lines() -> Any:
            yield "\ufeff" + writer.writerow([str(label) for _key, label in CSV_COLUMNS])
            for entry in rows.iterator(chunk_size=2000):
                yield writer.writerow(
                    [
                        entry.occurred_at.astimezone(VIETNAM).isoformat(timespec="seconds"),
                        entry.actor_kind,
                        actor_label(entry),
                        entry.unit.code if entry.unit else "",
                        entry.province_code,
                        entry.purpose,
                        entry.reference,
                        entry.outcome,
                        entry.error,
                        entry.request_id,
                        entry.correlation_id,
                    ]
                )

        stamp = local_now().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="population-lookups-{stamp}.csv"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
