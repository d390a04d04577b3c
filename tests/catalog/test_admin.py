"""Admin editing: bad e-forms are refused with the field named; published is read-only."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from motcua.catalog.admin import CaseForm
from motcua.catalog.models import ProcedureCase, ProcedureVersion
from motcua.catalog.services import catalog_import, procedure_draft_create
from tests.catalog.samples import FORM, document

pytestmark = pytest.mark.django_db


def _form_data(case: ProcedureCase, **changes: object) -> dict[str, object]:
    import json

    data = {
        "version": case.version_id,
        "position": 0,
        "code": case.code,
        "name": case.name,
        "name_en": case.name_en,
        "same_day_rule": "",
        "process": "",
        "form_schema": json.dumps(FORM["schema"]),
        "form_ui": json.dumps(FORM["ui"]),
    }
    data.update(changes)
    return data


def test_invalid_json_schema_is_refused_on_the_field() -> None:
    catalog_import(document())
    draft = procedure_draft_create(procedure=ProcedureVersion.objects.get().procedure)
    case = draft.cases.get()
    form = CaseForm(
        data=_form_data(case, form_schema='{"type": "object", "properties": {"a": {"type": 5}}}'),
        instance=case,
    )
    assert not form.is_valid()
    assert "form_schema" in form.errors and "JSON Schema" in str(form.errors["form_schema"])
    form = CaseForm(
        data=_form_data(case, form_ui='{"prefill": {"ghost": "account.email"}}'), instance=case
    )
    assert not form.is_valid() and "form_ui" in form.errors


def test_published_versions_are_read_only_in_admin(officer: object) -> None:
    catalog_import(document())
    published = ProcedureVersion.objects.get()
    request = RequestFactory().get("/")
    request.user = officer  # type: ignore[attr-defined]
    officer.is_superuser = True  # type: ignore[attr-defined]
    model_admin = site._registry[ProcedureVersion]
    assert not model_admin.has_change_permission(request, published)
    draft = procedure_draft_create(procedure=published.procedure)
    assert model_admin.has_change_permission(request, draft)
