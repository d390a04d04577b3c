from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.catalog.services import CatalogImportError, catalog_import
from motcua.catalog.workbook import read_workbook


class Command(BaseCommand):
    help = (
        "Import a catalog file (JSON motcua-catalog/1, or an .xlsx workbook) atomically: "
        "any error changes nothing and every error is listed with its row/path and field."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        where = str
        if path.suffix.lower() == ".xlsx":
            read = read_workbook(path)
            if read.problems:
                self._fail([str(p) for p in read.problems])
            document = read.document
            where = read.where
        else:
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise CommandError(f"{path}: not a JSON file: {exc}") from None
        try:
            report = catalog_import(document)
        except CatalogImportError as exc:
            self._fail([f"{where(p.where)}: {p.field}: {p.message}" for p in exc.problems])
        self.stdout.write(
            f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged"
        )

    def _fail(self, lines: list[str]) -> None:
        for line in lines:
            self.stderr.write(line)
        raise CommandError(f"import refused, nothing changed: {len(lines)} problem(s)")
