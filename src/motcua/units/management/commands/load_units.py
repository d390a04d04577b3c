from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.units.models import AdministrativeArea, Unit
from motcua.units.services import units_load_official


class Command(BaseCommand):
    help = "Load the official two-tier administrative structure (34 provinces, 3,321 communes)."

    def handle(self, *args: Any, **options: Any) -> None:
        reports = units_load_official()
        for name, report in reports.items():
            self.stdout.write(
                f"{name}: {report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged"
            )
        provinces = AdministrativeArea.objects.filter(parent__isnull=True).count()
        communes = AdministrativeArea.objects.filter(parent__isnull=False).count()
        self.stdout.write(
            f"{provinces} provinces, {communes} communes, {Unit.objects.count()} units."
        )
