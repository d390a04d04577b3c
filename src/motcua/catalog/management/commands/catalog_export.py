from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.catalog.services import catalog_export
from motcua.catalog.workbook import write_workbook


class Command(BaseCommand):
    help = "Export the whole catalog (every version) as JSON or, for .xlsx files, Excel."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        document = catalog_export()
        if path.suffix.lower() == ".xlsx":
            write_workbook(document, path)
        else:
            path.write_text(
                json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
        self.stdout.write(f"{len(document['procedures'])} procedure versions written to {path}")
