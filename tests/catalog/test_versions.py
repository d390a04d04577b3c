"""Versions: drafts are editable, published versions immutable, history stays readable."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from motcua.catalog.models import Fee, Procedure, ProcedureVersion, VersionStatus
from motcua.catalog.selectors import version_in_force
from motcua.catalog.services import (
    catalog_export,
    catalog_import,
    procedure_draft_create,
    procedure_retire,
    procedure_version_publish,
)
from tests.catalog.samples import document

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure() -> Procedure:
    catalog_import(document())
    return Procedure.objects.get(code="1.001193")


def test_publishing_a_new_version_leaves_the_old_one_unchanged(procedure: Procedure) -> None:
    old_export = catalog_export()["procedures"][0]
    draft = procedure_draft_create(procedure=procedure)
    Fee.objects.filter(case__version=draft).update(amount=8000)
    procedure_version_publish(version=draft, effective_from=date(2027, 1, 1))
    old = ProcedureVersion.objects.get(procedure=procedure, number=1)
    assert old.effective_to == date(2027, 1, 1)
    exported = {p["version"]: p for p in catalog_export()["procedures"]}
    assert {k: v for k, v in exported[1].items() if k != "effective_to"} == {
        k: v for k, v in old_export.items() if k != "effective_to"
    }
    assert version_in_force("1.001193", on=date(2026, 12, 31)).number == 1
    assert version_in_force("1.001193", on=date(2027, 1, 1)).number == 2
    assert exported[2]["cases"][0]["fees"][0]["amount"] == 8000


def test_only_one_draft_and_only_drafts_publish(procedure: Procedure) -> None:
    draft = procedure_draft_create(procedure=procedure)
    with pytest.raises(ValidationError):
        procedure_draft_create(procedure=procedure)
    published = ProcedureVersion.objects.get(procedure=procedure, number=1)
    with pytest.raises(ValidationError):
        procedure_version_publish(version=published, effective_from=date(2027, 1, 1))
    with pytest.raises(ValidationError):  # must take effect after the version in force
        procedure_version_publish(version=draft, effective_from=date(2025, 1, 1))
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_a_draft_missing_required_parts_cannot_be_published(procedure: Procedure) -> None:
    draft = procedure_draft_create(procedure=procedure)
    draft.legal_bases.all().delete()
    with pytest.raises(ValidationError) as exc:
        procedure_version_publish(version=draft, effective_from=date(2027, 1, 1))
    assert "legal basis" in str(exc.value) or "căn cứ pháp lý" in str(exc.value)


def test_retiring_keeps_history(procedure: Procedure) -> None:
    procedure_retire(procedure=procedure, effective_to=date(2026, 12, 31))
    with pytest.raises(ProcedureVersion.DoesNotExist):
        version_in_force("1.001193", on=date(2027, 1, 1))
    assert version_in_force("1.001193", on=date(2026, 6, 1)).number == 1
    assert ProcedureVersion.objects.get(procedure=procedure).status == VersionStatus.RETIRED
