from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.catalog.services import catalog_import
from motcua.catalog.synthetic import synthetic_document


class Command(BaseCommand):
    help = "Add a deterministic synthetic catalog (codes 9.xxxxxx) for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=4400)

    def handle(self, *args: Any, **options: Any) -> None:
        report = catalog_import(synthetic_document(options["count"]))
        self.stdout.write(
            f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged"
        )
