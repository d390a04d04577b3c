"""Import and export: lossless round trips, atomic refusals naming row/path and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from motcua.catalog.models import Fee, Procedure, ProcedureVersion
from motcua.catalog.services import CatalogImportError, catalog_export, catalog_import
from motcua.catalog.synthetic import synthetic_document
from tests.catalog.samples import document, record, varied_document

pytestmark = pytest.mark.django_db
SEED = Path(__file__).resolve().parents[2] / "src/motcua/catalog/seed/procedures.json"


def _flush_catalog() -> None:
    for model in (ProcedureVersion, Procedure):
        model.objects.all().delete()


def test_json_export_import_export_is_identical(tmp_path: Path) -> None:
    catalog_import(varied_document())
    first = tmp_path / "first.json"
    call_command("catalog_export", str(first), verbosity=0)
    _flush_catalog()
    assert ProcedureVersion.objects.count() == 0
    call_command("catalog_import", str(first), verbosity=0)
    second = tmp_path / "second.json"
    call_command("catalog_export", str(second), verbosity=0)
    assert first.read_bytes() == second.read_bytes()


def test_excel_round_trip_is_lossless(tmp_path: Path) -> None:
    catalog_import(varied_document())
    before = catalog_export()
    book = tmp_path / "catalog.xlsx"
    call_command("catalog_export", str(book), verbosity=0)
    _flush_catalog()
    call_command("catalog_import", str(book), verbosity=0)
    assert catalog_export() == before


def test_importing_the_same_file_twice_changes_nothing() -> None:
    catalog_import(varied_document())
    report = catalog_import(varied_document())
    assert (report.created, report.updated, report.unchanged) == (0, 0, 6)


def test_a_corrupted_file_changes_nothing_and_names_every_problem() -> None:
    bad = record("1.000894", "Đăng ký kết hôn")
    bad["cases"][0]["fees"][0]["amount"] = -5
    bad["cases"][0]["ways"][0]["duration"] = 0
    bad["cases"][0]["form"]["schema"]["properties"]["full_name"]["type"] = "strng"
    with pytest.raises(CatalogImportError) as exc:
        catalog_import(document(record(), bad))
    problems = {(p.where, p.field) for p in exc.value.problems}
    assert ("procedures[1].cases[0].fees[0]", "amount") in problems
    assert ("procedures[1].cases[0].ways[0]", "duration") in problems
    assert Procedure.objects.count() == 0 and Fee.objects.count() == 0


def test_form_schema_errors_are_named() -> None:
    bad = record()
    bad["cases"][0]["form"]["schema"]["properties"]["full_name"]["type"] = "strng"
    with pytest.raises(CatalogImportError) as exc:
        catalog_import(document(bad))
    (problem,) = exc.value.problems
    assert problem.where == "procedures[0].cases[0].form" and problem.field == "schema"
    assert "JSON Schema" in problem.message


def test_corrupted_excel_names_sheet_row_and_column(tmp_path: Path) -> None:
    catalog_import(varied_document())
    book_path = tmp_path / "catalog.xlsx"
    call_command("catalog_export", str(book_path), verbosity=0)
    book = load_workbook(book_path)
    fees = book["Phí, lệ phí"]
    fees.cell(row=3, column=7).value = "hai trăm nghìn"  # amount column
    book.save(book_path)
    _flush_catalog()
    with pytest.raises(CommandError):
        call_command("catalog_import", str(book_path), stderr=(err := _Capture()))
    assert "Phí, lệ phí row 3: amount:" in err.text
    assert ProcedureVersion.objects.count() == 0


def test_a_published_version_cannot_be_changed_by_import() -> None:
    catalog_import(document(record()))
    changed = record()
    changed["cases"][0]["fees"][0]["amount"] = 10000
    with pytest.raises(CatalogImportError) as exc:
        catalog_import(document(changed))
    assert "new version" in exc.value.problems[0].message
    assert Fee.objects.get().amount == 0


def test_malformed_json_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"format": "motcua-catalog/1", "procedures": [', encoding="utf-8")
    with pytest.raises(CommandError, match="not a JSON file"):
        call_command("catalog_import", str(path))


def test_synthetic_generator_builds_valid_procedures() -> None:
    report = catalog_import(synthetic_document(30))
    assert report.created == 30


def test_the_seed_catalog_is_valid_and_complete() -> None:
    data = json.loads(SEED.read_text(encoding="utf-8"))
    report = catalog_import(data)
    assert report.created >= 50
    assert ProcedureVersion.objects.filter(essential=True).count() >= 25


class _Capture:
    def __init__(self) -> None:
        self.text = ""

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass
