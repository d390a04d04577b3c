"""The dossier register (form 7) for a unit and a period, as Excel and PDF."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from motcua.core.clock import local_now
from motcua.dossiers.services import (
    dossier_approve,
    dossier_forward,
    dossier_mark_result_ready,
    dossier_receive,
    dossier_return_result,
)
from tests.backoffice.conftest import World, verified_client

pytestmark = pytest.mark.django_db


def test_register_lists_the_units_dossiers_with_return_method(world: World) -> None:
    returned = world.submit()
    dossier_receive(actor=world.reception, public_id=str(returned.reference))
    returned.refresh_from_db()
    code = returned.code
    dossier_forward(actor=world.reception, public_id=code)
    dossier_approve(actor=world.leader, public_id=code)
    dossier_mark_result_ready(actor=world.leader, public_id=code)
    dossier_return_result(actor=world.reception, public_id=code, method="post")
    pending = world.submit()
    dossier_receive(actor=world.reception, public_id=str(pending.reference))
    world.submit()  # not received: not in the register
    today = local_now().date()
    client = verified_client(world.reception)
    response = client.get(
        reverse("backoffice:register"),
        {"unit": world.section.pk, "start": today.isoformat(), "end": today.isoformat()},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in rows] == [code, pending.__class__.objects.get(pk=pending.pk).code]
    assert rows[0][3] == "Nguyễn Thị Lan"
    assert rows[0][8] == "Qua dịch vụ bưu chính công ích"
    assert rows[1][7] is None
    pdf = client.get(
        reverse("backoffice:register"),
        {
            "unit": world.section.pk,
            "start": today.isoformat(),
            "end": today.isoformat(),
            "format": "pdf",
        },
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_register_of_a_unit_not_mine_is_refused(world: World) -> None:
    today = local_now().date().isoformat()
    response = verified_client(world.other_specialist).get(
        reverse("backoffice:register"),
        {"unit": world.section.pk, "start": today, "end": today},
    )
    assert response.status_code == 400  # not a choice for this officer


def test_register_period_is_checked(world: World) -> None:
    response = verified_client(world.reception).get(
        reverse("backoffice:register"),
        {"unit": world.section.pk, "start": "2026-12-01", "end": "2026-11-01"},
    )
    assert response.status_code == 400
